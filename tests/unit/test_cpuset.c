/*
 * Host unit tests of Hermit's cpu_set_t (kernel/libc/include/sys/cpuset.h, glibc's macros) and
 * kernel/libc/cpuset.c (the helpers and the conversions the affinity calls make).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "libc/cpuset.h"

#include <errno.h>

static void test_macros_as_glibc(void **state)
{
	cpu_set_t a, b, c;

	(void)state;
	assert_int_equal(sizeof(cpu_set_t), 128); /* CPU_SETSIZE bits */
	CPU_ZERO(&a);
	assert_int_equal(CPU_COUNT(&a), 0);
	CPU_SET(0, &a);
	CPU_SET(65, &a);
	CPU_SET(1023, &a);
	CPU_SET(1024, &a); /* outside the set: ignored */
	assert_true(CPU_ISSET(65, &a));
	assert_false(CPU_ISSET(64, &a));
	assert_false(CPU_ISSET(5000, &a));
	assert_int_equal(CPU_COUNT(&a), 3);
	CPU_CLR(65, &a);
	assert_int_equal(CPU_COUNT(&a), 2);
	CPU_ZERO(&b);
	CPU_SET(0, &b);
	CPU_SET(3, &b);
	CPU_AND(&c, &a, &b);
	assert_int_equal(CPU_COUNT(&c), 1);
	CPU_OR(&c, &a, &b);
	assert_int_equal(CPU_COUNT(&c), 3);
	CPU_XOR(&c, &a, &b);
	assert_true(CPU_ISSET(3, &c) && CPU_ISSET(1023, &c) && !CPU_ISSET(0, &c));
	assert_false(CPU_EQUAL(&a, &b));
	CPU_AND(&c, &a, &a);
	assert_true(CPU_EQUAL(&a, &c));
}

static void test_sized_sets(void **state)
{
	(void)state;
	assert_int_equal(CPU_ALLOC_SIZE(1), 8);
	assert_int_equal(CPU_ALLOC_SIZE(64), 8);
	assert_int_equal(CPU_ALLOC_SIZE(65), 16);
	cpu_set_t *s = CPU_ALLOC(100);
	size_t size = CPU_ALLOC_SIZE(100);
	assert_non_null(s);
	CPU_ZERO_S(size, s);
	CPU_SET_S(99, size, s);
	CPU_SET_S(128, size, s); /* past the 16 bytes: ignored */
	assert_int_equal(CPU_COUNT_S(size, s), 1);
	assert_true(CPU_ISSET_S(99, size, s));
	assert_false(CPU_ISSET_S(128, size, s));
	CPU_FREE(s);
}

static void test_sets_to_masks_and_back(void **state)
{
	cpu_set_t set;
	uint64_t mask = 0;

	(void)state;
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	CPU_SET(3, &set);
	CPU_SET(40, &set); /* no such CPU: ignored */
	assert_int_equal(cpuset_to_mask(sizeof(set), &set, 4, &mask), 0);
	assert_int_equal(mask, 0xa);
	CPU_ZERO(&set);
	CPU_SET(4, &set); /* only CPUs that do not exist */
	assert_int_equal(cpuset_to_mask(sizeof(set), &set, 4, &mask), EINVAL);
	assert_int_equal(cpuset_to_mask(0, &set, 4, &mask), EINVAL);

	assert_int_equal(cpuset_from_mask(0xa, 2, sizeof(set), &set), 0);
	assert_int_equal(CPU_COUNT(&set), 1); /* CPU 3 is not online */
	assert_true(CPU_ISSET(1, &set));
	assert_int_equal(cpuset_from_mask(~0ull, 16, 8, &set), 0);
	assert_int_equal(CPU_COUNT_S(8, &set), 16);
	assert_int_equal(cpuset_from_mask(1, 16, 1, &set), EINVAL); /* 8 bits for 16 CPUs */
	assert_int_equal(cpuset_from_mask(1, 4, 4, &set), EINVAL);  /* not whole longs */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macros_as_glibc),
		cmocka_unit_test(test_sized_sets),
		cmocka_unit_test(test_sets_to_masks_and_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
