/*
 * Host unit tests of kernel/debug/breakpoints.c, the gdb stub's breakpoint table: int3s saved,
 * planted, hidden from memory reads and kept across memory writes; the four debug-register slots
 * with their stop reasons. "Text" is a buffer here, the debug registers a fake table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/debugregs.h"
#include "debug/debug_internal.h"
#include "kernel_host.h"

static uint8_t text[256];
static uint64_t dr_addr[DR_SLOTS];
static bool dr_on[DR_SLOTS];
static uint64_t base(void) { return (uint64_t)(uintptr_t)text; }

bool debug_readable(uint64_t a, size_t n) { return a >= base() && a + n <= base() + sizeof(text); }

bool debug_write_chunk(uint64_t a, const void *src, size_t n)
{
	if (!debug_readable(a, n))
		return false;
	memcpy((void *)(uintptr_t)a, src, n);
	return true;
}

bool debugregs_set(unsigned slot, uint64_t addr, enum dr_kind kind, unsigned len)
{
	(void)kind;
	if ((len != 1 && len != 2 && len != 4 && len != 8) || addr % len)
		return false;
	dr_addr[slot] = addr;
	dr_on[slot] = true;
	return true;
}

void debugregs_clear(unsigned slot) { dr_on[slot] = false; }
void gdb_console_puts(const char *line) { (void)line; }

static int reset(void **state)
{
	(void)state;
	bp_plant_all(false);
	bp_remove_all();
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)i;
	return 0;
}

static void test_int3s_are_planted_hidden_and_kept_across_writes(void **state)
{
	uint8_t buf[8], new_bytes[4] = { 0xaa, 0xbb, 0xcc, 0xdd };

	(void)state;
	assert_int_equal(bp_insert(GDB_BP_SOFTWARE, base() + 10, 1), 0);
	assert_int_equal(bp_insert(GDB_BP_SOFTWARE, base() + 10, 1), 0); /* again: one entry */
	assert_int_equal(text[10], 10);                   /* not planted while stopped */
	bp_plant_all(true);
	assert_int_equal(text[10], INT3);
	assert_true(bp_is_int3_at(base() + 10));
	memcpy(buf, text + 8, sizeof(buf));
	bp_hide(base() + 8, buf, sizeof(buf));           /* gdb reads memory: sees the old byte */
	assert_int_equal(buf[2], 10);
	memcpy(text + 9, new_bytes, sizeof(new_bytes)); /* gdb writes over the breakpoint */
	bp_written(base() + 9, new_bytes, sizeof(new_bytes));
	assert_int_equal(text[10], INT3);                 /* still planted, the new byte saved */
	assert_int_equal(bp_remove(GDB_BP_SOFTWARE, base() + 10, 1), 0);
	assert_int_equal(text[10], 0xbb);
	assert_false(bp_is_int3_at(base() + 10));
}

static void test_software_table_limits(void **state)
{
	(void)state;
	assert_int_equal(bp_insert(GDB_BP_SOFTWARE, base() + sizeof(text), 1), GDB_EFAULT);
	for (int i = 0; i < 64; i++)
		assert_int_equal(bp_insert(GDB_BP_SOFTWARE, base() + (uint64_t)i, 1), 0);
	assert_int_equal(bp_insert(GDB_BP_SOFTWARE, base() + 100, 1), GDB_ENOSPC);
	bp_plant_all(true);
	bp_remove_all();
	assert_int_equal(text[5], 5); /* every byte restored */
}

static void test_debug_register_slots_and_stop_reasons(void **state)
{
	struct trap_frame f = { 0 };
	struct gdb_stop stop;

	(void)state;
	assert_int_equal(bp_insert(GDB_WATCH_WRITE, base() + 8, 8), 0);
	assert_int_equal(bp_insert(GDB_WATCH_READ, base() + 16, 4), 0);
	assert_int_equal(bp_insert(GDB_BP_HARDWARE, base() + 3, 1), 0);
	assert_int_equal(bp_insert(GDB_WATCH_ACCESS, base() + 3, 3), GDB_EINVAL); /* no such length */
	assert_int_equal(bp_insert(GDB_WATCH_ACCESS, base() + 32, 2), 0);
	assert_int_equal(bp_insert(GDB_WATCH_WRITE, base() + 8, 8), 0); /* the same: no new slot */
	assert_int_equal(bp_insert(GDB_WATCH_WRITE, base() + 64, 8), GDB_EBUSY);
	for (unsigned slot = 0; slot < DR_SLOTS; slot++)
		assert_true(dr_on[slot]);

	assert_true(bp_watch_hit(0, &f, &stop));
	assert_int_equal(stop.reason, GDB_STOP_WATCH);
	assert_int_equal(stop.addr, base() + 8);
	assert_true(bp_watch_hit(1, &f, &stop)); /* a read: the value did not change */
	assert_int_equal(stop.reason, GDB_STOP_RWATCH);
	text[16] ^= 1;                           /* a write the read watch also sees: not reported */
	assert_false(bp_watch_hit(1, &f, &stop));
	assert_true(bp_watch_hit(2, &f, &stop));
	assert_int_equal(stop.reason, GDB_STOP_HWBREAK);
	assert_true(f.rflags & RFLAGS_RF);
	assert_true(bp_watch_hit(3, &f, &stop));
	assert_int_equal(stop.reason, GDB_STOP_AWATCH);
	EXPECT_PANIC(bp_watch_hit(DR_SLOTS, &f, &stop));

	assert_int_equal(bp_remove(GDB_WATCH_WRITE, base() + 8, 8), 0);
	assert_false(dr_on[0]);
	assert_false(bp_watch_hit(0, &f, &stop));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_int3s_are_planted_hidden_and_kept_across_writes, reset),
		cmocka_unit_test_setup(test_software_table_limits, reset),
		cmocka_unit_test_setup(test_debug_register_slots_and_stop_reasons, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
