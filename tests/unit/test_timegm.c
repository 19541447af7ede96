/* Unit tests of timegm() (kernel/libc/timegm.c), against the host's gmtime(). */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

static void test_round_trips_through_gmtime(void **state)
{
	(void)state;
	srandom(42);
	for (int i = 0; i < 200000; i++) {
		/* years from about -4000 to 8000, negative times included */
		time_t t = (time_t)(((int64_t)random() << 16 ^ random()) % 190000000000ll) - 126000000000ll;
		struct tm tm;
		assert_non_null(gmtime_r(&t, &tm));
		struct tm copy = tm;
		assert_int_equal(timegm(&copy), t);
		assert_int_equal(copy.tm_wday, tm.tm_wday);
		assert_int_equal(copy.tm_yday, tm.tm_yday);
	}
}

static void test_known_dates(void **state)
{
	(void)state;
	struct tm epoch = { .tm_year = 70, .tm_mday = 1 };
	assert_int_equal(timegm(&epoch), 0);
	struct tm leap = { .tm_year = 100, .tm_mon = 1, .tm_mday = 29, .tm_hour = 12 };
	assert_int_equal(timegm(&leap), 951825600);
	assert_int_equal(leap.tm_wday, 2);
	struct tm y1900 = { .tm_year = 0, .tm_mon = 2, .tm_mday = 1 }; /* 1900 is no leap year */
	assert_int_equal(timegm(&y1900), -2203891200ll);
}

static void test_out_of_range_fields_carry_over(void **state)
{
	(void)state;
	struct tm tm = { .tm_year = 123, .tm_mon = 13, .tm_mday = 0, .tm_hour = 25, .tm_min = -1, .tm_sec = 61 };
	time_t t = timegm(&tm);
	/* 2024-02-00 = 2024-01-31, then 25h -1min +61s */
	struct tm base = { .tm_year = 124, .tm_mon = 0, .tm_mday = 31 };
	assert_int_equal(t, timegm(&base) + 25 * 3600 - 60 + 61);
	assert_int_equal(tm.tm_year, 124);
	assert_int_equal(tm.tm_mon, 1);
	assert_int_equal(tm.tm_mday, 1);
	assert_int_equal(tm.tm_hour, 1);
	assert_int_equal(tm.tm_min, 0);
	assert_int_equal(tm.tm_sec, 1);
	struct tm back = { .tm_year = 70, .tm_mon = -1, .tm_mday = 1 };
	assert_int_equal(timegm(&back), -31 * 86400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips_through_gmtime),
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_out_of_range_fields_carry_over),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
