/*
 * libc/process.c: the process calls of a single-program machine. There is one process and no
 * other program to run: fork, exec, posix_spawn, popen and system fail with ENOSYS, consistently,
 * and there is no shell (system(NULL) is 0); waiting finds no child (ECHILD).
 */
#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch.h"
#include "kernel/hcall.h"
#include "libc/libc.h"

#define CPUID1_ECX_RDRAND (1u << 30)

void libc_terminate(int status) { hcall_exit(HERMIT_HC_EXIT, status & 0xff); }

void _exit(int status) { libc_terminate(status); }

static int fail(int err)
{
	errno = err;
	return -1;
}

static int no_programs(void) { return fail(ENOSYS); }

pid_t fork(void) { return no_programs(); }
pid_t vfork(void) { return no_programs(); }

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path, (void)argv, (void)envp;
	return no_programs();
}
int execvpe(const char *file, char *const argv[], char *const envp[]) { return execve(file, argv, envp); }
int execv(const char *path, char *const argv[]) { return execve(path, argv, NULL); }
int execvp(const char *file, char *const argv[]) { return execve(file, argv, NULL); }
int fexecve(int fd, char *const argv[], char *const envp[])
{
	(void)fd;
	return execve(NULL, argv, envp);
}
int execl(const char *path, const char *arg, ...)
{
	(void)path, (void)arg;
	return no_programs();
}
int execlp(const char *file, const char *arg, ...) { return execl(file, arg); }
int execle(const char *path, const char *arg, ...) { return execl(path, arg); }

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	(void)pid, (void)path, (void)actions, (void)attr, (void)argv, (void)envp;
	return ENOSYS;
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
		 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return posix_spawn(pid, file, actions, attr, argv, envp);
}

/* No shell: system(NULL) says so, as the C standard has it; a command cannot run. */
int system(const char *command) { return command ? no_programs() : 0; }

FILE *popen(const char *command, const char *mode)
{
	(void)command, (void)mode;
	no_programs();
	return NULL;
}

/* No stream ever came from popen(), so none has a child to wait for. */
int pclose(FILE *stream)
{
	(void)stream;
	return fail(ECHILD);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	(void)pid, (void)status, (void)options;
	return fail(ECHILD);
}
pid_t wait(int *status) { return waitpid(-1, status, 0); }

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
