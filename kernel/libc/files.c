/*
 * libc/files.c: the app's descriptors. Each open descriptor names an object and its operations
 * (kernel/fd.h): a host file the proxy opened (obj is the proxy's handle; 0, 1 and 2 are the
 * proxy's stdio), or an object of a kind that registered its operations (sockets). The table
 * lock guards the table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hermit/abi.h"
#include "kernel/fd.h"
#include "kernel/hcall.h"
#include "kernel/sync.h"
#include "libc/libc.h"

#define LINUX_S_IFMT 0170000

struct file {
	const struct fd_ops *ops; /* NULL: free */
	intptr_t obj;
};

static struct kmutex table_lock;
static struct file files[FD_MAX] = { { &fd_host_ops, 0 }, { &fd_host_ops, 1 }, { &fd_host_ops, 2 } };

static int fail(int64_t host_ret)
{
	errno = libc_errno_from_host(-host_ret);
	return -1;
}

const struct fd_ops *fd_lookup(int fd, intptr_t *obj)
{
	const struct fd_ops *ops = NULL;
	if (fd >= 0 && fd < FD_MAX) {
		kmutex_lock(&table_lock, 0);
		ops = files[fd].ops;
		*obj = files[fd].obj;
		kmutex_unlock(&table_lock);
	}
	if (!ops)
		errno = EBADF;
	return ops;
}

/* The host descriptor behind fd, when fd is a host file. */
static int host_fd_of(int fd, int32_t *host_fd)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	if (ops != &fd_host_ops) {
		errno = ESPIPE;
		return -1;
	}
	*host_fd = (int32_t)obj;
	return 0;
}

int fd_install(const struct fd_ops *ops, intptr_t obj)
{
	kmutex_lock(&table_lock, 0);
	int fd = 0;
	while (fd < FD_MAX && files[fd].ops)
		fd++;
	if (fd < FD_MAX)
		files[fd] = (struct file){ ops, obj };
	kmutex_unlock(&table_lock);
	if (fd == FD_MAX) {
		errno = EMFILE;
		return -1;
	}
	return fd;
}

int fd_fill(int fd, const struct fd_ops *ops, intptr_t placeholder, intptr_t obj)
{
	int filled = 0;
	kmutex_lock(&table_lock, 0);
	if (fd >= 0 && fd < FD_MAX && files[fd].ops == ops && files[fd].obj == placeholder) {
		files[fd].obj = obj;
		filled = 1;
	}
	kmutex_unlock(&table_lock);
	if (!filled)
		errno = EBADF;
	return filled ? 0 : -1;
}

static int64_t host_rw(uint32_t nr, intptr_t host_fd, const void *buf, size_t len)
{
	struct hc_rw req = { .fd = (int32_t)host_fd, .buf = (hermit_gpa_t)(uintptr_t)buf, .len = len };
	hcall(nr, &req);
	return req.ret < 0 ? fail(req.ret) : req.ret;
}

static ssize_t host_write(intptr_t obj, const void *buf, size_t len) { return host_rw(HERMIT_HC_WRITE, obj, buf, len); }
static ssize_t host_read(intptr_t obj, void *buf, size_t len) { return host_rw(HERMIT_HC_READ, obj, buf, len); }

int write(int fd, const void *buf, size_t len)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	if (!ops->write) {
		errno = EINVAL;
		return -1;
	}
	return (int)ops->write(obj, buf, len);
}

int read(int fd, void *buf, size_t len)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	if (!ops->read) {
		errno = EINVAL;
		return -1;
	}
	return (int)ops->read(obj, buf, len);
}

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
	int fd = fd_install(&fd_host_ops, (intptr_t)req.ret);
	if (fd < 0) {
		struct hc_close c = { .fd = (int32_t)req.ret };
		hcall(HERMIT_HC_CLOSE, &c);
		errno = EMFILE;
	}
	return fd;
}

static int host_close(intptr_t obj)
{
	struct hc_close req = { .fd = (int32_t)obj };
	hcall(HERMIT_HC_CLOSE, &req);
	return req.ret < 0 ? fail(req.ret) : 0;
}

int close(int fd)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	kmutex_lock(&table_lock, 0);
	files[fd].ops = NULL;
	kmutex_unlock(&table_lock);
	return ops->close ? ops->close(obj) : 0;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	int arg = va_arg(ap, int);
	va_end(ap);
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	if (ops->fcntl)
		return ops->fcntl(obj, cmd, arg);
	if (cmd == F_GETFL || cmd == F_GETFD)
		return 0; /* host files: the proxy keeps their flags */
	if (cmd == F_SETFD)
		return 0;
	errno = EINVAL;
	return -1;
}

int ioctl(int fd, unsigned long request, ...);
int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	if (!ops->ioctl) {
		errno = ENOTTY;
		return -1;
	}
	return ops->ioctl(obj, request, arg);
}

off_t lseek(int fd, off_t offset, int whence)
{
	int32_t host_fd;
	if (host_fd_of(fd, &host_fd) < 0)
		return -1;
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

static int host_fstat(intptr_t obj, struct stat *st)
{
	int32_t host_fd = (int32_t)obj;
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

int fstat(int fd, struct stat *st)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	if (!ops->fstat) {
		memset(st, 0, sizeof(*st));
		return 0;
	}
	return ops->fstat(obj, st);
}

const struct fd_ops fd_host_ops = {
	.kind = "host file", .read = host_read, .write = host_write, .close = host_close, .fstat = host_fstat,
};

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
