/*
 * libc/files.c: the app's descriptor table. A descriptor points at an open object (an "open file
 * description": kind, object, references), which dup() shares; the object closes with its last
 * descriptor. Kinds: host files (hostfile.c; 0, 1 and 2 are the proxy's stdio), pipes (pipe.c)
 * and sockets (net/socket.c). The table lock guards both arrays.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/fd.h"
#include "kernel/sync.h"
#include "kernel/wait.h"
#include "libc/libc.h"

struct open_object {
	const struct fd_ops *ops;
	intptr_t obj;
	unsigned refs; /* descriptors naming it; 0: free */
};

struct descriptor {
	struct open_object *open; /* NULL: free */
	bool cloexec;
};

static struct kmutex table_lock;
static struct open_object objects[FD_MAX] = {
	{ &fd_host_ops, 0, 1 }, { &fd_host_ops, 1, 1 }, { &fd_host_ops, 2, 1 },
};
static struct descriptor table[FD_MAX] = { { &objects[0], false }, { &objects[1], false },
					   { &objects[2], false } };

static int fail_with(int e)
{
	errno = e;
	return -1;
}

static bool valid_fd(int fd) { return fd >= 0 && fd < FD_MAX; }

const struct fd_ops *fd_lookup(int fd, intptr_t *obj)
{
	const struct fd_ops *ops = NULL;
	if (valid_fd(fd)) {
		kmutex_lock(&table_lock, 0);
		if (table[fd].open) {
			ops = table[fd].open->ops;
			*obj = table[fd].open->obj;
		}
		kmutex_unlock(&table_lock);
	}
	if (!ops)
		errno = EBADF;
	return ops;
}

/* The lowest free descriptor from min; FD_MAX when none. Table lock held. */
static int free_slot(int min)
{
	int fd = min;
	while (fd < FD_MAX && table[fd].open)
		fd++;
	return fd;
}

int fd_install(const struct fd_ops *ops, intptr_t obj)
{
	kmutex_lock(&table_lock, 0);
	int fd = free_slot(0);
	if (fd < FD_MAX) {
		/* Objects in use never outnumber descriptors in use: one is free. */
		struct open_object *o = objects;
		while (o->refs)
			o++;
		*o = (struct open_object){ ops, obj, 1 };
		table[fd] = (struct descriptor){ o, false };
	}
	kmutex_unlock(&table_lock);
	return fd < FD_MAX ? fd : fail_with(EMFILE);
}

int fd_fill(int fd, const struct fd_ops *ops, intptr_t placeholder, intptr_t obj)
{
	int filled = 0;
	kmutex_lock(&table_lock, 0);
	struct open_object *o = valid_fd(fd) ? table[fd].open : NULL;
	if (o && o->ops == ops && o->obj == placeholder) {
		o->obj = obj;
		filled = 1;
	}
	kmutex_unlock(&table_lock);
	return filled ? 0 : fail_with(EBADF);
}

/* Drops one reference (the table lock held by the caller, released here); closes the object
 * with its last one. */
static int release(struct open_object *o)
{
	const struct fd_ops *ops = o->ops;
	intptr_t obj = o->obj;
	bool last = --o->refs == 0;
	kmutex_unlock(&table_lock);
	if (!last) {
		if (ops->drop_locks)
			ops->drop_locks(obj);
		return 0;
	}
	return ops->close ? ops->close(obj) : 0;
}

int close(int fd)
{
	if (!valid_fd(fd))
		return fail_with(EBADF);
	kmutex_lock(&table_lock, 0);
	struct open_object *o = table[fd].open;
	if (!o) {
		kmutex_unlock(&table_lock);
		return fail_with(EBADF);
	}
	table[fd].open = NULL;
	return release(o);
}

/* dup() and F_DUPFD: the lowest free descriptor from min. */
static int dup_from(int fd, int min, bool cloexec)
{
	if (!valid_fd(fd))
		return fail_with(EBADF);
	if (min < 0 || min >= FD_MAX)
		return fail_with(EINVAL);
	kmutex_lock(&table_lock, 0);
	int e = !table[fd].open ? EBADF : 0, copy = free_slot(min);
	if (!e && copy == FD_MAX)
		e = EMFILE;
	if (!e) {
		table[copy] = (struct descriptor){ table[fd].open, cloexec };
		table[fd].open->refs++;
	}
	kmutex_unlock(&table_lock);
	return e ? fail_with(e) : copy;
}

int dup(int fd) { return dup_from(fd, 0, false); }

int dup3(int fd, int to, int flags)
{
	if (!valid_fd(fd) || !valid_fd(to))
		return fail_with(EBADF);
	if (fd == to || (flags & ~O_CLOEXEC))
		return fail_with(EINVAL);
	kmutex_lock(&table_lock, 0);
	struct open_object *o = table[fd].open, *old = table[to].open;
	if (!o) {
		kmutex_unlock(&table_lock);
		return fail_with(EBADF);
	}
	o->refs++;
	table[to] = (struct descriptor){ o, (flags & O_CLOEXEC) != 0 };
	if (!old) {
		kmutex_unlock(&table_lock);
		return to;
	}
	release(old); /* as dup2(2): an error closing the old object is not reported */
	return to;
}

int dup2(int fd, int to)
{
	if (fd == to) {
		intptr_t obj;
		return fd_lookup(fd, &obj) ? to : -1;
	}
	return dup3(fd, to, 0);
}

static int fd_flags(int fd, int set)
{
	if (!valid_fd(fd))
		return fail_with(EBADF);
	kmutex_lock(&table_lock, 0);
	int ret = table[fd].open ? 0 : -1;
	if (ret == 0 && set >= 0)
		table[fd].cloexec = (set & FD_CLOEXEC) != 0;
	else if (ret == 0)
		ret = table[fd].cloexec ? FD_CLOEXEC : 0;
	kmutex_unlock(&table_lock);
	return ret < 0 ? fail_with(EBADF) : ret;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	intptr_t arg = va_arg(ap, intptr_t); /* an int or a pointer, as cmd says */
	va_end(ap);
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return dup_from(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_flags(fd, -1);
	case F_SETFD:
		return fd_flags(fd, (int)arg & FD_CLOEXEC);
	}
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	switch (cmd) {
	case F_GETFL:
	case F_SETFL:
		return ops->fcntl ? ops->fcntl(obj, cmd, (int)arg) : fail_with(EINVAL);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		if (ops != &fd_host_ops)
			return fail_with(EINVAL);
		return libc_record_lock(obj, cmd, (struct flock *)arg);
	}
	return fail_with(EINVAL);
}

int write(int fd, const void *buf, size_t len)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	return ops->write ? (int)WAIT_FD_CALL(fd, ops->write(obj, buf, len)) : fail_with(EINVAL);
}

int read(int fd, void *buf, size_t len)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	return ops->read ? (int)WAIT_FD_CALL(fd, ops->read(obj, buf, len)) : fail_with(EINVAL);
}

off_t lseek(int fd, off_t offset, int whence)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	return ops->lseek ? ops->lseek(obj, offset, whence) : fail_with(ESPIPE);
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
	return ops->ioctl ? ops->ioctl(obj, request, arg) : fail_with(ENOTTY);
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
