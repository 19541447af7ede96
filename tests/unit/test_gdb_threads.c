/*
 * test_gdb_threads.c: thread lists, qXfer:threads, qC, H, T, qThreadExtraInfo, bad thread ids.
 *
 * Fake threads: 1 "init", 2 "idle", 5 with a name that needs XML escaping, 0x1f "shell".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_gdb_fake.h"

static void restart_with_stop(gdb_tid_t tid)
{
	struct gdb_stop stop = {.reason = GDB_STOP_SIGNAL, .tid = tid, .signal = GDB_SIGTRAP};

	fake_init();
	gdb_report_stop(&stop);
}

static void test_thread_list(void **state)
{
	(void)state;
	assert_string_equal(transact("qfThreadInfo"), "m1,2,5,1f");
	assert_string_equal(transact("qsThreadInfo"), "l");
	assert_string_equal(transact("qsThreadInfo"), "l");
	assert_string_equal(transact("qfThreadInfo"), "m1,2,5,1f");
}

static void test_long_thread_list_is_paged(void **state)
{
	const char *r;
	size_t ids = 0, packets = 0;
	gdb_tid_t last = 0;
	(void)state;

	for (gdb_tid_t t = 0x10000; t < 0x10000 + 4500; t++)
		fake_add_thread(t, "worker", "ready");
	r = transact("qfThreadInfo");
	while (r[0] == 'm') {
		for (const char *p = r + 1; *p != '\0'; p = strchr(p, ',') ? strchr(p, ',') + 1 : "") {
			gdb_tid_t t = (gdb_tid_t)strtoull(p, NULL, 16);

			assert_true(t > last); /* increasing, none lost or repeated */
			last = t;
			ids++;
		}
		packets++;
		r = transact("qsThreadInfo");
	}
	assert_string_equal(r, "l");
	assert_int_equal(ids, 4 + 4500);
	assert_true(packets >= 2);
}

static void test_single_thread_without_hook(void **state)
{
	(void)state;
	fake_reset();
	fake_ops.next_thread = NULL;
	fake_ops.thread_alive = NULL;
	restart_with_stop(2);
	assert_string_equal(transact("qfThreadInfo"), "m2");
	assert_string_equal(transact("qsThreadInfo"), "l");
	assert_string_equal(transact("T2"), "OK");
	assert_string_equal(transact("T1"), "E03");
	assert_string_equal(transact("qC"), "QC2");
}

static void test_alive_by_walking_the_list(void **state)
{
	(void)state;
	fake_reset();
	fake_ops.thread_alive = NULL;
	restart_with_stop(1);
	assert_string_equal(transact("T5"), "OK");
	assert_string_equal(transact("T4"), "E03");
	assert_string_equal(transact("T1f"), "OK");
	assert_string_equal(transact("T20"), "E03");
}

static void test_current_thread(void **state)
{
	(void)state;
	assert_string_equal(transact("qC"), "QC1");
	restart_with_stop(0x1f);
	assert_string_equal(transact("qC"), "QC1f");
	/* a stop without a thread means thread 1 */
	restart_with_stop(0);
	assert_string_equal(transact("qC"), "QC1");
}

static void test_thread_alive(void **state)
{
	(void)state;
	assert_string_equal(transact("T1"), "OK");
	assert_string_equal(transact("T1f"), "OK");
	assert_string_equal(transact("T3"), "E03");
	assert_string_equal(transact("T0"), "E03");
	assert_string_equal(transact("T-1"), "E03");
	assert_string_equal(transact("T"), "E16");
	assert_string_equal(transact("Tzz"), "E16");
	assert_string_equal(transact("T8000000000000000"), "E16"); /* beyond int64 */
	assert_string_equal(transact("Tp1.5"), "OK");               /* multiprocess form */
	assert_string_equal(transact("Tp1.6"), "E03");
	assert_string_equal(transact("Tp-1.5"), "OK");
	assert_string_equal(transact("Tp1"), "E03"); /* a whole process is not a thread */
	assert_string_equal(transact("Tpx.1"), "E16");
}

static int pending_of_5(void *ctx, gdb_tid_t tid, struct gdb_stop *stop)
{
	(void)ctx;
	if (tid != 5)
		return GDB_ENOENT;
	*stop = (struct gdb_stop){ .reason = GDB_STOP_SWBREAK, .tid = 5 };
	return 0;
}

static void assert_starts(const char *reply, const char *prefix)
{
	if (strncmp(reply, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", reply, prefix);
}

/* lldb's qThreadStopInfo: the last stop for its thread, a pending stop the kernel tells of for
 * another (a breakpoint: SIGTRAP), no signal for the rest. */
static void test_thread_stop_info(void **state)
{
	(void)state;
	fake_ops.thread_stop = pending_of_5;
	restart_with_stop(0x1f);
	assert_starts(transact("qThreadStopInfo1f"), "T05thread:1f;");
	assert_starts(transact("qThreadStopInfo5"), "T05thread:5;");
	assert_starts(transact("qThreadStopInfo2"), "T00thread:2;");
	assert_string_equal(transact("qThreadStopInfo3"), "E03");
	assert_string_equal(transact("qThreadStopInfo"), "E16");
	assert_string_equal(transact("qThreadStopInfo5x"), "E16");
	fake_ops.thread_stop = NULL;
	restart_with_stop(0x1f);
	assert_starts(transact("qThreadStopInfo5"), "T00thread:5;");
}

static void test_set_thread(void **state)
{
	(void)state;
	assert_string_equal(transact("Hg5"), "OK");
	assert_string_equal(transact("p0"), "0010000005000000");
	assert_string_equal(transact("Hc2"), "OK");
	assert_string_equal(transact("Hc-1"), "OK");
	assert_string_equal(transact("Hg-1"), "OK");
	assert_string_equal(transact("Hc0"), "OK");
	assert_string_equal(transact("Hg3"), "E03");
	assert_string_equal(transact("Hc3"), "E03");
	assert_string_equal(transact("H"), "E16");
	assert_string_equal(transact("Hg"), "E16");
	assert_string_equal(transact("Hgx"), "E16");
	assert_string_equal(transact("Hg1,"), "E16");
}

static void test_extra_info(void **state)
{
	char want[128];
	(void)state;

	hex_encode(want, "blocked on rx queue", 19);
	assert_string_equal(transact("qThreadExtraInfo,5"), want);
	hex_encode(want, "ready", 5);
	assert_string_equal(transact("qThreadExtraInfo,2"), want);
	assert_string_equal(transact("qThreadExtraInfo,3"), "E03");
	assert_string_equal(transact("qThreadExtraInfo,"), "E16");
	assert_string_equal(transact("qThreadExtraInfo"), "E16");
	fake_ops.thread_extra = NULL;
	assert_string_equal(transact("qThreadExtraInfo,5"), "");
	/* thread names with every XML special character */
	snprintf(fake_thread(2)->name, sizeof(fake_thread(2)->name), "a'b\tc");
	assert_non_null(strstr(transact("qXfer:threads:read::0,fff"), "name=\"a&apos;b?c\"></thread>"));
}

static void test_long_thread_text_is_cut(void **state)
{
	struct fake_thread *t = fake_thread(2);
	const char *r;
	(void)state;

	memset(t->state, 'z', sizeof(t->state) - 1);
	t->state[sizeof(t->state) - 1] = '\0';
	r = transact("qThreadExtraInfo,2");
	assert_int_equal(strlen(r), 2 * (sizeof(t->state) - 1));
}

static void test_xfer_threads(void **state)
{
	const char *r;
	(void)state;

	r = transact("qXfer:threads:read::0,fff");
	assert_int_equal(r[0], 'l');
	assert_string_equal(r + 1,
			    "<?xml version=\"1.0\"?>\n<threads>\n"
			    "<thread id=\"1\" name=\"init\">running</thread>\n"
			    "<thread id=\"2\" name=\"idle\">ready</thread>\n"
			    "<thread id=\"5\" name=\"net&lt;rx&gt;&amp;&quot;q&quot;\">"
			    "blocked on rx queue</thread>\n"
			    "<thread id=\"1f\" name=\"shell\">sleeping</thread>\n"
			    "</threads>\n");
}

static void test_xfer_threads_in_pieces_is_a_snapshot(void **state)
{
	char doc[4096] = "";
	size_t off = 0;
	(void)state;

	for (;;) {
		char pkt[64];
		size_t n;
		const char *r;

		sprintf(pkt, "qXfer:threads:read::%zx,10", off);
		r = transact_n(pkt, strlen(pkt), &n);
		memcpy(doc + off, r + 1, n - 1);
		off += n - 1;
		if (off == 16)
			fake_add_thread(0x40, "late", "new"); /* not in this snapshot */
		if (r[0] == 'l')
			break;
	}
	doc[off] = '\0';
	assert_null(strstr(doc, "late"));
	assert_non_null(strstr(doc, "</threads>\n"));
	/* the next read from offset 0 sees it */
	assert_non_null(strstr(transact("qXfer:threads:read::0,fff"), "late"));
}

static void test_xfer_threads_too_many_stays_well_formed(void **state)
{
	static char doc[GDB_PACKET_MAX + 1];
	size_t off = 0, n;
	const char *r;
	(void)state;

	for (gdb_tid_t t = 0x100; t < 0x100 + 1000; t++)
		fake_add_thread(t, "worker-with-a-long-name", "waiting for something");
	do {
		char pkt[64];

		sprintf(pkt, "qXfer:threads:read::%zx,3fff", off);
		r = transact_n(pkt, strlen(pkt), &n);
		assert_true(off + n - 1 <= GDB_PACKET_MAX);
		memcpy(doc + off, r + 1, n - 1);
		off += n - 1;
	} while (r[0] == 'm');
	doc[off] = '\0';
	assert_string_equal(doc + off - strlen("</thread>\n</threads>\n"), "</thread>\n</threads>\n");
	assert_non_null(strstr(doc, "<thread id=\"1\""));
}

static void test_xfer_threads_bad(void **state)
{
	(void)state;
	assert_string_equal(transact("qXfer:threads:read:x:0,10"), "E16");
	assert_string_equal(transact("qXfer:threads:read::"), "E16");
	assert_string_equal(transact("qXfer:threads:read::10"), "E16");
	assert_string_equal(transact("qXfer:threads:read::ffff,10"), "l");
}

/* A next_thread hook that never ends must not hang the engine. */
static int endless(void *ctx, gdb_tid_t after, gdb_tid_t *next)
{
	(void)ctx;
	*next = after; /* does not advance */
	return 0;
}

static void test_confused_hook_does_not_hang(void **state)
{
	(void)state;
	fake_reset();
	fake_ops.next_thread = endless;
	fake_ops.thread_alive = NULL;
	restart_with_stop(1);
	assert_string_equal(transact("qfThreadInfo"), "l");
	assert_string_equal(transact("T1"), "E03");
	assert_string_equal(transact("qXfer:threads:read::0,fff"),
			    "l<?xml version=\"1.0\"?>\n<threads>\n</threads>\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_thread_list, fake_setup),
		cmocka_unit_test_setup(test_long_thread_list_is_paged, fake_setup),
		cmocka_unit_test_setup(test_single_thread_without_hook, fake_setup),
		cmocka_unit_test_setup(test_alive_by_walking_the_list, fake_setup),
		cmocka_unit_test_setup(test_current_thread, fake_setup),
		cmocka_unit_test_setup(test_thread_alive, fake_setup),
		cmocka_unit_test_setup(test_thread_stop_info, fake_setup),
		cmocka_unit_test_setup(test_set_thread, fake_setup),
		cmocka_unit_test_setup(test_extra_info, fake_setup),
		cmocka_unit_test_setup(test_long_thread_text_is_cut, fake_setup),
		cmocka_unit_test_setup(test_xfer_threads, fake_setup),
		cmocka_unit_test_setup(test_xfer_threads_in_pieces_is_a_snapshot, fake_setup),
		cmocka_unit_test_setup(test_xfer_threads_too_many_stays_well_formed, fake_setup),
		cmocka_unit_test_setup(test_xfer_threads_bad, fake_setup),
		cmocka_unit_test_setup(test_confused_hook_does_not_hang, fake_setup),
	};
	return cmocka_run_group_tests_name("gdb threads", tests, NULL, NULL);
}
