/*
 * libc/hostfile.c: host files, the descriptor kind whose object is the proxy's descriptor (the
 * proxy opened the file on the host; hermit/abi.h, PATH_OPEN and the FD requests), and the calls
 * that act on an open host file: open, pread, pwrite, ftruncate, fsync, fdatasync, fchmod,
 * futimens.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hermit/abi.h"
#include "kernel/fd.h"
#include "kernel/hcall.h"
#include "libc/libc.h"

static int64_t answer(int64_t ret)
{
	if (ret >= 0)
		return ret;
	errno = libc_errno_from_host(-ret);
	return -1;
}

int64_t libc_host_path(struct hc_path *req)
{
	hcall(HERMIT_HC_PATH, req);
	return answer(req->ret);
}

int64_t libc_host_fd(struct hc_fd *req)
{
	hcall(HERMIT_HC_FD, req);
	return answer(req->ret);
}

static int64_t fd_request(uint32_t op, intptr_t host, int64_t arg, const void *buf, uint64_t len)
{
	struct hc_fd req = { .op = op, .fd = (int32_t)host, .arg = arg,
			     .buf = (hermit_gpa_t)(uintptr_t)buf, .len = len };
	return libc_host_fd(&req);
}

int libc_host_file(int fd, int not_host, int32_t *host)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	if (ops != &fd_host_ops) {
		errno = not_host;
		return -1;
	}
	*host = (int32_t)obj;
	return 0;
}

void libc_stat_from_host(const struct hermit_stat *hs, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = hs->dev;
	st->st_ino = hs->ino;
	st->st_mode = hs->mode; /* Linux and newlib share the S_IF* codes and permission bits */
	st->st_nlink = (nlink_t)hs->nlink;
	st->st_uid = hs->uid;
	st->st_gid = hs->gid;
	st->st_rdev = hs->rdev;
	st->st_size = hs->size;
	st->st_blksize = hs->blksize;
	st->st_blocks = hs->blocks;
	st->st_atim = (struct timespec){ hs->atime.sec, hs->atime.nsec };
	st->st_mtim = (struct timespec){ hs->mtime.sec, hs->mtime.nsec };
	st->st_ctim = (struct timespec){ hs->ctime.sec, hs->ctime.nsec };
}

/* ---- the kind ---- */

static int64_t host_rw(uint32_t nr, intptr_t host, const void *buf, size_t len, uint32_t flags,
		       off_t offset)
{
	struct hc_rw req = { .fd = (int32_t)host, .flags = flags, .buf = (hermit_gpa_t)(uintptr_t)buf,
			     .len = len, .offset = offset };
	hcall(nr, &req);
	return answer(req.ret);
}

static ssize_t host_write(intptr_t obj, const void *buf, size_t len) { return host_rw(HERMIT_HC_WRITE, obj, buf, len, 0, 0); }
static ssize_t host_read(intptr_t obj, void *buf, size_t len) { return host_rw(HERMIT_HC_READ, obj, buf, len, 0, 0); }

static int host_close(intptr_t obj) { return (int)fd_request(HERMIT_FD_CLOSE, obj, 0, NULL, 0); }

static int host_fstat(intptr_t obj, struct stat *st)
{
	struct hermit_stat hs;
	if (fd_request(HERMIT_FD_STAT, obj, 0, &hs, sizeof(hs)) < 0)
		return -1;
	libc_stat_from_host(&hs, st);
	return 0;
}

static off_t host_lseek(intptr_t obj, off_t offset, int whence)
{
	struct hc_fd req = { .op = HERMIT_FD_LSEEK, .fd = (int32_t)obj, .arg = offset, .arg2 = whence };
	return (off_t)libc_host_fd(&req);
}

static int host_fcntl(intptr_t obj, int cmd, int arg)
{
	if (cmd == F_GETFL) {
		int64_t fl = fd_request(HERMIT_FD_GETFL, obj, 0, NULL, 0);
		return fl < 0 ? -1 : libc_open_flags_from_host((int32_t)fl);
	}
	int32_t linux_fl = libc_open_flags_to_host(arg & (O_APPEND | O_NONBLOCK));
	return (int)fd_request(HERMIT_FD_SETFL, obj, linux_fl, NULL, 0);
}

/* Linux's poll bits, which the host speaks, against this C library's (lwIP's). */
#define LINUX_POLLIN 0x1
#define LINUX_POLLOUT 0x4
#define LINUX_POLLERR 0x8
#define LINUX_POLLHUP 0x10

static short host_poll(intptr_t obj, short events)
{
	short in = events & (POLLIN | POLLRDNORM), out = events & (POLLOUT | POLLWRNORM);
	int64_t r = fd_request(HERMIT_FD_POLL, obj, (in ? LINUX_POLLIN : 0) | (out ? LINUX_POLLOUT : 0),
			       NULL, 0);
	if (r < 0)
		return POLLERR;
	return (short)(((r & LINUX_POLLIN) ? in : 0) | ((r & LINUX_POLLOUT) ? out : 0) |
		       ((r & LINUX_POLLERR) ? POLLERR : 0) | ((r & LINUX_POLLHUP) ? POLLHUP : 0));
}

static void host_drop_locks(intptr_t obj)
{
	struct flock all = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
	libc_record_lock(obj, F_SETLK, &all);
}

const struct fd_ops fd_host_ops = {
	.kind = "host file", .read = host_read, .write = host_write, .close = host_close,
	.fstat = host_fstat, .fcntl = host_fcntl, .lseek = host_lseek, .poll = host_poll,
	.drop_locks = host_drop_locks,
};

/* ---- the calls ---- */

static int open_at(int dirfd, const char *path, int flags, int mode)
{
	struct hc_path req = { .op = HERMIT_PATH_OPEN, .path = (hermit_gpa_t)(uintptr_t)path,
			       .flags = libc_open_flags_to_host(flags), .arg = libc_umask_apply(mode),
			       .dirfd = HERMIT_AT_CWD, .dirfd2 = HERMIT_AT_CWD };
	if (dirfd != AT_FDCWD && path && path[0] != '/' && libc_host_file(dirfd, ENOTDIR, &req.dirfd) < 0)
		return -1;
	int64_t host = libc_host_path(&req);
	if (host < 0)
		return -1;
	int fd = fd_install(&fd_host_ops, (intptr_t)host);
	if (fd < 0)
		host_close((intptr_t)host);
	else if (flags & O_CLOEXEC)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (fd < 0)
		errno = EMFILE;
	return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
	va_end(ap);
	return open_at(dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
	va_end(ap);
	return open_at(AT_FDCWD, path, flags, mode);
}

/* A request on fd's host file; other kinds get errno not_host. */
static int64_t on_host_file(int fd, int not_host, uint32_t op, int64_t arg, const void *buf,
			    uint64_t len)
{
	int32_t host;
	if (libc_host_file(fd, not_host, &host) < 0)
		return -1;
	return fd_request(op, host, arg, buf, len);
}

/* Pipes and sockets have no offsets: ESPIPE, as on Linux. */
ssize_t pread(int fd, void *buf, size_t len, off_t offset)
{
	int32_t host;
	if (libc_host_file(fd, ESPIPE, &host) < 0)
		return -1;
	return host_rw(HERMIT_HC_READ, host, buf, len, HERMIT_RW_AT, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t offset)
{
	int32_t host;
	if (libc_host_file(fd, ESPIPE, &host) < 0)
		return -1;
	return host_rw(HERMIT_HC_WRITE, host, buf, len, HERMIT_RW_AT, offset);
}

int ftruncate(int fd, off_t length) { return (int)on_host_file(fd, EINVAL, HERMIT_FD_TRUNCATE, length, NULL, 0); }
int fsync(int fd) { return (int)on_host_file(fd, EINVAL, HERMIT_FD_SYNC, 0, NULL, 0); }
int fdatasync(int fd) { return (int)on_host_file(fd, EINVAL, HERMIT_FD_SYNC, 1, NULL, 0); }
int fchmod(int fd, mode_t mode) { return (int)on_host_file(fd, EINVAL, HERMIT_FD_CHMOD, mode, NULL, 0); }
int fchdir(int fd) { return (int)on_host_file(fd, ENOTDIR, HERMIT_FD_CHDIR, 0, NULL, 0); }

int futimens(int fd, const struct timespec *times)
{
	struct hermit_timespec t[2];
	return (int)on_host_file(fd, EINVAL, HERMIT_FD_UTIMENS, 0, libc_times_to_host(times, t),
				 sizeof(t));
}
