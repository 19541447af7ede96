/*
 * tcp-client: `tcp-client HOST PORT MESSAGE` resolves HOST (getaddrinfo), connects without
 * blocking (O_NONBLOCK, then poll for POLLOUT and SO_ERROR), sends MESSAGE, half-closes, and
 * prints what the server answers until it closes. Exit status 0 when all of that worked.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		printf("usage: tcp-client HOST PORT MESSAGE\n");
		return 2;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
	int rc = getaddrinfo(argv[1], argv[2], &hints, &ai);
	if (rc != 0) {
		printf("tcp-client: getaddrinfo: %s\n", gai_strerror(rc));
		return 1;
	}
	int s = socket(ai->ai_family, ai->ai_socktype, 0);
	fcntl(s, F_SETFL, fcntl(s, F_GETFL, 0) | O_NONBLOCK);
	if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		printf("tcp-client: connect: %s\n", strerror(errno));
		return 1;
	}
	freeaddrinfo(ai);
	struct pollfd p = { .fd = s, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);
	if (poll(&p, 1, 10000) != 1 || getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		printf("tcp-client: connection failed: %s\n", strerror(err ? err : ETIMEDOUT));
		return 1;
	}
	fcntl(s, F_SETFL, fcntl(s, F_GETFL, 0) & ~O_NONBLOCK);
	printf("tcp-client: connected\n");
	if (write(s, argv[3], strlen(argv[3])) != (ssize_t)strlen(argv[3]) || shutdown(s, SHUT_WR) < 0) {
		printf("tcp-client: send: %s\n", strerror(errno));
		return 1;
	}
	char buf[1024];
	ssize_t n;
	printf("tcp-client: answer: ");
	while ((n = read(s, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	printf("\n");
	close(s);
	return n < 0;
}
