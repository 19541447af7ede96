/* Unit tests of the tracer's portable parts: ring writer and reader, event selection, exports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tracing/events.h"
#include "tracing/export.h"
#include "tracing/ring.h"

#define SLOTS 8

static struct hermit_trace_event slots[SLOTS];
static struct hermit_trace_cpu ring;

static void setup_ring(void)
{
	memset(slots, 0, sizeof(slots));
	memset(&ring, 0, sizeof(ring));
	ring.slots = (uintptr_t)slots;
	ring.nslots = SLOTS;
}

static void emit(uint64_t tsc, uint16_t id, uint64_t a0)
{
	uint64_t pos = trace_ring_reserve(&ring);
	trace_ring_commit(slots, SLOTS, pos, tsc, id, 7, a0, 0);
}

static void test_ring_keeps_order_until_full(void **state)
{
	(void)state;
	setup_ring();
	for (int i = 0; i < 5; i++)
		emit(100 + i, HERMIT_TRACE_APP_MARK, i);
	struct hermit_trace_event out[SLOTS];
	struct trace_ring_stats st;
	size_t n = trace_ring_collect(ring.head, slots, SLOTS, out, &st);
	assert_int_equal(n, 5);
	assert_int_equal(st.lost, 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(out[i].arg[0], i);
		assert_int_equal(out[i].task, 7);
	}
}

static void test_ring_overwrites_oldest_and_counts_lost(void **state)
{
	(void)state;
	setup_ring();
	for (int i = 0; i < 21; i++)
		emit(100 + i, HERMIT_TRACE_APP_MARK, i);
	struct hermit_trace_event out[SLOTS];
	struct trace_ring_stats st;
	size_t n = trace_ring_collect(ring.head, slots, SLOTS, out, &st);
	assert_int_equal(n, SLOTS);
	assert_int_equal(st.lost, 21 - SLOTS);
	assert_int_equal(st.torn, 0);
	assert_int_equal(out[0].arg[0], 13);
	assert_int_equal(out[SLOTS - 1].arg[0], 20);
}

static void test_uncommitted_slot_is_skipped(void **state)
{
	(void)state;
	setup_ring();
	emit(1, HERMIT_TRACE_APP_MARK, 1);
	(void)trace_ring_reserve(&ring); /* a writer that died before its commit */
	emit(3, HERMIT_TRACE_APP_MARK, 3);
	struct hermit_trace_event out[SLOTS];
	struct trace_ring_stats st;
	size_t n = trace_ring_collect(ring.head, slots, SLOTS, out, &st);
	assert_int_equal(n, 2);
	assert_int_equal(st.torn, 1);
	assert_int_equal(out[1].arg[0], 3);
	/* after a lap, the stale commit of the old occupant does not pass either */
	for (int i = 0; i < SLOTS - 1; i++)
		emit(10 + i, HERMIT_TRACE_APP_MARK, 10 + i);
	(void)trace_ring_reserve(&ring);
	n = trace_ring_collect(ring.head, slots, SLOTS, out, &st);
	assert_int_equal(n, SLOTS - 1);
	assert_int_equal(st.torn, 1);
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(trace_glob("sched_*", 7, "sched_switch"));
	assert_true(trace_glob("*", 1, "irq"));
	assert_true(trace_glob("sys*_wr?te", 10, "syscall_entry_write"));
	assert_false(trace_glob("sched_*", 7, "task_create"));
	assert_false(trace_glob("irq", 3, "irqs"));
	assert_true(trace_glob("*exit*", 6, "syscall_exit_read"));
}

static void test_select(void **state)
{
	(void)state;
	unsigned char want[HERMIT_TRACE_NEVENTS] = { 0 };
	char bad[32];
	assert_int_equal(trace_select("sched_*,task_create", want, bad, sizeof(bad)), 3);
	assert_true(want[HERMIT_TRACE_SCHED_SWITCH] && want[HERMIT_TRACE_TASK_CREATE]);
	memset(want, 0, sizeof(want));
	assert_int_equal(trace_select("all,-syscall_*", want, bad, sizeof(bad)), HERMIT_TRACE_NEVENTS - 17);
	assert_false(want[HERMIT_TRACE_SYS_WRITE_ENTRY]);
	assert_int_equal(trace_select("sched_*,nosuch*", want, bad, sizeof(bad)), -1);
	assert_string_equal(bad, "nosuch*");
}

static const void *map_host(void *arg, uint64_t gpa, uint64_t len)
{
	(void)arg;
	(void)len;
	return (const void *)(uintptr_t)gpa;
}

static void snapshot(struct trace_snapshot *s)
{
	static struct hermit_trace hdr;
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = HERMIT_TRACE_MAGIC;
	hdr.version = HERMIT_TRACE_VERSION;
	hdr.event_size = sizeof(struct hermit_trace_event);
	hdr.ncpus = 1;
	hdr.tsc_khz = 1000000; /* 1 GHz: one tick is one ns */
	hdr.tsc_base = 100;
	hdr.cpu[0] = ring;
	assert_int_equal(trace_snapshot_read(s, &hdr, map_host, NULL), 0);
}

static void test_export_json_and_ctf(void **state)
{
	(void)state;
	setup_ring();
	uint64_t pos = trace_ring_reserve(&ring);
	trace_ring_commit(slots, SLOTS, pos, 1100, HERMIT_TRACE_SCHED_SWITCH, 1, 1, 2);
	/* an interrupt's event reserved after but stamped before: sorted by time */
	pos = trace_ring_reserve(&ring);
	trace_ring_commit(slots, SLOTS, pos, 1050, HERMIT_TRACE_IRQ, 1, 32, 0x200000);
	pos = trace_ring_reserve(&ring);
	trace_ring_commit(slots, SLOTS, pos, 3100, HERMIT_TRACE_SYS_WRITE_EXIT, 2, (uint64_t)-9, 0);
	struct trace_snapshot s;
	snapshot(&s);
	assert_int_equal(trace_snapshot_count(&s), 3);
	assert_int_equal(s.cpu[0].ev[0].id, HERMIT_TRACE_IRQ);
	assert_int_equal(trace_ns(&s, 3100), 3000);

	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	assert_int_equal(trace_write_json(&s, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "\"name\":\"syscall_exit_write\",\"ts\":3.000,\"args\":{\"task\":2,\"ret\":-9}"));
	assert_non_null(strstr(text, "\"ph\":\"X\",\"cat\":\"sched\",\"pid\":0,\"tid\":0,\"name\":\"task 2\",\"ts\":1.000,\"dur\":2.000"));
	free(text);

	f = open_memstream(&text, &len);
	trace_write_ctf_stream(&s, 0, f);
	fclose(f);
	/* two packet headers of 52 bytes, three events of 12 + 8 * fields */
	assert_int_equal(len, 52 + 52 + (12 + 16) + (12 + 16) + (12 + 8));
	assert_memory_equal(text, "\xc1\x1f\xfc\xc1", 4);
	free(text);

	f = open_memstream(&text, &len);
	trace_write_ctf_metadata(f);
	fclose(f);
	assert_non_null(strstr(text, "name = \"sched_switch\";\n\tid = 2;"));
	free(text);
	trace_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_keeps_order_until_full),
		cmocka_unit_test(test_ring_overwrites_oldest_and_counts_lost),
		cmocka_unit_test(test_uncommitted_slot_is_skipped),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_export_json_and_ctf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
