/* Unit tests of replay_watch.c: the stall detector's decision, the watch driven by a fake QEMU on
 * a socket pair (its questions, its reading of the answers), and QEMU's words for a divergence. */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "proxy.h"

#define LIMIT 15000

static void test_a_count_that_moves_never_stalls(void **state)
{
	(void)state;
	struct stall s = { 0 };

	for (uint64_t i = 0; i < 1000; i++)
		assert_false(stall_sample(&s, true, 1000 + i, 500, LIMIT));
	assert_int_equal(s.still_ms, 0);
}

static void test_a_count_that_stands_while_running_stalls_at_the_limit(void **state)
{
	(void)state;
	struct stall s = { 0 };

	assert_false(stall_sample(&s, true, 42, 500, LIMIT)); /* the first sample: where it is */
	for (unsigned ms = 500; ms < LIMIT; ms += 500)
		assert_false(stall_sample(&s, true, 42, 500, LIMIT));
	assert_true(stall_sample(&s, true, 42, 500, LIMIT));
	assert_int_equal(s.icount, 42);
	assert_int_equal(s.still_ms, LIMIT);
}

static void test_a_guest_held_stopped_starts_over(void **state)
{
	(void)state;
	struct stall s = { 0 };

	stall_sample(&s, true, 7, 500, LIMIT);
	assert_false(stall_sample(&s, true, 7, LIMIT - 500, LIMIT));
	/* gdb stops the guest for a minute: no stall, and the count starts over once it runs */
	for (int i = 0; i < 120; i++)
		assert_false(stall_sample(&s, false, 7, 500, LIMIT));
	assert_false(stall_sample(&s, true, 7, 500, LIMIT));
	assert_false(stall_sample(&s, true, 7, LIMIT - 500, LIMIT));
	assert_true(stall_sample(&s, true, 7, 500, LIMIT));
}

static void test_a_count_that_moves_back_is_progress(void **state)
{
	(void)state;
	struct stall s = { 0 };

	/* a reverse command loads a snapshot: the count goes back, and the guest is not stuck */
	stall_sample(&s, true, 9000, 500, LIMIT);
	assert_false(stall_sample(&s, true, 9000, LIMIT - 500, LIMIT));
	assert_false(stall_sample(&s, true, 100, 500, LIMIT));
	assert_int_equal(s.still_ms, 0);
}

static void test_limit_zero_never_stalls_and_time_does_not_wrap(void **state)
{
	(void)state;
	struct stall s = { 0 };

	stall_sample(&s, true, 1, 0, 0);
	for (int i = 0; i < 4; i++)
		assert_false(stall_sample(&s, true, 1, UINT32_MAX / 2, 0));
	assert_int_equal(s.still_ms, UINT32_MAX);
	assert_true(stall_sample(&s, true, 1, 1, UINT32_MAX));
}

/* ---- the watch against a fake QEMU ---- */

static int qemu_end;

static void qemu_says(struct replay_watch *w, const char *text)
{
	struct pollfd p[WATCH_POLLFDS];

	assert_int_equal(write(qemu_end, text, strlen(text)), (ssize_t)strlen(text));
	watch_pollfds(w, p);
	p[0].revents = POLLIN;
	p[1].revents = 0;
	w->stalled = w->stalled || watch_handle(w, p); /* kept for the test to read */
}

/* What the proxy asked since the last call, as one string. */
static const char *asked(void)
{
	static char buf[4096];
	ssize_t n = read(qemu_end, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void answer(struct replay_watch *w, bool running, unsigned long long icount)
{
	char text[256];

	watch_tick(w, WATCH_PERIOD_MS);
	const char *q = asked();
	assert_non_null(strstr(q, "\"query-status\""));
	assert_non_null(strstr(q, "\"query-replay\""));
	snprintf(text, sizeof(text), "{\"return\": {\"status\": \"%s\", \"singlestep\": false, "
		 "\"running\": %s}, \"id\": \"status\"}\r\n{\"timestamp\": {\"seconds\": 1}, \"event\": "
		 "\"RESUME\"}\n{\"return\": {\"mode\": \"replay\", \"filename\": \"/r/qemu.rr\", "
		 "\"icount\": %llu}, \"id\": \"icount\"}\r\n", running ? "running" : "debug",
		 running ? "true" : "false", icount);
	qemu_says(w, text);
}

static struct replay_watch *open_watch(unsigned limit_ms)
{
	static struct replay_watch w;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	qemu_end = sv[1];
	assert_int_equal(watch_start(&w, sv[0], limit_ms), 0);
	assert_non_null(strstr(asked(), "qmp_capabilities"));
	qemu_says(&w, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n{\"return\": {}}\n");
	return &w;
}

static void close_watch(struct replay_watch *w)
{
	watch_close(w);
	close(qemu_end);
}

static void test_the_watch_reads_run_state_and_count(void **state)
{
	(void)state;
	struct replay_watch *w = open_watch(2000);

	answer(w, true, 100);
	assert_true(w->running);
	assert_int_equal(w->stall.icount, 100);
	answer(w, true, 100);
	answer(w, true, 100);
	answer(w, true, 100);
	assert_false(w->stalled);
	answer(w, true, 100);
	assert_true(w->stalled);
	close_watch(w);
}

static void test_the_watch_says_a_stall_once_and_spares_a_stopped_guest(void **state)
{
	(void)state;
	struct replay_watch *w = open_watch(1000);
	struct pollfd p[WATCH_POLLFDS] = { 0 };

	answer(w, true, 5);
	answer(w, true, 5);
	answer(w, true, 5);
	assert_true(w->stalled);
	w->stalled = false;
	answer(w, true, 5); /* still the same stall: not said again */
	assert_false(w->stalled);
	assert_false(watch_handle(w, p));
	for (int i = 0; i < 10; i++) /* gdb holds it stopped */
		answer(w, false, 5);
	assert_false(w->stalled);
	assert_false(w->running);
	answer(w, true, 6);
	answer(w, true, 6);
	answer(w, true, 6); /* stands again, running: a new stall */
	assert_true(w->stalled);
	close_watch(w);
}

static void test_no_new_questions_before_the_answers(void **state)
{
	(void)state;
	struct replay_watch *w = open_watch(1000);

	watch_tick(w, WATCH_PERIOD_MS);
	assert_non_null(strstr(asked(), "query-replay"));
	watch_tick(w, WATCH_PERIOD_MS); /* QEMU's main loop is busy: nothing asked again */
	assert_int_equal(w->qmp.pending, 2);
	assert_int_equal(w->elapsed_ms, 2 * WATCH_PERIOD_MS);
	close_watch(w);
}

static void test_the_message_names_the_count_and_the_recording(void **state)
{
	(void)state;
	struct replay_watch w = { .stall = { .icount = 266186, .still_ms = 15000, .known = true } };
	struct rec_manifest m = { .hcalls = 7, .duration_ms = 6012 };
	char out[1024];

	watch_describe(&w, &m, 1, out, sizeof(out));
	assert_non_null(strstr(out, "stood still at instruction 266186 for 15 s"));
	assert_non_null(strstr(out, "made 1 of the recording's 7 hypercalls"));
	assert_non_null(strstr(out, "the recorded run took 6.0 s"));
	m.icount = 300919;
	watch_describe(&w, &m, 1, out, sizeof(out));
	assert_non_null(strstr(out, "stood still at instruction 266186 of the recording's 300919 for 15 s"));
}

static void test_qemus_words_for_a_divergence(void **state)
{
	(void)state;
	char line[256];
	const char *err = "qemu-system-x86_64: warning: something else\n"
			  "qemu-system-x86_64: Missing character write event in the replay log\n";

	assert_true(replay_qemu_said(err, strlen(err), line, sizeof(line)));
	assert_string_equal(line, "qemu-system-x86_64: Missing character write event in the replay log");
	const char *over = "qemu-system-x86_64: replay file is over";
	assert_true(replay_qemu_said(over, strlen(over), line, sizeof(line)));
	assert_string_equal(line, over);
	const char *other = "qemu-system-x86_64: terminating on signal 15 from pid 1\n";
	assert_false(replay_qemu_said(other, strlen(other), line, sizeof(line)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_count_that_moves_never_stalls),
		cmocka_unit_test(test_a_count_that_stands_while_running_stalls_at_the_limit),
		cmocka_unit_test(test_a_guest_held_stopped_starts_over),
		cmocka_unit_test(test_a_count_that_moves_back_is_progress),
		cmocka_unit_test(test_limit_zero_never_stalls_and_time_does_not_wrap),
		cmocka_unit_test(test_the_watch_reads_run_state_and_count),
		cmocka_unit_test(test_the_watch_says_a_stall_once_and_spares_a_stopped_guest),
		cmocka_unit_test(test_no_new_questions_before_the_answers),
		cmocka_unit_test(test_the_message_names_the_count_and_the_recording),
		cmocka_unit_test(test_qemus_words_for_a_divergence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
