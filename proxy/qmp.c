/*
 * qmp.c: just enough of QEMU's machine protocol for the proxy's few questions (snapshots, an NMI,
 * a replay's instruction count and run state): commands go out one JSON object a line, and QEMU
 * answers each with a line holding "return" or "error" (events and the greeting are lines too,
 * and are skipped). The proxy needs to know that an answer came and whether it was an error; the
 * last answer's value is kept (qmp_answer_number), and each answer's line goes to on_answer for a
 * user that asks more than one question at a time.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
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

/* Only the object's own members count: an event's data may have an "error" member of its own.
 * The object ends at its closing brace: json may be a value inside a line (an answer's "return"). */
const char *qmp_member(const char *json, const char *key)
{
	size_t key_len = strlen(key);
	int depth = 0;

	for (const char *p = json; *p; p++) {
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth <= 0)
				return NULL;
		} else if (*p == '"') {
			const char *name = ++p;
			while (*p && *p != '"')
				p += p[0] == '\\' && p[1] ? 2 : 1;
			if (!*p)
				return NULL;
			const char *colon = p + 1 + strspn(p + 1, " \t");
			if (depth == 1 && *colon == ':' && (size_t)(p - name) == key_len &&
			    !memcmp(name, key, key_len))
				return colon + 1 + strspn(colon + 1, " \t");
		}
	}
	return NULL;
}

static bool number_at(const char *at, uint64_t *n)
{
	char *end;

	if (!at || *at < '0' || *at > '9')
		return false;
	errno = 0;
	*n = strtoull(at, &end, 10);
	return errno == 0 && end != at;
}

/* An event's time in microseconds, as QEMU stamped it when it happened (0 if it has none). */
static uint64_t event_us(const char *line)
{
	const char *stamp = qmp_member(line, "timestamp");
	uint64_t sec, usec;

	if (!stamp || *stamp != '{' || !number_at(qmp_member(stamp, "seconds"), &sec) ||
	    !number_at(qmp_member(stamp, "microseconds"), &usec))
		return 0;
	return sec * 1000000 + usec;
}

/* The events STOP and RESUME say whether the guest runs, and how long it last stood still. */
static void take_event(struct qmp *q, const char *line, const char *event)
{
	if (!strncmp(event, "\"STOP\"", 6)) {
		q->running = false;
		q->stop_us = event_us(line);
	} else if (!strncmp(event, "\"RESUME\"", 8)) {
		uint64_t now = event_us(line);
		q->running = true;
		q->stopped_ms = q->stop_us && now > q->stop_us ? (int64_t)((now - q->stop_us) / 1000) : 0;
	}
}

/* An answer is {"return": ...} or {"error": ...}; a human-monitor-command that failed returns
 * its message as text instead of the empty string. */
static void take_line(struct qmp *q, const char *line)
{
	const char *ret = qmp_member(line, "return"), *event = qmp_member(line, "event");

	if (event)
		take_event(q, line, event);

	if ((!ret && !qmp_member(line, "error")) || !q->pending)
		return;
	q->pending--;
	snprintf(q->answer, sizeof(q->answer), "%s", ret ? ret : "");
	if (!ret || (ret[0] == '"' && ret[1] != '"')) {
		q->failed = true;
		snprintf(q->error, sizeof(q->error), "%.200s", line);
	}
	if (q->on_answer)
		q->on_answer(q->arg, line);
}

/* Takes every whole line in the buffer and keeps the rest for the next read. A line longer than
 * the buffer (an event we do not need) is dropped to its end, not taken for lines in pieces. */
static void take_lines(struct qmp *q)
{
	char *start = q->buf, *end = q->buf + q->len, *nl;

	while ((nl = memchr(start, '\n', (size_t)(end - start)))) {
		*nl = '\0';
		if (!q->skipping)
			take_line(q, start);
		q->skipping = false;
		start = nl + 1;
	}
	q->len = (size_t)(end - start);
	memmove(q->buf, start, q->len);
	if (q->len == sizeof(q->buf) - 1) {
		q->len = 0;
		q->skipping = true;
	}
}

bool qmp_drain(struct qmp *q)
{
	while (q->fd >= 0) {
		ssize_t n = read(q->fd, q->buf + q->len, sizeof(q->buf) - 1 - q->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n <= 0)
			return false;
		q->len += (size_t)n;
		take_lines(q);
	}
	return false;
}

bool qmp_answer_number(const struct qmp *q, const char *key, uint64_t *n)
{
	return q->answer[0] == '{' && number_at(qmp_member(q->answer, key), n);
}

int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool qmp_settle(struct qmp *q, int ms)
{
	int64_t end = monotonic_ms() + ms;

	while (q->pending) {
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int64_t left = end - monotonic_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || !qmp_drain(q))
			return false;
	}
	return true;
}
