/*
 * kernel/fd.h: the app's descriptor table (libc/files.c) holds objects of several kinds: host
 * files the proxy opened (the built-in kind) and kinds that register their operations, such as
 * sockets (net/socket.c). A kind's functions set errno and return -1 on failure, as the POSIX
 * calls they back; a missing function means the call does not apply (EINVAL, ESPIPE).
 */
#ifndef KERNEL_FD_H
#define KERNEL_FD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Descriptors per app: sysconf(_SC_OPEN_MAX) and getrlimit(RLIMIT_NOFILE) report it. */
#define FD_MAX 1024

struct fd_ops {
	const char *kind;
	ssize_t (*read)(intptr_t obj, void *buf, size_t len);
	ssize_t (*write)(intptr_t obj, const void *buf, size_t len);
	int (*close)(intptr_t obj);
	int (*fstat)(intptr_t obj, struct stat *st);
	/* F_GETFL and F_SETFL (the status flags belong to the object); F_GETFD, F_SETFD and
	 * F_DUPFD are the table's and never reach it. */
	int (*fcntl)(intptr_t obj, int cmd, int arg);
	int (*ioctl)(intptr_t obj, unsigned long request, void *arg);
	off_t (*lseek)(intptr_t obj, off_t offset, int whence);
	/* The poll(2) events (POLLIN, POLLOUT, POLLHUP, POLLERR) ready now; NULL: always ready. */
	short (*poll)(intptr_t obj, short events);
	/* A descriptor was closed while dup() copies keep the object open: POSIX drops the
	 * process's record locks on the file all the same. */
	void (*drop_locks)(intptr_t obj);
};

/*
 * A descriptor names an open object shared by its dup() copies (as Linux's open file
 * descriptions): the object closes with its last descriptor. FD_CLOEXEC is per descriptor.
 */

/* Installs obj in the lowest free descriptor; -1 (errno EMFILE) when the table is full. */
int fd_install(const struct fd_ops *ops, intptr_t obj);
/* Gives fd, installed with a placeholder object, its real object, provided it still holds
 * (ops, placeholder) (the app may have closed it meanwhile): 0, or -1 (errno EBADF). Kinds whose
 * objects are costly to undo install first, so that a full table is found out before. */
int fd_fill(int fd, const struct fd_ops *ops, intptr_t placeholder, intptr_t obj);
/* The kind and object behind fd; NULL (errno EBADF) when fd is not open. Host files give
 * fd_host_ops with the proxy's descriptor as obj. */
const struct fd_ops *fd_lookup(int fd, intptr_t *obj);
extern const struct fd_ops fd_host_ops;

#endif
