/* Unit tests of gdbstub/debug_ring.h: the debug channel's byte rings as both sides use them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gdbstub/debug_ring.h"

static struct hermit_debug_ring *new_ring(uint32_t start)
{
	struct hermit_debug_ring *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->head = r->tail = start;
	return r;
}

static void test_bytes_come_out_in_order_across_the_wrap(void **state)
{
	/* Counters near 2^32 and the data's end: both wraps at once. */
	struct hermit_debug_ring *r = new_ring(UINT32_MAX - 2);
	char out[16];

	(void)state;
	assert_int_equal(debug_ring_put(r, "$qC#b4", 6), 6);
	assert_int_equal(debug_ring_get(r, out, sizeof(out)), 6);
	assert_memory_equal(out, "$qC#b4", 6);
	assert_int_equal(debug_ring_get(r, out, sizeof(out)), 0);
	assert_true(debug_ring_empty(r));
	free(r);
}

static void test_a_full_ring_takes_what_fits(void **state)
{
	struct hermit_debug_ring *r = new_ring(0);
	size_t big = HERMIT_DEBUG_RING_SIZE + 100;
	char *data = malloc(big), *out = malloc(big);

	(void)state;
	memset(data, 'x', big);
	assert_int_equal(debug_ring_put(r, data, big), HERMIT_DEBUG_RING_SIZE);
	assert_int_equal(debug_ring_put(r, data, 1), 0);
	assert_int_equal(debug_ring_get(r, out, 10), 10);
	assert_int_equal(debug_ring_put(r, data, big), 10);
	assert_int_equal(debug_ring_get(r, out, big), HERMIT_DEBUG_RING_SIZE);
	free(data);
	free(out);
	free(r);
}

static void test_a_broken_ring_is_refused(void **state)
{
	struct hermit_debug_ring *r = new_ring(0);
	char out[8];

	(void)state;
	r->head = HERMIT_DEBUG_RING_SIZE + 1; /* the other side claims more than the ring holds */
	assert_int_equal(debug_ring_get(r, out, sizeof(out)), -1);
	assert_int_equal(r->tail, 0);
	r->head = 0;
	r->tail = 5; /* a consumer ahead of the producer */
	assert_int_equal(debug_ring_put(r, "x", 1), 0);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_come_out_in_order_across_the_wrap),
		cmocka_unit_test(test_a_full_ring_takes_what_fits),
		cmocka_unit_test(test_a_broken_ring_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
