/*
 * http: a small HTTP/1.0 server. `http PORT [REQUESTS]` answers REQUESTS requests (default 1):
 * GET / gives a page, GET /bytes/N gives N bytes of a known pattern, anything else 404, a request
 * that is not HTTP 400. Each connection is closed after its answer. Uses poll with a timeout so
 * an idle client cannot hold the server.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_all(int c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(c, p, n, 0);
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void answer(int c, int status, const char *reason, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head), "HTTP/1.0 %d %s\r\nServer: hermit\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, reason, len);
	if (send_all(c, head, (size_t)n) == 0 && body)
		send_all(c, body, len);
}

static void serve(int c)
{
	char req[2048] = "";
	size_t got = 0;
	while (got < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
		struct pollfd p = { .fd = c, .events = POLLIN };
		if (poll(&p, 1, 5000) <= 0)
			break;
		ssize_t n = recv(c, req + got, sizeof(req) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
	}
	req[got] = '\0';
	char path[256];
	if (sscanf(req, "GET %255s HTTP/1.", path) != 1) {
		answer(c, 400, "Bad Request", "bad request\n", 12);
		printf("http: 400\n");
		return;
	}
	long n;
	if (strcmp(path, "/") == 0) {
		static const char page[] = "Hello from Hermit over lwIP!\n";
		answer(c, 200, "OK", page, sizeof(page) - 1);
	} else if (sscanf(path, "/bytes/%ld", &n) == 1 && n >= 0 && n <= 64 * 1024 * 1024) {
		char *body = malloc((size_t)n + 1);
		for (long i = 0; i < n; i++)
			body[i] = (char)('a' + i % 26);
		answer(c, 200, "OK", body, (size_t)n);
		free(body);
	} else {
		answer(c, 404, "Not Found", "not found\n", 10);
	}
	printf("http: GET %s\n", path);
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 80;
	int requests = argc > 2 ? atoi(argv[2]) : 1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0) {
		printf("http: cannot listen on %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("http: listening on %d\n", port);
	fflush(stdout);
	for (int i = 0; i < requests; i++) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			return 1;
		serve(c);
		close(c);
		fflush(stdout);
	}
	close(s);
	return 0;
}
