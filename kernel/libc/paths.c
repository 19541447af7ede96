/*
 * libc/paths.c: the calls that name a file by its path, each one PATH request to the proxy
 * (hermit/abi.h), which resolves it on the host: relative paths start at the guest's current
 * directory, which the proxy keeps, and HERMIT_ROOT confines them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

static int64_t path_request(uint32_t op, const char *path, const char *path2, int64_t arg,
			    int flags, void *buf, uint64_t len)
{
	struct hc_path req = { .op = op, .flags = flags, .path = (hermit_gpa_t)(uintptr_t)path,
			       .path2 = (hermit_gpa_t)(uintptr_t)path2, .arg = arg,
			       .buf = (hermit_gpa_t)(uintptr_t)buf, .len = len };
	if (!path && op != HERMIT_PATH_GETCWD) {
		errno = EFAULT;
		return -1;
	}
	return libc_host_path(&req);
}

static int simple(uint32_t op, const char *path, int64_t arg)
{
	return (int)path_request(op, path, NULL, arg, 0, NULL, 0);
}

static int stat_request(const char *path, struct stat *st, int flags)
{
	struct hermit_stat hs;
	if (path_request(HERMIT_PATH_STAT, path, NULL, 0, flags, &hs, sizeof(hs)) < 0)
		return -1;
	libc_stat_from_host(&hs, st);
	return 0;
}

int stat(const char *path, struct stat *st) { return stat_request(path, st, 0); }
int lstat(const char *path, struct stat *st) { return stat_request(path, st, HERMIT_AT_NOFOLLOW); }

int access(const char *path, int mode) { return simple(HERMIT_PATH_ACCESS, path, mode); }
int mkdir(const char *path, mode_t mode) { return simple(HERMIT_PATH_MKDIR, path, libc_umask_apply(mode)); }
int rmdir(const char *path) { return simple(HERMIT_PATH_RMDIR, path, 0); }
int unlink(const char *path) { return simple(HERMIT_PATH_UNLINK, path, 0); }
int chmod(const char *path, mode_t mode) { return simple(HERMIT_PATH_CHMOD, path, mode); }
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

static int two_paths(uint32_t op, const char *a, const char *b)
{
	if (!b) {
		errno = EFAULT;
		return -1;
	}
	return (int)path_request(op, a, b, 0, 0, NULL, 0);
}

int rename(const char *from, const char *to) { return two_paths(HERMIT_PATH_RENAME, from, to); }
int link(const char *from, const char *to) { return two_paths(HERMIT_PATH_LINK, from, to); }
/* The link is at path, pointing at target: PATH_SYMLINK names the link first. */
int symlink(const char *target, const char *path) { return two_paths(HERMIT_PATH_SYMLINK, path, target); }

ssize_t readlink(const char *path, char *buf, size_t len)
{
	return (ssize_t)path_request(HERMIT_PATH_READLINK, path, NULL, 0, 0, buf, len);
}

char *realpath(const char *path, char *resolved)
{
	char *out = resolved ? resolved : malloc(PATH_MAX);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	if (path_request(HERMIT_PATH_REALPATH, path, NULL, 0, 0, out, PATH_MAX) < 0) {
		if (!resolved)
			free(out);
		return NULL;
	}
	return out;
}

/* getcwd(NULL, 0) allocates, as glibc's does. */
char *getcwd(char *buf, size_t size)
{
	if (buf && size == 0) {
		errno = EINVAL;
		return NULL;
	}
	char *out = buf ? buf : malloc(size ? size : GUEST_PATH_MAX);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	size_t cap = buf || size ? size : GUEST_PATH_MAX;
	if (path_request(HERMIT_PATH_GETCWD, NULL, NULL, 0, 0, out, cap) < 0) {
		if (!buf)
			free(out);
		return NULL;
	}
	return out;
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

/* Only the current directory (AT_FDCWD) or an absolute path: the proxy resolves no other
 * directory descriptor. */
int utimensat(int dirfd, const char *path, const struct timespec *times, int flags)
{
	if (flags & ~AT_SYMLINK_NOFOLLOW) {
		errno = EINVAL;
		return -1;
	}
	if (dirfd != AT_FDCWD && !(path && path[0] == '/')) {
		errno = ENOSYS;
		return -1;
	}
	struct hermit_timespec t[2];
	struct hermit_timespec *host = libc_times_to_host(times, t);
	return (int)path_request(HERMIT_PATH_UTIMENS, path, NULL, 0,
				 (flags & AT_SYMLINK_NOFOLLOW) ? HERMIT_AT_NOFOLLOW : 0, host,
				 host ? sizeof(t) : 0);
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
