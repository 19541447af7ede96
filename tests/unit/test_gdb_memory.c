/*
 * test_gdb_memory.c: m, M, X, x against fake memory with a hole, huge and malformed requests.
 *
 * Fake memory: FAKE_MEM_SIZE bytes at FAKE_MEM_BASE, byte i holding (uint8_t)i, with the page at
 * FAKE_HOLE unmapped.
 */
#include <stdio.h>
#include <string.h>

#include "test_gdb_fake.h"

#define MEM_READ_MAX ((GDB_PACKET_MAX - 1) / 2)

static void test_m_reads(void **state)
{
	(void)state;
	assert_string_equal(transact("m10000,4"), "00010203");
	assert_string_equal(transact("m100fe,4"), "feff0001");
	assert_string_equal(transact("m10000,1"), "00");
	assert_string_equal(transact("M10000,1:41"), "OK");
	assert_string_equal(transact("m010000,01"), "41"); /* leading zeros */
}

static void test_m_stops_at_a_hole(void **state)
{
	(void)state;
	/* two bytes before the hole, then nothing: a short reply */
	assert_string_equal(transact("m12ffe,8"), "feff");
	assert_string_equal(transact("m13000,8"), "E0e");
	assert_string_equal(transact("m13fff,1"), "E0e");
	assert_string_equal(transact("m14000,2"), "0001");
	assert_string_equal(transact("m0,4"), "E0e");
	assert_string_equal(transact("mffffffffffffffff,1"), "E0e");
}

static void test_m_huge_lengths_are_clamped(void **state)
{
	size_t n;
	(void)state;

	/* reads from 0x10000 stop at the hole, 0x3000 bytes later */
	transact_n("m10000,ffffffffffffffff", 23, &n);
	assert_int_equal(n, 2 * MEM_READ_MAX > 2 * 0x3000 ? 2 * 0x3000 : 2 * MEM_READ_MAX);
	transact_n("m14000,100000", 13, &n);
	assert_int_equal(n, 2 * MEM_READ_MAX);
	assert_true(fake.max_read_len <= MEM_READ_MAX);
	/* wrapping past the top of the address space is cut at the top */
	assert_string_equal(transact("mfffffffffffffff0,100"), "E0e");
	assert_true(fake.max_read_len <= MEM_READ_MAX);
}

static void test_m_malformed(void **state)
{
	(void)state;
	assert_string_equal(transact("m"), "E16");
	assert_string_equal(transact("m10000"), "E16");
	assert_string_equal(transact("m10000,"), "E16");
	assert_string_equal(transact("m,4"), "E16");
	assert_string_equal(transact("m10000,4,"), "E16");
	assert_string_equal(transact("m1g000,4"), "E16");
	assert_string_equal(transact("m10000;4"), "E16");
	assert_string_equal(transact("m10000000000000000,4"), "E16"); /* 65 bits */
	assert_string_equal(transact("m10000,-4"), "E16");
	assert_string_equal(transact("m 10000,4"), "E16");
}

static void test_m_zero_length(void **state)
{
	(void)state;
	assert_string_equal(transact("m10000,0"), "");
	assert_int_equal(fake.max_read_len, 0);
}

static void test_M_writes(void **state)
{
	(void)state;
	assert_string_equal(transact("M10010,4:deadBEEF"), "OK");
	assert_memory_equal(fake.mem + 0x10, "\xde\xad\xbe\xef", 4);
	assert_string_equal(transact("m10010,4"), "deadbeef");
	assert_string_equal(transact("M10010,0:"), "OK");
}

static void test_M_errors(void **state)
{
	(void)state;
	assert_string_equal(transact("M10010,4:dead"), "E16");       /* short */
	assert_string_equal(transact("M10010,1:dead"), "E16");       /* long */
	assert_string_equal(transact("M10010,2:de-d"), "E16");
	assert_string_equal(transact("M10010,2dead"), "E16");
	assert_string_equal(transact("M10010,ffffffffffffffff:00"), "E16");
	assert_string_equal(transact("M12fff,2:0102"), "E0e");       /* runs into the hole */
	assert_string_equal(transact("Mffffffffffffffff,2:0102"), "E0e"); /* wraps */
	assert_int_equal(fake.mem[0x2fff], 0xff);
}

static void test_X_binary_write_with_escapes(void **state)
{
	/* data: 0x23 '#', 0x24 '$', 0x7d '}', 0x2a '*', 0x00, 0xff; each special one escaped */
	static const char pkt[] = "X10020,6:}\x03}\x04}\x5d}\x0a\x00\xff";
	(void)state;

	assert_string_equal(transact_n(pkt, sizeof(pkt) - 1, NULL), "OK");
	assert_memory_equal(fake.mem + 0x20, "#$}*\x00\xff", 6);
}

static void test_X_probe_and_errors(void **state)
{
	static const char bad_escape[] = "X10020,1:}";
	static const char too_long[] = "X10020,1:ab";
	(void)state;

	assert_string_equal(transact("X10000,0:"), "OK");
	assert_string_equal(transact_n(bad_escape, sizeof(bad_escape) - 1, NULL), "E16");
	assert_string_equal(transact_n(too_long, sizeof(too_long) - 1, NULL), "E16");
	assert_string_equal(transact("X10020,2:a"), "E16");
	assert_string_equal(transact("X13000,1:a"), "E0e");
	assert_string_equal(transact("X10020,1"), "E16");
}

static void test_x_binary_read(void **state)
{
	const char *r;
	size_t n;
	(void)state;

	memcpy(fake.mem + 0x30, "ab#$}*\x00\xff", 8);
	r = transact_n("x10030,8", 8, &n);
	assert_int_equal(n, 1 + 8 + 4);
	assert_memory_equal(r, "bab}\x03}\x04}\x5d}\x0a\x00\xff", n);
	assert_string_equal(transact("x13000,4"), "E0e");
	assert_string_equal(transact("x12fff,4"), "b\xff");
	assert_string_equal(transact("x10000,0"), "b");
	assert_string_equal(transact("x10000"), "E16");
}

static void test_x_huge_all_escaped(void **state)
{
	const char *r;
	size_t n;
	(void)state;

	/* the worst case: every byte needs an escape */
	memset(fake.mem, '}', 0x3000);
	r = transact_n("x10000,ffffffff", 15, &n);
	assert_int_equal(r[0], 'b');
	assert_true(n <= GDB_PACKET_MAX);
	assert_int_equal((n - 1) % 2, 0);
	assert_true((n - 1) / 2 >= MEM_READ_MAX - 1);
}

static void test_no_write_hook(void **state)
{
	struct gdb_stop stop = {.reason = GDB_STOP_SIGNAL, .tid = 1, .signal = GDB_SIGTRAP};
	(void)state;

	fake_reset();
	fake_ops.write_mem = NULL;
	fake_init();
	gdb_report_stop(&stop);
	assert_string_equal(transact("M10010,1:00"), "");
	assert_string_equal(transact("X10010,0:"), "");
	assert_string_equal(transact("m10010,1"), "10");
}

/* A read hook that claims more bytes than asked for is not believed. */
static int lying_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	(void)addr;
	memset(buf, 0, len);
	return (int)len + 1;
}

static void test_hook_outside_contract(void **state)
{
	struct gdb_stop stop = {.reason = GDB_STOP_SIGNAL, .tid = 1, .signal = GDB_SIGTRAP};
	(void)state;

	fake_reset();
	fake_ops.read_mem = lying_read;
	fake_init();
	gdb_report_stop(&stop);
	assert_string_equal(transact("m10000,4"), "E05");
	assert_string_equal(transact("x10000,4"), "E05");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_m_reads, fake_setup),
		cmocka_unit_test_setup(test_m_stops_at_a_hole, fake_setup),
		cmocka_unit_test_setup(test_m_huge_lengths_are_clamped, fake_setup),
		cmocka_unit_test_setup(test_m_malformed, fake_setup),
		cmocka_unit_test_setup(test_m_zero_length, fake_setup),
		cmocka_unit_test_setup(test_M_writes, fake_setup),
		cmocka_unit_test_setup(test_M_errors, fake_setup),
		cmocka_unit_test_setup(test_X_binary_write_with_escapes, fake_setup),
		cmocka_unit_test_setup(test_X_probe_and_errors, fake_setup),
		cmocka_unit_test_setup(test_x_binary_read, fake_setup),
		cmocka_unit_test_setup(test_x_huge_all_escaped, fake_setup),
		cmocka_unit_test_setup(test_no_write_hook, fake_setup),
		cmocka_unit_test_setup(test_hook_outside_contract, fake_setup),
	};
	return cmocka_run_group_tests_name("gdb memory", tests, NULL, NULL);
}
