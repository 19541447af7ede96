/*
 * fsops: every file and directory call of the guest, run against host files for
 * tests/integration/test_fsops.py, which compares what is printed with what the host says.
 *   fsops all DIR      stat, directories, links, times, dup, fcntl, pipes ... in DIR (empty)
 *   fsops locked FILE  FILE is write-locked by the host: F_GETLK sees it, F_SETLK fails, F_SETLKW
 *                      waits until the host lets go (after "waiting" is printed)
 *   fsops hold FILE    write-locks FILE, prints "held", waits for a line on stdin
 *   fsops root         run with HERMIT_ROOT: every way out must fail (see the test)
 * Prints "fsops: ok" after the last check; any failed check says which and exits 1.
 */
#define _GNU_SOURCE /* dup3, pipe2, as with glibc */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "fsops: line %d: check failed: %s (errno %d: %s)\n",     \
				__LINE__, #cond, errno, strerror(errno));                         \
			exit(1);                                                                 \
		}                                                                                \
	} while (0)
#define FAILS(call, err) CHECK((call) == -1 && errno == (err))

/* For the test to compare with os.stat / os.lstat. */
static void print_stat(const char *tag, const char *path, const struct stat *st)
{
	printf("%s %s dev=%llu ino=%llu mode=%o nlink=%u uid=%u gid=%u size=%lld blocks=%lld "
	       "mtime=%lld.%09ld\n",
	       tag, path, (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
	       (unsigned)st->st_mode, (unsigned)st->st_nlink, (unsigned)st->st_uid,
	       (unsigned)st->st_gid, (long long)st->st_size, (long long)st->st_blocks,
	       (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	CHECK(close(fd) == 0);
}

static void check_stat(void)
{
	struct stat st, lst, fst;
	write_file("file", "0123456789");
	CHECK(stat("file", &st) == 0);
	CHECK(st.st_size == 10 && S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_ino != 0);
	print_stat("stat", "file", &st);
	int fd = open("file", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &fst) == 0);
	CHECK(fst.st_ino == st.st_ino && fst.st_dev == st.st_dev);
	CHECK(fst.st_mtim.tv_sec == st.st_mtim.tv_sec && fst.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
	CHECK(close(fd) == 0);
	CHECK(symlink("file", "link") == 0);
	CHECK(lstat("link", &lst) == 0 && S_ISLNK(lst.st_mode) && lst.st_size == 4);
	print_stat("lstat", "link", &lst);
	CHECK(stat("link", &st) == 0 && st.st_ino == fst.st_ino);
	FAILS(stat("missing", &st), ENOENT);
	FAILS(lstat("file/x", &st), ENOTDIR);
	FAILS(stat("", &st), ENOENT);
	char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	FAILS(stat(longname, &st), ENAMETOOLONG);

	CHECK(access("file", F_OK) == 0 && access("file", R_OK | W_OK) == 0);
	FAILS(access("missing", F_OK), ENOENT);
	FAILS(access("file", 0100), EINVAL);
	CHECK(chmod("file", 0400) == 0 && stat("file", &st) == 0 && (st.st_mode & 0777) == 0400);
	CHECK(chmod("file", 0644) == 0);
	fd = open("file", O_RDWR);
	CHECK(fd >= 0 && fchmod(fd, 0600) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(close(fd) == 0);
}

static void check_times(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
	CHECK(utimensat(AT_FDCWD, "file", ts, 0) == 0);
	CHECK(stat("file", &st) == 0);
	CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789);
	CHECK(st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 987654321);
	struct timeval tv[2] = { { 1300000000, 5 }, { 1400000000, 7 } };
	CHECK(utimes("file", tv) == 0 && stat("file", &st) == 0);
	CHECK(st.st_mtim.tv_sec == 1400000000 && st.st_mtim.tv_nsec == 7000);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 1500000000, 0 };
	int fd = open("file", O_RDONLY);
	CHECK(fd >= 0 && futimens(fd, ts) == 0 && fstat(fd, &st) == 0);
	CHECK(st.st_atim.tv_sec == 1300000000 && st.st_mtim.tv_sec == 1500000000);
	CHECK(futimens(fd, NULL) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec > 1600000000);
	CHECK(close(fd) == 0);
	FAILS(utimes("missing", NULL), ENOENT);
	struct utimbuf ub = { 1600000000, 1650000000 };
	CHECK(utime("file", &ub) == 0 && stat("file", &st) == 0);
	CHECK(st.st_atim.tv_sec == 1600000000 && st.st_mtim.tv_sec == 1650000000 && st.st_mtim.tv_nsec == 0);
	/* the umask takes bits off new files and directories */
	CHECK(umask(077) == 0 && umask(077) == 077);
	CHECK((fd = open("masked", O_WRONLY | O_CREAT, 0666)) >= 0 && close(fd) == 0);
	CHECK(stat("masked", &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(mkdir("maskdir", 0777) == 0 && stat("maskdir", &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(umask(0) == 077 && unlink("masked") == 0 && rmdir("maskdir") == 0);
}

static void check_dirs(void)
{
	char cwd[PATH_MAX], sub[PATH_MAX + 8], back[PATH_MAX];
	struct stat st;
	CHECK(getcwd(cwd, sizeof(cwd)) == cwd);
	printf("cwd %s\n", cwd);
	FAILS(getcwd(back, 2) == NULL ? -1 : 0, ERANGE);
	CHECK(mkdir("d", 0755) == 0 && stat("d", &st) == 0 && S_ISDIR(st.st_mode));
	FAILS(mkdir("d", 0755), EEXIST);
	FAILS(mkdir("missing/d", 0755), ENOENT);
	CHECK(chdir("d") == 0 && getcwd(back, sizeof(back)) == back);
	snprintf(sub, sizeof(sub), "%s/d", cwd);
	CHECK(strcmp(back, sub) == 0);
	write_file("inner", "x"); /* relative to the new directory */
	CHECK(chdir("..") == 0 && getcwd(back, sizeof(back)) && strcmp(back, cwd) == 0);
	CHECK(stat("d/inner", &st) == 0 && st.st_size == 1);
	FAILS(chdir("file"), ENOTDIR);
	FAILS(chdir("missing"), ENOENT);
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0 && fchdir(dfd) == 0 && access("inner", F_OK) == 0);
	CHECK(chdir(cwd) == 0 && close(dfd) == 0);
	int ffd = open("file", O_RDONLY);
	FAILS(fchdir(ffd), ENOTDIR);
	CHECK(close(ffd) == 0);
	FAILS(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	char *dyn = getcwd(NULL, 0);
	CHECK(dyn && strcmp(dyn, cwd) == 0);
	free(dyn);

	for (int i = 0; i < 1200; i++) { /* more than one buffer (32 KiB) of entries */
		char name[32];
		snprintf(name, sizeof(name), "d/entry-%03d", i);
		write_file(name, "");
	}
	DIR *d = opendir("d");
	CHECK(d != NULL);
	int n = 0, seen_dot = 0;
	struct dirent *e;
	printf("listing d");
	errno = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			seen_dot++;
			CHECK(e->d_type == DT_DIR);
			continue;
		}
		CHECK(e->d_type == DT_REG);
		printf(" %s", e->d_name);
		n++;
	}
	printf("\n");
	CHECK(errno == 0 && n == 1201 && seen_dot == 2);
	rewinddir(d);
	CHECK((e = readdir(d)) != NULL);
	long pos = telldir(d);
	char name[NAME_MAX + 1];
	CHECK((e = readdir(d)) != NULL);
	strcpy(name, e->d_name);
	seekdir(d, pos);
	CHECK((e = readdir(d)) != NULL && strcmp(e->d_name, name) == 0);
	CHECK(dirfd(d) >= 0 && closedir(d) == 0);
	CHECK(opendir("missing") == NULL && errno == ENOENT);
	CHECK(opendir("file") == NULL && errno == ENOTDIR);
	struct dirent **list;
	CHECK(scandir("d", &list, NULL, alphasort) == 1203);
	CHECK(strcmp(list[0]->d_name, ".") == 0 && strcmp(list[1202]->d_name, "inner") == 0);
	for (int i = 0; i < 1203; i++)
		free(list[i]);
	free(list);

	FAILS(rmdir("d"), ENOTEMPTY);
	FAILS(rmdir("file"), ENOTDIR);
	FAILS(unlink("d"), EISDIR);
	CHECK(mkdir("empty", 0700) == 0 && rmdir("empty") == 0);
	FAILS(rmdir("empty"), ENOENT);
	CHECK(mkdir("gone", 0700) == 0 && remove("gone") == 0 && access("gone", F_OK) == -1);
}

static void check_names(void)
{
	struct stat a, b;
	char buf[64], real[PATH_MAX], cwd[PATH_MAX];
	write_file("old", "renamed");
	CHECK(stat("old", &a) == 0 && rename("old", "new") == 0 && stat("new", &b) == 0);
	CHECK(a.st_ino == b.st_ino);
	FAILS(stat("old", &a), ENOENT);
	FAILS(rename("old", "x"), ENOENT);
	FAILS(rename("new", "d"), EISDIR);
	CHECK(link("new", "hard") == 0 && stat("hard", &a) == 0 && a.st_ino == b.st_ino && a.st_nlink == 2);
	FAILS(link("new", "hard"), EEXIST);
	FAILS(symlink("x", "hard"), EEXIST);
	CHECK(symlink("new", "soft") == 0);
	ssize_t n = readlink("soft", buf, sizeof(buf));
	CHECK(n == 3 && memcmp(buf, "new", 3) == 0);
	CHECK(readlink("soft", buf, 2) == 2 && memcmp(buf, "ne", 2) == 0);
	FAILS(readlink("new", buf, sizeof(buf)), EINVAL);
	FAILS(readlink("missing", buf, sizeof(buf)), ENOENT);
	CHECK(symlink("soft2", "soft1") == 0 && symlink("soft1", "soft2") == 0);
	FAILS(stat("soft1", &a), ELOOP);
	CHECK(getcwd(cwd, sizeof(cwd)) && realpath("soft", real) == real);
	printf("realpath soft %s\n", real);
	snprintf(buf, sizeof(buf), "/new");
	CHECK(strlen(real) == strlen(cwd) + 4 && strcmp(real + strlen(cwd), buf) == 0);
	CHECK(realpath("d/../soft", real) && strcmp(real + strlen(cwd), "/new") == 0);
	CHECK(realpath("missing", real) == NULL && errno == ENOENT);
	char *dyn = realpath(".", NULL);
	CHECK(dyn && strcmp(dyn, cwd) == 0);
	free(dyn);
	CHECK(unlink("hard") == 0 && unlink("soft") == 0 && stat("new", &a) == 0 && a.st_nlink == 1);
	CHECK(remove("new") == 0);
	FAILS(unlink("new"), ENOENT);
}

/* The *at() calls: relative paths start at a directory descriptor. */
static void check_at(void)
{
	struct stat st, in;
	char buf[32], cwd[PATH_MAX], abs[PATH_MAX + 8];
	int d = open("d", O_RDONLY | O_DIRECTORY);
	CHECK(d >= 0 && stat("d/inner", &in) == 0);
	int fd = openat(d, "inner", O_RDONLY);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_ino == in.st_ino && close(fd) == 0);
	CHECK(fstatat(d, "inner", &st, 0) == 0 && st.st_ino == in.st_ino);
	CHECK(faccessat(d, "inner", R_OK, 0) == 0 && faccessat(d, "inner", R_OK, AT_EACCESS) == 0);
	FAILS(faccessat(d, "none", F_OK, 0), ENOENT);
	CHECK(mkdirat(d, "sub", 0700) == 0 && stat("d/sub", &st) == 0 && S_ISDIR(st.st_mode));
	FAILS(unlinkat(d, "sub", 0), EISDIR);
	CHECK(unlinkat(d, "sub", AT_REMOVEDIR) == 0 && access("d/sub", F_OK) == -1);
	CHECK(renameat(d, "inner", AT_FDCWD, "moved") == 0 && stat("moved", &st) == 0);
	CHECK(renameat(AT_FDCWD, "moved", d, "inner") == 0 && stat("d/inner", &st) == 0);
	CHECK(symlinkat("inner", d, "ln") == 0 && readlinkat(d, "ln", buf, sizeof(buf)) == 5);
	CHECK(fstatat(d, "ln", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	CHECK(linkat(d, "ln", d, "hard", AT_SYMLINK_FOLLOW) == 0);
	CHECK(fstatat(d, "hard", &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino == in.st_ino);
	CHECK(linkat(d, "ln", d, "hardln", 0) == 0);
	CHECK(fstatat(d, "hardln", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
	CHECK(unlinkat(d, "hard", 0) == 0 && unlinkat(d, "hardln", 0) == 0 && unlinkat(d, "ln", 0) == 0);
	CHECK(fchmodat(d, "inner", 0640, 0) == 0 && stat("d/inner", &st) == 0 && (st.st_mode & 0777) == 0640);
	FAILS(fchmodat(d, "inner", 0640, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	struct timespec ts[2] = { { 1100000000, 0 }, { 1100000000, 0 } };
	CHECK(utimensat(d, "inner", ts, 0) == 0 && stat("d/inner", &st) == 0 && st.st_mtim.tv_sec == 1100000000);
	FAILS(fstatat(d, "inner", &st, 0x4000), EINVAL);
	/* a file, a closed descriptor, a pipe: no directory; an absolute path needs none */
	fd = open("file", O_RDONLY);
	FAILS(openat(fd, "x", O_RDONLY), ENOTDIR);
	FAILS(fstatat(99, "inner", &st, 0), EBADF);
	int p[2];
	CHECK(pipe(p) == 0);
	FAILS(mkdirat(p[0], "x", 0700), ENOTDIR);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(abs, sizeof(abs), "%s/file", cwd);
	CHECK(fstatat(99, abs, &st, 0) == 0 && fstatat(p[0], abs, &st, 0) == 0);
	int all[] = { fd, p[0], p[1], d };
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK(close(all[i]) == 0);
}

static void check_sizes(void)
{
	struct stat st;
	write_file("t", "0123456789");
	CHECK(truncate("t", 4) == 0 && stat("t", &st) == 0 && st.st_size == 4);
	CHECK(truncate("t", 100000) == 0 && stat("t", &st) == 0 && st.st_size == 100000);
	FAILS(truncate("missing", 1), ENOENT);
	FAILS(truncate("d", 1), EISDIR);
	FAILS(truncate("t", -1), EINVAL);
	int fd = open("t", O_RDWR);
	CHECK(fd >= 0 && ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3);
	FAILS(ftruncate(fd, -5), EINVAL);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
	CHECK(close(fd) == 0);
	fd = open("t", O_RDONLY);
	FAILS(ftruncate(fd, 0), EINVAL); /* read-only descriptor: Linux says EINVAL */
	CHECK(close(fd) == 0);
	FAILS(ftruncate(99, 0), EBADF);
	FAILS(fsync(99), EBADF);
}

static void check_open_flags(void)
{
	FAILS(open("file", O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST);
	int fd = open("excl", O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
	CHECK(close(fd) == 0);
	fd = open("excl", O_RDWR | O_APPEND);
	CHECK(fd >= 0);
	int fl = fcntl(fd, F_GETFL);
	CHECK((fl & O_ACCMODE) == O_RDWR && (fl & O_APPEND) && !(fl & O_NONBLOCK));
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
	fl = fcntl(fd, F_GETFL);
	CHECK((fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND) && (fl & O_NONBLOCK));
	CHECK(write(fd, "ab", 2) == 2 && lseek(fd, 0, SEEK_SET) == 0);
	CHECK(fcntl(fd, F_SETFL, O_APPEND) == 0 && write(fd, "cd", 2) == 2);
	CHECK(lseek(fd, 0, SEEK_CUR) == 4);
	CHECK(fcntl(fd, F_GETFD) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	FAILS(fcntl(fd, 12345), EINVAL);
	CHECK(close(fd) == 0);
	FAILS(fcntl(fd, F_GETFL), EBADF);
	fd = open("excl", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC && close(fd) == 0);
	CHECK(unlink("excl") == 0);
	char tmpl[] = "tmp-XXXXXX";
	fd = mkstemp(tmpl);
	CHECK(fd >= 0 && write(fd, "m", 1) == 1 && close(fd) == 0 && unlink(tmpl) == 0);
}

static void check_positioned(void)
{
	char buf[8] = { 0 };
	write_file("pos", "0123456789");
	int fd = open("pos", O_RDWR);
	CHECK(fd >= 0 && lseek(fd, 1, SEEK_SET) == 1);
	CHECK(pread(fd, buf, 3, 5) == 3 && memcmp(buf, "567", 3) == 0);
	CHECK(pwrite(fd, "xy", 2, 8) == 2 && lseek(fd, 0, SEEK_CUR) == 1);
	CHECK(read(fd, buf, 3) == 3 && memcmp(buf, "123", 3) == 0);
	CHECK(pread(fd, buf, 8, 6) == 4 && memcmp(buf, "67xy", 4) == 0);
	FAILS(pread(fd, buf, 1, -1), EINVAL);
	CHECK(close(fd) == 0 && unlink("pos") == 0);
	int p[2];
	CHECK(pipe(p) == 0);
	FAILS(pwrite(p[1], "x", 1, 0), ESPIPE);
	FAILS(pread(p[0], buf, 1, 0), ESPIPE);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	FAILS(pread(99, buf, 1, 0), EBADF);
}

static void check_dup(void)
{
	int fd = open("file", O_RDONLY);
	char c;
	CHECK(fd >= 0);
	int copy = dup(fd);
	CHECK(copy > fd);
	CHECK(lseek(fd, 3, SEEK_SET) == 3 && read(copy, &c, 1) == 1 && c == '3'); /* one offset */
	CHECK(close(fd) == 0 && read(copy, &c, 1) == 1 && c == '4');
	CHECK(dup2(copy, 100) == 100 && read(100, &c, 1) == 1 && c == '5');
	CHECK(dup2(100, 100) == 100);
	FAILS(dup2(100, 5000), EBADF);
	FAILS(dup2(77, 78), EBADF);
	FAILS(dup3(100, 100, 0), EINVAL);
	CHECK(dup3(100, 101, O_CLOEXEC) == 101 && fcntl(101, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(100, F_GETFD) == 0);
	int low = fcntl(copy, F_DUPFD, 200);
	CHECK(low == 200);
	int cl = fcntl(copy, F_DUPFD_CLOEXEC, 200);
	CHECK(cl == 201 && fcntl(cl, F_GETFD) == FD_CLOEXEC);
	FAILS(fcntl(copy, F_DUPFD, -1), EINVAL);
	FAILS(dup(9999), EBADF);
	/* dup2 onto an open descriptor closes it first */
	int other = open("d/inner", O_RDONLY);
	CHECK(other >= 0 && dup2(copy, other) == other && read(other, &c, 1) == 1 && c == '6');
	int all[] = { copy, 100, 101, 200, 201, other };
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK(close(all[i]) == 0);
	/* a socket's copy is the same socket: it lives on after the original is closed */
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(s >= 0 && (fcntl(s, F_GETFL) & O_ACCMODE) == O_RDWR);
	int sc = dup(s);
	CHECK(sc >= 0 && close(s) == 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	CHECK(bind(sc, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(getsockname(sc, (struct sockaddr *)&sin, &slen) == 0 && sin.sin_port != 0);
	FAILS(bind(s, (struct sockaddr *)&sin, sizeof(sin)), EBADF);
	CHECK(close(sc) == 0);
	/* stdout's copy writes to stdout */
	int out = dup(1);
	CHECK(out >= 0 && write(out, "dup of stdout\n", 14) == 14 && close(out) == 0);
}

static void *unlock_later(void *arg)
{
	usleep(100000);
	return (void *)(intptr_t)flock(*(int *)arg, LOCK_UN);
}

/* flock: whole-file locks of an open file, shared by its dup() copies */
static void check_flock(void)
{
	int a = open("file", O_RDONLY), b = open("file", O_RDONLY);
	CHECK(a >= 0 && b >= 0 && flock(a, LOCK_EX) == 0);
	FAILS(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	int copy = dup(a);
	CHECK(flock(copy, LOCK_EX | LOCK_NB) == 0 && close(copy) == 0);
	FAILS(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK); /* a still holds it */
	pthread_t t;
	void *r;
	CHECK(pthread_create(&t, NULL, unlock_later, &a) == 0);
	CHECK(flock(b, LOCK_EX) == 0); /* waits for the other thread's LOCK_UN */
	CHECK(pthread_join(t, &r) == 0 && r == NULL);
	FAILS(flock(a, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	FAILS(flock(a, 0), EINVAL);
	int p[2];
	CHECK(pipe(p) == 0);
	FAILS(flock(p[0], LOCK_EX), EINVAL);
	FAILS(flock(99, LOCK_EX), EBADF);
	int all[] = { a, b, p[0], p[1] };
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK(close(all[i]) == 0);
}

/* The whole descriptor table holds host files: the proxy keeps as many for the guest. */
static void check_table_full(void)
{
	static int fds[1024];
	int n = 0, fd;
	while ((fd = open("file", O_RDONLY)) >= 0)
		fds[n++] = fd;
	CHECK(errno == EMFILE && n > 1000 && fds[n - 1] == 1023);
	printf("table full at %d descriptors\n", n + 3);
	while (n)
		CHECK(close(fds[--n]) == 0);
	CHECK((fd = open("file", O_RDONLY)) == 3 && close(fd) == 0);
}

struct pipe_job {
	int fd;
	size_t len;
};

static void *slow_writer(void *arg)
{
	struct pipe_job *j = arg;
	static char big[200000];
	memset(big, 'p', sizeof(big));
	usleep(20000);
	ssize_t n = write(j->fd, big, j->len);
	close(j->fd);
	return (void *)n;
}

static void check_pipes(void)
{
	int p[2];
	char buf[256];
	CHECK(pipe(p) == 0);
	struct stat st;
	CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY && (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	CHECK(write(p[1], "hello", 5) == 5 && read(p[0], buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0);
	FAILS(lseek(p[0], 0, SEEK_SET), ESPIPE);
	FAILS(write(p[0], "x", 1), EBADF);
	/* non-blocking: empty gives EAGAIN, a full pipe too */
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK));
	FAILS(read(p[0], buf, 1), EAGAIN);
	struct pollfd pf[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	CHECK(poll(pf, 2, 0) == 1 && pf[0].revents == 0 && (pf[1].revents & POLLOUT));
	CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
	size_t total = 0;
	ssize_t n;
	while ((n = write(p[1], buf, sizeof(buf))) > 0)
		total += (size_t)n;
	CHECK(n == -1 && errno == EAGAIN && total == 65536);
	CHECK(poll(pf, 2, 0) == 1 && (pf[0].revents & POLLIN) && pf[1].revents == 0);
	/* a host file is ready for both at once */
	int hf = open("file", O_RDWR);
	struct pollfd hp = { hf, POLLIN | POLLOUT | POLLRDNORM, 0 };
	CHECK(poll(&hp, 1, 1000) == 1 && hp.revents == (POLLIN | POLLOUT | POLLRDNORM) && close(hf) == 0);
	/* blocking reader waits for a writer thread; the end of the writers is end of file */
	CHECK(fcntl(p[0], F_SETFL, 0) == 0);
	while (read(p[0], buf, sizeof(buf)) > 0 && (total -= sizeof(buf)) > 0)
		;
	struct pipe_job job = { p[1], 100000 };
	CHECK(fcntl(p[1], F_SETFL, 0) == 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, slow_writer, &job) == 0);
	size_t got = 0;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		got += (size_t)n;
	void *wrote;
	CHECK(pthread_join(t, &wrote) == 0 && (ssize_t)wrote == 100000);
	CHECK(n == 0 && got == 100000);
	CHECK(close(p[0]) == 0);
	/* no reader: EPIPE */
	CHECK(pipe2(p, O_CLOEXEC) == 0 && fcntl(p[0], F_GETFD) == FD_CLOEXEC);
	CHECK(close(p[0]) == 0);
	FAILS(write(p[1], "x", 1), EPIPE);
	CHECK(close(p[1]) == 0);
	FAILS(pipe2(p, 0x40000000), EINVAL);
	/* poll wakes up when a thread writes into a pipe */
	CHECK(pipe(p) == 0);
	job = (struct pipe_job){ p[1], 10 };
	CHECK(pthread_create(&t, NULL, slow_writer, &job) == 0);
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	CHECK(poll(pf, 1, 5000) == 1 && (pf[0].revents & POLLIN));
	CHECK(pthread_join(t, &wrote) == 0 && close(p[0]) == 0);
}

static volatile int alarms;
static void on_alarm(int sig) { alarms += sig == SIGALRM; }

/* FILE is locked by the host. */
static int locked(const char *path)
{
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK(fcntl(fd, F_GETLK, &fl) == 0);
	CHECK(fl.l_type == F_WRLCK);
	printf("getlk type=write start=%ld len=%ld\n", (long)fl.l_start, (long)fl.l_len);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 5 };
	CHECK(fcntl(fd, F_SETLK, &fl) == -1 && (errno == EAGAIN || errno == EACCES));
	fl.l_type = 99;
	FAILS(fcntl(fd, F_SETLK, &fl), EINVAL);
	/* beyond what the host holds (it holds bytes 0-99) */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 10 };
	CHECK(fcntl(fd, F_SETLK, &fl) == 0);
	fl.l_type = F_UNLCK;
	CHECK(fcntl(fd, F_SETLK, &fl) == 0);
	/* a signal's handler ends the wait with EINTR */
	struct sigaction sa = { .sa_handler = on_alarm };
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	alarm(1);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	FAILS(fcntl(fd, F_SETLKW, &fl), EINTR);
	CHECK(alarms == 1);
	printf("waiting\n");
	fflush(stdout);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK(fcntl(fd, F_SETLKW, &fl) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("waited %ld ms\n", (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK); /* our own lock: no conflict */
	int p[2];
	CHECK(pipe(p) == 0);
	FAILS(fcntl(p[0], F_SETLK, &fl), EINVAL);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(fd) == 0);
	return 0;
}

static int hold(const char *path)
{
	/* the host writes to stdin only after "held": poll waits for it, then sees it */
	struct pollfd in = { 0, POLLIN, 0 };
	CHECK(poll(&in, 1, 200) == 0 && in.revents == 0);
	int fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	CHECK(fcntl(fd, F_SETLK, &fl) == 0);
	/* closing a copy drops the locks on the file, as POSIX says */
	int copy = dup(fd);
	CHECK(copy >= 0);
	printf("held\n");
	fflush(stdout);
	char line[16];
	CHECK(poll(&in, 1, -1) == 1 && (in.revents & POLLIN));
	CHECK(read(0, line, sizeof(line)) > 0);
	CHECK(close(copy) == 0);
	printf("dropped\n");
	fflush(stdout);
	CHECK(read(0, line, sizeof(line)) > 0);
	return 0;
}

/* Under HERMIT_ROOT: the test made inside.txt, sub/, escape links and ../outside.txt. */
static int root(void)
{
	char buf[PATH_MAX];
	struct stat st;
	CHECK(getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
	CHECK(stat("/inside.txt", &st) == 0 && stat("inside.txt", &st) == 0);
	FAILS(stat("../outside.txt", &st), ENOENT);
	FAILS(stat("/../outside.txt", &st), ENOENT);
	FAILS(stat("sub/../../outside.txt", &st), ENOENT);
	FAILS(open("/etc/hostname", O_RDONLY), ENOENT);
	FAILS(stat("abs_link", &st), ENOENT);   /* -> the outside file's absolute host path */
	FAILS(stat("rel_link", &st), ENOENT);   /* -> ../outside.txt */
	FAILS(open("rel_link", O_RDONLY), ENOENT);
	CHECK(lstat("abs_link", &st) == 0 && S_ISLNK(st.st_mode)); /* the link itself is inside */
	CHECK(stat("root_link", &st) == 0 && S_ISDIR(st.st_mode)); /* -> / : the root's top */
	CHECK(stat("root_link/inside.txt", &st) == 0);
	CHECK(chdir("..") == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
	CHECK(chdir("sub") == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, "/sub") == 0);
	CHECK(stat("../inside.txt", &st) == 0);
	FAILS(stat("../../outside.txt", &st), ENOENT);
	int sub = open(".", O_RDONLY | O_DIRECTORY); /* /sub */
	CHECK(sub >= 0 && fstatat(sub, "../inside.txt", &st, 0) == 0);
	FAILS(openat(sub, "../../outside.txt", O_RDONLY), ENOENT);
	FAILS(fstatat(sub, "../../../abs_link", &st, 0), ENOENT);
	CHECK(close(sub) == 0);
	CHECK(chdir("../../..") == 0 && getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0);
	CHECK(realpath("sub/../root_link/sub", buf) && strcmp(buf, "/sub") == 0);
	/* ".." at the top is the top: this rename stays inside */
	CHECK(rename("inside.txt", "../moved.txt") == 0 && access("/moved.txt", F_OK) == 0);
	CHECK(rename("/moved.txt", "inside.txt") == 0);
	FAILS(unlink("rel_link/x"), ENOENT);
	FAILS(mkdir("abs_link/x", 0700), ENOENT);
	CHECK(symlink("/../../../outside.txt", "made_link") == 0);
	FAILS(stat("made_link", &st), ENOENT);
	DIR *d = opendir("/");
	CHECK(d != NULL);
	struct dirent *e;
	printf("listing /");
	while ((e = readdir(d)))
		printf(" %s", e->d_name);
	printf("\n");
	CHECK(closedir(d) == 0);
	/* creating through a link that climbs out creates inside: root/outside.txt */
	int fd = open("rel_link", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "in", 2) == 2 && close(fd) == 0);
	CHECK(stat("/outside.txt", &st) == 0 && st.st_size == 2);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "root") == 0) {
		root();
	} else if (argc == 3 && strcmp(argv[1], "locked") == 0) {
		locked(argv[2]);
	} else if (argc == 3 && strcmp(argv[1], "hold") == 0) {
		hold(argv[2]);
	} else if (argc == 3 && strcmp(argv[1], "all") == 0) {
		CHECK(chdir(argv[2]) == 0);
		check_stat();
		check_times();
		check_dirs();
		check_names();
		check_at();
		check_sizes();
		check_open_flags();
		check_positioned();
		check_dup();
		check_flock();
		check_table_full();
		check_pipes();
	} else {
		fprintf(stderr, "usage: fsops all DIR | locked FILE | hold FILE | root\n");
		return 2;
	}
	printf("fsops: ok\n");
	return 0;
}
