/*
 * Unit tests of proxy/hcall_fs.c, proxy/fs.c and proxy/files.c: the PATH and FD requests served
 * against a fake guest memory with real host files in a temporary directory, with and without
 * HERMIT_ROOT, every errno path and every bad guest buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hcall_fixture.h"

#define BUF2 0x8000  /* a second path */
#define OUT 0xa000   /* results (stat, names, directory entries) */
#define BAD_PREFIX "hermit: bad hypercall from the guest: "

/* ---- calling ---- */

/* tmp_path's for a second path in the same call (tmp_path has one buffer). */
static char *tmp_path2(const char *name)
{
	static char second[4200];

	snprintf(second, sizeof(second), "%s/%s", tmpdir, name);
	return second;
}

static int64_t path_req(struct hc_path *p, enum hcall_outcome want)
{
	struct hc_path before = *p;

	p->ret = POISON;
	put(REQ, p, sizeof(*p));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_PATH, REQ), want);
	get(REQ, p, sizeof(*p));
	/* Only ret may change. */
	before.ret = p->ret;
	assert_memory_equal(&before, p, sizeof(*p));
	return p->ret;
}

static int64_t path_call(uint32_t op, const char *a, const char *b, int32_t flags, int64_t arg,
			 hermit_gpa_t buf, uint64_t len)
{
	struct hc_path p = { .op = op, .flags = flags, .dirfd = HERMIT_AT_CWD, .dirfd2 = HERMIT_AT_CWD,
			     .path = a ? BUF : 0, .path2 = b ? BUF2 : 0, .buf = buf, .len = len, .arg = arg };
	if (a)
		put_string(BUF, a);
	if (b)
		put_string(BUF2, b);
	return path_req(&p, HCALL_ANSWER);
}

static int64_t path1(uint32_t op, const char *a, int64_t arg) { return path_call(op, a, NULL, 0, arg, 0, 0); }
static int64_t path2(uint32_t op, const char *a, const char *b) { return path_call(op, a, b, 0, 0, 0, 0); }

static int64_t fd_call(uint32_t op, int32_t fd, int64_t arg, int64_t arg2, hermit_gpa_t buf,
		       uint64_t len)
{
	struct hc_fd f = { .op = op, .fd = fd, .arg = arg, .arg2 = arg2, .buf = buf, .len = len,
			   .ret = POISON };
	return simple_call(HERMIT_HC_FD, &f, sizeof(f), offsetof(struct hc_fd, ret));
}

static int64_t open_call(const char *p, int32_t flags, int32_t mode)
{
	return path_call(HERMIT_PATH_OPEN, p, NULL, flags, mode, 0, 0);
}

static int64_t close_call(int32_t fd) { return fd_call(HERMIT_FD_CLOSE, fd, 0, 0, 0, 0); }
static int64_t lseek_call(int32_t fd, int64_t off, int32_t whence) { return fd_call(HERMIT_FD_LSEEK, fd, off, whence, 0, 0); }

static struct hc_rw rw_at(uint32_t nr, int32_t fd, hermit_gpa_t buf, uint64_t len, uint32_t flags,
			  int64_t offset)
{
	struct hc_rw rw = { .fd = fd, .flags = flags, .buf = buf, .len = len, .offset = offset,
			    .ret = POISON };

	put(REQ, &rw, sizeof(rw));
	assert_int_equal(hcall_handle(&ctx, nr, REQ), HCALL_ANSWER);
	get(REQ, &rw, sizeof(rw));
	return rw;
}

static struct hc_rw rw_call(uint32_t nr, int32_t fd, hermit_gpa_t buf, uint64_t len)
{
	return rw_at(nr, fd, buf, len, 0, 0);
}

static void make_file(const char *name, const char *text)
{
	int fd = open(tmp_path(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void expect_bad_path(struct hc_path *p, const char *why)
{
	put(REQ, p, sizeof(*p));
	expect_bad(hcall_handle(&ctx, HERMIT_HC_PATH, REQ), why);
}

static void expect_bad_fd(struct hc_fd *f, const char *why)
{
	put(REQ, f, sizeof(*f));
	expect_bad(hcall_handle(&ctx, HERMIT_HC_FD, REQ), why);
}

/* ---- OPEN, CLOSE, LSEEK, UNLINK ---- */

static void test_open_write_close(void **state)
{
	(void)state;
	char got[16] = { 0 };

	int64_t gfd = open_call(tmp_path("new"), O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_int_equal(gfd, 3);
	put_string(BUF + 512, "data");
	assert_int_equal(rw_call(HERMIT_HC_WRITE, (int32_t)gfd, BUF + 512, 4).ret, 4);
	assert_int_equal(close_call((int32_t)gfd), 0);
	assert_int_equal(close_call((int32_t)gfd), -EBADF);
	int fd = open(tmp_path("new"), O_RDONLY);
	assert_int_equal(read(fd, got, sizeof(got)), 4);
	assert_string_equal(got, "data");
	close(fd);
	assert_int_equal(open_call(tmp_path("new"), O_WRONLY | O_CREAT | O_EXCL, 0600), -EEXIST);
	assert_int_equal(open_call(tmp_path("missing"), O_RDONLY, 0), -ENOENT);
	/* The lowest free descriptor is reused, as POSIX has it. */
	assert_int_equal(open_call(tmp_path("new"), O_RDONLY, 0), 3);
	assert_int_equal(open_call(tmp_path("new"), O_RDONLY, 0), 4);
	assert_int_equal(close_call(3), 0);
	assert_int_equal(open_call(tmp_path("new"), O_RDONLY, 0), 3);
}

static void test_open_flags_are_masked(void **state)
{
	(void)state;
	mode_t old = umask(0);

	/* Set-user-ID is not the guest's to give; O_CLOEXEC is always added. */
	int64_t gfd = open_call(tmp_path("f"), O_RDWR | O_CREAT, 04777);
	umask(old);
	assert_true(gfd >= 3);
	int host = files_host(&files, gfd);
	struct stat st;
	assert_int_equal(fstat(host, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0777);
	assert_true(fcntl(host, F_GETFD) & FD_CLOEXEC);
	/* Flags outside the safe set (O_PATH, O_SYNC) are dropped, not passed to the host. */
	gfd = open_call(tmp_path("f"), O_RDONLY | O_PATH | O_SYNC, 0);
	host = files_host(&files, gfd);
	assert_int_equal(fcntl(host, F_GETFL) & (O_PATH | O_SYNC), 0);
	char c;
	assert_int_equal(read(host, &c, 1), 0); /* a real, readable descriptor */
	/* Allowed flags do pass; O_NONBLOCK is also the guest's view (GETFL). */
	gfd = open_call(tmp_path("f"), O_WRONLY | O_APPEND | O_NONBLOCK, 0);
	host = files_host(&files, gfd);
	assert_true(fcntl(host, F_GETFL) & O_APPEND);
	assert_true(fcntl(host, F_GETFL) & O_NONBLOCK);
	assert_int_equal(fd_call(HERMIT_FD_GETFL, (int32_t)gfd, 0, 0, 0, 0), O_WRONLY | O_APPEND | O_NONBLOCK);
	assert_int_equal(open_call(tmp_path("f"), O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	char target[sizeof(path)];
	snprintf(target, sizeof(target), "%s", tmp_path("f"));
	assert_int_equal(symlink(target, tmp_path("link")), 0);
	assert_int_equal(open_call(tmp_path("link"), O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
}

static void test_open_fifo_does_not_wait(void **state)
{
	(void)state;

	assert_int_equal(mkfifo(tmp_path("fifo"), 0600), 0);
	/* no writer: a reader's open still answers at once; a writer's, without a reader, ENXIO */
	int64_t r = open_call(tmp_path("fifo"), O_RDONLY, 0);
	assert_true(r >= 3);
	assert_int_equal(fcntl(files_host(&files, r), F_GETFL) & O_NONBLOCK, 0); /* as asked */
	assert_true(open_call(tmp_path("fifo"), O_WRONLY, 0) >= 3); /* now there is a reader */
	assert_int_equal(close_call((int32_t)r), 0);
	assert_int_equal(mkfifo(tmp_path("fifo2"), 0600), 0);
	assert_int_equal(open_call(tmp_path("fifo2"), O_WRONLY, 0), -ENXIO);
}

static void test_open_bad_paths(void **state)
{
	(void)state;
	struct hc_path o = { .op = HERMIT_PATH_OPEN, .path = RAM_SIZE - 4, .flags = O_RDONLY, .ret = POISON };

	/* Unterminated at the end of guest memory: a bad request, nothing written. */
	memset(ram + RAM_SIZE - 4, 'a', 4);
	expect_bad_path(&o, BAD_PREFIX "OPEN path at 0xffffc is not a string in guest memory");
	get(REQ, &o, sizeof(o));
	assert_int_equal(o.ret, POISON);
	o.path = RAM_SIZE;
	put(REQ, &o, sizeof(o));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_PATH, REQ), HCALL_BAD);
	o.path = UINT64_MAX;
	put(REQ, &o, sizeof(o));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_PATH, REQ), HCALL_BAD);

	/* 4096 bytes without a NUL, in memory: -ENAMETOOLONG, as Linux says. */
	o.path = BUF;
	memset(ram + BUF, '/', 4096);
	ram[BUF + 4096] = '\0';
	assert_int_equal(path_req(&o, HCALL_ANSWER), -ENAMETOOLONG);
	/* 4095 characters and the NUL: the longest path that is passed on. */
	size_t dirlen = strlen(tmpdir);
	memset(path, '/', 4095 - dirlen);
	memcpy(path + 4095 - dirlen, tmpdir, dirlen + 1);
	assert_int_equal(strlen(path), 4095);
	char longest[4096];
	strcpy(longest, path);
	assert_true(open_call(longest, O_RDONLY | O_DIRECTORY, 0) >= 3);
}

static void test_open_table_full(void **state)
{
	(void)state;
	int opened = 0;
	int64_t gfd;
	struct rlimit r;

	/* files_make_room raised the soft limit; a hard limit below the table cannot be helped */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &r), 0);
	if (r.rlim_cur < FILES_MAX + FILES_SPARE)
		skip();

	while ((gfd = open_call("/dev/null", O_RDONLY, 0)) >= 0)
		opened++;
	assert_int_equal(gfd, -EMFILE);
	assert_int_equal(opened, FILES_MAX - 3);
	/* The refused host descriptor was closed: the next host descriptor is the same again. */
	int probe1 = open("/dev/null", O_RDONLY);
	close(probe1);
	assert_int_equal(open_call("/dev/null", O_RDONLY, 0), -EMFILE);
	int probe2 = open("/dev/null", O_RDONLY);
	close(probe2);
	assert_int_equal(probe1, probe2);
}

static void test_close_stdio(void **state)
{
	(void)state;
	/* The guest loses its descriptor 2, the proxy keeps its stderr. */
	assert_int_equal(close_call(2), 0);
	assert_true(fcntl(STDERR_FILENO, F_GETFD) >= 0);
	put_string(BUF, "x");
	assert_int_equal(rw_call(HERMIT_HC_WRITE, 2, BUF, 1).ret, -EBADF);
	assert_int_equal(close_call(2), -EBADF);
	assert_int_equal(close_call(-1), -EBADF);
	assert_int_equal(close_call(FILES_MAX), -EBADF);
}

static void test_lseek(void **state)
{
	(void)state;
	make_file("s", "0123456789");
	int32_t gfd = (int32_t)open_call(tmp_path("s"), O_RDONLY, 0);
	assert_int_equal(lseek_call(gfd, 4, SEEK_SET), 4);
	assert_int_equal(lseek_call(gfd, 2, SEEK_CUR), 6);
	assert_int_equal(lseek_call(gfd, -1, SEEK_END), 9);
	assert_int_equal(lseek_call(gfd, -100, SEEK_SET), -EINVAL);
	assert_int_equal(lseek_call(gfd, 0, 3), -EINVAL);
	assert_int_equal(lseek_call(gfd, 0, -1), -EINVAL);
	assert_int_equal(lseek_call(gfd + 1, 0, SEEK_SET), -EBADF);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	int32_t p = files_add(&files, fds[0]);
	assert_int_equal(lseek_call(p, 0, SEEK_SET), -ESPIPE);
	close(fds[1]);
}

static void test_pread_pwrite(void **state)
{
	(void)state;
	char got[16] = { 0 };

	make_file("p", "0123456789");
	int32_t gfd = (int32_t)open_call(tmp_path("p"), O_RDWR, 0);
	assert_int_equal(lseek_call(gfd, 2, SEEK_SET), 2);
	assert_int_equal(rw_at(HERMIT_HC_READ, gfd, OUT, 3, HERMIT_RW_AT, 6).ret, 3);
	get(OUT, got, 3);
	assert_memory_equal(got, "678", 3);
	put_string(OUT, "ab");
	assert_int_equal(rw_at(HERMIT_HC_WRITE, gfd, OUT, 2, HERMIT_RW_AT, 0).ret, 2);
	/* the descriptor's own offset did not move */
	assert_int_equal(lseek_call(gfd, 0, SEEK_CUR), 2);
	int fd = open(tmp_path("p"), O_RDONLY);
	assert_int_equal(read(fd, got, sizeof(got)), 10);
	close(fd);
	assert_memory_equal(got, "ab23456789", 10);
	assert_int_equal(rw_at(HERMIT_HC_READ, gfd, OUT, 3, HERMIT_RW_AT, -1).ret, -EINVAL);
	assert_int_equal(rw_at(HERMIT_HC_READ, gfd, OUT, 3, 2, 0).ret, -EINVAL); /* unknown flag */
	assert_int_equal(rw_at(HERMIT_HC_READ, 99, OUT, 3, HERMIT_RW_AT, 0).ret, -EBADF);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	int32_t p = files_add(&files, fds[1]);
	assert_int_equal(rw_at(HERMIT_HC_WRITE, p, OUT, 1, HERMIT_RW_AT, 0).ret, -ESPIPE);
	close(fds[0]);
}

static void test_unlink(void **state)
{
	(void)state;
	make_file("gone", "");
	assert_int_equal(path1(HERMIT_PATH_UNLINK, tmp_path("gone"), 0), 0);
	assert_int_equal(access(tmp_path("gone"), F_OK), -1);
	assert_int_equal(path1(HERMIT_PATH_UNLINK, tmp_path("gone"), 0), -ENOENT);
	assert_int_equal(path1(HERMIT_PATH_UNLINK, tmpdir, 0), -EISDIR);

	struct hc_path u = { .op = HERMIT_PATH_UNLINK, .path = RAM_SIZE - 2 };
	memset(ram + RAM_SIZE - 2, 'z', 2);
	expect_bad_path(&u, BAD_PREFIX "UNLINK path at 0xffffe is not a string in guest memory");
	memset(ram + BUF, 'a', 5000);
	u.path = BUF;
	assert_int_equal(path_req(&u, HCALL_ANSWER), -ENAMETOOLONG);
}

/* ---- STAT ---- */

static void expect_same_stat(const struct stat *st, hermit_gpa_t at)
{
	struct hermit_stat hs;

	get(at, &hs, sizeof(hs));
	assert_int_equal(hs.dev, st->st_dev);
	assert_int_equal(hs.ino, st->st_ino);
	assert_int_equal(hs.mode, st->st_mode);
	assert_int_equal(hs.nlink, st->st_nlink);
	assert_int_equal(hs.uid, st->st_uid);
	assert_int_equal(hs.gid, st->st_gid);
	assert_int_equal(hs.rdev, st->st_rdev);
	assert_int_equal(hs.size, st->st_size);
	assert_int_equal(hs.blksize, st->st_blksize);
	assert_int_equal(hs.blocks, st->st_blocks);
	assert_int_equal(hs.atime.sec, st->st_atim.tv_sec);
	assert_int_equal(hs.atime.nsec, st->st_atim.tv_nsec);
	assert_int_equal(hs.mtime.sec, st->st_mtim.tv_sec);
	assert_int_equal(hs.mtime.nsec, st->st_mtim.tv_nsec);
	assert_int_equal(hs.ctime.sec, st->st_ctim.tv_sec);
	assert_int_equal(hs.ctime.nsec, st->st_ctim.tv_nsec);
}

static void test_stat_and_lstat(void **state)
{
	(void)state;
	struct stat st;

	make_file("st", "12345");
	assert_int_equal(symlink("st", tmp_path("ln")), 0);
	memset(ram + OUT, 0x77, sizeof(struct hermit_stat) + 8);
	assert_int_equal(path_call(HERMIT_PATH_STAT, tmp_path("ln"), NULL, 0, 0, OUT, 0), 0);
	assert_int_equal(stat(tmp_path("st"), &st), 0);
	expect_same_stat(&st, OUT);
	assert_int_equal(ram[OUT + sizeof(struct hermit_stat)], 0x77);
	assert_int_equal(path_call(HERMIT_PATH_STAT, tmp_path("ln"), NULL, HERMIT_AT_NOFOLLOW, 0, OUT, 0), 0);
	assert_int_equal(lstat(tmp_path("ln"), &st), 0);
	expect_same_stat(&st, OUT);
	assert_int_equal(path_call(HERMIT_PATH_STAT, tmp_path("none"), NULL, 0, 0, OUT, 0), -ENOENT);
	assert_int_equal(path_call(HERMIT_PATH_STAT, "", NULL, 0, 0, OUT, 0), -ENOENT);
	assert_int_equal(path_call(HERMIT_PATH_STAT, tmp_path("st/x"), NULL, 0, 0, OUT, 0), -ENOTDIR);

	/* fstat gives the same, for a descriptor */
	int32_t gfd = (int32_t)open_call(tmp_path("st"), O_RDONLY, 0);
	assert_int_equal(fd_call(HERMIT_FD_STAT, gfd, 0, 0, OUT, 0), 0);
	assert_int_equal(stat(tmp_path("st"), &st), 0);
	expect_same_stat(&st, OUT);
	memset(ram + OUT, 0x77, 8);
	assert_int_equal(fd_call(HERMIT_FD_STAT, 99, 0, 0, OUT, 0), -EBADF);
	assert_int_equal(ram[OUT], 0x77);

	/* A result buffer partly outside memory is a bad request, even with a bad descriptor. */
	char why[160];
	hermit_gpa_t edge = RAM_SIZE - sizeof(struct hermit_stat) + 1;
	snprintf(why, sizeof(why), BAD_PREFIX "FSTAT result at 0x%llx (%zu bytes) is outside guest "
		 "memory", (unsigned long long)edge, sizeof(struct hermit_stat));
	struct hc_fd f = { .op = HERMIT_FD_STAT, .fd = 99, .buf = edge };
	expect_bad_fd(&f, why);
	struct hc_path p = { .op = HERMIT_PATH_STAT, .path = BUF, .buf = edge };
	put_string(BUF, "/nonexistent");
	snprintf(why, sizeof(why), BAD_PREFIX "STAT at 0x%llx (%zu bytes) is outside guest memory",
		 (unsigned long long)edge, sizeof(struct hermit_stat));
	expect_bad_path(&p, why);
}

/* ---- the other path operations ---- */

static void test_access_chmod_truncate(void **state)
{
	(void)state;
	struct stat st;

	make_file("a", "0123456789");
	assert_int_equal(path1(HERMIT_PATH_ACCESS, tmp_path("a"), R_OK | W_OK), 0);
	assert_int_equal(path1(HERMIT_PATH_ACCESS, tmp_path("none"), F_OK), -ENOENT);
	assert_int_equal(path1(HERMIT_PATH_ACCESS, tmp_path("a"), 8), -EINVAL);
	assert_int_equal(path1(HERMIT_PATH_ACCESS, tmp_path("a"), X_OK), -EACCES);
	/* set-user-ID is dropped; the sticky bit and the rest pass */
	assert_int_equal(path1(HERMIT_PATH_CHMOD, tmp_path("a"), 06755), 0);
	assert_int_equal(stat(tmp_path("a"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(path1(HERMIT_PATH_CHMOD, tmp_path("none"), 0600), -ENOENT);
	assert_int_equal(path1(HERMIT_PATH_TRUNCATE, tmp_path("a"), 3), 0);
	assert_int_equal(stat(tmp_path("a"), &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(path1(HERMIT_PATH_TRUNCATE, tmp_path("a"), -1), -EINVAL);
	assert_int_equal(path1(HERMIT_PATH_TRUNCATE, tmpdir, 0), -EISDIR);
	assert_int_equal(path1(HERMIT_PATH_TRUNCATE, tmp_path("none"), 0), -ENOENT);
	assert_int_equal(mkfifo(tmp_path("fifo"), 0600), 0);
	assert_int_equal(path1(HERMIT_PATH_TRUNCATE, tmp_path("fifo"), 0), -ENXIO); /* no hang */
}

static void test_dirs_and_names(void **state)
{
	(void)state;
	struct stat st;
	char buf[64];

	assert_int_equal(path1(HERMIT_PATH_MKDIR, tmp_path("d"), 0700), 0);
	assert_int_equal(stat(tmp_path("d"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(path1(HERMIT_PATH_MKDIR, tmp_path("d"), 0700), -EEXIST);
	assert_int_equal(path1(HERMIT_PATH_MKDIR, tmp_path("no/d"), 0700), -ENOENT);
	make_file("d/f", "");
	assert_int_equal(path1(HERMIT_PATH_RMDIR, tmp_path("d"), 0), -ENOTEMPTY);
	assert_int_equal(path1(HERMIT_PATH_RMDIR, tmp_path("d/f"), 0), -ENOTDIR);
	assert_int_equal(path2(HERMIT_PATH_RENAME, tmp_path("d/f"), tmp_path2("g")), 0);
	assert_int_equal(access(tmp_path("g"), F_OK), 0);
	assert_int_equal(path2(HERMIT_PATH_RENAME, tmp_path("d/f"), tmp_path2("h")), -ENOENT);
	assert_int_equal(path2(HERMIT_PATH_RENAME, tmp_path("g"), tmp_path2("d")), -EISDIR);
	assert_int_equal(path1(HERMIT_PATH_RMDIR, tmp_path("d"), 0), 0);
	assert_int_equal(path2(HERMIT_PATH_LINK, tmp_path("g"), tmp_path2("g2")), 0);
	assert_int_equal(stat(tmp_path("g"), &st), 0);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(path2(HERMIT_PATH_LINK, tmp_path("g"), tmp_path2("g2")), -EEXIST);
	/* SYMLINK: path is the new link, path2 what it says */
	assert_int_equal(path2(HERMIT_PATH_SYMLINK, tmp_path("s"), "g"), 0);
	assert_int_equal(readlink(tmp_path("s"), buf, sizeof(buf)), 1);
	assert_int_equal(path2(HERMIT_PATH_SYMLINK, tmp_path("s"), "g"), -EEXIST);
	memset(ram + OUT, 'x', 8);
	assert_int_equal(path_call(HERMIT_PATH_READLINK, tmp_path("s"), NULL, 0, 0, OUT, 8), 1);
	assert_int_equal(ram[OUT], 'g');
	assert_int_equal(ram[OUT + 1], 'x'); /* not NUL-ended, as readlink(2) */
	assert_int_equal(path_call(HERMIT_PATH_READLINK, tmp_path("g"), NULL, 0, 0, OUT, 8), -EINVAL);
	/* a second path that is no string */
	struct hc_path p = { .op = HERMIT_PATH_RENAME, .path = BUF, .path2 = RAM_SIZE };
	put_string(BUF, tmp_path("g"));
	expect_bad_path(&p, BAD_PREFIX "RENAME second path at 0x100000 is not a string in guest memory");
	memset(ram + BUF2, 'a', 5000);
	p.path2 = BUF2;
	assert_int_equal(path_req(&p, HCALL_ANSWER), -ENAMETOOLONG);
	assert_int_equal(access(tmp_path("g"), F_OK), 0);
	/* READLINK's buffer must be guest memory, all of it */
	p = (struct hc_path){ .op = HERMIT_PATH_READLINK, .path = BUF, .buf = RAM_SIZE - 4, .len = 8 };
	put_string(BUF, tmp_path("s"));
	expect_bad_path(&p, BAD_PREFIX "READLINK at 0xffffc (8 bytes) is outside guest memory");
	p = (struct hc_path){ .op = 999, .path = BUF };
	expect_bad_path(&p, BAD_PREFIX "unknown PATH operation 999");
	p.op = 0;
	expect_bad_path(&p, BAD_PREFIX "unknown PATH operation 0");
}

static void test_utimens(void **state)
{
	(void)state;
	struct stat st;
	struct hermit_timespec t[2] = { { 1000, 5 }, { 2000, 7 } };

	make_file("u", "");
	put(OUT, t, sizeof(t));
	assert_int_equal(path_call(HERMIT_PATH_UTIMENS, tmp_path("u"), NULL, 0, 0, OUT, 0), 0);
	assert_int_equal(stat(tmp_path("u"), &st), 0);
	assert_int_equal(st.st_atim.tv_sec, 1000);
	assert_int_equal(st.st_mtim.tv_nsec, 7);
	t[0].nsec = UTIME_OMIT;
	t[1].nsec = UTIME_NOW;
	put(OUT, t, sizeof(t));
	int32_t gfd = (int32_t)open_call(tmp_path("u"), O_RDONLY, 0);
	assert_int_equal(fd_call(HERMIT_FD_UTIMENS, gfd, 0, 0, OUT, 0), 0);
	assert_int_equal(stat(tmp_path("u"), &st), 0);
	assert_int_equal(st.st_atim.tv_sec, 1000);
	assert_true(st.st_mtim.tv_sec > 1600000000);
	/* buf 0: both now */
	assert_int_equal(path_call(HERMIT_PATH_UTIMENS, tmp_path("u"), NULL, 0, 0, 0, 0), 0);
	assert_int_equal(stat(tmp_path("u"), &st), 0);
	assert_true(st.st_atim.tv_sec > 1600000000);
	assert_int_equal(path_call(HERMIT_PATH_UTIMENS, tmp_path("none"), NULL, 0, 0, 0, 0), -ENOENT);
	t[0].nsec = 2000000000;
	put(OUT, t, sizeof(t));
	assert_int_equal(path_call(HERMIT_PATH_UTIMENS, tmp_path("u"), NULL, 0, 0, OUT, 0), -EINVAL);
	struct hc_path p = { .op = HERMIT_PATH_UTIMENS, .path = BUF, .buf = RAM_SIZE - 16 };
	expect_bad_path(&p, BAD_PREFIX "UTIMENS at 0xffff0 (32 bytes) is outside guest memory");
	struct hc_fd f = { .op = HERMIT_FD_UTIMENS, .fd = gfd, .buf = RAM_SIZE };
	expect_bad_fd(&f, BAD_PREFIX "UTIMENS times at 0x100000 (32 bytes) is outside guest memory");
}

/* ---- directory descriptors (the *at calls) ---- */

static int64_t at_call(uint32_t op, int32_t dirfd, const char *a, int32_t dirfd2, const char *b,
		       int32_t flags)
{
	struct hc_path p = { .op = op, .flags = flags, .dirfd = dirfd, .dirfd2 = dirfd2, .path = BUF,
			     .path2 = b ? BUF2 : 0, .buf = OUT };
	put_string(BUF, a);
	if (b)
		put_string(BUF2, b);
	return path_req(&p, HCALL_ANSWER);
}

static void test_dirfd(void **state)
{
	(void)state;
	struct stat st, in;

	assert_int_equal(mkdir(tmp_path("dir"), 0700), 0);
	make_file("dir/in", "x");
	assert_int_equal(stat(tmp_path("dir/in"), &in), 0);
	int32_t d = (int32_t)open_call(tmp_path("dir"), O_RDONLY | O_DIRECTORY, 0);
	assert_int_equal(at_call(HERMIT_PATH_STAT, d, "in", HERMIT_AT_CWD, NULL, 0), 0);
	struct hermit_stat hs;
	get(OUT, &hs, sizeof(hs));
	assert_int_equal(hs.ino, in.st_ino);
	assert_true(at_call(HERMIT_PATH_OPEN, d, "in", HERMIT_AT_CWD, NULL, O_RDONLY) >= 3);
	/* RENAME from one directory to another; path2 starts at dirfd2 */
	assert_int_equal(at_call(HERMIT_PATH_RENAME, d, "in", HERMIT_AT_CWD, tmp_path("out"), 0), 0);
	assert_int_equal(access(tmp_path("out"), F_OK), 0);
	int32_t top = (int32_t)open_call(tmpdir, O_RDONLY | O_DIRECTORY, 0);
	assert_int_equal(at_call(HERMIT_PATH_RENAME, top, "out", d, "in", 0), 0);
	assert_int_equal(access(tmp_path("dir/in"), F_OK), 0);
	/* LINK with HERMIT_AT_FOLLOW links a link's target */
	assert_int_equal(symlink("in", tmp_path("dir/ln")), 0);
	assert_int_equal(at_call(HERMIT_PATH_LINK, d, "ln", d, "hard", HERMIT_AT_FOLLOW), 0);
	assert_int_equal(lstat(tmp_path("dir/hard"), &st), 0);
	assert_int_equal(st.st_ino, in.st_ino);
	assert_int_equal(at_call(HERMIT_PATH_LINK, d, "ln", d, "hardln", 0), 0);
	assert_int_equal(lstat(tmp_path("dir/hardln"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* no such descriptor, or one that is no directory */
	assert_int_equal(at_call(HERMIT_PATH_STAT, 77, "in", HERMIT_AT_CWD, NULL, 0), -EBADF);
	assert_int_equal(at_call(HERMIT_PATH_RENAME, d, "in", 77, "x", 0), -EBADF);
	int32_t f = (int32_t)open_call(tmp_path("dir/in"), O_RDONLY, 0);
	assert_int_equal(at_call(HERMIT_PATH_STAT, f, "x", HERMIT_AT_CWD, NULL, 0), -ENOTDIR);
	/* an absolute path does not look at it */
	assert_int_equal(at_call(HERMIT_PATH_STAT, f, tmp_path("dir/in"), HERMIT_AT_CWD, NULL, 0), 0);
}

static void test_dirfd_inside_the_root(void **state)
{
	(void)state;
	char err[256];

	assert_int_equal(mkdir(tmp_path("r"), 0755), 0);
	assert_int_equal(mkdir(tmp_path("r/sub"), 0755), 0);
	make_file("r/in.txt", "in");
	make_file("out.txt", "out");
	fs_close(&fs);
	assert_int_equal(fs_init(&fs, tmp_path("r"), err, sizeof(err)), 0);
	int32_t sub = (int32_t)open_call("/sub", O_RDONLY | O_DIRECTORY, 0);
	assert_true(sub >= 3);
	assert_int_equal(at_call(HERMIT_PATH_STAT, sub, "../in.txt", HERMIT_AT_CWD, NULL, 0), 0);
	assert_int_equal(at_call(HERMIT_PATH_STAT, sub, "../../out.txt", HERMIT_AT_CWD, NULL, 0), -ENOENT);
	assert_int_equal(at_call(HERMIT_PATH_OPEN, sub, "../../../out.txt", HERMIT_AT_CWD, NULL, O_RDONLY),
			 -ENOENT);
	/* the proxy's stdio is no directory inside the root */
	assert_int_equal(at_call(HERMIT_PATH_STAT, 1, "x", HERMIT_AT_CWD, NULL, 0), -ENOENT);
}

/* ---- the current directory, REALPATH ---- */

static void expect_cwd(const char *want)
{
	memset(ram + OUT, 0x77, 4096);
	assert_int_equal(path_call(HERMIT_PATH_GETCWD, NULL, NULL, 0, 0, OUT, 4096), (int64_t)strlen(want) + 1);
	assert_string_equal((char *)ram + OUT, want);
}

static void test_cwd(void **state)
{
	(void)state;
	char proxy_cwd[4096], real_tmp[4096];

	assert_non_null(getcwd(proxy_cwd, sizeof(proxy_cwd)));
	assert_non_null(realpath(tmpdir, real_tmp));
	expect_cwd(proxy_cwd);
	assert_int_equal(mkdir(tmp_path("sub"), 0700), 0);
	make_file("sub/inner", "x");
	assert_int_equal(path1(HERMIT_PATH_CHDIR, tmpdir, 0), 0);
	expect_cwd(real_tmp);
	/* relative paths start at the guest's directory; the proxy's own never moves */
	assert_int_equal(path1(HERMIT_PATH_CHDIR, "sub", 0), 0);
	assert_true(open_call("inner", O_RDONLY, 0) >= 3);
	char cwd_now[4096];
	assert_non_null(getcwd(cwd_now, sizeof(cwd_now)));
	assert_string_equal(cwd_now, proxy_cwd);
	assert_int_equal(path1(HERMIT_PATH_CHDIR, "inner", 0), -ENOTDIR);
	assert_int_equal(path1(HERMIT_PATH_CHDIR, "none", 0), -ENOENT);
	assert_int_equal(path_call(HERMIT_PATH_GETCWD, NULL, NULL, 0, 0, OUT, 3), -ERANGE);
	/* FD_CHDIR: a directory descriptor, not a file */
	int32_t dir = (int32_t)open_call("..", O_RDONLY | O_DIRECTORY, 0);
	int32_t file = (int32_t)open_call("inner", O_RDONLY, 0);
	assert_int_equal(fd_call(HERMIT_FD_CHDIR, file, 0, 0, 0, 0), -ENOTDIR);
	assert_int_equal(fd_call(HERMIT_FD_CHDIR, 77, 0, 0, 0, 0), -EBADF);
	assert_int_equal(fd_call(HERMIT_FD_CHDIR, dir, 0, 0, 0, 0), 0);
	expect_cwd(real_tmp);
	/* REALPATH */
	assert_int_equal(symlink("sub/inner", tmp_path("to_inner")), 0);
	char want[4200];
	snprintf(want, sizeof(want), "%s/sub/inner", real_tmp);
	assert_int_equal(path_call(HERMIT_PATH_REALPATH, "./sub/../to_inner", NULL, 0, 0, OUT, 4096),
			 (int64_t)strlen(want));
	assert_string_equal((char *)ram + OUT, want);
	assert_int_equal(path_call(HERMIT_PATH_REALPATH, "none", NULL, 0, 0, OUT, 4096), -ENOENT);
	assert_int_equal(path_call(HERMIT_PATH_REALPATH, "sub", NULL, 0, 0, OUT, 4), -ERANGE);
	/* a removed current directory: ENOENT, as Linux's getcwd */
	assert_int_equal(path1(HERMIT_PATH_CHDIR, "sub", 0), 0);
	assert_int_equal(unlink(tmp_path("sub/inner")), 0);
	assert_int_equal(rmdir(tmp_path("sub")), 0);
	assert_int_equal(path_call(HERMIT_PATH_GETCWD, NULL, NULL, 0, 0, OUT, 4096), -ENOENT);
	struct hc_path p = { .op = HERMIT_PATH_GETCWD, .buf = RAM_SIZE - 8, .len = 4096 };
	expect_bad_path(&p, BAD_PREFIX "GETCWD at 0xffff8 (4096 bytes) is outside guest memory");
}

/* ---- FD operations ---- */

static void test_fd_ops(void **state)
{
	(void)state;
	struct stat st;

	make_file("f", "0123456789");
	int32_t gfd = (int32_t)open_call(tmp_path("f"), O_RDWR, 0);
	assert_int_equal(fd_call(HERMIT_FD_TRUNCATE, gfd, 4, 0, 0, 0), 0);
	assert_int_equal(stat(tmp_path("f"), &st), 0);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(fd_call(HERMIT_FD_TRUNCATE, gfd, -1, 0, 0, 0), -EINVAL);
	assert_int_equal(fd_call(HERMIT_FD_SYNC, gfd, 0, 0, 0, 0), 0);
	assert_int_equal(fd_call(HERMIT_FD_SYNC, gfd, 1, 0, 0, 0), 0);
	assert_int_equal(fd_call(HERMIT_FD_CHMOD, gfd, 04640, 0, 0, 0), 0);
	assert_int_equal(stat(tmp_path("f"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* GETFL and SETFL: O_APPEND reaches the host descriptor, O_NONBLOCK stays with the proxy */
	assert_int_equal(fd_call(HERMIT_FD_GETFL, gfd, 0, 0, 0, 0), O_RDWR);
	assert_int_equal(fd_call(HERMIT_FD_SETFL, gfd, O_APPEND | O_NONBLOCK | O_TRUNC, 0, 0, 0), 0);
	assert_int_equal(fd_call(HERMIT_FD_GETFL, gfd, 0, 0, 0, 0), O_RDWR | O_APPEND | O_NONBLOCK);
	int host = files_host(&files, gfd);
	assert_int_equal(fcntl(host, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND);
	assert_int_equal(fd_call(HERMIT_FD_SETFL, gfd, 0, 0, 0, 0), 0);
	assert_int_equal(fd_call(HERMIT_FD_GETFL, gfd, 0, 0, 0, 0), O_RDWR);
	/* the proxy's stdio never gets the guest's O_APPEND */
	int before = fcntl(STDOUT_FILENO, F_GETFL);
	assert_int_equal(fd_call(HERMIT_FD_SETFL, 1, O_APPEND | O_NONBLOCK, 0, 0, 0), 0);
	assert_int_equal(fcntl(STDOUT_FILENO, F_GETFL), before);
	assert_true(fd_call(HERMIT_FD_GETFL, 1, 0, 0, 0, 0) & O_NONBLOCK);
	/* every operation on a closed descriptor: EBADF */
	for (uint32_t op = HERMIT_FD_CLOSE; op < HERMIT_FD_OPS; op++) {
		if (op == HERMIT_FD_STAT || op == HERMIT_FD_GETDENTS || op == HERMIT_FD_LOCK)
			assert_int_equal(fd_call(op, 200, 0, 0, OUT, 64), -EBADF);
		else
			assert_int_equal(fd_call(op, 200, 0, 0, 0, 0), -EBADF);
	}
	struct hc_fd f = { .op = HERMIT_FD_OPS, .fd = gfd };
	expect_bad_fd(&f, BAD_PREFIX "unknown FD operation 15");
	f.op = 0;
	expect_bad_fd(&f, BAD_PREFIX "unknown FD operation 0");
}

static void test_nonblocking_reads(void **state)
{
	(void)state;
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	int32_t r = files_add(&files, fds[0]);
	assert_int_equal(fd_call(HERMIT_FD_SETFL, r, O_NONBLOCK, 0, 0, 0), 0);
	/* nothing there: -EAGAIN at once, instead of waiting */
	assert_int_equal(rw_call(HERMIT_HC_READ, r, BUF, 4).ret, -EAGAIN);
	assert_int_equal(write(fds[1], "ab", 2), 2);
	assert_int_equal(rw_call(HERMIT_HC_READ, r, BUF, 4).ret, 2);
	/* the host descriptor itself stays blocking */
	assert_int_equal(fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0);
	close(fds[1]);
}

static void test_fd_poll(void **state)
{
	(void)state;
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	int32_t r = files_add(&files, fds[0]), w = files_add(&files, fds[1]);
	assert_int_equal(fd_call(HERMIT_FD_POLL, r, POLLIN, 0, 0, 0), 0); /* empty: nothing, at once */
	assert_int_equal(fd_call(HERMIT_FD_POLL, w, POLLOUT | POLLIN, 0, 0, 0), POLLOUT);
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_int_equal(fd_call(HERMIT_FD_POLL, r, POLLIN, 0, 0, 0), POLLIN);
	assert_int_equal(close_call(w), 0);
	assert_int_equal(fd_call(HERMIT_FD_POLL, r, POLLIN, 0, 0, 0), POLLIN | POLLHUP);
	assert_int_equal(fd_call(HERMIT_FD_POLL, 99, POLLIN, 0, 0, 0), -EBADF);
}

static void test_getdents(void **state)
{
	(void)state;
	int count = 0, found = 0;

	assert_int_equal(mkdir(tmp_path("list"), 0700), 0);
	for (int i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "list/file-%02d", i);
		make_file(name, "");
	}
	int32_t gfd = (int32_t)open_call(tmp_path("list"), O_RDONLY | O_DIRECTORY, 0);
	int64_t n;
	/* a small buffer: several requests */
	while ((n = fd_call(HERMIT_FD_GETDENTS, gfd, 0, 0, OUT, 256)) > 0) {
		for (int64_t pos = 0; pos < n;) {
			struct hermit_dirent d;
			get(OUT + pos, &d, sizeof(d));
			const char *name = (const char *)ram + OUT + pos + offsetof(struct hermit_dirent, name);
			assert_true(d.reclen % 8 == 0 && d.reclen > 0);
			struct stat st;
			char full[4200];
			snprintf(full, sizeof(full), "%s/list/%s", tmpdir, name);
			assert_int_equal(lstat(full, &st), 0);
			assert_int_equal(d.ino, st.st_ino);
			if (strncmp(name, "file-", 5) == 0) {
				assert_int_equal(d.type, DT_REG);
				found++;
			}
			count++;
			pos += d.reclen;
		}
	}
	assert_int_equal(n, 0);
	assert_int_equal(found, 50);
	assert_int_equal(count, 52);
	/* LSEEK to 0 starts over */
	assert_int_equal(lseek_call(gfd, 0, SEEK_SET), 0);
	assert_true(fd_call(HERMIT_FD_GETDENTS, gfd, 0, 0, OUT, 4096) > 0);
	assert_int_equal(lseek_call(gfd, 0, SEEK_SET), 0);
	assert_int_equal(fd_call(HERMIT_FD_GETDENTS, gfd, 0, 0, OUT, 8), -EINVAL); /* too small */
	int32_t file = (int32_t)open_call(tmp_path("list/file-00"), O_RDONLY, 0);
	assert_int_equal(fd_call(HERMIT_FD_GETDENTS, file, 0, 0, OUT, 4096), -ENOTDIR);
	struct hc_fd f = { .op = HERMIT_FD_GETDENTS, .fd = gfd, .buf = RAM_SIZE - 100, .len = 4096 };
	expect_bad_fd(&f, BAD_PREFIX "GETDENTS buffer at 0xfff9c (4096 bytes) is outside guest memory");
}

/* ---- LOCK ---- */

/* A child process holds a write lock on bytes 0-99 of path until its pipe closes. */
static pid_t lock_holder(const char *p, int *release)
{
	int ready[2], hold[2];
	char c;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(hold[1]);
		close(ready[0]);
		int fd = open(p, O_RDWR);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
		if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release = hold[1];
	return pid;
}

static int64_t lock_call(int32_t gfd, int64_t cmd, struct hermit_flock *fl)
{
	put(OUT, fl, sizeof(*fl));
	int64_t ret = fd_call(HERMIT_FD_LOCK, gfd, cmd, 0, OUT, sizeof(*fl));
	get(OUT, fl, sizeof(*fl));
	return ret;
}

static void test_locks(void **state)
{
	(void)state;
	int release, status;

	make_file("locked", "data");
	pid_t holder = lock_holder(tmp_path("locked"), &release);
	int32_t gfd = (int32_t)open_call(tmp_path("locked"), O_RDWR, 0);
	struct hermit_flock fl = { .type = 1, .whence = SEEK_SET, .start = 0, .len = 0 };
	assert_int_equal(lock_call(gfd, HERMIT_LOCK_GET, &fl), 0);
	assert_int_equal(fl.type, 1); /* F_WRLCK, Linux's number */
	assert_int_equal(fl.pid, holder);
	assert_int_equal(fl.start, 0);
	assert_int_equal(fl.len, 100);
	fl = (struct hermit_flock){ .type = 0, .whence = SEEK_SET, .start = 50, .len = 1 };
	int64_t r = lock_call(gfd, HERMIT_LOCK_SET, &fl);
	assert_true(r == -EAGAIN || r == -EACCES);
	fl = (struct hermit_flock){ .type = 1, .whence = SEEK_SET, .start = 100, .len = 0 };
	assert_int_equal(lock_call(gfd, HERMIT_LOCK_SET, &fl), 0); /* past the holder's range */
	fl.type = 3;
	assert_int_equal(lock_call(gfd, HERMIT_LOCK_SET, &fl), -EINVAL);
	fl = (struct hermit_flock){ .type = 2, .whence = 7 };
	assert_int_equal(lock_call(gfd, HERMIT_LOCK_SET, &fl), -EINVAL);
	fl.whence = SEEK_SET;
	assert_int_equal(lock_call(gfd, 5, &fl), -EINVAL);
	/* the holder ends: the whole file is free */
	close(release);
	assert_int_equal(waitpid(holder, &status, 0), holder);
	assert_int_equal(status, 0);
	fl = (struct hermit_flock){ .type = 1, .whence = SEEK_SET };
	assert_int_equal(lock_call(gfd, HERMIT_LOCK_SET, &fl), 0);
	assert_int_equal(lock_call(gfd, HERMIT_LOCK_GET, &fl), 0);
	assert_int_equal(fl.type, 2); /* our own lock is no conflict: F_UNLCK */
	struct hc_fd f = { .op = HERMIT_FD_LOCK, .fd = gfd, .buf = RAM_SIZE - 8 };
	expect_bad_fd(&f, BAD_PREFIX "LOCK at 0xffff8 (24 bytes) is outside guest memory");
}

static void test_flock(void **state)
{
	(void)state;
	int ready[2], hold[2], status;
	char c;

	make_file("fl", "");
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid_t pid = fork();
	if (pid == 0) { /* holds an exclusive flock until its pipe closes */
		close(hold[1]);
		int fd = open(tmp_path("fl"), O_RDONLY);
		if (fd < 0 || flock(fd, LOCK_EX) < 0 || write(ready[1], "r", 1) != 1 || read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	int32_t gfd = (int32_t)open_call(tmp_path("fl"), O_RDONLY, 0);
	assert_int_equal(fd_call(HERMIT_FD_FLOCK, gfd, LOCK_SH, 0, 0, 0), -EWOULDBLOCK); /* never waits */
	assert_int_equal(fd_call(HERMIT_FD_FLOCK, gfd, LOCK_EX | LOCK_NB, 0, 0, 0), -EINVAL);
	assert_int_equal(fd_call(HERMIT_FD_FLOCK, gfd, 0, 0, 0, 0), -EINVAL);
	close(hold[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(fd_call(HERMIT_FD_FLOCK, gfd, LOCK_EX, 0, 0, 0), 0);
	assert_int_equal(fd_call(HERMIT_FD_FLOCK, gfd, LOCK_UN, 0, 0, 0), 0);
	close(ready[0]);
}

/* ---- HERMIT_ROOT ---- */

/* tmpdir/root is the guest's "/", tmpdir/outside.txt is outside. */
static void enter_root(void)
{
	char err[256], outside[4200];

	assert_int_equal(mkdir(tmp_path("root"), 0755), 0);
	assert_int_equal(mkdir(tmp_path("root/sub"), 0755), 0);
	make_file("root/inside.txt", "in");
	make_file("outside.txt", "out");
	snprintf(outside, sizeof(outside), "%s/outside.txt", tmpdir);
	assert_int_equal(symlink(outside, tmp_path("root/abs_link")), 0);
	assert_int_equal(symlink("../outside.txt", tmp_path("root/rel_link")), 0);
	assert_int_equal(symlink("/", tmp_path("root/top_link")), 0);
	fs_close(&fs);
	assert_int_equal(fs_init(&fs, tmp_path("root"), err, sizeof(err)), 0);
}

static void test_root_confines_paths(void **state)
{
	(void)state;
	enter_root();
	expect_cwd("/");
	assert_int_equal(path_call(HERMIT_PATH_STAT, "/inside.txt", NULL, 0, 0, OUT, 0), 0);
	assert_int_equal(path_call(HERMIT_PATH_STAT, "inside.txt", NULL, 0, 0, OUT, 0), 0);
	static const char *const outside[] = { "../outside.txt", "/../outside.txt",
		"sub/../../outside.txt", "abs_link", "rel_link", "top_link/../outside.txt" };
	for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		assert_int_equal(path_call(HERMIT_PATH_STAT, outside[i], NULL, 0, 0, OUT, 0), -ENOENT);
		assert_int_equal(open_call(outside[i], O_RDONLY, 0), -ENOENT);
		assert_int_equal(path1(HERMIT_PATH_ACCESS, outside[i], F_OK), -ENOENT);
		assert_int_equal(path1(HERMIT_PATH_CHMOD, outside[i], 0777), -ENOENT);
		assert_int_equal(path1(HERMIT_PATH_TRUNCATE, outside[i], 0), -ENOENT);
	}
	assert_int_equal(open_call(tmp_path("outside.txt"), O_RDONLY, 0), -ENOENT); /* a host path */
	assert_int_equal(path1(HERMIT_PATH_UNLINK, "../outside.txt", 0), -ENOENT);
	assert_int_equal(path1(HERMIT_PATH_UNLINK, "rel_link/x", 0), -ENOENT);
	assert_int_equal(path1(HERMIT_PATH_MKDIR, "abs_link/x", 0700), -ENOENT);
	/* the links themselves are inside: lstat, readlink and unlink reach them */
	assert_int_equal(path_call(HERMIT_PATH_STAT, "rel_link", NULL, HERMIT_AT_NOFOLLOW, 0, OUT, 0), 0);
	assert_int_equal(path_call(HERMIT_PATH_READLINK, "rel_link", NULL, 0, 0, OUT, 64), 14);
	/* ".." at the top is the top; "top_link" (-> /) is the root */
	assert_int_equal(path1(HERMIT_PATH_CHDIR, "../../sub", 0), 0);
	expect_cwd("/sub");
	assert_int_equal(path_call(HERMIT_PATH_STAT, "../inside.txt", NULL, 0, 0, OUT, 0), 0);
	assert_int_equal(path_call(HERMIT_PATH_STAT, "../top_link/inside.txt", NULL, 0, 0, OUT, 0), 0);
	assert_int_equal(path_call(HERMIT_PATH_REALPATH, "../top_link/sub/..", NULL, 0, 0, OUT, 64), 1);
	assert_string_equal((char *)ram + OUT, "/");
	/* names made through escaping paths land inside */
	assert_int_equal(path2(HERMIT_PATH_RENAME, "../inside.txt", "../../moved.txt"), 0);
	assert_int_equal(access(tmp_path("root/moved.txt"), F_OK), 0);
	assert_int_equal(access(tmp_path("moved.txt"), F_OK), -1);
	assert_int_equal(path2(HERMIT_PATH_LINK, "/moved.txt", "/../linked.txt"), 0);
	assert_int_equal(access(tmp_path("root/linked.txt"), F_OK), 0);
	int64_t gfd = open_call("/rel_link", O_WRONLY | O_CREAT, 0600); /* creates root/outside.txt */
	assert_true(gfd >= 3);
	assert_int_equal(access(tmp_path("root/outside.txt"), F_OK), 0);
	struct stat st;
	assert_int_equal(stat(tmp_path("outside.txt"), &st), 0);
	assert_int_equal(st.st_size, 3); /* untouched */
	assert_int_equal(path1(HERMIT_PATH_RMDIR, "/", 0), -EINVAL); /* Linux: EBUSY */
	assert_int_equal(path1(HERMIT_PATH_UNLINK, "", 0), -ENOENT);
	/* a directory moved out of the root by someone else: its path is unknown to the guest */
	assert_int_equal(rename(tmp_path("root/sub"), tmp_path2("sub_out")), 0);
	assert_int_equal(path_call(HERMIT_PATH_GETCWD, NULL, NULL, 0, 0, OUT, 64), -ENOENT);
	assert_int_equal(path_call(HERMIT_PATH_STAT, "x", NULL, 0, 0, OUT, 0), -ENOENT);
}

static void test_root_must_be_a_directory(void **state)
{
	(void)state;
	char err[256];
	struct fs other;

	assert_int_equal(fs_init(&other, tmp_path("none"), err, sizeof(err)), -1);
	assert_true(strstr(err, "HERMIT_ROOT=") && strstr(err, "No such file or directory"));
	make_file("plain", "");
	assert_int_equal(fs_init(&other, tmp_path("plain"), err, sizeof(err)), -1);
	assert_true(strstr(err, "Not a directory"));
	/* "/" as the root: host paths as they are */
	assert_int_equal(fs_init(&other, "/", err, sizeof(err)), 0);
	assert_string_equal(other.root, "");
	fs_close(&other);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_write_close),
		T(test_open_flags_are_masked),
		T(test_open_fifo_does_not_wait),
		T(test_open_bad_paths),
		T(test_open_table_full),
		T(test_close_stdio),
		T(test_lseek),
		T(test_pread_pwrite),
		T(test_unlink),
		T(test_stat_and_lstat),
		T(test_access_chmod_truncate),
		T(test_dirs_and_names),
		T(test_utimens),
		T(test_dirfd),
		T(test_dirfd_inside_the_root),
		T(test_cwd),
		T(test_fd_ops),
		T(test_nonblocking_reads),
		T(test_fd_poll),
		T(test_getdents),
		T(test_locks),
		T(test_flock),
		T(test_root_confines_paths),
		T(test_root_must_be_a_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
