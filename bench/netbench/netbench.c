/*
 * netbench: TCP throughput. `netbench PORT sink` accepts one connection and reads until the
 * peer closes; `netbench PORT source BYTES` accepts one connection and writes BYTES. Both print
 * the bytes moved and the guest's own view of the rate ("netbench: sink 1048576 bytes in 0.5 s,
 * 16.7 Mbit/s"); the host side measures too (bench/net.py).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../now.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		printf("usage: netbench PORT sink | netbench PORT source BYTES\n");
		return 2;
	}
	int port = atoi(argv[1]);
	int source = strcmp(argv[2], "source") == 0;
	long long want = argc > 3 ? atoll(argv[3]) : 0;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0) {
		printf("netbench: cannot listen: %s\n", strerror(errno));
		return 1;
	}
	printf("netbench: listening on %d\n", port);
	fflush(stdout);
	int c = accept(s, NULL, NULL);
	if (c < 0)
		return 1;
	static char buf[64 * 1024];
	long long moved = 0;
	double t0 = now();
	if (source) {
		memset(buf, 'x', sizeof(buf));
		while (moved < want) {
			size_t n = want - moved < (long long)sizeof(buf) ? (size_t)(want - moved) : sizeof(buf);
			ssize_t w = send(c, buf, n, 0);
			if (w < 0)
				break;
			moved += w;
		}
	} else {
		for (;;) {
			ssize_t n = recv(c, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
			moved += n;
		}
	}
	double dt = now() - t0;
	close(c);
	close(s);
	printf("netbench: %s %lld bytes in %.3f s, %.1f Mbit/s\n", source ? "source" : "sink", moved, dt,
	       dt > 0 ? (double)moved * 8 / dt / 1e6 : 0.0);
	return 0;
}
