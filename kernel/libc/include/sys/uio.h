/*
 * sys/uio.h: scatter/gather I/O (Hermit). readv and writev work on socket descriptors.
 */
#ifndef _HERMIT_SYS_UIO_H
#define _HERMIT_SYS_UIO_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iovec {
	void *iov_base;
	size_t iov_len;
};

ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

#ifdef __cplusplus
}
#endif

#endif
