/*
 * test_gdb_framing.c: the byte-level protocol: packets, checksums, acks, ^C, no-ack mode.
 */
#include <stdio.h>
#include <string.h>

#include "test_gdb_fake.h"

static void test_good_packet_is_acked_and_answered(void **state)
{
	(void)state;
	feed_str("$?#3f");
	assert_memory_equal(fake.out, "+$T05thread:1;", 14);
}

static void test_checksum_hex_is_case_insensitive(void **state)
{
	(void)state;
	/* "qC" sums to 0xb4 */
	feed_str("$qC#B4");
	assert_string_equal(out_parse()->pkt[0], "QC1");
	out_clear();
	feed_str("$qC#b4");
	assert_string_equal(out_parse()->pkt[0], "QC1");
}

static void test_bad_checksum_is_naked_and_ignored(void **state)
{
	(void)state;
	feed_str("$g#00");
	assert_int_equal(fake.out_len, 1);
	assert_int_equal(fake.out[0], '-');
	/* gdb sends it again, correctly */
	assert_string_equal(transact("qC"), "QC1");
}

static void test_non_hex_checksum_is_naked(void **state)
{
	(void)state;
	feed_str("$qC#zz");
	assert_int_equal(fake.out_len, 1);
	assert_int_equal(fake.out[0], '-');
	out_clear();
	feed_str("$qC#bq");
	assert_int_equal(fake.out_len, 1);
	assert_int_equal(fake.out[0], '-');
}

static void test_missing_hash_then_new_packet(void **state)
{
	(void)state;
	/* A '$' inside a packet starts over: the cut-short "$m1000" is dropped silently. */
	feed_str("$m1000");
	assert_int_equal(fake.out_len, 0);
	assert_string_equal(transact("qC"), "QC1");
}

static void test_dollar_in_checksum_restarts(void **state)
{
	(void)state;
	feed_str("$qC#b");
	out_clear();
	send_packet("qC");
	/* the half checksum is NAKed, the new packet answered */
	assert_memory_equal(fake.out, "-+$QC1#", 7);
}

static void test_overlong_packet_is_discarded_and_naked(void **state)
{
	static char big[GDB_PACKET_MAX + 100];
	(void)state;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	send_packet(big);
	assert_int_equal(fake.out_len, 1);
	assert_int_equal(fake.out[0], '-');
	/* still in step afterwards */
	assert_string_equal(transact("qC"), "QC1");
}

static void test_packet_of_exactly_max_size(void **state)
{
	static char pkt[GDB_PACKET_MAX + 1];
	size_t hdr;
	(void)state;

	/* M with as much data as fits: 0x10000,1ffa: then 2*0x1ffa hex digits */
	hdr = (size_t)sprintf(pkt, "M10000,%zx:", (size_t)(GDB_PACKET_MAX - 12) / 2);
	assert_int_equal(hdr, 12);
	memset(pkt + hdr, '7', GDB_PACKET_MAX - hdr);
	pkt[GDB_PACKET_MAX] = '\0';
	assert_int_equal(strlen(pkt), GDB_PACKET_MAX);
	assert_true((GDB_PACKET_MAX - hdr) % 2 == 0);
	assert_string_equal(transact(pkt), "OK");
	assert_int_equal(fake.mem[0], 0x77);
	assert_int_equal(fake.mem[(GDB_PACKET_MAX - hdr) / 2 - 1], 0x77);
}

static void test_garbage_between_packets_is_ignored(void **state)
{
	static const uint8_t junk[] = {0x00, 0xff, 'x', '#', '4', '2', 0x80, '\r', '\n', '}'};
	(void)state;

	feed_bytes(junk, sizeof(junk));
	assert_int_equal(fake.out_len, 0);
	assert_string_equal(transact("qC"), "QC1");
}

static void test_binary_bytes_inside_payload(void **state)
{
	static const uint8_t pkt[] = {'q', 0x00, 0xff, 0x80, 0x03, '}'};
	size_t n;
	(void)state;

	/* an unknown packet full of binary: acked, answered empty */
	assert_string_equal(transact_n(pkt, sizeof(pkt), &n), "");
	assert_int_equal(n, 0);
}

static void test_empty_packet(void **state)
{
	(void)state;
	feed_str("$#00");
	assert_memory_equal(fake.out, "+$#00", 5);
}

static void test_interrupt_byte_while_halted_is_ignored(void **state)
{
	(void)state;
	feed_str("\x03");
	assert_int_equal(fake.interrupts, 0);
	assert_int_equal(fake.out_len, 0);
	assert_int_equal(gdb_state(), GDB_STATE_HALTED);
}

static void test_interrupt_byte_while_running(void **state)
{
	struct gdb_stop stop = {.reason = GDB_STOP_SIGNAL, .tid = 2, .signal = GDB_SIGINT};
	(void)state;

	send_packet("c");
	assert_int_equal(gdb_state(), GDB_STATE_RUNNING);
	assert_int_equal(gdb_feed_byte(0x03), GDB_STATE_RUNNING);
	assert_int_equal(fake.interrupts, 1);
	out_clear();
	assert_int_equal(gdb_report_stop(&stop), GDB_STATE_HALTED);
	assert_string_equal(out_parse()->pkt[0], "T02thread:2;"
						 "6:0610000002000000;7:0070010000000000;"
						 "10:0201010000000000;");
}

static void test_interrupt_byte_inside_packet_is_data(void **state)
{
	/* X with one data byte '#' escaped as "}\x03": 0x03 here is data, not ^C */
	static const char pkt[] = "X10000,1:}\x03";
	(void)state;

	assert_string_equal(transact_n(pkt, sizeof(pkt) - 1, NULL), "OK");
	assert_int_equal(fake.mem[0], '#');
	assert_int_equal(fake.interrupts, 0);
}

static void test_nak_retransmits_last_reply(void **state)
{
	(void)state;
	assert_string_equal(transact("qC"), "QC1");
	out_clear();
	feed_str("-");
	assert_memory_equal(fake.out, "$QC1#", 5);
	assert_int_equal(out_parse()->count, 1);
	out_clear();
	feed_str("+"); /* a plain ack changes nothing */
	assert_int_equal(fake.out_len, 0);
}

static void test_no_ack_mode(void **state)
{
	(void)state;
	assert_string_equal(transact("QStartNoAckMode"), "OK");
	out_clear();
	feed_str("+"); /* gdb's last ack */
	assert_int_equal(fake.out_len, 0);
	assert_string_equal(transact_noack("qC"), "QC1");
	/* a bad checksum is dropped without a NAK */
	out_clear();
	feed_str("$qC#00");
	assert_int_equal(fake.out_len, 0);
	/* '-' means nothing now */
	feed_str("-");
	assert_int_equal(fake.out_len, 0);
	assert_string_equal(transact_noack("?"), FAKE_T05_THREAD1);
}

static void test_no_ack_mode_without_final_ack(void **state)
{
	(void)state;
	assert_string_equal(transact("QStartNoAckMode"), "OK");
	assert_string_equal(transact_noack("qC"), "QC1");
}

static void test_new_connection_returns_to_ack_mode(void **state)
{
	(void)state;
	assert_string_equal(transact("QStartNoAckMode"), "OK");
	feed_str("+");
	assert_string_equal(transact_noack("qC"), "QC1");
	/* a new gdb connects and starts with '+' */
	out_clear();
	feed_str("+");
	assert_string_equal(transact("qC"), "QC1");
}

static void test_detach_returns_to_ack_mode(void **state)
{
	(void)state;
	assert_string_equal(transact("QStartNoAckMode"), "OK");
	feed_str("+");
	assert_string_equal(transact_noack("D"), "OK");
	assert_int_equal(gdb_state(), GDB_STATE_DETACHED);
}

static void test_whole_buffer_with_several_packets(void **state)
{
	char buf[64];
	const struct out_summary *s;
	(void)state;

	frame_packet(buf, "qC", 2);
	frame_packet(buf + 6, "?", 1);
	feed_bytes(buf, 11);
	s = out_parse();
	assert_int_equal(s->acks, 2);
	assert_int_equal(s->count, 2);
	assert_string_equal(s->pkt[0], "QC1");
	assert_string_equal(s->pkt[1], FAKE_T05_THREAD1);
}

static void test_byte_by_byte(void **state)
{
	char buf[16];
	(void)state;

	frame_packet(buf, "qC", 2);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(fake.out_len, 0); /* nothing until the last checksum digit */
		gdb_feed_byte((uint8_t)buf[i]);
	}
	assert_string_equal(out_parse()->pkt[0], "QC1");
}

static void test_checksum_over_high_bytes(void **state)
{
	static const uint8_t pkt[] = {'v', 0xfe, 0xfe, 0xfe};
	(void)state;

	assert_string_equal(transact_n(pkt, sizeof(pkt), NULL), "");
}

static void test_feed_empty_buffer(void **state)
{
	(void)state;
	assert_int_equal(gdb_feed(NULL, 0), GDB_STATE_HALTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_packet_is_acked_and_answered, fake_setup),
		cmocka_unit_test_setup(test_checksum_hex_is_case_insensitive, fake_setup),
		cmocka_unit_test_setup(test_bad_checksum_is_naked_and_ignored, fake_setup),
		cmocka_unit_test_setup(test_non_hex_checksum_is_naked, fake_setup),
		cmocka_unit_test_setup(test_missing_hash_then_new_packet, fake_setup),
		cmocka_unit_test_setup(test_dollar_in_checksum_restarts, fake_setup),
		cmocka_unit_test_setup(test_overlong_packet_is_discarded_and_naked, fake_setup),
		cmocka_unit_test_setup(test_packet_of_exactly_max_size, fake_setup),
		cmocka_unit_test_setup(test_garbage_between_packets_is_ignored, fake_setup),
		cmocka_unit_test_setup(test_binary_bytes_inside_payload, fake_setup),
		cmocka_unit_test_setup(test_empty_packet, fake_setup),
		cmocka_unit_test_setup(test_interrupt_byte_while_halted_is_ignored, fake_setup),
		cmocka_unit_test_setup(test_interrupt_byte_while_running, fake_setup),
		cmocka_unit_test_setup(test_interrupt_byte_inside_packet_is_data, fake_setup),
		cmocka_unit_test_setup(test_nak_retransmits_last_reply, fake_setup),
		cmocka_unit_test_setup(test_no_ack_mode, fake_setup),
		cmocka_unit_test_setup(test_no_ack_mode_without_final_ack, fake_setup),
		cmocka_unit_test_setup(test_new_connection_returns_to_ack_mode, fake_setup),
		cmocka_unit_test_setup(test_detach_returns_to_ack_mode, fake_setup),
		cmocka_unit_test_setup(test_whole_buffer_with_several_packets, fake_setup),
		cmocka_unit_test_setup(test_byte_by_byte, fake_setup),
		cmocka_unit_test_setup(test_checksum_over_high_bytes, fake_setup),
		cmocka_unit_test_setup(test_feed_empty_buffer, fake_setup),
	};
	return cmocka_run_group_tests_name("gdb framing", tests, NULL, NULL);
}
