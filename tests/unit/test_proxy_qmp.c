/* Unit tests of qmp.c's reader of QEMU's answers, over a socket pair as QEMU's monitor socket:
 * what counts as an answer, what as a failure, and lines that come in pieces or are odd. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "proxy.h"

static int qemu_end;

/* A reader waiting for pending answers, QEMU's end in qemu_end. */
static struct qmp *open_qmp(unsigned pending)
{
	static struct qmp q;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	memset(&q, 0, sizeof(q));
	q.fd = sv[0];
	q.pending = pending;
	qemu_end = sv[1];
	return &q;
}

static void close_qmp(struct qmp *q)
{
	close(q->fd);
	close(qemu_end);
}

/* QEMU sends len bytes of text; the reader reads them. */
static void qemu_says(struct qmp *q, const char *text, size_t len)
{
	assert_int_equal(write(qemu_end, text, len), (ssize_t)len);
	assert_true(qmp_drain(q));
}

#define SAYS(q, text) qemu_says(q, text, strlen(text))

static void test_answers_count_and_the_rest_is_skipped(void **state)
{
	(void)state;
	struct qmp *q = open_qmp(2);

	SAYS(q, "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\n");
	SAYS(q, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\n");
	assert_int_equal(q->pending, 2);
	SAYS(q, "{\"return\": {}}\r\n{\"return\": \"\"}\n");
	assert_int_equal(q->pending, 0);
	assert_false(q->failed);
	close_qmp(q);
}

static void test_an_error_or_a_monitor_message_fails(void **state)
{
	(void)state;
	struct qmp *q = open_qmp(2);

	SAYS(q, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\n");
	assert_int_equal(q->pending, 1);
	assert_true(q->failed);
	assert_non_null(strstr(q->error, "GenericError"));
	q->failed = false;
	SAYS(q, "{\"return\": \"Error: Device 'd' does not support snapshots\\r\\n\"}\n");
	assert_int_equal(q->pending, 0);
	assert_true(q->failed);
	close_qmp(q);
}

/* Bug: any line holding "error" anywhere was an answer, and a failed one. */
static void test_an_event_whose_data_has_an_error_member_is_no_answer(void **state)
{
	(void)state;
	struct qmp *q = open_qmp(1);

	SAYS(q, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"BLOCK_JOB_COMPLETED\", "
		"\"data\": {\"device\": \"j\", \"type\": \"commit\", \"error\": \"No space left\"}}\n");
	SAYS(q, "{\"event\": \"X\", \"data\": {\"text\": \"\\\"return\\\": {}\"}}\n");
	assert_int_equal(q->pending, 1);
	assert_false(q->failed);
	close_qmp(q);
}

/* Bug: the tail of a line longer than the buffer was taken as a line of its own. */
static void test_a_line_longer_than_the_buffer_is_dropped_whole(void **state)
{
	(void)state;
	struct qmp *q = open_qmp(1);
	static const char head[] = "{\"event\": \"X\", \"data\": \"", tail[] = "{\"error\": {}}\"}\n";
	char line[2 * sizeof(q->buf) + 100];
	size_t len = sizeof(line);

	memset(line, 'x', len);
	memcpy(line, head, strlen(head));
	memcpy(line + len - strlen(tail), tail, strlen(tail));
	for (size_t at = 0; at < len; at += 1000)
		qemu_says(q, line + at, len - at < 1000 ? len - at : 1000);
	assert_int_equal(q->pending, 1);
	assert_false(q->failed);
	SAYS(q, "{\"return\": {}}\n");
	assert_int_equal(q->pending, 0);
	close_qmp(q);
}

/* Bug: a NUL byte hid every newline after it until the buffer filled: answers stalled. */
static void test_a_nul_byte_does_not_hold_the_answers_back(void **state)
{
	(void)state;
	struct qmp *q = open_qmp(1);
	static const char text[] = "{\"event\": \"X\0\"}\n{\"return\": {}}\n";

	qemu_says(q, text, sizeof(text) - 1);
	assert_int_equal(q->pending, 0);
	close_qmp(q);
}

static void test_an_answer_in_pieces_counts_once(void **state)
{
	(void)state;
	struct qmp *q = open_qmp(2);

	SAYS(q, "{\"ret");
	SAYS(q, "urn\": {}");
	assert_int_equal(q->pending, 2);
	SAYS(q, "}\n{\"return\"");
	assert_int_equal(q->pending, 1);
	close_qmp(q);
}

/* query-replay's answer: the instruction count comes out of it, whatever the path before it. */
static void test_a_number_of_the_last_answer(void **state)
{
	(void)state;
	struct qmp *q = open_qmp(3);
	uint64_t n = 0;

	SAYS(q, "{\"return\": {\"mode\": \"play\", \"filename\": \"/r/\\\"icount\\\": 7\", "
		"\"icount\": 1593924961}}\n");
	assert_true(qmp_answer_number(q, "icount", &n));
	assert_int_equal(n, 1593924961);
	assert_false(qmp_answer_number(q, "mode", &n)); /* no number */
	SAYS(q, "{\"return\": \"\"}\n"); /* a monitor command's answer has no members */
	assert_false(qmp_answer_number(q, "icount", &n));
	SAYS(q, "{\"error\": {\"class\": \"GenericError\", \"icount\": 5}}\n");
	assert_false(qmp_answer_number(q, "icount", &n));
	close_qmp(q);
}

static void test_stop_and_resume_events_say_whether_the_guest_runs(void **state)
{
	(void)state;
	struct qmp *q = open_qmp(1);

	assert_false(q->running);
	SAYS(q, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RESUME\"}\n");
	assert_true(q->running);
	SAYS(q, "{\"timestamp\": {\"seconds\": 7, \"microseconds\": 900000}, \"event\": \"STOP\"}\n");
	assert_false(q->running);
	/* how long it stood still, by QEMU's time stamps, however late the events come */
	SAYS(q, "{\"timestamp\": {\"seconds\": 8, \"microseconds\": 50000}, \"event\": \"RESUME\"}\n");
	assert_true(q->running);
	assert_int_equal(q->stopped_ms, 150);
	SAYS(q, "{\"timestamp\": {\"seconds\": 9, \"microseconds\": 0}, \"event\": \"STOP\"}\n");
	SAYS(q, "{\"event\": \"X\", \"data\": {\"event\": \"RESUME\"}}\n"); /* not an event of its own */
	assert_false(q->running);
	assert_int_equal(q->pending, 1);
	close_qmp(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_count_and_the_rest_is_skipped),
		cmocka_unit_test(test_an_error_or_a_monitor_message_fails),
		cmocka_unit_test(test_an_event_whose_data_has_an_error_member_is_no_answer),
		cmocka_unit_test(test_a_line_longer_than_the_buffer_is_dropped_whole),
		cmocka_unit_test(test_a_nul_byte_does_not_hold_the_answers_back),
		cmocka_unit_test(test_an_answer_in_pieces_counts_once),
		cmocka_unit_test(test_a_number_of_the_last_answer),
		cmocka_unit_test(test_stop_and_resume_events_say_whether_the_guest_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
