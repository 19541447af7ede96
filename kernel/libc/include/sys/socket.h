/*
 * sys/socket.h: BSD sockets for Hermit apps. The network stack is lwIP (net/); its socket layer
 * sits behind ordinary descriptors, so read, write, close, poll and select work on sockets beside
 * files. Layouts and constants are the stack's own, which follow 4.4BSD: a socket address starts
 * with a length byte and a one-byte family, as on the BSDs and macOS. IPv4 and IPv6 (an AF_INET6
 * socket takes IPv4 peers too unless IPV6_V6ONLY); AF_UNIX is known (sys/un.h) and refused with
 * EAFNOSUPPORT.
 */
#ifndef _HERMIT_SYS_SOCKET_H
#define _HERMIT_SYS_SOCKET_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t socklen_t;
typedef uint8_t sa_family_t;

struct sockaddr {
	uint8_t sa_len;
	sa_family_t sa_family;
	char sa_data[14];
};

/* Room for any socket address (sockaddr_in6, sockaddr_un), 128 bytes as on Linux. */
struct sockaddr_storage {
	uint8_t ss_len;
	sa_family_t ss_family;
	char __ss_pad1[6];
	int64_t __ss_align;
	char __ss_pad2[112];
};

struct msghdr {
	void *msg_name;
	socklen_t msg_namelen;
	struct iovec *msg_iov;
	int msg_iovlen;
	void *msg_control;
	socklen_t msg_controllen;
	int msg_flags;
};

struct linger {
	int l_onoff;
	int l_linger; /* seconds */
};

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
/* Flags or'ed into socket()'s type and accept4()'s flags (Linux's values). */
#define SOCK_NONBLOCK 0x800
#define SOCK_CLOEXEC 0x80000

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_LOCAL AF_UNIX
#define AF_INET 2
#define AF_INET6 10
#define PF_UNSPEC AF_UNSPEC
#define PF_UNIX AF_UNIX
#define PF_LOCAL AF_LOCAL
#define PF_INET AF_INET
#define PF_INET6 AF_INET6

#define SOL_SOCKET 0xfff
#define SO_DEBUG 0x0001
#define SO_ACCEPTCONN 0x0002
#define SO_REUSEADDR 0x0004
#define SO_KEEPALIVE 0x0008
#define SO_DONTROUTE 0x0010
#define SO_BROADCAST 0x0020
#define SO_LINGER 0x0080
#define SO_OOBINLINE 0x0100
#define SO_REUSEPORT 0x0200
#define SO_SNDBUF 0x1001
#define SO_RCVBUF 0x1002
#define SO_SNDLOWAT 0x1003
#define SO_RCVLOWAT 0x1004
#define SO_SNDTIMEO 0x1005 /* struct timeval */
#define SO_RCVTIMEO 0x1006 /* struct timeval */
#define SO_ERROR 0x1007
#define SO_TYPE 0x1008
#define SO_NO_CHECK 0x100a
#define SO_BINDTODEVICE 0x100b

#define MSG_PEEK 0x01
#define MSG_WAITALL 0x02
#define MSG_OOB 0x04
#define MSG_DONTWAIT 0x08
#define MSG_MORE 0x10
#define MSG_NOSIGNAL 0x20 /* always so: sockets never raise SIGPIPE here */
#define MSG_TRUNC 0x04    /* in msg_flags */
#define MSG_CTRUNC 0x08

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

#define SOMAXCONN 255

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr *addr, socklen_t *len);
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int shutdown(int fd, int how);
int getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int getpeername(int fd, struct sockaddr *addr, socklen_t *len);
int getsockopt(int fd, int level, int name, void *value, socklen_t *len);
int setsockopt(int fd, int level, int name, const void *value, socklen_t len);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen);
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen);
ssize_t recvmsg(int fd, struct msghdr *msg, int flags);
/* No socket family here makes pairs: fails with EAFNOSUPPORT (AF_UNIX) or EOPNOTSUPP. */
int socketpair(int domain, int type, int protocol, int fds[2]);

#ifdef __cplusplus
}
#endif

#endif
