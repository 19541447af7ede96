/*
 * many-conns: a server holding as many connections as the descriptor table allows.
 * `many-conns PORT` accepts connections, greeting each with "hello N\n", until accept fails
 * (EMFILE once the table is full; socket() then fails the same way). It closes connection 1, so
 * the connection waiting in the backlog is accepted next, then echoes every line it gets on any
 * connection (select over all of them) until every client has closed, and exits 0. It reports the
 * heap the connections take (mallinfo), to size the limit.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static int conns[FD_SETSIZE];
static int nconns;

static const char *errno_name(int e)
{
	return e == EMFILE ? "EMFILE" : e == ENFILE ? "ENFILE" : strerror(e);
}
static int greet(int listener)
{
	int c = accept(listener, NULL, NULL);
	if (c < 0)
		return -1;
	char hello[32];
	int len = snprintf(hello, sizeof(hello), "hello %d\n", nconns + 1);
	if (write(c, hello, (size_t)len) != len)
		printf("many-conns: write to %d: %s\n", c, strerror(errno));
	conns[nconns++] = c;
	return c;
}

/* Echoes what each readable connection sent; drops closed ones. Returns the connections left. */
static int echo_round(void)
{
	fd_set rd;
	FD_ZERO(&rd);
	int maxfd = -1;
	for (int i = 0; i < nconns; i++)
		if (conns[i] >= 0) {
			FD_SET(conns[i], &rd);
			maxfd = conns[i] > maxfd ? conns[i] : maxfd;
		}
	if (maxfd < 0)
		return 0;
	if (select(maxfd + 1, &rd, NULL, NULL, NULL) < 0) {
		printf("many-conns: select: %s\n", strerror(errno));
		exit(1);
	}
	int left = 0;
	for (int i = 0; i < nconns; i++) {
		if (conns[i] < 0)
			continue;
		if (FD_ISSET(conns[i], &rd)) {
			char buf[256];
			ssize_t n = read(conns[i], buf, sizeof(buf));
			if (n <= 0 || write(conns[i], buf, (size_t)n) != n) {
				close(conns[i]);
				conns[i] = -1;
				continue;
			}
		}
		left++;
	}
	return left;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, SOMAXCONN) < 0) {
		printf("many-conns: cannot listen on %d: %s\n", port, strerror(errno));
		return 1;
	}
	char *heap_before = sbrk(0);
	printf("many-conns: listening on %d\n", port);
	fflush(stdout);
	while (greet(s) >= 0)
		;
	int accept_errno = errno;
	size_t heap = (size_t)((char *)sbrk(0) - heap_before);
	int extra = socket(AF_INET, SOCK_STREAM, 0);
	printf("many-conns: %d connections (%zu heap bytes each), then accept: %s, socket: %s\n", nconns,
	       heap / (size_t)nconns, errno_name(accept_errno), extra < 0 ? errno_name(errno) : "succeeded");
	fflush(stdout);
	close(conns[0]);
	conns[0] = -1;
	if (greet(s) < 0) {
		printf("many-conns: accept after a close: %s\n", strerror(errno));
		return 1;
	}
	printf("many-conns: closed connection 1, accepted connection %d\n", nconns);
	fflush(stdout);
	long rounds = 0;
	while (echo_round() > 0)
		rounds++;
	printf("many-conns: every client closed after %ld select rounds\n", rounds);
	return 0;
}
