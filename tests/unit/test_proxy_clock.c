/* Unit tests of proxy/clock.c: when the TSC is worth measuring, and the measurement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "proxy.h"

static void test_cpuinfo_flags(void **state)
{
	(void)state;
	assert_true(cpuinfo_stable_tsc("processor\t: 0\nflags\t\t: fpu tsc constant_tsc rep_good "
				       "nopl nonstop_tsc cpuid\nbogomips\t: 4890\n"));
	/* Either flag alone is not enough. */
	assert_false(cpuinfo_stable_tsc("flags\t\t: fpu tsc constant_tsc cpuid\n"));
	assert_false(cpuinfo_stable_tsc("flags\t\t: fpu nonstop_tsc cpuid\n"));
	/* Whole words only: nonstop_tsc_s3 is another flag. */
	assert_false(cpuinfo_stable_tsc("flags\t\t: constant_tsc nonstop_tsc_s3\n"));
	assert_false(cpuinfo_stable_tsc("flags\t\t: xconstant_tsc nonstop_tsc\n"));
	/* Flags at the very start and end of the line, and a last line without '\n'. */
	assert_true(cpuinfo_stable_tsc("flags: constant_tsc nonstop_tsc"));
	/* The flags line, not another line that happens to list them. */
	assert_false(cpuinfo_stable_tsc("vmx flags\t: constant_tsc nonstop_tsc\nflags\t: fpu\n"));
	assert_false(cpuinfo_stable_tsc("flagsx\t: constant_tsc nonstop_tsc\n"));
	assert_false(cpuinfo_stable_tsc(""));
	assert_false(cpuinfo_stable_tsc(NULL));
}

static void test_unstable_reports_zero(void **state)
{
	(void)state;
	struct tsc_clock c;

	tsc_clock_start(&c);
	c.stable = false;
	assert_int_equal(tsc_clock_khz(&c), 0);
}

static void test_measures_something_plausible(void **state)
{
	(void)state;
	struct tsc_clock c;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	tsc_clock_start(&c);
	if (!c.stable)
		skip();
	nanosleep(&pause, NULL);
	uint64_t khz = tsc_clock_khz(&c);
	/* 100 MHz .. 10 GHz; the precise value is the host's. */
	assert_in_range(khz, 100000, 10000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuinfo_flags),
		cmocka_unit_test(test_unstable_reports_zero),
		cmocka_unit_test(test_measures_something_plausible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
