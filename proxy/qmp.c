/*
 * qmp.c: just enough of QEMU's machine protocol to take snapshots while recording: commands go
 * out one JSON object a line, and QEMU answers each with a line holding "return" or "error"
 * (events and the greeting are lines too, and are skipped). The proxy never needs an answer's
 * contents, only that it came and whether it was an error.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

void qmp_init(struct qmp *q, int fd)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	qmp_send(q, "{\"execute\": \"qmp_capabilities\"}");
}

int qmp_send(struct qmp *q, const char *json)
{
	size_t len = strlen(json), done = 0;

	while (q->fd >= 0 && done < len) {
		ssize_t n = write(q->fd, json + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = q->fd, .events = POLLOUT };
				poll(&p, 1, 100);
				continue;
			}
			return -1;
		}
		done += (size_t)n;
	}
	if (q->fd < 0 || write(q->fd, "\n", 1) != 1)
		return -1;
	q->pending++;
	return 0;
}

/* An answer is {"return": ...} or {"error": ...}; a human-monitor-command that failed returns
 * its message as text instead of the empty string. */
static void take_line(struct qmp *q, const char *line)
{
	const char *ret = strstr(line, "\"return\"");

	if ((!ret && !strstr(line, "\"error\"")) || !q->pending)
		return;
	q->pending--;
	if (!ret || (strstr(ret, "\"return\": \"") && !strstr(ret, "\"return\": \"\""))) {
		q->failed = true;
		snprintf(q->error, sizeof(q->error), "%.200s", line);
	}
}

bool qmp_drain(struct qmp *q)
{
	ssize_t n;

	while (q->fd >= 0) {
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n <= 0)
			return false;
		q->len += (size_t)n;
		q->buf[q->len] = '\0';
		char *start = q->buf, *nl;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			take_line(q, start);
			start = nl + 1;
		}
		q->len -= (size_t)(start - q->buf);
		memmove(q->buf, start, q->len);
		if (q->len == sizeof(q->buf) - 1)
			q->len = 0; /* a line longer than the buffer: an event we do not need */
	}
	return false;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool qmp_settle(struct qmp *q, int ms)
{
	int64_t end = now_ms() + ms;

	while (q->pending) {
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int64_t left = end - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || !qmp_drain(q))
			return false;
	}
	return true;
}
