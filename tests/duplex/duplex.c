/*
 * duplex: one socket used by two threads at once, as threaded servers do. `duplex PORT BYTES`
 * accepts one connection; a second thread reads everything the client sends (to its end) while
 * the main thread sends BYTES bytes of a known pattern, then half-closes. Prints both counts and
 * the checksum of what it read; exits 0 when sending and reading both finished.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int conn;
static long got;
static unsigned checksum;

static void *read_all(void *unused)
{
	(void)unused;
	char buf[8192];
	ssize_t n;
	while ((n = recv(conn, buf, sizeof(buf), 0)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			checksum = checksum * 31 + (unsigned char)buf[i];
		got += n;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 7;
	long bytes = argc > 2 ? atol(argv[2]) : 1 << 20;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0) {
		perror("duplex: listen");
		return 1;
	}
	printf("duplex: listening on %d\n", port);
	fflush(stdout);
	conn = accept(l, NULL, NULL);
	pthread_t reader;
	if (conn < 0 || pthread_create(&reader, NULL, read_all, NULL) != 0) {
		perror("duplex: accept");
		return 1;
	}
	static char chunk[8192];
	long sent = 0;
	while (sent < bytes) {
		size_t len = bytes - sent < (long)sizeof(chunk) ? (size_t)(bytes - sent) : sizeof(chunk);
		for (size_t i = 0; i < len; i++)
			chunk[i] = (char)('a' + (sent + (long)i) % 26);
		ssize_t n = send(conn, chunk, len, 0);
		if (n <= 0) {
			perror("duplex: send");
			break;
		}
		sent += n;
	}
	shutdown(conn, SHUT_WR);
	pthread_join(reader, NULL);
	close(conn);
	printf("duplex: sent %ld, read %ld, checksum %u\n", sent, got, checksum);
	return sent == bytes ? 0 : 1;
}
