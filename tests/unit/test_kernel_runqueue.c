/* Host unit tests of kernel/core/runqueue.c: the FIFO under every run queue and wait queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/runqueue.h"
#include "kernel/task.h"
#include "kernel_host.h"

static struct task t[4];

static void test_first_in_first_out(void **state)
{
	struct runqueue q = { 0 };

	(void)state;
	assert_true(runqueue_empty(&q));
	assert_null(runqueue_pop(&q));
	for (int i = 0; i < 3; i++)
		runqueue_push(&q, &t[i]);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(runqueue_pop(&q), &t[i]);
	assert_true(runqueue_empty(&q));
	runqueue_push(&q, &t[0]); /* the tail was reset: pushing again works */
	assert_ptr_equal(runqueue_pop(&q), &t[0]);
}

static void test_remove_anywhere(void **state)
{
	struct runqueue q = { 0 };

	(void)state;
	for (int i = 0; i < 4; i++)
		runqueue_push(&q, &t[i]);
	assert_true(runqueue_remove(&q, &t[1]));  /* middle */
	assert_true(runqueue_remove(&q, &t[3]));  /* tail */
	assert_false(runqueue_remove(&q, &t[3])); /* not queued any more */
	runqueue_push(&q, &t[3]);                 /* the tail moved back correctly */
	assert_true(runqueue_remove(&q, &t[0]));  /* head */
	assert_ptr_equal(runqueue_pop(&q), &t[2]);
	assert_ptr_equal(runqueue_pop(&q), &t[3]);
	assert_null(runqueue_pop(&q));
}

static void test_a_task_queued_twice_panics(void **state)
{
	struct runqueue q = { 0 };

	(void)state;
	runqueue_push(&q, &t[0]);
	runqueue_push(&q, &t[1]);
	EXPECT_PANIC(runqueue_push(&q, &t[1])); /* already the tail */
	EXPECT_PANIC(runqueue_push(&q, &t[0])); /* already in the middle: would make a cycle */
	assert_ptr_equal(runqueue_pop(&q), &t[0]);
	assert_ptr_equal(runqueue_pop(&q), &t[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_in_first_out),
		cmocka_unit_test(test_remove_anywhere),
		cmocka_unit_test(test_a_task_queued_twice_panics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
