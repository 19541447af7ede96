/*
 * sockapi: the socket surface Linux servers use, checked over loopback (no host needed). Each
 * check prints "ok NAME" or "FAIL NAME: why"; the exit status is the number of failures.
 * Covers: IPv6 over loopback (and dual-stack listeners with v4-mapped peers, IPV6_V6ONLY), the
 * refused family AF_UNIX and its types, SOCK_NONBLOCK/SOCK_CLOEXEC in
 * socket() and accept4(), MSG_PEEK/MSG_DONTWAIT/MSG_NOSIGNAL, FIONREAD/FIONBIO, socket options,
 * shutdown, getsockname/getpeername, select above descriptor 64, getaddrinfo/getnameinfo/
 * gai_strerror, inet_pton/inet_ntop for both families, gethostbyname, if_nametoindex, one
 * socket read and written by two threads at once (4 MiB each way), and a reader blocked in recv
 * woken by shutdown from another thread. (tests/duplex: the same with a host peer.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *name, const char *why)
{
	if (ok)
		printf("ok %s\n", name);
	else {
		printf("FAIL %s: %s (errno %d: %s)\n", name, why, errno, strerror(errno));
		failures++;
	}
}

static int fails_with(int r, int e) { return r == -1 && errno == e; }

static void check_families(void)
{
	check(fails_with(socket(AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT), "socket AF_UNIX", "not EAFNOSUPPORT");
	int sv[2];
	check(fails_with(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), EAFNOSUPPORT), "socketpair", "not EAFNOSUPPORT");
	check(sizeof(struct sockaddr_storage) >= sizeof(struct sockaddr_un) &&
		      sizeof(struct sockaddr_storage) >= sizeof(struct sockaddr_in6),
	      "sockaddr_storage", "too small");
	struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
	check(IN6_IS_ADDR_LOOPBACK(&lo) && IN6_IS_ADDR_UNSPECIFIED(&in6addr_any) &&
		      IN6_ARE_ADDR_EQUAL(&lo, &in6addr_loopback),
	      "in6addr", "wrong constants");
}

/* A listener on 127.0.0.1 (port chosen by the stack) and a connection to it. */
static int listener(struct sockaddr_in *where)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(*where);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0 ||
	    getsockname(s, (struct sockaddr *)where, &len) < 0) {
		printf("FAIL listener: %s\n", strerror(errno));
		exit(100);
	}
	return s;
}

static int dial(const struct sockaddr_in *where)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (const struct sockaddr *)where, sizeof(*where)) < 0) {
		printf("FAIL connect: %s\n", strerror(errno));
		exit(100);
	}
	return c;
}

static void check_flags_and_io(void)
{
	struct sockaddr_in where;
	int l = listener(&where);
	int nb = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check(nb >= 0 && (fcntl(nb, F_GETFL) & O_NONBLOCK), "SOCK_NONBLOCK", "socket is blocking");
	close(nb);
	check(fails_with(accept4(l, NULL, NULL, 0x4), EINVAL), "accept4 bad flags", "not EINVAL");
	int c = dial(&where);
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	int a = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	check(a >= 0 && (fcntl(a, F_GETFL) & O_NONBLOCK), "accept4 SOCK_NONBLOCK", "accepted socket blocks");
	char buf[64];
	check(fails_with((int)recv(a, buf, sizeof(buf), 0), EAGAIN), "recv nonblocking empty", "not EAGAIN");
	check(fails_with((int)recv(c, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN), "MSG_DONTWAIT", "not EAGAIN");

	struct sockaddr_in me, them;
	socklen_t mlen = sizeof(me), tlen = sizeof(them);
	check(getsockname(c, (struct sockaddr *)&me, &mlen) == 0 && getpeername(a, (struct sockaddr *)&them, &tlen) == 0 &&
		      me.sin_port == them.sin_port && me.sin_port == peer.sin_port,
	      "getsockname/getpeername", "ports differ");

	check(send(c, "hello", 5, MSG_NOSIGNAL) == 5, "MSG_NOSIGNAL", "send failed");
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(a, &rd);
	struct timeval tv = { 5, 0 };
	check(select(a + 1, &rd, NULL, NULL, &tv) == 1, "select readable", "not readable");
	int pending = 0;
	check(ioctl(a, FIONREAD, &pending) == 0 && pending == 5, "FIONREAD", "not 5 bytes");
	check(recv(a, buf, 3, MSG_PEEK) == 3 && memcmp(buf, "hel", 3) == 0, "MSG_PEEK", "peek failed");
	check(recv(a, buf, sizeof(buf), 0) == 5 && memcmp(buf, "hello", 5) == 0, "recv after peek", "data lost");
	int off = 0;
	check(ioctl(a, FIONBIO, &off) == 0 && !(fcntl(a, F_GETFL) & O_NONBLOCK), "FIONBIO", "still nonblocking");

	int one = 1, got = 0;
	socklen_t glen = sizeof(got);
	check(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0 &&
		      getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &got, &glen) == 0 && got,
	      "TCP_NODELAY", "not set");
	check(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == 0 &&
		      getsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &got, &glen) == 0 && got,
	      "SO_KEEPALIVE", "not set");
	check(getsockopt(c, SOL_SOCKET, SO_TYPE, &got, &glen) == 0 && got == SOCK_STREAM, "SO_TYPE", "not stream");
	check(fails_with(setsockopt(c, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), ENOPROTOOPT), "SO_REUSEPORT",
	      "not ENOPROTOOPT");
	struct timeval rcv = { 0, 200 * 1000 };
	check(setsockopt(a, SOL_SOCKET, SO_SNDTIMEO, &rcv, sizeof(rcv)) == 0, "SO_SNDTIMEO", "refused");
	check(setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv)) == 0, "SO_RCVTIMEO set", "refused");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = (int)recv(a, buf, sizeof(buf), 0);
	int e = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	errno = e;
	check(r == -1 && (e == EAGAIN || e == EWOULDBLOCK) && ms >= 150 && ms < 2000, "SO_RCVTIMEO waits", "no timeout");

	check(shutdown(c, SHUT_WR) == 0 && recv(a, buf, sizeof(buf), 0) == 0, "shutdown SHUT_WR", "peer saw no end");
	check(send(a, "bye", 3, 0) == 3 && recv(c, buf, sizeof(buf), 0) == 3, "half-closed still receives", "lost");
	check(fails_with(shutdown(c, 7), EINVAL), "shutdown bad how", "not EINVAL");
	close(a);
	close(c);
	close(l);
}

/* select and poll on a descriptor above 64 (newlib's FD_SETSIZE would stop at 64). */
static void check_select_high(void)
{
	struct sockaddr_in where;
	int l = listener(&where);
	int fds[100], n = 0;
	while (n < 100 && (fds[n] = socket(AF_INET, SOCK_DGRAM, 0)) >= 0 && fds[n] < 90)
		n++;
	int c = dial(&where);
	int a = accept(l, NULL, NULL);
	send(c, "x", 1, 0);
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(a, &rd);
	struct timeval tv = { 5, 0 };
	check(FD_SETSIZE >= 1024 && a > 64 && select(a + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(a, &rd),
	      "select above 64", "not readable");
	for (int i = 0; i <= n && i < 100; i++)
		close(fds[i]);
	close(a);
	close(c);
	close(l);
}

/* ---- IPv6 ---- */

/* An IPv6 listener on addr (port from the stack), with IPV6_V6ONLY as v6only. */
static int listen6(const struct in6_addr *addr, int v6only, in_port_t *port)
{
	int s = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = *addr };
	socklen_t len = sizeof(a);
	if (s < 0 || setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0 || a.sin6_family != AF_INET6) {
		printf("FAIL listen6: %s\n", strerror(errno));
		exit(100);
	}
	*port = a.sin6_port;
	return s;
}

/* The numeric text of the peer that accept() on l reports. */
static const char *accepted_from(int l, char *text, size_t len)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int a = accept(l, (struct sockaddr *)&peer, &plen);
	if (a < 0 || getnameinfo((struct sockaddr *)&peer, plen, text, (socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(text, len, "accept failed: %s", strerror(errno));
	if (a >= 0)
		close(a);
	return text;
}

static void check_ipv6(void)
{
	char text[INET6_ADDRSTRLEN + 16];
	in_port_t port;
	int l = listen6(&in6addr_loopback, 1, &port);
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = port, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	check(connect(c, (struct sockaddr *)&to, sizeof(to)) == 0, "connect [::1]", "refused");
	check(strcmp(accepted_from(l, text, sizeof(text)), "::1") == 0, "accept from ::1", text);
	close(c);
	close(l);

	/* Dual stack: an IPv6 listener on :: takes IPv4 clients, seen as v4-mapped addresses. */
	l = listen6(&in6addr_any, 0, &port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to4 = { .sin_family = AF_INET, .sin_port = port, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	check(connect(c, (struct sockaddr *)&to4, sizeof(to4)) == 0, "connect IPv4 to a dual-stack listener", "refused");
	check(strcmp(accepted_from(l, text, sizeof(text)), "::ffff:127.0.0.1") == 0, "v4-mapped peer", text);
	close(c);
	close(l);

	l = listen6(&in6addr_any, 1, &port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	to4.sin_port = port;
	check(fails_with(connect(c, (struct sockaddr *)&to4, sizeof(to4)), ECONNREFUSED), "IPV6_V6ONLY refuses IPv4",
	      "not ECONNREFUSED");
	close(c);
	close(l);
}

static void check_names(void)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	int r = getaddrinfo("127.0.0.1", "80", &hints, &res);
	check(r == 0 && res && res->ai_family == AF_INET &&
		      ((struct sockaddr_in *)res->ai_addr)->sin_port == htons(80),
	      "getaddrinfo AF_UNSPEC", gai_strerror(r));
	if (res)
		freeaddrinfo(res);
	r = getaddrinfo("::1", "80", &hints, &res);
	check(r == 0 && res && res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(struct sockaddr_in6) &&
		      IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr) &&
		      ((struct sockaddr_in6 *)res->ai_addr)->sin6_port == htons(80),
	      "getaddrinfo ::1 AF_UNSPEC", gai_strerror(r));
	if (res)
		freeaddrinfo(res);
	r = getaddrinfo("fe80::1%lo0", NULL, &hints, &res);
	check(r == 0 && res && ((struct sockaddr_in6 *)res->ai_addr)->sin6_scope_id == if_nametoindex("lo0"),
	      "getaddrinfo with a zone", gai_strerror(r));
	if (res)
		freeaddrinfo(res);
	check(getaddrinfo("fe80::1%nowhere", NULL, &hints, &res) == EAI_NONAME, "getaddrinfo unknown zone",
	      "not EAI_NONAME");
	hints.ai_family = AF_INET6;
	check(getaddrinfo("127.0.0.1", "80", &hints, &res) != 0 && EAI_FAMILY == -6, "getaddrinfo v4 text as AF_INET6",
	      "accepted");
	check(strcmp(gai_strerror(EAI_NONAME), "Name or service not known") == 0, "gai_strerror", "wrong text");

	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(8080) };
	inet_pton(AF_INET, "10.0.5.2", &sin.sin_addr);
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	r = getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV);
	check(r == 0 && strcmp(host, "10.0.5.2") == 0 && strcmp(serv, "8080") == 0, "getnameinfo numeric", "wrong");
	r = getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), NULL, 0, NI_DGRAM);
	check(r == 0 && strcmp(host, "10.0.5.2") == 0, "getnameinfo no reverse name", "wrong");
	check(getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), NULL, 0, NI_NAMEREQD) == EAI_NONAME,
	      "getnameinfo NI_NAMEREQD", "not EAI_NONAME");
	check(getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, 5, NULL, 0, NI_NUMERICHOST) == EAI_OVERFLOW,
	      "getnameinfo small buffer", "not EAI_OVERFLOW");
	check(getnameinfo((struct sockaddr *)&sin, 4, host, sizeof(host), NULL, 0, 0) == EAI_FAMILY,
	      "getnameinfo short address", "not EAI_FAMILY");
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(443), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	r = getnameinfo((struct sockaddr *)&sin6, sizeof(sin6), host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV);
	check(r == 0 && strcmp(host, "::1") == 0 && strcmp(serv, "443") == 0, "getnameinfo AF_INET6", "wrong");

	unsigned char a6[16];
	char text[INET6_ADDRSTRLEN];
	check(inet_pton(AF_INET6, "2001:DB8:0:0:1::1", a6) == 1 &&
		      strcmp(inet_ntop(AF_INET6, a6, text, sizeof(text)), "2001:db8::1:0:0:1") == 0,
	      "inet_pton/ntop AF_INET6", "wrong text");
	check(inet_pton(AF_INET6, "::ffff:10.0.5.2", a6) == 1 &&
		      strcmp(inet_ntop(AF_INET6, a6, text, sizeof(text)), "::ffff:10.0.5.2") == 0,
	      "inet_ntop v4-mapped", "wrong text");
	check(inet_pton(AF_INET6, "1::2::3", a6) == 0 && inet_pton(AF_INET, "1.2.3", a6) == 0, "inet_pton malformed",
	      "accepted");
	check(inet_ntop(AF_INET6, a6, text, 4) == NULL && errno == ENOSPC, "inet_ntop small buffer", "not ENOSPC");
	check(fails_with(inet_pton(AF_UNIX, "x", a6), EAFNOSUPPORT), "inet_pton AF_UNIX", "not EAFNOSUPPORT");

	struct hostent *h = gethostbyname("127.0.0.1");
	check(h && h->h_addrtype == AF_INET && h->h_length == 4, "gethostbyname numeric", "no entry");

	char name[IF_NAMESIZE];
	unsigned lo = if_nametoindex("lo0");
	check(lo > 0 && if_indextoname(lo, name) && strcmp(name, "lo0") == 0, "if_nametoindex lo0", "not found");
	check(if_nametoindex("eth9") == 0 && errno == ENODEV, "if_nametoindex unknown", "found");
	check(if_indextoname(200, name) == NULL && errno == ENXIO, "if_indextoname unknown", "found");
}

/* ---- one socket, two threads, over loopback ---- */

#define DUPLEX_BYTES (4 * 1024 * 1024)

struct stream {
	int fd;
	long bytes;
	unsigned sum;
};

static void *echo_back(void *arg)
{
	int fd = *(int *)arg;
	char buf[8192];
	ssize_t n;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = send(fd, buf + off, (size_t)(n - off), 0);
			if (w <= 0)
				return NULL;
			off += w;
		}
	shutdown(fd, SHUT_WR);
	return NULL;
}

static void *read_all(void *arg)
{
	struct stream *st = arg;
	char buf[8192];
	ssize_t n;
	while ((n = recv(st->fd, buf, sizeof(buf), 0)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			st->sum = st->sum * 31 + (unsigned char)buf[i];
		st->bytes += n;
	}
	return NULL;
}

/*
 * Both ends in this guest, both directions full: lwIP's two ends close their windows and answer
 * each other's ACKs, which once starved the reading threads of the core lock (sys_arch.c).
 */
static void check_duplex_loopback(void)
{
	struct sockaddr_in where;
	int l = listener(&where);
	int c = dial(&where);
	int a = accept(l, NULL, NULL);
	pthread_t echo, reader;
	struct stream back = { .fd = c };
	pthread_create(&echo, NULL, echo_back, &a);
	pthread_create(&reader, NULL, read_all, &back);
	static char chunk[8192];
	unsigned sum = 0;
	long sent = 0;
	while (sent < DUPLEX_BYTES) { /* this thread writes c while the reader is inside recv on c */
		for (size_t i = 0; i < sizeof(chunk); i++) {
			chunk[i] = (char)(sent + (long)i * 7);
			sum = sum * 31 + (unsigned char)chunk[i];
		}
		if (send(c, chunk, sizeof(chunk), 0) != (ssize_t)sizeof(chunk))
			break;
		sent += (long)sizeof(chunk);
	}
	shutdown(c, SHUT_WR);
	pthread_join(reader, NULL);
	pthread_join(echo, NULL);
	check(back.bytes == DUPLEX_BYTES && back.sum == sum, "two threads on one socket, loopback", "echo differs");
	close(a);
	close(c);
	close(l);
}

/* A reader blocked in recv on a socket is woken by shutdown from another thread. */
static void check_shutdown_wakes_reader(void)
{
	struct sockaddr_in where;
	int l = listener(&where);
	int c = dial(&where);
	int a = accept(l, NULL, NULL);
	struct stream idle = { .fd = c };
	pthread_t reader;
	pthread_create(&reader, NULL, read_all, &idle);
	usleep(100 * 1000);
	check(shutdown(c, SHUT_RDWR) == 0, "shutdown under a reader", "failed");
	pthread_join(reader, NULL);
	check(idle.bytes == 0, "blocked reader woken", "read data");
	close(c);
	close(a);
	close(l);
}

int main(void)
{
	check_families();
	check_flags_and_io();
	check_select_high();
	check_names();
	check_ipv6();
	check_duplex_loopback();
	check_shutdown_wakes_reader();
	printf("sockapi: %d failures\n", failures);
	return failures;
}
