/*
 * tcp-echo: a TCP echo server. `tcp-echo PORT [CONNECTIONS [ipv6]]` serves CONNECTIONS clients
 * one after the other (default 1; a connection reset before accept counts too), echoing every byte
 * until the client closes, then exits 0. A peer that resets or sends garbage only ends its own
 * connection. With "ipv6" it listens on an IPv6 socket that takes both families (IPv4 peers are
 * shown as IPv4, not v4-mapped).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long echo(int c)
{
	char buf[4096];
	long total = 0;
	for (;;) {
		ssize_t n = read(c, buf, sizeof(buf));
		if (n == 0)
			return total;
		if (n < 0) {
			printf("tcp-echo: read: %s\n", strerror(errno));
			return total;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(c, buf + off, (size_t)(n - off));
			if (w < 0) {
				printf("tcp-echo: write: %s\n", strerror(errno));
				return total;
			}
			off += w;
		}
		total += n;
	}
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	int conns = argc > 2 ? atoi(argv[2]) : 1;
	int ipv6 = argc > 3 && strcmp(argv[3], "ipv6") == 0;
	int s = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				   .sin6_addr = IN6ADDR_ANY_INIT }; /* both families: IPV6_V6ONLY is off */
	struct sockaddr *where = ipv6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a;
	if (s < 0 || bind(s, where, ipv6 ? sizeof(a6) : sizeof(a)) < 0 || listen(s, 4) < 0) {
		printf("tcp-echo: cannot listen on %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("tcp-echo: listening on %d\n", port);
	fflush(stdout);
	for (int i = 0; i < conns; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int c = accept(s, (struct sockaddr *)&peer, &len);
		if (c < 0) { /* a peer that reset before it was accepted ends only its own turn */
			printf("tcp-echo: connection %d: accept: %s\n", i + 1, strerror(errno));
			fflush(stdout);
			if (errno == EBADF || errno == EINVAL)
				return 1;
			continue;
		}
		char who[INET6_ADDRSTRLEN];
		getnameinfo((struct sockaddr *)&peer, len, who, sizeof(who), NULL, 0, NI_NUMERICHOST);
		const char *shown = strncmp(who, "::ffff:", 7) == 0 && strchr(who, '.') ? who + 7 : who;
		long n = echo(c);
		close(c);
		printf("tcp-echo: connection %d from %s echoed %ld bytes\n", i + 1, shown, n);
		fflush(stdout);
	}
	close(s);
	usleep(200 * 1000); /* the last segments of the close cross the wire before the guest ends */
	return 0;
}
