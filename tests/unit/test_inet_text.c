/* Unit tests of the address text of inet_pton/inet_ntop (net/inet_text.c), against the host's
 * C library (glibc), which reads and writes the same text. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/inet_text.h"

static const char *const samples[] = {
	"::", "::1", "1::", "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4",
	"fe80::1", "FE80::ABCD", "2001:db8::1:0:0:1", "2001:0db8:0000:0000:0000:0000:0000:0001",
	"1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7::8", "1::2::3", ":1::", "1:", ":", "",
	"12345::", "::ffff:1.2.3", "::ffff:1.2.3.4.5", "::ffff:01.2.3.4", "::ffff:256.1.1.1",
	"1.2.3.4", "::1.2.3.4:5", "g::", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.4 ", " ::1", "0:0:0:0:0:0:0:0",
	"1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7", "1:2:3:4:5:6:7:1.2.3.4", "a:b::c:d:1.2.3.4",
};

static void expect_same_parse6(const char *text)
{
	uint8_t mine[16], theirs[16];
	int r = inet_text6_parse(text, mine);
	assert_int_equal(r, inet_pton(AF_INET6, text, theirs));
	if (r == 1)
		assert_memory_equal(mine, theirs, 16);
}

static void test_parses_ipv6_as_glibc(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		expect_same_parse6(samples[i]);
	/* random strings over the alphabet of the grammar */
	static const char alphabet[] = "0123456789abcdefABCDEF::::....";
	srandom(7);
	for (int i = 0; i < 300000; i++) {
		char text[48];
		int len = (int)(random() % 46);
		for (int j = 0; j < len; j++)
			text[j] = alphabet[random() % (sizeof(alphabet) - 1)];
		text[len] = '\0';
		expect_same_parse6(text);
	}
}

static void test_parses_ipv4_as_glibc(void **state)
{
	(void)state;
	static const char *const v4[] = { "1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4",
					  "1.2.3", "1.2.3.4.", "1..3.4", "0x1.2.3.4", "1.2.3.4 ", "" };
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		uint8_t mine[4], theirs[4];
		int r = inet_text4_parse(v4[i], mine);
		assert_int_equal(r, inet_pton(AF_INET, v4[i], theirs));
		if (r == 1)
			assert_memory_equal(mine, theirs, 4);
	}
}

static void test_formats_ipv6_as_glibc(void **state)
{
	(void)state;
	srandom(11);
	for (int i = 0; i < 300000; i++) {
		uint8_t a[16];
		for (int w = 0; w < 8; w++) { /* mostly zero groups, so that runs of every length occur */
			unsigned v = random() % 3 ? 0 : (random() % 4 ? (unsigned)random() & 0xffff : 0xffff);
			a[2 * w] = (uint8_t)(v >> 8);
			a[2 * w + 1] = (uint8_t)v;
		}
		char mine[INET_TEXT6_MAX], theirs[INET6_ADDRSTRLEN];
		assert_non_null(inet_ntop(AF_INET6, a, theirs, sizeof(theirs)));
		assert_int_equal(inet_text6_format(a, mine, sizeof(mine)), (int)strlen(theirs));
		assert_string_equal(mine, theirs);
		/* one byte too few for the text and its NUL is refused */
		assert_int_equal(inet_text6_format(a, mine, strlen(theirs)), -1);
	}
}

static void test_formats_ipv4(void **state)
{
	(void)state;
	const uint8_t a[4] = { 10, 0, 5, 255 };
	char text[INET_TEXT4_MAX];
	assert_int_equal(inet_text4_format(a, text, sizeof(text)), 10);
	assert_string_equal(text, "10.0.5.255");
	assert_int_equal(inet_text4_format(a, text, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_ipv6_as_glibc),
		cmocka_unit_test(test_parses_ipv4_as_glibc),
		cmocka_unit_test(test_formats_ipv6_as_glibc),
		cmocka_unit_test(test_formats_ipv4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
