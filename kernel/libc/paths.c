/*
 * libc/paths.c: the calls that name a file by its path, each one PATH request to the proxy
 * (hermit/abi.h), which resolves it on the host: relative paths start at a directory descriptor
 * (the *at() calls) or the guest's current directory, which the proxy keeps, and HERMIT_ROOT
 * confines them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <reent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include "hermit/abi.h"
#include "libc/libc.h"

#define GUEST_PATH_MAX 4096

/* One PATH request. A relative path starts at its directory descriptor (AT_FDCWD: the current
 * directory); an absolute one ignores it, as on Linux. */
struct path_call {
	uint32_t op;
	int dirfd;
	const char *path;
	int dirfd2;
	const char *path2;
	int flags;          /* HERMIT_AT_* */
	int64_t arg;
	void *buf;
	uint64_t len;
};

/* dirfd as the proxy's: HERMIT_AT_CWD, or the host descriptor of a host directory. */
static int host_dir(int dirfd, const char *path, int32_t *out)
{
	if (dirfd == AT_FDCWD || (path && path[0] == '/')) {
		*out = HERMIT_AT_CWD;
		return 0;
	}
	return libc_host_file(dirfd, ENOTDIR, out);
}

static int64_t request(const struct path_call *c)
{
	struct hc_path req = { .op = c->op, .flags = c->flags, .path = (hermit_gpa_t)(uintptr_t)c->path,
			       .path2 = (hermit_gpa_t)(uintptr_t)c->path2, .arg = c->arg,
			       .buf = (hermit_gpa_t)(uintptr_t)c->buf, .len = c->len };
	bool two = c->op == HERMIT_PATH_RENAME || c->op == HERMIT_PATH_LINK || c->op == HERMIT_PATH_SYMLINK;
	if ((!c->path && c->op != HERMIT_PATH_GETCWD) || (two && !c->path2)) {
		errno = EFAULT;
		return -1;
	}
	if (host_dir(c->dirfd, c->path, &req.dirfd) < 0 ||
	    host_dir(two ? c->dirfd2 : AT_FDCWD, c->path2, &req.dirfd2) < 0)
		return -1;
	return libc_host_path(&req);
}

static int bad_flags(int flags, int allowed)
{
	if (!(flags & ~allowed))
		return 0;
	errno = EINVAL;
	return -1;
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct hermit_stat hs;
	if (bad_flags(flags, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	struct path_call c = { .op = HERMIT_PATH_STAT, .dirfd = dirfd, .path = path, .buf = &hs,
			       .len = sizeof(hs),
			       .flags = (flags & AT_SYMLINK_NOFOLLOW) ? HERMIT_AT_NOFOLLOW : 0 };
	if (request(&c) < 0)
		return -1;
	libc_stat_from_host(&hs, st);
	return 0;
}

int stat(const char *path, struct stat *st) { return fstatat(AT_FDCWD, path, st, 0); }
int lstat(const char *path, struct stat *st) { return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW); }

/* There is no set-user-ID program: the effective ids are the real ones (AT_EACCESS). */
int faccessat(int dirfd, const char *path, int mode, int flags)
{
	if (bad_flags(flags, AT_EACCESS | AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	struct path_call c = { .op = HERMIT_PATH_ACCESS, .dirfd = dirfd, .path = path, .arg = mode,
			       .flags = (flags & AT_SYMLINK_NOFOLLOW) ? HERMIT_AT_NOFOLLOW : 0 };
	return (int)request(&c);
}

int access(const char *path, int mode) { return faccessat(AT_FDCWD, path, mode, 0); }

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	struct path_call c = { .op = HERMIT_PATH_MKDIR, .dirfd = dirfd, .path = path,
			       .arg = libc_umask_apply(mode) };
	return (int)request(&c);
}

int mkdir(const char *path, mode_t mode) { return mkdirat(AT_FDCWD, path, mode); }

int unlinkat(int dirfd, const char *path, int flags)
{
	if (bad_flags(flags, AT_REMOVEDIR) < 0)
		return -1;
	struct path_call c = { .op = (flags & AT_REMOVEDIR) ? HERMIT_PATH_RMDIR : HERMIT_PATH_UNLINK,
			       .dirfd = dirfd, .path = path };
	return (int)request(&c);
}

int unlink(const char *path) { return unlinkat(AT_FDCWD, path, 0); }
int rmdir(const char *path) { return unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

/* Linux cannot change a symbolic link's mode: AT_SYMLINK_NOFOLLOW gives EOPNOTSUPP there too. */
int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	if (bad_flags(flags, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (flags) {
		errno = EOPNOTSUPP;
		return -1;
	}
	struct path_call c = { .op = HERMIT_PATH_CHMOD, .dirfd = dirfd, .path = path, .arg = mode };
	return (int)request(&c);
}

int chmod(const char *path, mode_t mode) { return fchmodat(AT_FDCWD, path, mode, 0); }

static int simple(uint32_t op, const char *path, int64_t arg)
{
	struct path_call c = { .op = op, .dirfd = AT_FDCWD, .path = path, .arg = arg };
	return (int)request(&c);
}

int truncate(const char *path, off_t length) { return simple(HERMIT_PATH_TRUNCATE, path, length); }
int chdir(const char *path) { return simple(HERMIT_PATH_CHDIR, path, 0); }

/* As on Linux: remove() takes directories too. */
int remove(const char *path)
{
	if (unlink(path) == 0)
		return 0;
	return errno == EISDIR ? rmdir(path) : -1;
}

/* newlib's own callers (tmpfile) use this name; defined here so that newlib's remove() with
 * its unlink-only behaviour is never linked. */
int _remove_r(struct _reent *r, const char *path)
{
	int ret = remove(path);
	if (ret < 0)
		r->_errno = errno;
	return ret;
}

/* The guest's file mode creation mask, applied before the request (the proxy's own umask, set
 * by whoever started it, applies on the host as well). */
static mode_t creation_mask;

mode_t umask(mode_t mask)
{
	mode_t old = creation_mask;
	creation_mask = mask & 0777;
	return old;
}

mode_t libc_umask_apply(mode_t mode) { return mode & ~creation_mask; }

int renameat(int fromdir, const char *from, int todir, const char *to)
{
	struct path_call c = { .op = HERMIT_PATH_RENAME, .dirfd = fromdir, .path = from,
			       .dirfd2 = todir, .path2 = to };
	return (int)request(&c);
}

int rename(const char *from, const char *to) { return renameat(AT_FDCWD, from, AT_FDCWD, to); }

int linkat(int fromdir, const char *from, int todir, const char *to, int flags)
{
	if (bad_flags(flags, AT_SYMLINK_FOLLOW) < 0)
		return -1;
	struct path_call c = { .op = HERMIT_PATH_LINK, .dirfd = fromdir, .path = from,
			       .dirfd2 = todir, .path2 = to,
			       .flags = (flags & AT_SYMLINK_FOLLOW) ? HERMIT_AT_FOLLOW : 0 };
	return (int)request(&c);
}

int link(const char *from, const char *to) { return linkat(AT_FDCWD, from, AT_FDCWD, to, 0); }

/* The link is at path, pointing at target: PATH_SYMLINK names the link first. */
int symlinkat(const char *target, int dirfd, const char *path)
{
	struct path_call c = { .op = HERMIT_PATH_SYMLINK, .dirfd = dirfd, .path = path,
			       .dirfd2 = AT_FDCWD, .path2 = target };
	return (int)request(&c);
}

int symlink(const char *target, const char *path) { return symlinkat(target, AT_FDCWD, path); }

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	struct path_call c = { .op = HERMIT_PATH_READLINK, .dirfd = dirfd, .path = path,
			       .buf = buf, .len = len };
	return (ssize_t)request(&c);
}

ssize_t readlink(const char *path, char *buf, size_t len) { return readlinkat(AT_FDCWD, path, buf, len); }

/* REALPATH and GETCWD: a path into buf (cap bytes), or into a new buffer when buf is NULL. */
static char *path_into(uint32_t op, const char *path, char *buf, size_t cap)
{
	char *out = buf ? buf : malloc(cap);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	struct path_call c = { .op = op, .dirfd = AT_FDCWD, .path = path, .buf = out, .len = cap };
	if (request(&c) < 0) {
		if (!buf)
			free(out);
		return NULL;
	}
	return out;
}

char *realpath(const char *path, char *resolved)
{
	return path_into(HERMIT_PATH_REALPATH, path, resolved, PATH_MAX);
}

/* getcwd(NULL, 0) allocates, as glibc's does. */
char *getcwd(char *buf, size_t size)
{
	if (buf && size == 0) {
		errno = EINVAL;
		return NULL;
	}
	return path_into(HERMIT_PATH_GETCWD, NULL, buf, size ? size : GUEST_PATH_MAX);
}

struct hermit_timespec *libc_times_to_host(const struct timespec *times, struct hermit_timespec *out)
{
	if (!times)
		return NULL;
	_Static_assert(UTIME_NOW == (1l << 30) - 1 && UTIME_OMIT == (1l << 30) - 2, "Linux's values");
	for (int i = 0; i < 2; i++)
		out[i] = (struct hermit_timespec){ times[i].tv_sec, times[i].tv_nsec };
	return out;
}

int utimensat(int dirfd, const char *path, const struct timespec *times, int flags)
{
	if (bad_flags(flags, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	struct hermit_timespec t[2];
	struct hermit_timespec *host = libc_times_to_host(times, t);
	struct path_call c = { .op = HERMIT_PATH_UTIMENS, .dirfd = dirfd, .path = path,
			       .buf = host, .len = host ? sizeof(t) : 0,
			       .flags = (flags & AT_SYMLINK_NOFOLLOW) ? HERMIT_AT_NOFOLLOW : 0 };
	return (int)request(&c);
}

static struct timespec *times_from_timeval(const struct timeval *tv, struct timespec *ts)
{
	if (!tv)
		return NULL;
	for (int i = 0; i < 2; i++)
		ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
	return ts;
}

int utimes(const char *path, const struct timeval *tv)
{
	struct timespec ts[2];
	return utimensat(AT_FDCWD, path, times_from_timeval(tv, ts), 0);
}

int utime(const char *path, const struct utimbuf *times)
{
	struct timespec ts[2];
	if (times) {
		ts[0] = (struct timespec){ times->actime, 0 };
		ts[1] = (struct timespec){ times->modtime, 0 };
	}
	return utimensat(AT_FDCWD, path, times ? ts : NULL, 0);
}

int lutimes(const char *path, const struct timeval *tv)
{
	struct timespec ts[2];
	return utimensat(AT_FDCWD, path, times_from_timeval(tv, ts), AT_SYMLINK_NOFOLLOW);
}
