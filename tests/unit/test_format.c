/* Unit tests of the kernel's printf-style formatter (kernel/lib/format.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/format.h"

static void check(const char *expected, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_string_equal(buf, expected);
	assert_int_equal(n, (int)strlen(expected));
}

static void test_integers(void **state)
{
	(void)state;
	check("0", "%d", 0);
	check("-42", "%d", -42);
	check("4294967295", "%u", 4294967295u);
	check("-9223372036854775808", "%ld", INT64_MIN);
	check("18446744073709551615", "%lu", UINT64_MAX);
	check("ff FF 17", "%x %X %o", 255, 255, 15);
	check("  42|42  |00042", "%4d|%-4d|%05d", 42, 42, 42);
	check("-0042", "%05d", -42);
	check("123456789", "%zu", (size_t)123456789);
	check("0x00000000deadbeef", "0x%016lx", 0xdeadbeefUL);
	check("0x1234", "%p", (void *)0x1234);
}

static void test_strings(void **state)
{
	(void)state;
	check("abc", "%s", "abc");
	check("(null)", "%s", (char *)NULL);
	check("  ab|ab  |a", "%4s|%-4s|%.1s", "ab", "ab", "abc");
	check("x%y", "x%%y");
	check("c", "%c", 'c');
	check(" 7", "%*d", 2, 7);
	check("%q", "%q");
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(fmt_snprintf(NULL, 0, "abc%d", 12), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
