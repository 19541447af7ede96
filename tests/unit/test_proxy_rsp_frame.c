/* Unit tests of proxy/rsp_frame.c: where the gdb relay finds packets in a byte stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proxy.h"

static struct rsp_frame f;

/* Feeds s; returns the last event that was not NONE and counts the packets seen. */
static enum rsp_frame_event feed(const char *s, size_t n, int *packets)
{
	enum rsp_frame_event last = RSP_FRAME_NONE, ev;

	for (size_t i = 0; i < n; i++) {
		ev = rsp_frame_byte(&f, (uint8_t)s[i]);
		if (ev == RSP_FRAME_PACKET && packets)
			(*packets)++;
		if (ev != RSP_FRAME_NONE)
			last = ev;
	}
	return last;
}

static void test_packets_acks_and_interrupts(void **state)
{
	int n = 0;

	(void)state;
	rsp_frame_reset(&f);
	assert_int_equal(feed("$g#67", 5, &n), RSP_FRAME_PACKET);
	assert_int_equal(f.len, 1);
	assert_memory_equal(f.payload, "g", 1);
	assert_int_equal(feed("+", 1, NULL), RSP_FRAME_ACK);
	assert_int_equal(feed("-", 1, NULL), RSP_FRAME_NAK);
	assert_int_equal(feed("\x03", 1, NULL), RSP_FRAME_INTERRUPT);
	/* A ^C inside a packet is data; two packets back to back. */
	assert_int_equal(feed("$m0,4#fd$?#3f", 13, &n), RSP_FRAME_PACKET);
	assert_int_equal(n, 3);
	assert_memory_equal(f.payload, "?", 1);
	/* Upper-case checksum digits are fine. */
	assert_int_equal(feed("$OK#9A", 6, NULL), RSP_FRAME_PACKET);
}

static void test_bad_checksums_and_cut_packets(void **state)
{
	int n = 0;

	(void)state;
	rsp_frame_reset(&f);
	assert_int_equal(feed("$g#00", 5, &n), RSP_FRAME_BAD);
	assert_int_equal(feed("$g#zz", 5, &n), RSP_FRAME_BAD);
	/* A '$' inside a packet starts over: the cut one is dropped. */
	assert_int_equal(feed("$abc$g#67", 9, &n), RSP_FRAME_PACKET);
	assert_int_equal(n, 1);
	assert_int_equal(f.len, 1);
	/* A '$' where a checksum digit belongs starts the next packet. */
	assert_int_equal(feed("$g#$g#67", 8, &n), RSP_FRAME_PACKET);
}

static void test_overlong_is_bad_and_recovers(void **state)
{
	size_t len = RSP_FRAME_MAX + 100;
	char *big = malloc(len + 5);
	int n = 0;

	(void)state;
	assert_non_null(big);
	rsp_frame_reset(&f);
	big[0] = '$';
	memset(big + 1, 'A', len);
	memcpy(big + 1 + len, "#00", 3);
	assert_int_equal(feed(big, len + 4, &n), RSP_FRAME_BAD);
	assert_int_equal(n, 0);
	assert_int_equal(feed("$g#67", 5, &n), RSP_FRAME_PACKET);
	free(big);
}

static void test_build(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(rsp_frame_build(out, sizeof(out), "OK", 2), 6);
	assert_memory_equal(out, "$OK#9a", 6);
	assert_int_equal(rsp_frame_build(out, sizeof(out), "", 0), 4);
	assert_memory_equal(out, "$#00", 4);
	assert_int_equal(rsp_frame_build(out, 5, "OK", 2), 0); /* does not fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packets_acks_and_interrupts),
		cmocka_unit_test(test_bad_checksums_and_cut_packets),
		cmocka_unit_test(test_overlong_is_bad_and_recovers),
		cmocka_unit_test(test_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
