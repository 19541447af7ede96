/*
 * hcall_fs.c: the file requests (abi.h): PATH names a file by its path, resolved by fs.c; FD acts
 * on a descriptor of the guest's table (files.c). Each operation checks the guest buffers it uses
 * (a bad one is HCALL_BAD, as in hcall.c) and answers with the host call's result or -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proxy.h"

/* What a guest may ask of open(2); O_CLOEXEC is added so that no child ever inherits them. */
#define OPEN_FLAGS_ALLOWED                                                                       \
	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW)
/* Set-user-ID and set-group-ID are not the guest's to give. */
#define MODE_ALLOWED 01777
#define GETDENTS_MAX (1u << 20)

static void stat_to_guest(const struct stat *st, struct hermit_stat *hs)
{
	memset(hs, 0, sizeof(*hs));
	hs->dev = st->st_dev;
	hs->ino = st->st_ino;
	hs->mode = st->st_mode; /* the host is Linux: S_IF* values are Linux's */
	hs->nlink = (uint32_t)st->st_nlink;
	hs->uid = st->st_uid;
	hs->gid = st->st_gid;
	hs->rdev = st->st_rdev;
	hs->size = st->st_size;
	hs->blksize = st->st_blksize;
	hs->blocks = st->st_blocks;
	hs->atime = (struct hermit_timespec){ st->st_atim.tv_sec, st->st_atim.tv_nsec };
	hs->mtime = (struct hermit_timespec){ st->st_mtim.tv_sec, st->st_mtim.tv_nsec };
	hs->ctime = (struct hermit_timespec){ st->st_ctim.tv_sec, st->st_ctim.tv_nsec };
}

/* The guest's struct hermit_stat at gpa, checked before anything is done. */
static bool stat_buffer_ok(struct hcall_ctx *ctx, hermit_gpa_t gpa)
{
	return gm_range(ctx->gm, gpa, sizeof(struct hermit_stat)) != NULL;
}

static int64_t put_stat(struct hcall_ctx *ctx, int rc, const struct stat *st, hermit_gpa_t gpa)
{
	struct hermit_stat hs;

	if (rc < 0)
		return -errno;
	stat_to_guest(st, &hs);
	gm_write(ctx->gm, gpa, &hs, sizeof(hs));
	return 0;
}

/* UTIMENS's times: NULL for "both now" (buf 0); false when buf is outside guest memory. */
static bool read_times(struct hcall_ctx *ctx, hermit_gpa_t buf, struct timespec ts[2],
		       struct timespec **out)
{
	struct hermit_timespec t[2];

	*out = NULL;
	if (!buf)
		return true;
	if (!gm_read(ctx->gm, buf, t, sizeof(t)))
		return false;
	for (int i = 0; i < 2; i++)
		ts[i] = (struct timespec){ (time_t)t[i].sec, (long)t[i].nsec };
	*out = ts;
	return true;
}

/* ---- PATH ---- */

struct path_req {
	struct hc_path *p;
	int start, start2;  /* where path and path2 start: host directory descriptors or FS_CWD */
	char path[FS_PATH_MAX];
	char path2[FS_PATH_MAX];
};

/*
 * Always opened with O_NONBLOCK, which the descriptor then loses unless the guest asked for it:
 * opening a FIFO must not wait for its other end, which would stop the proxy (a reader's open
 * succeeds at once, a writer's without a reader fails with ENXIO).
 */
static int64_t path_open(struct hcall_ctx *ctx, struct path_req *r)
{
	int flags = r->p->flags;
	int fd = fs_open(ctx->fs, r->start, r->path,
			 (flags & OPEN_FLAGS_ALLOWED) | O_CLOEXEC | O_NONBLOCK,
			 (mode_t)(r->p->arg & MODE_ALLOWED & 0777));

	if (fd < 0)
		return fd;
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	int gfd = files_add(ctx->files, fd);
	if (gfd >= 0)
		files_set_nonblock(ctx->files, gfd, flags & O_NONBLOCK);
	return gfd;
}

static int64_t path_stat(struct hcall_ctx *ctx, struct path_req *r)
{
	struct fs_at at;
	struct stat st;
	int rc = fs_resolve(ctx->fs, r->start, r->path, !(r->p->flags & HERMIT_AT_NOFOLLOW), &at);

	if (rc < 0)
		return rc;
	rc = fstatat(at.dirfd, at.name, &st, at.nofollow);
	int64_t ret = put_stat(ctx, rc, &st, r->p->buf);
	fs_done(&at);
	return ret;
}

/* The operations on one path that follow a final symbolic link. */
static int64_t on_target(struct hcall_ctx *ctx, struct path_req *r)
{
	struct hc_path *p = r->p;
	struct timespec ts[2], *times;
	struct fs_at at;
	int rc = fs_resolve(ctx->fs, r->start, r->path, !(p->flags & HERMIT_AT_NOFOLLOW), &at);

	if (rc < 0)
		return rc;
	switch (p->op) {
	case HERMIT_PATH_ACCESS:
		rc = (p->arg & ~(int64_t)(R_OK | W_OK | X_OK)) ? (errno = EINVAL, -1)
							      : faccessat(at.dirfd, at.name, (int)p->arg, 0);
		break;
	case HERMIT_PATH_CHMOD:
		rc = fchmodat(at.dirfd, at.name, (mode_t)(p->arg & MODE_ALLOWED), 0);
		break;
	case HERMIT_PATH_UTIMENS:
		read_times(ctx, p->buf, ts, &times); /* checked by the caller */
		rc = utimensat(at.dirfd, at.name, times, at.nofollow);
		break;
	case HERMIT_PATH_TRUNCATE: {
		/* O_NONBLOCK: a FIFO must not hang the proxy (ftruncate then says EINVAL). */
		int fd = openat(at.dirfd, at.name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		rc = fd < 0 ? -1 : ftruncate(fd, p->arg);
		if (fd >= 0) {
			int e = errno;
			close(fd);
			errno = e;
		}
		break;
	}
	}
	int64_t ret = hcall_result(rc);
	fs_done(&at);
	return ret;
}

/* The operations on one path that act on the last name itself. */
static int64_t on_name(struct hcall_ctx *ctx, struct path_req *r)
{
	struct hc_path *p = r->p;
	struct fs_at at;
	int rc = fs_resolve(ctx->fs, r->start, r->path, false, &at);

	if (rc < 0)
		return rc;
	switch (p->op) {
	case HERMIT_PATH_UNLINK:
		rc = unlinkat(at.dirfd, at.name, 0);
		break;
	case HERMIT_PATH_RMDIR:
		rc = unlinkat(at.dirfd, at.name, AT_REMOVEDIR);
		break;
	case HERMIT_PATH_MKDIR:
		rc = mkdirat(at.dirfd, at.name, (mode_t)(p->arg & MODE_ALLOWED));
		break;
	case HERMIT_PATH_SYMLINK:
		rc = symlinkat(r->path2, at.dirfd, at.name);
		break;
	case HERMIT_PATH_READLINK: {
		char *buf = gm_range(ctx->gm, p->buf, p->len); /* checked by the caller */
		ssize_t n = readlinkat(at.dirfd, at.name, buf, p->len);
		fs_done(&at);
		return n < 0 ? -errno : n;
	}
	}
	int64_t ret = hcall_result(rc);
	fs_done(&at);
	return ret;
}

/* RENAME and LINK: two names; LINK follows a final link of the first with HERMIT_AT_FOLLOW. */
static int64_t on_two_names(struct hcall_ctx *ctx, struct path_req *r)
{
	struct fs_at from, to;
	bool follow = r->p->op == HERMIT_PATH_LINK && (r->p->flags & HERMIT_AT_FOLLOW);
	int rc = fs_resolve(ctx->fs, r->start, r->path, follow, &from);

	if (rc < 0)
		return rc;
	rc = fs_resolve(ctx->fs, r->start2, r->path2, false, &to);
	if (rc < 0) {
		fs_done(&from);
		return rc;
	}
	if (r->p->op == HERMIT_PATH_RENAME)
		rc = renameat(from.dirfd, from.name, to.dirfd, to.name);
	else
		rc = linkat(from.dirfd, from.name, to.dirfd, to.name, follow ? AT_SYMLINK_FOLLOW : 0);
	int64_t ret = hcall_result(rc);
	fs_done(&from);
	fs_done(&to);
	return ret;
}

/* REALPATH and GETCWD: a path into the guest's buffer. */
static int64_t path_string(struct hcall_ctx *ctx, struct path_req *r)
{
	char out[FS_PATH_MAX];
	struct hc_path *p = r->p;
	int n = p->op == HERMIT_PATH_GETCWD ? fs_getcwd(ctx->fs, out, sizeof(out))
					     : fs_realpath(ctx->fs, r->path, out, sizeof(out));

	if (n < 0)
		return n;
	if ((uint64_t)n + 1 > p->len)
		return -ERANGE;
	gm_write(ctx->gm, p->buf, out, (uint64_t)n + 1);
	return p->op == HERMIT_PATH_GETCWD ? n + 1 : n;
}

static int64_t path_chdir(struct hcall_ctx *ctx, struct path_req *r)
{
	return fs_chdir(ctx->fs, r->path);
}

enum path_buf { NO_BUF, STAT_BUF, TIMES_BUF, LEN_BUF };

static const struct path_op {
	const char *name;
	bool path2;         /* a second path (RENAME, LINK, SYMLINK) */
	bool no_path;       /* GETCWD */
	enum path_buf buf;  /* what buf must be */
	int64_t (*fn)(struct hcall_ctx *ctx, struct path_req *r);
} path_ops[HERMIT_PATH_OPS] = {
	[HERMIT_PATH_OPEN] = { "OPEN", false, false, NO_BUF, path_open },
	[HERMIT_PATH_STAT] = { "STAT", false, false, STAT_BUF, path_stat },
	[HERMIT_PATH_ACCESS] = { "ACCESS", false, false, NO_BUF, on_target },
	[HERMIT_PATH_UNLINK] = { "UNLINK", false, false, NO_BUF, on_name },
	[HERMIT_PATH_MKDIR] = { "MKDIR", false, false, NO_BUF, on_name },
	[HERMIT_PATH_RMDIR] = { "RMDIR", false, false, NO_BUF, on_name },
	[HERMIT_PATH_RENAME] = { "RENAME", true, false, NO_BUF, on_two_names },
	[HERMIT_PATH_LINK] = { "LINK", true, false, NO_BUF, on_two_names },
	[HERMIT_PATH_SYMLINK] = { "SYMLINK", true, false, NO_BUF, on_name },
	[HERMIT_PATH_READLINK] = { "READLINK", false, false, LEN_BUF, on_name },
	[HERMIT_PATH_REALPATH] = { "REALPATH", false, false, LEN_BUF, path_string },
	[HERMIT_PATH_TRUNCATE] = { "TRUNCATE", false, false, NO_BUF, on_target },
	[HERMIT_PATH_CHMOD] = { "CHMOD", false, false, NO_BUF, on_target },
	[HERMIT_PATH_UTIMENS] = { "UTIMENS", false, false, TIMES_BUF, on_target },
	[HERMIT_PATH_CHDIR] = { "CHDIR", false, false, NO_BUF, path_chdir },
	[HERMIT_PATH_GETCWD] = { "GETCWD", false, true, LEN_BUF, path_string },
};

static bool buffer_ok(struct hcall_ctx *ctx, enum path_buf kind, hermit_gpa_t buf, uint64_t len)
{
	struct timespec ts[2], *times;

	switch (kind) {
	case STAT_BUF:
		return stat_buffer_ok(ctx, buf);
	case TIMES_BUF:
		return read_times(ctx, buf, ts, &times);
	case LEN_BUF:
		return gm_range(ctx->gm, buf, len) != NULL;
	case NO_BUF:
		break;
	}
	return true;
}

static uint64_t buffer_size(enum path_buf kind, uint64_t len)
{
	return kind == STAT_BUF ? sizeof(struct hermit_stat)
	       : kind == TIMES_BUF ? 2 * sizeof(struct hermit_timespec) : len;
}

/* Copies one of the request's paths; false when that already decided the outcome (*out). */
static bool take_path(struct hcall_ctx *ctx, const char *what, hermit_gpa_t gpa, char *dst,
		      enum hcall_outcome *out)
{
	int rc = hcall_copy_path(ctx, gpa, dst);

	if (rc == -EFAULT)
		*out = hcall_bad(ctx, "%s at 0x%llx is not a string in guest memory", what,
				 (unsigned long long)gpa);
	return rc == 0;
}

/* A dirfd as fs.c's start; false when it is neither HERMIT_AT_CWD nor an open descriptor. */
static bool start_of(struct hcall_ctx *ctx, int32_t dirfd, int *start)
{
	*start = dirfd == HERMIT_AT_CWD ? FS_CWD : files_host(ctx->files, dirfd);
	return *start != -1 || dirfd == HERMIT_AT_CWD;
}

enum hcall_outcome hcall_path(struct hcall_ctx *ctx, struct hc_path *p)
{
	static struct path_req r; /* 8 KiB: not on the stack; the proxy has one thread */
	const struct path_op *op = p->op < HERMIT_PATH_OPS ? &path_ops[p->op] : NULL;
	char what[32];
	enum hcall_outcome out = HCALL_ANSWER;

	if (!op || !op->fn)
		return hcall_bad(ctx, "unknown PATH operation %u", p->op);
	if (!buffer_ok(ctx, op->buf, p->buf, p->len))
		return hcall_bad_range(ctx, op->name, p->buf, buffer_size(op->buf, p->len));
	r.p = p;
	if (!start_of(ctx, p->dirfd, &r.start) || !start_of(ctx, p->dirfd2, &r.start2)) {
		p->ret = -EBADF;
		return HCALL_ANSWER;
	}
	p->ret = -ENAMETOOLONG; /* unless both paths are taken */
	snprintf(what, sizeof(what), "%s path", op->name);
	if (!op->no_path && !take_path(ctx, what, p->path, r.path, &out))
		return out;
	snprintf(what, sizeof(what), "%s second path", op->name);
	if (op->path2 && !take_path(ctx, what, p->path2, r.path2, &out))
		return out;
	p->ret = op->fn(ctx, &r);
	return out;
}

/* ---- FD ---- */

static int64_t fd_getfl(struct hcall_ctx *ctx, struct hc_fd *f, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	return (fl & (O_ACCMODE | O_APPEND)) | (files_nonblock(ctx->files, f->fd) ? O_NONBLOCK : 0);
}

/* O_APPEND goes to descriptors the proxy opened for the guest, never to its own stdio. */
static int64_t fd_setfl(struct hcall_ctx *ctx, struct hc_fd *f, int fd)
{
	if (ctx->files->owned[f->fd]) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, (fl & ~O_APPEND) | (f->arg & O_APPEND)) < 0)
			return -errno;
	}
	files_set_nonblock(ctx->files, f->fd, f->arg & O_NONBLOCK);
	return 0;
}

/* F_GETLK and F_SETLK: classic POSIX locks, so they belong to the proxy's process: one guest. */
static int64_t fd_lock(struct hcall_ctx *ctx, struct hc_fd *f, int fd)
{
	struct hermit_flock hl;

	gm_read(ctx->gm, f->buf, &hl, sizeof(hl)); /* checked by the caller */
	if (hl.type < 0 || hl.type > 2 || hl.whence < 0 || hl.whence > 2 ||
	    (f->arg != HERMIT_LOCK_GET && f->arg != HERMIT_LOCK_SET))
		return -EINVAL;
	struct flock fl = { .l_type = hl.type, .l_whence = hl.whence, .l_start = hl.start,
			    .l_len = hl.len };
	_Static_assert(F_RDLCK == 0 && F_WRLCK == 1 && F_UNLCK == 2, "Linux lock types");
	if (fcntl(fd, f->arg == HERMIT_LOCK_GET ? F_GETLK : F_SETLK, &fl) < 0)
		return -errno;
	if (f->arg == HERMIT_LOCK_GET) {
		hl = (struct hermit_flock){ .type = fl.l_type, .whence = fl.l_whence, .pid = fl.l_pid,
					    .start = fl.l_start, .len = fl.l_len };
		gm_write(ctx->gm, f->buf, &hl, sizeof(hl));
	}
	return 0;
}

static int64_t fd_op(struct hcall_ctx *ctx, struct hc_fd *f, int fd)
{
	struct timespec ts[2], *times;
	struct stat st;

	switch (f->op) {
	case HERMIT_FD_LSEEK:
		if (f->arg2 != SEEK_SET && f->arg2 != SEEK_CUR && f->arg2 != SEEK_END)
			return -EINVAL;
		return hcall_result(lseek(fd, f->arg, (int)f->arg2));
	case HERMIT_FD_STAT:
		return put_stat(ctx, fstat(fd, &st), &st, f->buf);
	case HERMIT_FD_TRUNCATE:
		return hcall_result(ftruncate(fd, f->arg));
	case HERMIT_FD_SYNC:
		return hcall_result(f->arg ? fdatasync(fd) : fsync(fd));
	case HERMIT_FD_CHMOD:
		return hcall_result(fchmod(fd, (mode_t)(f->arg & MODE_ALLOWED)));
	case HERMIT_FD_UTIMENS:
		read_times(ctx, f->buf, ts, &times);
		return hcall_result(futimens(fd, times));
	case HERMIT_FD_GETDENTS: {
		void *buf = gm_range(ctx->gm, f->buf, f->len);
		unsigned len = f->len > GETDENTS_MAX ? GETDENTS_MAX : (unsigned)f->len;
		return hcall_result(syscall(SYS_getdents64, fd, buf, len));
	}
	case HERMIT_FD_GETFL:
		return fd_getfl(ctx, f, fd);
	case HERMIT_FD_SETFL:
		return fd_setfl(ctx, f, fd);
	case HERMIT_FD_LOCK:
		return fd_lock(ctx, f, fd);
	case HERMIT_FD_CHDIR:
		return fs_chdir_fd(ctx->fs, fd);
	case HERMIT_FD_FLOCK:
		if (f->arg != LOCK_SH && f->arg != LOCK_EX && f->arg != LOCK_UN)
			return -EINVAL;
		return hcall_result(flock(fd, (int)f->arg | LOCK_NB)); /* the guest waits, not the proxy */
	case HERMIT_FD_POLL: {
		struct pollfd p = { .fd = fd, .events = (short)(f->arg & (POLLIN | POLLOUT)) };
		return poll(&p, 1, 0) < 0 ? -errno : p.revents;
	}
	}
	return -EINVAL;
}

static const struct fd_desc {
	const char *name;
	uint64_t buf;       /* bytes of buf the op uses; UINT64_MAX: len of them; 0: none */
	bool buf_optional;  /* buf 0 allowed (UTIMENS: now) */
} fd_ops[HERMIT_FD_OPS] = {
	[HERMIT_FD_CLOSE] = { "CLOSE", 0, false },
	[HERMIT_FD_LSEEK] = { "LSEEK", 0, false },
	[HERMIT_FD_STAT] = { "FSTAT result", sizeof(struct hermit_stat), false },
	[HERMIT_FD_TRUNCATE] = { "TRUNCATE", 0, false },
	[HERMIT_FD_SYNC] = { "SYNC", 0, false },
	[HERMIT_FD_CHMOD] = { "CHMOD", 0, false },
	[HERMIT_FD_UTIMENS] = { "UTIMENS times", 2 * sizeof(struct hermit_timespec), true },
	[HERMIT_FD_GETDENTS] = { "GETDENTS buffer", UINT64_MAX, false },
	[HERMIT_FD_GETFL] = { "GETFL", 0, false },
	[HERMIT_FD_SETFL] = { "SETFL", 0, false },
	[HERMIT_FD_LOCK] = { "LOCK", sizeof(struct hermit_flock), false },
	[HERMIT_FD_CHDIR] = { "CHDIR", 0, false },
	[HERMIT_FD_FLOCK] = { "FLOCK", 0, false },
	[HERMIT_FD_POLL] = { "POLL", 0, false },
};

enum hcall_outcome hcall_fd(struct hcall_ctx *ctx, struct hc_fd *f)
{
	const struct fd_desc *d = f->op < HERMIT_FD_OPS ? &fd_ops[f->op] : NULL;

	if (!d || !d->name)
		return hcall_bad(ctx, "unknown FD operation %u", f->op);
	uint64_t size = d->buf == UINT64_MAX ? f->len : d->buf;
	if (size && !(d->buf_optional && !f->buf) && !gm_range(ctx->gm, f->buf, size))
		return hcall_bad_range(ctx, d->name, f->buf, size);
	if (f->op == HERMIT_FD_CLOSE) {
		f->ret = files_close(ctx->files, f->fd);
		return HCALL_ANSWER;
	}
	int fd = files_host(ctx->files, f->fd);
	f->ret = fd < 0 ? -EBADF : fd_op(ctx, f, fd);
	return HCALL_ANSWER;
}
