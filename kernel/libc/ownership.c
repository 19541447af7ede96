/*
 * libc/ownership.c: chown and its kin. The app is root of its machine (identity.c), but its files
 * are the host's and stay with the user running the proxy: a call that would give a file another
 * owner or group fails with EPERM; one that changes nothing (-1, or the ids the file has) succeeds,
 * as it does for a Linux process and its own files. SQLite, running as root, does that for its
 * journals (it gives them the database's owner).
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static int keep_owner(const struct stat *st, uid_t owner, gid_t group)
{
	if ((owner != (uid_t)-1 && owner != st->st_uid) || (group != (gid_t)-1 && group != st->st_gid)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int fchown(int fd, uid_t owner, gid_t group)
{
	struct stat st;
	return fstat(fd, &st) < 0 ? -1 : keep_owner(&st, owner, group);
}

int chown(const char *path, uid_t owner, gid_t group)
{
	struct stat st;
	return stat(path, &st) < 0 ? -1 : keep_owner(&st, owner, group);
}

int lchown(const char *path, uid_t owner, gid_t group)
{
	struct stat st;
	return lstat(path, &st) < 0 ? -1 : keep_owner(&st, owner, group);
}
