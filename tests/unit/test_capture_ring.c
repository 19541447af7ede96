/*
 * Host unit tests of net/capture.c, the capture ring: records lie in the ring in time order
 * whoever writes them, because each is stamped where its slot is taken. Host threads play the
 * writers (a driver's task receiving, an app or the tcpip task sending, on two CPUs); the clock
 * is one counter every reading advances, as a TSC shared by the CPUs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hermit/abi.h"
#include "net/netdev.h"

struct hermit_anchor hermit_anchor;

static uint64_t ticks; /* the fake TSC */
uint64_t clock_tsc(void) { return __atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST); }
uint64_t clock_ns_at(uint64_t tsc) { return tsc * 3; } /* a conversion the test can undo */
uint64_t clock_ns(void) { return clock_ns_at(clock_tsc()); }
int64_t clock_realtime_ns(void) { return 0; }
void *page_alloc(size_t n) { return aligned_alloc(4096, n * 4096); }
void log_printf(int level, const char *fmt, ...) { (void)level, (void)fmt; }
static unsigned doorbells;
void doorbell_ring(unsigned cpu) { (void)cpu, doorbells++; }

#define FRAME_LEN 60
#define FRAMES_PER_WRITER 100000
#define RECORD (sizeof(struct hermit_capture_record) + 64) /* a 60-byte frame, padded to 8 */

static struct hermit_capture *ring(void) { return (struct hermit_capture *)(uintptr_t)hermit_anchor.capture; }

/* The ring's records from tail to head, in ring order: their times, how many. */
static size_t times_in_ring(uint64_t *times, size_t max)
{
	struct hermit_capture *r = ring();
	const uint8_t *data = (const uint8_t *)(uintptr_t)r->data;
	size_t n = 0;
	for (uint64_t at = r->tail; at < r->head && n < max;) {
		struct hermit_capture_record rec;
		memcpy(&rec, data + at % r->size, sizeof(rec));
		if (rec.cap_len == HERMIT_CAPTURE_WRAP) {
			at += r->size - at % r->size;
			continue;
		}
		times[n++] = rec.time_ns;
		at += sizeof(rec) + ((rec.cap_len + 7u) & ~7u);
	}
	return n;
}

static void *writer(void *arg)
{
	uint8_t frame[FRAME_LEN];
	memset(frame, (int)(uintptr_t)arg, sizeof(frame));
	for (int i = 0; i < FRAMES_PER_WRITER; i++) {
		struct hermit_capture_record rec = { .orig_len = FRAME_LEN, .time_ns = UINT64_MAX };
		capture_frame(&rec, frame);
	}
	return NULL;
}

/* Once: a ring for both writers' frames and some. */
static int setup(void **state)
{
	(void)state;
	capture_init((2 * FRAMES_PER_WRITER + 1000) * RECORD / 1024, false);
	return capture_enabled() ? 0 : -1;
}

static void two_writers_leave_their_frames_in_time_order(void **state)
{
	(void)state;
	pthread_t a, b;
	pthread_create(&a, NULL, writer, (void *)1);
	pthread_create(&b, NULL, writer, (void *)2);
	pthread_join(a, NULL);
	pthread_join(b, NULL);

	static uint64_t times[2 * FRAMES_PER_WRITER];
	size_t n = times_in_ring(times, 2 * FRAMES_PER_WRITER);
	assert_int_equal(n, 2 * FRAMES_PER_WRITER);
	assert_int_equal(ring()->dropped, 0);
	size_t inversions = 0;
	for (size_t i = 1; i < n; i++)
		inversions += times[i] < times[i - 1];
	assert_int_equal(inversions, 0);
	ring()->tail = ring()->read = ring()->head; /* the reader took them */
}

/* The caller's time is not the record's: the ring stamps it, and hands that reading back for the
 * frame's trace event (the same moment in the capture and in the trace). */
static void the_ring_stamps_the_record_and_returns_the_reading(void **state)
{
	(void)state;
	uint8_t frame[FRAME_LEN] = { 0 };
	struct hermit_capture_record rec = { .orig_len = FRAME_LEN, .time_ns = 12345 };
	uint64_t before = ticks;
	uint64_t tsc = capture_frame(&rec, frame);
	assert_true(tsc > before && tsc <= ticks);
	uint64_t times[1];
	assert_int_equal(times_in_ring(times, 1), 1);
	assert_int_equal(times[0], clock_ns_at(tsc));
	assert_int_equal(rec.cap_len, FRAME_LEN);
	ring()->tail = ring()->read = ring()->head;
}

/* A frame that finds no room is still a moment for its trace event. */
static void a_dropped_frame_still_gets_a_reading(void **state)
{
	(void)state;
	uint64_t dropped = ring()->dropped;
	static uint8_t big[65535];
	struct hermit_capture_record rec = { .orig_len = sizeof(big) };
	uint64_t fill = ring()->size / (sizeof(rec) + sizeof(big)) + 1;
	uint64_t last = 0;
	for (uint64_t i = 0; i < fill; i++) {
		uint64_t tsc = capture_frame(&rec, big);
		assert_true(tsc > last);
		last = tsc;
	}
	assert_true(ring()->dropped > dropped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_writers_leave_their_frames_in_time_order),
		cmocka_unit_test(the_ring_stamps_the_record_and_returns_the_reading),
		cmocka_unit_test(a_dropped_frame_still_gets_a_reading),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
