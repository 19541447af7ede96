/*
 * udp: `udp PORT [DATAGRAMS]` answers each datagram on PORT with "echo:" and the datagram,
 * DATAGRAMS times (default 3), using select with a timeout, and a non-blocking socket to check
 * that an empty socket says EAGAIN. Then exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 9;
	int count = argc > 2 ? atoi(argv[2]) : 3;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		printf("udp: cannot bind %d: %s\n", port, strerror(errno));
		return 1;
	}
	fcntl(s, F_SETFL, fcntl(s, F_GETFL, 0) | O_NONBLOCK);
	char buf[2048];
	if (recv(s, buf, sizeof(buf), 0) >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
		printf("udp: a non-blocking read of an empty socket did not say EAGAIN\n");
		return 1;
	}
	printf("udp: listening on %d\n", port);
	fflush(stdout);
	for (int i = 0; i < count;) {
		fd_set rd;
		FD_ZERO(&rd);
		FD_SET(s, &rd);
		struct timeval tv = { .tv_sec = 60 };
		int r = select(s + 1, &rd, NULL, NULL, &tv);
		if (r <= 0) {
			printf("udp: select: %d\n", r);
			return 1;
		}
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(s, buf + 5, sizeof(buf) - 5, 0, (struct sockaddr *)&from, &len);
		if (n < 0)
			continue;
		memcpy(buf, "echo:", 5);
		sendto(s, buf, (size_t)n + 5, 0, (struct sockaddr *)&from, len);
		printf("udp: datagram %d of %zd bytes\n", ++i, n);
		fflush(stdout);
	}
	close(s);
	return 0;
}
