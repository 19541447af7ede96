/* Host unit tests of kernel/core/balance.c: where placement, pushes and affinity send tasks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/balance.h"

#define ALL 0xffffull

static void test_a_woken_task_prefers_its_idle_cpu_then_any_idle_one(void **state)
{
	(void)state;
	unsigned load[4] = { 1, 0, 0, 1 };
	assert_int_equal(balance_place(load, 4, ALL, 2, false), 2); /* its own, idle */
	assert_int_equal(balance_place(load, 4, ALL, 0, false), 1); /* the lowest idle one */
	assert_int_equal(balance_place(load, 4, CPU_BIT(0) | CPU_BIT(2), 3, false), 2);
}

static void test_with_no_idle_cpu_a_woken_task_stays_a_new_one_goes_to_the_lightest(void **state)
{
	(void)state;
	unsigned load[3] = { 3, 1, 2 };
	assert_int_equal(balance_place(load, 3, ALL, 2, false), 2);
	assert_int_equal(balance_place(load, 3, ALL, 2, true), 1);
	/* affinity: its previous CPU is no longer allowed, so the lightest allowed one */
	assert_int_equal(balance_place(load, 3, CPU_BIT(0) | CPU_BIT(2), 1, false), 2);
	unsigned tie[3] = { 2, 2, 2 };
	assert_int_equal(balance_place(tie, 3, ALL, 1, true), 0); /* ties: the lowest index */
}

static void test_cpus_past_the_online_ones_are_never_chosen(void **state)
{
	(void)state;
	unsigned load[2] = { 1, 1 };
	assert_int_equal(balance_place(load, 2, ALL, 5, true), 0);
	assert_int_equal(balance_place(load, 2, CPU_BIT(1) | CPU_BIT(7), 7, false), 1);
}

static void test_a_push_needs_a_cpu_two_lighter(void **state)
{
	(void)state;
	unsigned load[3] = { 3, 2, 1 };
	assert_int_equal(balance_push_target(load, 3, 0, ALL), 2);
	assert_int_equal(balance_push_target(load, 3, 1, ALL), BALANCE_NONE); /* only one lighter */
	assert_int_equal(balance_push_target(load, 3, 0, CPU_BIT(0) | CPU_BIT(1)), BALANCE_NONE);
	unsigned alone[1] = { 5 };
	assert_int_equal(balance_push_target(alone, 1, 0, ALL), BALANCE_NONE);
}

static void test_a_rotation_needs_two_tasks_a_lighter_cpu_and_its_time(void **state)
{
	(void)state;
	unsigned load[3] = { 2, 1, 2 };
	uint64_t now = 5 * BALANCE_ROTATE_NS;
	assert_int_equal(balance_rotate_target(load, 3, 0, ALL, now, now), 1); /* due just now */
	assert_int_equal(balance_rotate_target(load, 3, 2, ALL, now, 0), 1);
	assert_int_equal(balance_rotate_target(load, 3, 1, ALL, now, 0), BALANCE_NONE); /* one task */
	/* hysteresis: not before the last rotation's time allows */
	assert_int_equal(balance_rotate_target(load, 3, 0, ALL, now, now + 1), BALANCE_NONE);
	/* equal loads do not rotate: 4 tasks on 2 CPUs already share evenly */
	unsigned even[2] = { 2, 2 };
	assert_int_equal(balance_rotate_target(even, 2, 0, ALL, now, 0), BALANCE_NONE);
	/* the lightest among the targets; a CPU outside them is never chosen */
	unsigned three[3] = { 3, 2, 1 };
	assert_int_equal(balance_rotate_target(three, 3, 0, ALL, now, 0), 2);
	assert_int_equal(balance_rotate_target(three, 3, 0, CPU_BIT(0) | CPU_BIT(1), now, 0), 1);
	assert_int_equal(balance_rotate_target(three, 3, 1, CPU_BIT(1), now, 0), BALANCE_NONE);
	assert_int_equal(balance_rotate_target(three, 3, 7, ALL, now, 0), BALANCE_NONE); /* not online */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_woken_task_prefers_its_idle_cpu_then_any_idle_one),
		cmocka_unit_test(test_with_no_idle_cpu_a_woken_task_stays_a_new_one_goes_to_the_lightest),
		cmocka_unit_test(test_cpus_past_the_online_ones_are_never_chosen),
		cmocka_unit_test(test_a_push_needs_a_cpu_two_lighter),
		cmocka_unit_test(test_a_rotation_needs_two_tasks_a_lighter_cpu_and_its_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
