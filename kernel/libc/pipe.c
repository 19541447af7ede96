/*
 * libc/pipe.c: pipe(2) inside the guest, a descriptor kind (kernel/fd.h) whose object is one end
 * of a byte ring shared by both ends. As on Linux: writes of at most PIPE_BUF bytes are never
 * interleaved with others, a reader waits while the pipe is empty and a writer exists and gets 0
 * (end of file) once none is left, a writer waits for room and gets EPIPE once no reader is left
 * (there is no SIGPIPE), and O_NONBLOCK turns each wait into EAGAIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/fd.h"
#include "kernel/sync.h"

#define PIPE_SIZE 65536 /* Linux's default capacity */
#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif

struct pipe {
	struct kmutex lock;
	struct kcond changed;   /* data, room, or an end closed */
	size_t head, used;      /* bytes at data[head .. head + used), wrapping */
	int readers, writers;   /* open ends */
	char data[PIPE_SIZE];
};

struct pipe_end {
	struct pipe *pipe;
	bool writer;
	bool nonblock;
};

static int fail_with(int e)
{
	errno = e;
	return -1;
}

static struct pipe_end *end_of(intptr_t obj) { return (struct pipe_end *)obj; }

static size_t take(struct pipe *p, char *buf, size_t len)
{
	size_t n = len < p->used ? len : p->used;
	for (size_t i = 0; i < n; i++)
		buf[i] = p->data[(p->head + i) % PIPE_SIZE];
	p->head = (p->head + n) % PIPE_SIZE;
	p->used -= n;
	return n;
}

static size_t put(struct pipe *p, const char *buf, size_t len)
{
	size_t room = PIPE_SIZE - p->used, n = len < room ? len : room;
	for (size_t i = 0; i < n; i++)
		p->data[(p->head + p->used + i) % PIPE_SIZE] = buf[i];
	p->used += n;
	return n;
}

static ssize_t pipe_read(intptr_t obj, void *buf, size_t len)
{
	struct pipe_end *e = end_of(obj);
	struct pipe *p = e->pipe;
	if (e->writer)
		return fail_with(EBADF);
	if (len == 0)
		return 0;
	kmutex_lock(&p->lock, 0);
	while (p->used == 0 && p->writers > 0 && !e->nonblock)
		kcond_wait(&p->changed, &p->lock, 0);
	ssize_t n = p->used ? (ssize_t)take(p, buf, len) : p->writers ? -1 : 0;
	kcond_broadcast(&p->changed);
	kmutex_unlock(&p->lock);
	return n < 0 ? fail_with(EAGAIN) : n;
}

/* Room enough for the next piece: all of a small write (atomic), any room for a large one. */
static bool writable(const struct pipe *p, size_t left, size_t len)
{
	size_t room = PIPE_SIZE - p->used;
	return len <= PIPE_BUF ? room >= left : room > 0;
}

static ssize_t pipe_write(intptr_t obj, const void *buf, size_t len)
{
	struct pipe_end *e = end_of(obj);
	struct pipe *p = e->pipe;
	size_t done = 0;
	int err = 0;
	if (!e->writer)
		return fail_with(EBADF);
	kmutex_lock(&p->lock, 0);
	while (done < len) {
		if (p->readers == 0) {
			err = EPIPE;
			break;
		}
		if (!writable(p, len - done, len)) {
			if (e->nonblock) {
				err = EAGAIN;
				break;
			}
			kcond_wait(&p->changed, &p->lock, 0);
			continue;
		}
		done += put(p, (const char *)buf + done, len - done);
		kcond_broadcast(&p->changed);
	}
	kmutex_unlock(&p->lock);
	return done || !err ? (ssize_t)done : fail_with(err);
}

static int pipe_close(intptr_t obj)
{
	struct pipe_end *e = end_of(obj);
	struct pipe *p = e->pipe;
	kmutex_lock(&p->lock, 0);
	if (e->writer)
		p->writers--;
	else
		p->readers--;
	bool last = p->readers == 0 && p->writers == 0;
	kcond_broadcast(&p->changed);
	kmutex_unlock(&p->lock);
	free(e);
	if (last)
		free(p);
	return 0;
}

static int pipe_fstat(intptr_t obj, struct stat *st)
{
	(void)obj;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_blksize = PIPE_BUF;
	return 0;
}

static int pipe_fcntl(intptr_t obj, int cmd, int arg)
{
	struct pipe_end *e = end_of(obj);
	if (cmd == F_SETFL) {
		e->nonblock = (arg & O_NONBLOCK) != 0;
		return 0;
	}
	return (e->writer ? O_WRONLY : O_RDONLY) | (e->nonblock ? O_NONBLOCK : 0);
}

static short pipe_poll(intptr_t obj, short events)
{
	struct pipe_end *e = end_of(obj);
	struct pipe *p = e->pipe;
	short ready = 0;
	kmutex_lock(&p->lock, 0);
	if (!e->writer && p->used)
		ready |= POLLIN | POLLRDNORM;
	if (!e->writer && p->writers == 0)
		ready |= POLLHUP;
	if (e->writer && PIPE_SIZE - p->used >= PIPE_BUF)
		ready |= POLLOUT | POLLWRNORM;
	if (e->writer && p->readers == 0)
		ready |= POLLERR;
	kmutex_unlock(&p->lock);
	return ready & (events | POLLHUP | POLLERR);
}

static const struct fd_ops pipe_ops = {
	.kind = "pipe", .read = pipe_read, .write = pipe_write, .close = pipe_close,
	.fstat = pipe_fstat, .fcntl = pipe_fcntl, .poll = pipe_poll,
};

static struct pipe_end *new_end(struct pipe *p, bool writer, bool nonblock)
{
	struct pipe_end *e = malloc(sizeof(*e));
	if (e)
		*e = (struct pipe_end){ p, writer, nonblock };
	return e;
}

int pipe2(int fds[2], int flags)
{
	if (flags & ~(O_NONBLOCK | O_CLOEXEC))
		return fail_with(EINVAL);
	bool nonblock = (flags & O_NONBLOCK) != 0;
	struct pipe *p = calloc(1, sizeof(*p));
	struct pipe_end *r = p ? new_end(p, false, nonblock) : NULL;
	struct pipe_end *w = r ? new_end(p, true, nonblock) : NULL;
	if (!w) {
		free(r);
		free(p);
		return fail_with(ENFILE);
	}
	p->readers = p->writers = 1;
	fds[0] = fd_install(&pipe_ops, (intptr_t)r);
	fds[1] = fds[0] < 0 ? -1 : fd_install(&pipe_ops, (intptr_t)w);
	if (fds[1] < 0) {
		if (fds[0] >= 0)
			close(fds[0]); /* frees r, and p with w's close below */
		else
			pipe_close((intptr_t)r);
		pipe_close((intptr_t)w);
		return fail_with(EMFILE);
	}
	if (flags & O_CLOEXEC) {
		fcntl(fds[0], F_SETFD, FD_CLOEXEC);
		fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

int pipe(int fds[2]) { return pipe2(fds, 0); }
