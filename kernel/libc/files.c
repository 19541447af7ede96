/*
 * libc/files.c: the app's descriptors. Each open descriptor names an object and its operations;
 * for now every object is a host file the proxy opened (host_fd is the proxy's handle), 0, 1 and
 * 2 being the proxy's stdio. Sockets will join as a second kind. The table lock guards the table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hermit/abi.h"
#include "kernel/hcall.h"
#include "kernel/sync.h"
#include "libc/libc.h"

#define MAX_FILES 256
#define LINUX_S_IFMT 0170000

struct file {
	int in_use;
	int32_t host_fd;
};

static struct kmutex table_lock;
static struct file files[MAX_FILES] = { { 1, 0 }, { 1, 1 }, { 1, 2 } };

static int fail(int64_t host_ret)
{
	errno = libc_errno_from_host(-host_ret);
	return -1;
}

static int host_fd_of(int fd, int32_t *host_fd)
{
	if (fd < 0 || fd >= MAX_FILES)
		return -1;
	kmutex_lock(&table_lock, 0);
	int ok = files[fd].in_use;
	*host_fd = files[fd].host_fd;
	kmutex_unlock(&table_lock);
	return ok ? 0 : -1;
}

static int fd_install(int32_t host_fd)
{
	kmutex_lock(&table_lock, 0);
	int fd = 0;
	while (fd < MAX_FILES && files[fd].in_use)
		fd++;
	if (fd < MAX_FILES)
		files[fd] = (struct file){ 1, host_fd };
	kmutex_unlock(&table_lock);
	return fd < MAX_FILES ? fd : -1;
}

static int64_t host_rw(uint32_t nr, int fd, const void *buf, size_t len)
{
	int32_t host_fd;
	if (host_fd_of(fd, &host_fd) < 0) {
		errno = EBADF;
		return -1;
	}
	struct hc_rw req = { .fd = host_fd, .buf = (hermit_gpa_t)(uintptr_t)buf, .len = len };
	hcall(nr, &req);
	return req.ret < 0 ? fail(req.ret) : req.ret;
}

int write(int fd, const void *buf, size_t len) { return (int)host_rw(HERMIT_HC_WRITE, fd, buf, len); }
int read(int fd, void *buf, size_t len) { return (int)host_rw(HERMIT_HC_READ, fd, buf, len); }

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
	va_end(ap);
	struct hc_open req = { .path = (hermit_gpa_t)(uintptr_t)path, .flags = libc_open_flags_to_host(flags), .mode = mode };
	hcall(HERMIT_HC_OPEN, &req);
	if (req.ret < 0)
		return fail(req.ret);
	int fd = fd_install((int32_t)req.ret);
	if (fd < 0) {
		struct hc_close c = { .fd = (int32_t)req.ret };
		hcall(HERMIT_HC_CLOSE, &c);
		errno = EMFILE;
	}
	return fd;
}

int close(int fd)
{
	int32_t host_fd;
	if (host_fd_of(fd, &host_fd) < 0) {
		errno = EBADF;
		return -1;
	}
	kmutex_lock(&table_lock, 0);
	files[fd].in_use = 0;
	kmutex_unlock(&table_lock);
	struct hc_close req = { .fd = host_fd };
	hcall(HERMIT_HC_CLOSE, &req);
	return req.ret < 0 ? fail(req.ret) : 0;
}

off_t lseek(int fd, off_t offset, int whence)
{
	int32_t host_fd;
	if (host_fd_of(fd, &host_fd) < 0) {
		errno = EBADF;
		return -1;
	}
	struct hc_lseek req = { .fd = host_fd, .whence = whence, .offset = offset };
	hcall(HERMIT_HC_LSEEK, &req);
	return req.ret < 0 ? fail(req.ret) : req.ret;
}

int unlink(const char *path)
{
	struct hc_unlink req = { .path = (hermit_gpa_t)(uintptr_t)path };
	hcall(HERMIT_HC_UNLINK, &req);
	return req.ret < 0 ? fail(req.ret) : 0;
}

static mode_t mode_from_host(uint32_t m)
{
	/* Linux and newlib share the S_IF* type codes and permission bits. */
	return (mode_t)m;
}

int fstat(int fd, struct stat *st)
{
	int32_t host_fd;
	if (host_fd_of(fd, &host_fd) < 0) {
		errno = EBADF;
		return -1;
	}
	struct hermit_stat hs;
	struct hc_fstat req = { .fd = host_fd, .st = (hermit_gpa_t)(uintptr_t)&hs };
	hcall(HERMIT_HC_FSTAT, &req);
	if (req.ret < 0)
		return fail(req.ret);
	memset(st, 0, sizeof(*st));
	st->st_size = (off_t)hs.size;
	st->st_mode = mode_from_host(hs.mode);
	st->st_blksize = (blksize_t)hs.blksize;
	st->st_mtime = (time_t)(hs.mtime_ns / 1000000000);
	st->st_nlink = 1;
	return 0;
}

int stat(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	int r = fstat(fd, st);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int isatty(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return 0;
	if (!S_ISCHR(st.st_mode)) {
		errno = ENOTTY;
		return 0;
	}
	return 1;
}
