/*
 * fs.c: where a guest's path leads on the host.
 *
 * The guest has a current directory of its own, held here as a directory descriptor: relative
 * paths start there through the *at() calls, so the proxy's own working directory never moves.
 *
 * Without HERMIT_ROOT a guest path is a host path: absolute ones reach anything the proxy can,
 * relative ones start at the guest's directory (at first the proxy's working directory).
 *
 * With HERMIT_ROOT=DIR the guest sees DIR as "/", like chroot: a relative path is joined to the
 * guest's current directory (as the guest sees it) and the whole path is resolved by openat2()
 * with RESOLVE_IN_ROOT, so "..", absolute symbolic links and links that climb out all stay in
 * DIR (they end at DIR's top, as ".." does at "/"). What the kernel resolved is then used only
 * through descriptors: the parent directory with the last name, for the calls that must not
 * follow a final symbolic link (unlink, rename, lstat ...), or the target itself through its
 * /proc/self/fd link for those that follow it (stat, chmod, access ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proxy.h"

#define DELETED_SUFFIX " (deleted)" /* what /proc says of a removed directory */

static int openat2_in(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = (uint64_t)flags, .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
				.resolve = resolve };
	long rc;

	/* -EAGAIN: a rename elsewhere raced with the walk; the kernel asks for a retry. */
	for (int tries = 0; tries < 8; tries++) {
		rc = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (rc >= 0 || errno != EAGAIN)
			break;
	}
	return rc < 0 ? -errno : (int)rc;
}

static int open_dir(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int fs_init(struct fs *fs, const char *root, char *err, size_t errlen)
{
	fs->root_fd = -1;
	fs->root[0] = '\0';
	fs->cwd_fd = -1;
	if (root) {
		fs->root_fd = open_dir(AT_FDCWD, root);
		if (fs->root_fd < 0) {
			snprintf(err, errlen, "hermit: HERMIT_ROOT=%s: %s", root, strerror(-fs->root_fd));
			return -1;
		}
		if (fs_host_path(fs->root_fd, fs->root, sizeof(fs->root)) < 0) {
			snprintf(err, errlen, "hermit: HERMIT_ROOT=%s: its path cannot be read from /proc",
				 root);
			fs_close(fs);
			return -1;
		}
		if (strcmp(fs->root, "/") == 0)
			fs->root[0] = '\0'; /* so that root + "/x" is the host path of "/x" */
	}
	fs->cwd_fd = open_dir(fs->root_fd >= 0 ? fs->root_fd : AT_FDCWD, ".");
	if (fs->cwd_fd < 0) {
		snprintf(err, errlen, "hermit: the working directory: %s", strerror(-fs->cwd_fd));
		fs_close(fs);
		return -1;
	}
	return 0;
}

void fs_close(struct fs *fs)
{
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	if (fs->cwd_fd >= 0)
		close(fs->cwd_fd);
	fs->root_fd = fs->cwd_fd = -1;
}

int fs_reset(struct fs *fs)
{
	int fd = open_dir(fs->root_fd >= 0 ? fs->root_fd : AT_FDCWD, ".");

	if (fd < 0)
		return fd;
	close(fs->cwd_fd);
	fs->cwd_fd = fd;
	return 0;
}

int fs_host_path(int fd, char *out, size_t cap)
{
	char link[32];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, cap);
	if (n < 0)
		return -errno;
	if ((size_t)n >= cap)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return (int)n;
}

/* The guest's view of the directory fd: its host path, less the root; -ENOENT when it is gone
 * or (moved by someone else) no longer inside the root. */
static int guest_path_of(const struct fs *fs, int fd, char *out, size_t cap)
{
	char host[FS_PATH_MAX + 64];
	size_t rootlen = strlen(fs->root);
	struct stat st;
	int n = fs_host_path(fd, host, sizeof(host));

	if (n < 0)
		return n;
	if (fstat(fd, &st) == 0 && st.st_nlink == 0)
		return -ENOENT;
	if (host[0] != '/' || (rootlen && (strncmp(host, fs->root, rootlen) != 0 ||
					   (host[rootlen] != '/' && host[rootlen] != '\0'))))
		return -ENOENT;
	const char *rest = host + rootlen;
	if (!*rest)
		rest = "/";
	if (strlen(rest) + 1 > cap)
		return -ERANGE;
	strcpy(out, rest);
	return (int)strlen(rest);
}

int fs_getcwd(const struct fs *fs, char *out, size_t cap)
{
	return guest_path_of(fs, fs->cwd_fd, out, cap);
}

static int start_fd(const struct fs *fs, int start) { return start == FS_CWD ? fs->cwd_fd : start; }

/* With a root: the path from the root's top, the start directory joined to a relative path. */
static int absolute(const struct fs *fs, int start, const char *path, char *out)
{
	if (path[0] == '/') {
		if (strlen(path) >= FS_PATH_MAX)
			return -ENAMETOOLONG;
		strcpy(out, path);
		return 0;
	}
	int n = guest_path_of(fs, start_fd(fs, start), out, FS_PATH_MAX);
	if (n < 0)
		return n;
	if ((size_t)n + 1 + strlen(path) >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	out[n] = '/';
	strcpy(out + n + 1, path);
	return 0;
}

int fs_open(const struct fs *fs, int start, const char *path, int flags, mode_t mode)
{
	char abs[FS_PATH_MAX];
	int rc;

	if (fs->root_fd < 0) {
		rc = openat(start_fd(fs, start), path, flags, mode);
		return rc < 0 ? -errno : rc;
	}
	if (!*path)
		return -ENOENT;
	rc = absolute(fs, start, path, abs);
	return rc < 0 ? rc : openat2_in(fs->root_fd, abs, flags, mode, RESOLVE_IN_ROOT);
}

/* The target itself, all links followed, as a descriptor's /proc link (root mode). */
static int resolve_target(const struct fs *fs, int start, const char *path, struct fs_at *at)
{
	int fd = fs_open(fs, start, path, O_PATH | O_CLOEXEC, 0);

	if (fd < 0)
		return fd;
	at->held = fd;
	at->dirfd = AT_FDCWD;
	snprintf(at->name_buf, sizeof(at->name_buf), "/proc/self/fd/%d", fd);
	at->name = at->name_buf;
	return 0;
}

/* The parent directory and the last name (root mode); "." and ".." name the directory itself. */
static int resolve_parent(const struct fs *fs, int start, const char *path, struct fs_at *at)
{
	char abs[FS_PATH_MAX];
	int rc = absolute(fs, start, path, abs);

	if (rc < 0)
		return rc;
	size_t len = strlen(abs);
	while (len > 1 && abs[len - 1] == '/')
		abs[--len] = '\0';
	char *slash = strrchr(abs, '/');
	const char *last = slash + 1;
	if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
		rc = openat2_in(fs->root_fd, abs, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
		last = ".";
	} else {
		snprintf(at->name_buf, sizeof(at->name_buf), "%s", last);
		last = at->name_buf;
		slash[1] = '\0';
		rc = openat2_in(fs->root_fd, abs, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
	}
	if (rc < 0)
		return rc;
	at->held = at->dirfd = rc;
	at->name = last;
	return 0;
}

int fs_resolve(const struct fs *fs, int start, const char *path, bool follow, struct fs_at *at)
{
	at->held = -1;
	at->nofollow = follow ? 0 : AT_SYMLINK_NOFOLLOW;
	if (fs->root_fd < 0) {
		at->dirfd = start_fd(fs, start);
		at->name = path;
		return 0;
	}
	if (!*path)
		return -ENOENT;
	return follow ? resolve_target(fs, start, path, at) : resolve_parent(fs, start, path, at);
}

void fs_done(struct fs_at *at)
{
	if (at->held >= 0)
		close(at->held);
	at->held = -1;
}

/* The descriptor becomes the current directory if it is a directory the guest may enter. */
int fs_chdir_fd(struct fs *fs, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (faccessat(fd, ".", X_OK, 0) < 0)
		return -errno;
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup < 0)
		return -errno;
	close(fs->cwd_fd);
	fs->cwd_fd = dup;
	return 0;
}

int fs_chdir(struct fs *fs, const char *path)
{
	int fd = fs_open(fs, FS_CWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);

	if (fd < 0)
		return fd;
	int rc = fs_chdir_fd(fs, fd);
	close(fd);
	return rc;
}

int fs_realpath(const struct fs *fs, const char *path, char *out, size_t cap)
{
	int fd = fs_open(fs, FS_CWD, path, O_PATH | O_CLOEXEC, 0);

	if (fd < 0)
		return fd;
	int rc = fs->root_fd >= 0 ? guest_path_of(fs, fd, out, cap) : fs_host_path(fd, out, cap);
	close(fd);
	if (rc == -ENAMETOOLONG)
		rc = -ERANGE;
	return rc;
}
