/* Unit tests of gdbstub/rsp_text.c's run-length encoding, decoded as gdb's read_frame does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rsp_text.h"

/* gdb's decoding: c '*' n is c and n - 29 more copies of it. */
static size_t expand(const char *in, size_t n, char *out)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		if (in[i] == '*') {
			assert_true(i > 0 && i + 1 < n);
			int more = in[++i] - 29;
			assert_true(more > 0 && in[i] != '#' && in[i] != '$' && in[i] <= '~');
			for (int k = 0; k < more; k++, len++)
				out[len] = out[len - 1];
		} else {
			out[len++] = in[i];
		}
	}
	return len;
}

static void roundtrip(const char *text, size_t n, size_t *encoded)
{
	static char buf[1 << 16], back[1 << 16];
	struct gdb_sbuf sb;

	sb_init(&sb, buf, sizeof(buf));
	sb_put_rle(&sb, text, n);
	assert_false(sb.overflow);
	assert_null(memchr(buf, '#', sb.len));
	assert_null(memchr(buf, '$', sb.len));
	assert_int_equal(expand(buf, sb.len, back), n);
	assert_memory_equal(back, text, n);
	*encoded = sb.len;
}

static void test_every_run_length_comes_back(void **state)
{
	char text[400];
	size_t enc;

	(void)state;
	for (size_t run = 1; run < 300; run++) {
		memset(text, '0', run);
		memcpy(text + run, "1a", 2);
		memset(text + run + 2, 'f', run % 9);
		roundtrip(text, run + 2 + run % 9, &enc);
	}
}

static void test_a_zeroed_page_shrinks_and_other_text_does_not_grow(void **state)
{
	static char page[8192];
	const char *mixed = "0123456789abcdef00112233aabbccdd";
	size_t enc;

	(void)state;
	memset(page, '0', sizeof(page));
	roundtrip(page, sizeof(page), &enc);
	assert_true(enc < sizeof(page) / 30);
	roundtrip(mixed, strlen(mixed), &enc);
	assert_int_equal(enc, strlen(mixed)); /* runs of three or less stay as they are */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_run_length_comes_back),
		cmocka_unit_test(test_a_zeroed_page_shrinks_and_other_text_does_not_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
