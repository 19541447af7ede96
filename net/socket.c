/*
 * net/socket.c: the BSD socket calls of sys/socket.h, poll, select and the address helpers, on
 * lwIP's socket layer. A socket is a descriptor of the "socket" kind (kernel/fd.h) whose object
 * is lwIP's socket number, so read, write and close reach it through the descriptor table.
 * The headers apps see (kernel/libc/include) use lwIP's layouts and numbers; this file is
 * compiled against lwIP's own headers, and the asserts below keep the two in step.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include "app_numbers.h"
#include "arch/sys_arch.h"
#include "kernel/fd.h"
#include "kernel/net.h"
#include "kernel/wait.h"
#include "lwip/inet.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"
#include "netdev.h"

_Static_assert(SOCK_STREAM == 1 && SOCK_DGRAM == 2 && AF_INET == 2 && SOL_SOCKET == 0xfff, "sys/socket.h");
_Static_assert(SO_REUSEADDR == 0x0004 && SO_RCVTIMEO == 0x1006 && SO_ERROR == 0x1007, "sys/socket.h");
_Static_assert(MSG_DONTWAIT == 0x08 && MSG_PEEK == 0x01 && SHUT_RDWR == 2, "sys/socket.h");
_Static_assert(POLLIN == 0x1 && POLLOUT == 0x2 && POLLERR == 0x4 && POLLNVAL == 0x8 && POLLHUP == 0x200, "poll.h");
_Static_assert(sizeof(struct sockaddr_in) == 16 && sizeof(struct sockaddr_in6) == 28, "netinet/in.h");
_Static_assert(AF_INET6 == APP_AF_INET6 && IPPROTO_IPV6 == 41 && IPV6_V6ONLY == 27, "netinet/in.h");
_Static_assert(IPPROTO_TCP == 6 && TCP_NODELAY == 1 && AI_PASSIVE == 1 && AI_NUMERICHOST == 4, "netdb.h");
_Static_assert(FD_SETSIZE == FD_MAX, "overlay/sys/select.h");
_Static_assert(FIONBIO == (long)0x8008667eL && FIONREAD == (long)0x4008667fL, "sys/ioctl.h");

/* ---- the socket kind ---- */

/* The object of a descriptor reserved for a socket lwIP has not made yet. */
#define NO_SOCKET ((intptr_t)-1)

/*
 * lwIP reports a reset answering a SYN as ECONNRESET; POSIX (and every peer's user) expects
 * ECONNREFUSED. Sockets whose connect has not been seen to succeed are marked here, by lwIP's
 * socket number. lwIP numbers sockets from 0, filling gaps, so numbers stay below the count of
 * live sockets: descriptors, plus closed ones another thread is still inside.
 */
#define CONNECTING_MAX (2 * FD_MAX)
static uint8_t connecting[CONNECTING_MAX];

static void set_connecting(int s, uint8_t on)
{
	if (s >= 0 && s < CONNECTING_MAX)
		connecting[s] = on;
}

static int is_connecting(int s) { return s >= 0 && s < CONNECTING_MAX && connecting[s]; }

static void connected(int s) { set_connecting(s, 0); }

static ssize_t sock_read(intptr_t s, void *buf, size_t len)
{
	capture_socket_used((int)s);
	ssize_t n = lwip_read((int)s, buf, len);
	if (n > 0)
		connected((int)s);
	return n;
}

static ssize_t sock_write(intptr_t s, const void *buf, size_t len)
{
	capture_socket_used((int)s);
	ssize_t n = lwip_write((int)s, buf, len);
	if (n > 0)
		connected((int)s);
	return n;
}

static int sock_close(intptr_t s)
{
	if (s == NO_SOCKET)
		return 0;
	connected((int)s);
	capture_socket_fd((int)s, -1);
	return lwip_close((int)s);
}

static int sock_fstat(intptr_t s, struct stat *st)
{
	(void)s;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFSOCK | 0777;
	return 0;
}

/* newlib's O_NONBLOCK and F_GETFL/F_SETFL are what lwIP was built with (lwipopts.h). */
/* F_GETFL and F_SETFL only (kernel/fd.h); a socket is open for reading and writing. */
static int sock_fcntl(intptr_t s, int cmd, int arg)
{
	if (cmd == F_SETFL)
		arg &= O_NONBLOCK; /* access mode bits are not the socket's to change */
	int r = lwip_fcntl((int)s, cmd, arg);
	return cmd == F_GETFL && r >= 0 ? r | O_RDWR : r;
}

static int sock_ioctl(intptr_t s, unsigned long request, void *arg) { return lwip_ioctl((int)s, (long)request, arg); }

static const struct fd_ops socket_ops = {
	.kind = "socket", .read = sock_read, .write = sock_write, .close = sock_close,
	.fstat = sock_fstat, .fcntl = sock_fcntl, .ioctl = sock_ioctl,
};

/* lwIP's calls wait on the calling thread's semaphore: made here, so a shortage is an errno. */
static int thread_ready(void)
{
	if (sys_arch_netconn_sem_make())
		return 0;
	errno = ENOMEM;
	return -1;
}

/* lwIP's socket behind fd, or -1 with errno EBADF or ENOTSOCK. */
static int sock_of(int fd)
{
	intptr_t obj;
	const struct fd_ops *ops = fd_lookup(fd, &obj);
	if (!ops)
		return -1;
	if (ops != &socket_ops) {
		errno = ENOTSOCK;
		return -1;
	}
	if (obj == NO_SOCKET) {
		errno = EBADF;
		return -1;
	}
	capture_socket_used((int)obj); /* the capture names the task that uses a socket */
	return thread_ready() < 0 ? -1 : (int)obj;
}

/*
 * A new socket takes a descriptor first (reserve_fd), then lwIP makes the socket (attach): with
 * the table full the call fails with EMFILE before lwIP makes anything, so a connection waiting
 * to be accepted stays queued, as on Linux.
 */
static int reserve_fd(void)
{
	if (thread_ready() < 0)
		return -1;
	return fd_install(&socket_ops, NO_SOCKET);
}

static int attach(int fd, int s)
{
	if (s < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (fd_fill(fd, &socket_ops, NO_SOCKET, s) < 0) {
		lwip_close(s); /* the app closed the descriptor while the socket was being made */
		return -1;
	}
	capture_socket_fd(s, fd);
	capture_socket_used(s);
	return fd;
}

/* SOCK_NONBLOCK in socket()'s type or accept4()'s flags; SOCK_CLOEXEC means nothing without exec. */
static int apply_type_flags(int s, int flags)
{
	if (s >= 0 && (flags & APP_SOCK_NONBLOCK) && lwip_fcntl(s, F_SETFL, O_NONBLOCK) < 0) {
		int e = errno;
		lwip_close(s);
		errno = e;
		return -1;
	}
	return s;
}

/* lwIP takes any domain but AF_INET6 for IPv4: the others are refused here. */
static int make_socket(int domain, int type, int protocol)
{
	if (domain != AF_INET && domain != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	int flags = type & (APP_SOCK_NONBLOCK | APP_SOCK_CLOEXEC);
	return apply_type_flags(lwip_socket(domain, type & ~flags, protocol), flags);
}

int socket(int domain, int type, int protocol)
{
	net_start(); /* without a device, sockets still work over loopback */
	int fd = reserve_fd();
	return fd < 0 ? -1 : attach(fd, make_socket(domain, type, protocol));
}

int socketpair(int domain, int type, int protocol, int fds[2])
{
	(void)type, (void)protocol, (void)fds;
	errno = domain == AF_INET || domain == AF_INET6 ? EOPNOTSUPP : EAFNOSUPPORT;
	return -1;
}

#define SOCK_OR_FAIL(fd, s)          \
	int s = sock_of(fd);         \
	if (s < 0)                   \
		return -1

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	SOCK_OR_FAIL(fd, s);
	int r = lwip_bind(s, addr, len);
	if (r == 0)
		capture_socket_bound(s);
	return r;
}

int listen(int fd, int backlog)
{
	SOCK_OR_FAIL(fd, s);
	int r = lwip_listen(s, backlog);
	if (r == 0)
		capture_socket_bound(s); /* lwIP binds an unbound socket here */
	return r;
}

/*
 * lwIP's accept reports an IPv4 peer of a dual-stack listener as a sockaddr_in; its getpeername
 * gives the v4-mapped sockaddr_in6 an IPv6 socket reports on Linux, so the address comes from it.
 */
static int accepted(int s, struct sockaddr *addr, socklen_t *len, int flags)
{
	int c = apply_type_flags(lwip_accept(s, NULL, NULL), flags);
	if (c >= 0 && addr && lwip_getpeername(c, addr, len) < 0) {
		lwip_close(c); /* the peer went away already */
		errno = ECONNABORTED;
		return -1;
	}
	return c;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	if (flags & ~(APP_SOCK_NONBLOCK | APP_SOCK_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	SOCK_OR_FAIL(fd, s);
	int newfd = reserve_fd();
	return newfd < 0 ? -1 : attach(newfd, WAIT_FD_CALL(fd, accepted(s, addr, len, flags)));
}

int accept(int fd, struct sockaddr *addr, socklen_t *len) { return accept4(fd, addr, len, 0); }

static int connect_errno(int s, int e)
{
	if (is_connecting(s) && e == ECONNRESET)
		return ECONNREFUSED;
	return e;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	SOCK_OR_FAIL(fd, s);
	set_connecting(s, 1);
	int r = WAIT_FD_CALL(fd, lwip_connect(s, addr, len));
	if (r == 0)
		connected(s);
	else if (r < 0)
		errno = connect_errno(s, errno);
	return r;
}

int shutdown(int fd, int how)
{
	SOCK_OR_FAIL(fd, s);
	return lwip_shutdown(s, how);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	SOCK_OR_FAIL(fd, s);
	return lwip_getsockname(s, addr, len);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	SOCK_OR_FAIL(fd, s);
	return lwip_getpeername(s, addr, len);
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
	SOCK_OR_FAIL(fd, s);
	int r = lwip_getsockopt(s, level, name, value, len);
	if (r == 0 && level == SOL_SOCKET && name == SO_ERROR && *len >= sizeof(int) &&
	    is_connecting(s)) {
		int *e = value;
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		if (*e == 0 && lwip_getpeername(s, (struct sockaddr *)&peer, &plen) == 0)
			connected(s);
		*e = connect_errno(s, *e);
	}
	return r;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	SOCK_OR_FAIL(fd, s);
	return lwip_setsockopt(s, level, name, value, len);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	SOCK_OR_FAIL(fd, s);
	return WAIT_FD_CALL(fd, lwip_send(s, buf, len, flags));
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
	SOCK_OR_FAIL(fd, s);
	return WAIT_FD_CALL(fd, lwip_sendto(s, buf, len, flags, to, tolen));
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	SOCK_OR_FAIL(fd, s);
	return WAIT_FD_CALL(fd, lwip_sendmsg(s, msg, flags));
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	SOCK_OR_FAIL(fd, s);
	return WAIT_FD_CALL(fd, lwip_recv(s, buf, len, flags));
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	SOCK_OR_FAIL(fd, s);
	return WAIT_FD_CALL(fd, lwip_recvfrom(s, buf, len, flags, from, fromlen));
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	SOCK_OR_FAIL(fd, s);
	return WAIT_FD_CALL(fd, lwip_recvmsg(s, msg, flags));
}

typedef ssize_t (*file_io)(int fd, void *buf, size_t len);

static ssize_t file_read(int fd, void *buf, size_t len) { return read(fd, buf, len); }
static ssize_t file_write(int fd, void *buf, size_t len) { return write(fd, buf, len); }

/* readv/writev on a descriptor that is no socket: one call per buffer, up to a short one. */
static ssize_t file_iov(int fd, const struct iovec *iov, int iovcnt, file_io io)
{
	ssize_t total = 0;
	for (int i = 0; i < iovcnt; i++) {
		ssize_t n = io(fd, iov[i].iov_base, iov[i].iov_len);
		if (n < 0)
			return total ? total : -1;
		total += n;
		if ((size_t)n < iov[i].iov_len)
			break;
	}
	return total;
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	int s = sock_of(fd);
	if (s >= 0)
		return lwip_readv(s, iov, iovcnt);
	return errno == ENOTSOCK ? file_iov(fd, iov, iovcnt, file_read) : -1;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	int s = sock_of(fd);
	if (s >= 0)
		return lwip_writev(s, iov, iovcnt);
	return errno == ENOTSOCK ? file_iov(fd, iov, iovcnt, file_write) : -1;
}

/* ---- poll and select ---- */

/*
 * Sockets are handed to lwip_poll under their lwIP numbers; kinds with a poll function (pipes)
 * say what is ready; other descriptors are ready at once for what they ask (host files), so
 * their presence turns the wait into a check. As on Linux,
 * nfds may not exceed the descriptor table.
 */
static int poll_once(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (nfds > FD_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (thread_ready() < 0)
		return -1;
	struct pollfd *socks = malloc((nfds ? nfds : 1) * sizeof(*socks));
	if (!socks) {
		errno = ENOMEM;
		return -1;
	}
	int ready = 0;
	for (nfds_t i = 0; i < nfds; i++) {
		fds[i].revents = 0;
		socks[i] = (struct pollfd){ .fd = -1, .events = fds[i].events };
		if (fds[i].fd < 0)
			continue;
		intptr_t obj;
		const struct fd_ops *ops = fd_lookup(fds[i].fd, &obj);
		if (!ops || (ops == &socket_ops && obj == NO_SOCKET))
			fds[i].revents = POLLNVAL;
		else if (ops == &socket_ops)
			socks[i].fd = (int)obj;
		else if (ops->poll)
			fds[i].revents = ops->poll(obj, fds[i].events);
		else
			fds[i].revents = fds[i].events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
		if (fds[i].revents)
			ready++;
	}
	int n = lwip_poll(socks, nfds, ready ? 0 : timeout);
	for (nfds_t i = 0; n > 0 && i < nfds; i++)
		if (socks[i].fd >= 0 && socks[i].revents) {
			fds[i].revents = socks[i].revents;
			ready++;
		}
	free(socks);
	return n < 0 ? -1 : ready;
}

#define POLL_SLICE_MS 10 /* how often kinds that cannot wake lwip_poll (pipes) are looked at */

static bool any_poll_function(const struct pollfd *fds, nfds_t nfds)
{
	for (nfds_t i = 0; i < nfds && i < FD_MAX; i++) {
		intptr_t obj;
		const struct fd_ops *ops = fds[i].fd >= 0 ? fd_lookup(fds[i].fd, &obj) : NULL;
		if (ops && ops->poll)
			return true;
	}
	return false;
}

/* Kinds with a poll function (pipes) cannot wake lwip_poll: a wait for them is cut in slices. */
int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (timeout == 0 || !any_poll_function(fds, nfds))
		return poll_once(fds, nfds, timeout);
	for (int left = timeout;;) {
		int slice = left >= 0 && left < POLL_SLICE_MS ? left : POLL_SLICE_MS;
		int n = poll_once(fds, nfds, slice);
		if (n != 0 || left == 0)
			return n;
		if (left > 0)
			left -= slice;
	}
}

/* select's sets as poll's array: fd, events, and back. */
static int select_to_poll(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct pollfd *p)
{
	int n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = 0;
		if (rd && FD_ISSET(fd, rd))
			ev |= POLLIN;
		if (wr && FD_ISSET(fd, wr))
			ev |= POLLOUT;
		if (ex && FD_ISSET(fd, ex))
			ev |= POLLPRI;
		if (ev)
			p[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	return n;
}

static int poll_to_select(const struct pollfd *p, int n, fd_set *rd, fd_set *wr, fd_set *ex)
{
	if (rd)
		FD_ZERO(rd);
	if (wr)
		FD_ZERO(wr);
	if (ex)
		FD_ZERO(ex);
	int count = 0;
	for (int i = 0; i < n; i++) {
		short re = p[i].revents;
		if (rd && (re & (POLLIN | POLLHUP | POLLERR)) && (p[i].events & POLLIN)) {
			FD_SET(p[i].fd, rd);
			count++;
		}
		if (wr && (re & (POLLOUT | POLLERR)) && (p[i].events & POLLOUT)) {
			FD_SET(p[i].fd, wr);
			count++;
		}
		if (ex && (re & POLLPRI)) {
			FD_SET(p[i].fd, ex);
			count++;
		}
	}
	return count;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
	if (nfds < 0 || nfds > FD_SETSIZE || (tv && (tv->tv_sec < 0 || tv->tv_usec < 0))) {
		errno = EINVAL;
		return -1;
	}
	struct pollfd *p = malloc((nfds ? (size_t)nfds : 1) * sizeof(*p));
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	int n = select_to_poll(nfds, rd, wr, ex, p);
	int timeout = tv ? (int)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000) : -1;
	int r = poll(p, (nfds_t)n, timeout);
	for (int i = 0; r >= 0 && i < n; i++)
		if (p[i].revents & POLLNVAL) {
			errno = EBADF;
			r = -1;
		}
	if (r >= 0)
		r = poll_to_select(p, n, rd, wr, ex);
	free(p);
	return r;
}

/* ---- addresses and names ---- */

/* lwIP names these as macros; the app gets functions. */
#undef inet_addr
#undef inet_aton
#undef inet_ntoa

in_addr_t inet_addr(const char *text) { return ipaddr_addr(text); }

int inet_aton(const char *text, struct in_addr *addr) { return ip4addr_aton(text, (ip4_addr_t *)addr); }

char *inet_ntoa(struct in_addr addr) { return ip4addr_ntoa((const ip4_addr_t *)&addr); }

/*
 * IPv4 only, as the call always was. lwIP's own fills in a dual-stack ip_addr_t (20 bytes) and
 * calls it AF_INET, so this asks lwIP's getaddrinfo for AF_INET and keeps one in_addr.
 */
struct hostent *gethostbyname(const char *name)
{
	static struct hostent entry;
	static struct in_addr address;
	static char *addresses[2], *aliases[1], host[DNS_MAX_NAME_LENGTH + 1];
	net_start();
	if (thread_ready() < 0) {
		h_errno = NO_RECOVERY;
		return NULL;
	}
	struct addrinfo hints = { .ai_family = AF_INET }, *res;
	if (lwip_getaddrinfo(name, NULL, &hints, &res) != 0) {
		h_errno = HOST_NOT_FOUND;
		return NULL;
	}
	address = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	lwip_freeaddrinfo(res);
	strncpy(host, name, DNS_MAX_NAME_LENGTH);
	addresses[0] = (char *)&address;
	entry = (struct hostent){ .h_name = host, .h_aliases = aliases, .h_addrtype = AF_INET,
				  .h_length = sizeof(address), .h_addr_list = addresses };
	return &entry;
}

/* lwIP's getaddrinfo codes as glibc's. */
static int eai_code(int lwip_code)
{
	switch (lwip_code) {
	case 0: return 0;
	case EAI_NONAME: return APP_EAI_NONAME;
	case EAI_SERVICE: return APP_EAI_SERVICE;
	case EAI_MEMORY: return APP_EAI_MEMORY;
	case EAI_FAMILY: return APP_EAI_FAMILY;
	default: return APP_EAI_FAIL;
	}
}

/* The zone of "fe80::1%en1" (an interface name or index): its index, or 0 if there is none. */
static unsigned zone_index(const char *zone)
{
	char *end;
	unsigned long n = strtoul(zone, &end, 10);
	if (*zone && !*end)
		return n <= 255 ? (unsigned)n : 0;
	LOCK_TCPIP_CORE();
	struct netif *nif = netif_find(zone);
	unsigned index = nif ? netif_get_index(nif) : 0;
	UNLOCK_TCPIP_CORE();
	return index;
}

/* A numeric IPv6 address with a zone ("fe80::1%en1"), which lwIP does not read: the address
 * alone, then the zone as every result's sin6_scope_id. */
static int getaddrinfo_zoned(const char *node, const char *zone, const char *service,
			     const struct addrinfo *hints, struct addrinfo **res)
{
	char address[64];
	unsigned index = zone_index(zone);
	if ((size_t)(zone - node) > sizeof(address) || !index)
		return APP_EAI_NONAME;
	memcpy(address, node, (size_t)(zone - node - 1));
	address[zone - node - 1] = '\0';
	struct addrinfo numeric = hints ? *hints : (struct addrinfo){ 0 };
	numeric.ai_flags |= AI_NUMERICHOST;
	int r = eai_code(lwip_getaddrinfo(address, service, &numeric, res));
	for (struct addrinfo *ai = r ? NULL : *res; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET6)
			((struct sockaddr_in6 *)ai->ai_addr)->sin6_scope_id = index;
	return r;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
	net_start();
	if (thread_ready() < 0)
		return APP_EAI_MEMORY;
	const char *zone = node ? strchr(node, '%') : NULL;
	if (zone)
		return getaddrinfo_zoned(node, zone + 1, service, hints, res);
	return eai_code(lwip_getaddrinfo(node, service, hints, res));
}

void freeaddrinfo(struct addrinfo *ai) { lwip_freeaddrinfo(ai); }
