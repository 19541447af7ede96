/*
 * libc/process.c: the process calls of a single-program machine. There is one process: its pid
 * is 1; signalling itself ends it as a Linux process killed by that signal would (status 128+sig);
 * fork, exec and wait do not exist.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "kernel/hcall.h"
#include "libc/libc.h"

#define HERMIT_PID 1
#define CPUID1_ECX_RDRAND (1u << 30)

void libc_terminate(int status) { hcall_exit(HERMIT_HC_EXIT, status & 0xff); }

void _exit(int status) { libc_terminate(status); }

int getpid(void) { return HERMIT_PID; }

int kill(int pid, int sig)
{
	if (pid != HERMIT_PID && pid != 0 && pid != -1) {
		errno = ESRCH;
		return -1;
	}
	if (sig == 0)
		return 0;
	libc_terminate(128 + sig);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how;
	(void)set;
	if (old)
		*old = 0;
	return 0;
}

static int unsupported(void)
{
	errno = ENOSYS;
	return -1;
}

int fork(void) { return unsupported(); }
int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path, (void)argv, (void)envp;
	return unsupported();
}
int wait(int *status)
{
	(void)status;
	errno = ECHILD;
	return -1;
}
int link(const char *old, const char *new)
{
	(void)old, (void)new;
	return unsupported();
}
int mkdir(const char *path, mode_t mode)
{
	(void)path, (void)mode;
	return unsupported();
}

long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE:
		return 4096;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return 1;
	case _SC_CLK_TCK:
		return CLOCKS_PER_SEC;
	default:
		errno = EINVAL;
		return -1;
	}
}

int getpagesize(void) { return 4096; }

static int rdrand64(uint64_t *v)
{
	unsigned char ok;
	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

int getentropy(void *buf, size_t len)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (len > 256 || !(r[2] & CPUID1_ECX_RDRAND)) {
		errno = len > 256 ? EIO : ENOSYS;
		return -1;
	}
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v;
		int tries = 10;
		while (!rdrand64(&v))
			if (!--tries) {
				errno = EIO;
				return -1;
			}
		for (size_t j = 0; j < 8 && i + j < len; j++)
			((unsigned char *)buf)[i + j] = (unsigned char)(v >> (8 * j));
	}
	return 0;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	extern void *memalign(size_t, size_t);
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
