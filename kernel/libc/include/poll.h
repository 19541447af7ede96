/*
 * poll.h: waiting on several descriptors (Hermit). Sockets are watched by the network stack; host
 * files (the proxy's) always count as ready, as regular files do on Linux. The event bits are the
 * stack's (lwIP's), not Linux's numbers: use the names.
 */
#ifndef _HERMIT_POLL_H
#define _HERMIT_POLL_H

#ifdef __cplusplus
extern "C" {
#endif

#define POLLIN 0x1
#define POLLOUT 0x2
#define POLLERR 0x4
#define POLLNVAL 0x8
#define POLLRDNORM 0x10
#define POLLRDBAND 0x20
#define POLLPRI 0x40
#define POLLWRNORM 0x80
#define POLLWRBAND 0x100
#define POLLHUP 0x200

typedef unsigned int nfds_t;

struct pollfd {
	int fd;
	short events;
	short revents;
};

/* timeout in milliseconds; negative: wait without end. */
int poll(struct pollfd *fds, nfds_t nfds, int timeout);

#ifdef __cplusplus
}
#endif

#endif
