/* Unit tests of gdbstub/rsp_framing.c as an object: the framer the stub and the proxy's relay share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rsp_framing.h"

#define CAP 0x4100

static char buf[CAP];
static struct rsp_framer f;

/* Feeds s; returns the last event that was not NONE and counts the packets seen. */
static enum rsp_frame_event feed(const char *s, size_t n, int *packets)
{
	enum rsp_frame_event last = RSP_FRAME_NONE, ev;

	for (size_t i = 0; i < n; i++) {
		ev = rsp_framer_byte(&f, (uint8_t)s[i]);
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
	rsp_framer_init(&f, buf, sizeof(buf));
	assert_int_equal(feed("$g#67", 5, &n), RSP_FRAME_PACKET);
	assert_int_equal(f.len, 1);
	assert_memory_equal(buf, "g", 1);
	assert_int_equal(feed("+", 1, NULL), RSP_FRAME_ACK);
	assert_int_equal(feed("-", 1, NULL), RSP_FRAME_NAK);
	assert_int_equal(feed("\x03", 1, NULL), RSP_FRAME_INTERRUPT);
	/* A ^C inside a packet is data; two packets back to back. */
	assert_int_equal(feed("$m0,4#fd$?#3f", 13, &n), RSP_FRAME_PACKET);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "?", 1);
	/* Upper-case checksum digits are fine. */
	assert_int_equal(feed("$OK#9A", 6, NULL), RSP_FRAME_PACKET);
}

static void test_bad_checksums_and_cut_packets(void **state)
{
	int n = 0;

	(void)state;
	rsp_framer_init(&f, buf, sizeof(buf));
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
	size_t len = CAP + 100;
	char *big = malloc(len + 5);
	int n = 0;

	(void)state;
	assert_non_null(big);
	rsp_framer_init(&f, buf, sizeof(buf));
	big[0] = '$';
	memset(big + 1, 'A', len);
	memcpy(big + 1 + len, "#00", 3);
	assert_int_equal(feed(big, len + 4, &n), RSP_FRAME_BAD);
	assert_int_equal(n, 0);
	assert_int_equal(feed("$g#67", 5, &n), RSP_FRAME_PACKET);
	free(big);
}

/* "$payload#cs" framed in place, the payload already at buf + 1. */
static size_t wrap(char *out, const char *payload, size_t len)
{
	memcpy(out + 1, payload, len);
	return rsp_frame_wrap(out, len);
}

static void test_wrap(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(wrap(out, "OK", 2), 6);
	assert_memory_equal(out, "$OK#9a", 6);
	assert_int_equal(wrap(out, "", 0), 4);
	assert_memory_equal(out, "$#00", 4);
}

static void test_two_framers_keep_their_own_state(void **state)
{
	char buf2[8];
	struct rsp_framer g;

	(void)state;
	rsp_framer_init(&f, buf, sizeof(buf));
	rsp_framer_init(&g, buf2, sizeof(buf2));
	assert_int_equal(feed("$qC", 3, NULL), RSP_FRAME_NONE);
	assert_int_equal(rsp_framer_byte(&g, '+'), RSP_FRAME_ACK); /* g is between packets */
	assert_int_equal(feed("#b4", 3, NULL), RSP_FRAME_PACKET);
	assert_memory_equal(buf, "qC", 2);
}

static void test_hex_value(void **state)
{
	(void)state;
	assert_int_equal(rsp_hex_value('0'), 0);
	assert_int_equal(rsp_hex_value('a'), 10);
	assert_int_equal(rsp_hex_value('F'), 15);
	assert_int_equal(rsp_hex_value('g'), -1);
	assert_int_equal(rsp_hex_value('$'), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packets_acks_and_interrupts),
		cmocka_unit_test(test_bad_checksums_and_cut_packets),
		cmocka_unit_test(test_overlong_is_bad_and_recovers),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_two_framers_keep_their_own_state),
		cmocka_unit_test(test_hex_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
