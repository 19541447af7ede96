/*
 * Memory mappings: anonymous and private file mappings, protections, MAP_FIXED, the hints and
 * every MAP_FAILED path; the pages come back on munmap. Faults the app handles (SIGSEGV, SIGFPE).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "posix.h"

#define PAGE 4096

static int all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void check_anonymous(void)
{
	void *warm = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* the table's memory */
	CHECK(warm != MAP_FAILED && munmap(warm, PAGE) == 0);
	long free_before = sysconf(_SC_AVPHYS_PAGES);
	char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED && ((uintptr_t)p & (PAGE - 1)) == 0 && all_zero(p, 3 * PAGE));
	CHECK(sysconf(_SC_AVPHYS_PAGES) <= free_before - 3);
	memset(p, 0x5a, 3 * PAGE);
	CHECK(munmap(p + PAGE, PAGE) == 0); /* a hole in the middle */
	CHECK(p[0] == 0x5a && p[2 * PAGE] == 0x5a);
	CHECK_ERRNO(mprotect(p, 3 * PAGE, PROT_READ), ENOMEM); /* the hole */
	CHECK(munmap(p, 3 * PAGE) == 0 && munmap(p, 3 * PAGE) == 0);
	CHECK(sysconf(_SC_AVPHYS_PAGES) == free_before);

	char *big = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(big != MAP_FAILED && all_zero(big + (32 << 20), 4096));
	CHECK(munmap(big, 64 << 20) == 0 && sysconf(_SC_AVPHYS_PAGES) == free_before);

	errno = 0;
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, PAGE, 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, (size_t)1 << 46, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == ENOMEM);
	CHECK(mmap(NULL, SIZE_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == ENOMEM);
	CHECK_ERRNO(munmap(p + 1, PAGE), EINVAL);
	CHECK_ERRNO(munmap(p, 0), EINVAL);
}

static void check_protection(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED && p[0] == 0);
	CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
	p[0] = 1;
	CHECK(mprotect(p, 2 * PAGE, PROT_NONE) == 0 && mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE) == 0);
	CHECK(p[0] == 1);
	p[PAGE] = 2;
	CHECK_ERRNO(mprotect(p + 1, PAGE, PROT_READ), EINVAL);
	CHECK_ERRNO(mprotect(p, PAGE, 0x40), EINVAL);
	CHECK(madvise(p, 2 * PAGE, MADV_SEQUENTIAL) == 0 && p[0] == 1);
	CHECK(mprotect(p, 2 * PAGE, PROT_READ) == 0 && madvise(p, 2 * PAGE, MADV_DONTNEED) == 0);
	CHECK(p[0] == 0 && p[PAGE] == 0);
	CHECK_ERRNO(madvise(p, PAGE, 99), EINVAL);
	CHECK(posix_madvise(p, PAGE, POSIX_MADV_WILLNEED) == 0);
	CHECK(msync(p, 2 * PAGE, MS_SYNC) == 0);
	CHECK_ERRNO(msync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK(mlock(p, PAGE) == 0 && munlock(p, PAGE) == 0);
	CHECK(munmap(p, 2 * PAGE) == 0);
	CHECK_ERRNO(madvise(p, PAGE, MADV_NORMAL), ENOMEM);
	CHECK_ERRNO(msync(p, PAGE, MS_ASYNC), ENOMEM);
	CHECK_ERRNO(mprotect(p, PAGE, PROT_READ), ENOMEM);
}

static void check_fixed(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 7, 4 * PAGE);
	char *q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + PAGE && q[0] == 0 && p[0] == 7 && p[2 * PAGE] == 7);
	errno = 0;
	CHECK(mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED &&
	      errno == EEXIST);
	CHECK(mmap(p + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED && errno == EINVAL);
	/* the kernel's own memory is never handed out */
	CHECK(mmap((void *)0x200000, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED &&
	      errno == ENOMEM);
	CHECK(munmap(p, 4 * PAGE) == 0);
	/* unmapped frames can be taken back at a fixed address */
	q = mmap(p, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(q == p && all_zero(q, 2 * PAGE));
	CHECK(munmap(q, 2 * PAGE) == 0);
}

static void check_files(void)
{
	static char data[2 * PAGE + 100];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	int fd = open("posix-mmap.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, data, sizeof(data)) == (ssize_t)sizeof(data));
	CHECK(lseek(fd, 10, SEEK_SET) == 10);
	char *m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED && memcmp(m, data, sizeof(data)) == 0 && all_zero(m + sizeof(data), 3 * PAGE - sizeof(data)));
	CHECK(lseek(fd, 0, SEEK_CUR) == 10); /* the descriptor's offset is the caller's */
	m[0] = 'Z';                          /* private: the file keeps its byte */
	char first = 0;
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, &first, 1) == 1 && first == 'a');
	char *tail = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
	CHECK(tail != MAP_FAILED && memcmp(tail, data + 2 * PAGE, 100) == 0);
	CHECK_ERRNO(madvise(tail, PAGE, MADV_DONTNEED), EINVAL);
	errno = 0;
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == ENODEV);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED && errno == EBADF);
	CHECK(munmap(m, 3 * PAGE) == 0 && munmap(tail, PAGE) == 0);
	close(fd);
	int wronly = open("posix-mmap.dat", O_WRONLY);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wronly, 0) == MAP_FAILED && errno == EACCES);
	close(wronly);
	unlink("posix-mmap.dat");
}

static char *fault_page;
static volatile void *fault_addr;
static volatile int fault_code, faults;
static sigjmp_buf escape;

/* A write barrier as garbage collectors use them: note the fault, open the page, retry. */
static void unprotect(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)ctx;
	faults++;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	mprotect(fault_page, PAGE, PROT_READ | PROT_WRITE);
}

static void leave(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	faults++;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	siglongjmp(escape, sig);
}

static void on_fault(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa = { .sa_sigaction = fn, .sa_flags = SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void check_fault_handlers(void)
{
	fault_page = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	on_fault(SIGSEGV, unprotect);
	faults = 0;
	((volatile char *)fault_page)[100] = 9; /* faults once, then the retry writes */
	CHECK(faults == 1 && fault_page[100] == 9 && fault_addr == fault_page + 100 && fault_code == SEGV_ACCERR);
	munmap(fault_page, PAGE);

	on_fault(SIGSEGV, leave);
	faults = 0;
	volatile int *volatile near_null = (volatile int *)16;
	int sig = sigsetjmp(escape, 1);
	if (sig == 0)
		sig = *near_null;
	CHECK(sig == SIGSEGV && faults == 1 && fault_addr == (void *)16 && fault_code == SEGV_MAPERR);

	on_fault(SIGFPE, leave);
	volatile int zero = 0;
	sig = sigsetjmp(escape, 1);
	if (sig == 0)
		sig = 100 / zero;
	CHECK(sig == SIGFPE && fault_code == FPE_INTDIV);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
}

void check_mman(void)
{
	check_anonymous();
	check_protection();
	check_fixed();
	check_files();
	check_fault_handlers();
}

/* Faults on purpose: a write to a read-only page, a read of an inaccessible one; with
 * "blocked-" in front, with a SIGSEGV handler that the thread blocks (still fatal). */
int die_by_fault(const char *how)
{
	if (strncmp(how, "blocked-", 8) == 0) {
		how += 8;
		on_fault(SIGSEGV, leave);
		sigset_t segv;
		sigemptyset(&segv);
		sigaddset(&segv, SIGSEGV);
		sigprocmask(SIG_BLOCK, &segv, NULL);
	}
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 4;
	p[0] = 1;
	mprotect((void *)p, PAGE, strcmp(how, "write-readonly") == 0 ? PROT_READ : PROT_NONE);
	printf("posix: touching %p\n", (void *)p);
	fflush(stdout);
	if (strcmp(how, "write-readonly") == 0)
		p[0] = 2;
	return p[0];
}
