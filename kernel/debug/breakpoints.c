/*
 * debug/breakpoints.c: gdb's breakpoints and watchpoints. Software breakpoints are int3 bytes
 * planted in the code, hardware ones and watchpoints take the debug registers (DR0-DR3).
 *
 * The int3s are in memory only while tasks run: the stub lifts them whenever it runs itself
 * (bp_plant_all), so a breakpoint in a function the stub uses too (memcpy, the UART's) cannot
 * fire inside the stub, and reads through the stub show the original bytes (bp_hide). Called only
 * from the stub context (the engine's hooks and the traps), under the stub's lock.
 */
#include <string.h>

#include "arch/x86_64/debugregs.h"
#include "debug/debug_internal.h"
#include "hermit/abi.h"
#include "kernel/panic.h"
#include "lib/format.h"

struct hwbp {
	enum gdb_bp_type type;
	uint64_t addr, len;
	uint64_t snapshot; /* read watchpoints: the bytes as last seen, to tell reads from writes */
	bool used;
};

#define SWBP_MAX HERMIT_DEBUG_BREAKS_MAX

/* In hermit/abi.h's layout: the proxy reads it to hide the int3s as bp_hide does. */
static struct hermit_debug_breaks table = { .count = SWBP_MAX };
static struct hermit_debug_break *const swbp = table.bp;
static struct hwbp hwbp[DR_SLOTS];

const struct hermit_debug_breaks *bp_table(void) { return &table; }

static struct hermit_debug_break *swbp_find(uint64_t addr)
{
	for (int i = 0; i < SWBP_MAX; i++)
		if (swbp[i].used && swbp[i].addr == addr)
			return &swbp[i];
	return NULL;
}

bool bp_is_int3_at(uint64_t addr) { return swbp_find(addr) != NULL; }

void bp_plant_all(bool plant)
{
	uint8_t int3 = INT3;

	if (table.planted == plant)
		return;
	for (int i = 0; i < SWBP_MAX; i++)
		if (swbp[i].used)
			debug_write_chunk(swbp[i].addr, plant ? &int3 : &swbp[i].saved, 1);
	table.planted = plant;
}

static int swbp_insert(uint64_t addr)
{
	uint8_t int3 = INT3;
	struct hermit_debug_break *b = NULL;

	if (swbp_find(addr))
		return 0;
	for (int i = 0; i < SWBP_MAX && !b; i++)
		if (!swbp[i].used)
			b = &swbp[i];
	if (!b)
		return GDB_ENOSPC;
	if (!debug_readable(addr, 1))
		return GDB_EFAULT;
	b->saved = *(const uint8_t *)addr;
	/* Writing the byte back proves the address writable; the int3 goes in when tasks run. */
	if (!debug_write_chunk(addr, table.planted ? &int3 : &b->saved, 1))
		return GDB_EFAULT;
	b->addr = addr;
	b->used = 1;
	return 0;
}

static void swbp_remove(struct hermit_debug_break *b)
{
	if (table.planted)
		debug_write_chunk(b->addr, &b->saved, 1);
	b->used = 0;
}

static uint64_t snapshot(uint64_t addr, uint64_t len)
{
	uint64_t v = 0;
	if (debug_readable(addr, len))
		memcpy(&v, (const void *)addr, len);
	return v;
}

static int hwbp_insert(enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	static const enum dr_kind kinds[] = {
		[GDB_BP_HARDWARE] = DR_EXEC, [GDB_WATCH_WRITE] = DR_WRITE,
		[GDB_WATCH_READ] = DR_ACCESS, /* x86 cannot watch reads alone: writes are filtered */
		[GDB_WATCH_ACCESS] = DR_ACCESS,
	};
	int free_slot = -1;

	if (type == GDB_BP_HARDWARE)
		len = 1;
	for (int i = DR_SLOTS - 1; i >= 0; i--) {
		struct hwbp *h = &hwbp[i];
		if (h->used && h->type == type && h->addr == addr && h->len == len)
			return 0;
		if (!h->used)
			free_slot = i;
	}
	if (free_slot < 0)
		return GDB_EBUSY;
	if (!debugregs_set((unsigned)free_slot, addr, kinds[type], (unsigned)len))
		return GDB_EINVAL;
	hwbp[free_slot] = (struct hwbp){ type, addr, len, snapshot(addr, len), true };
	return 0;
}

int bp_insert(enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	if (type == GDB_BP_SOFTWARE)
		return swbp_insert(addr);
	return hwbp_insert(type, addr, len);
}

int bp_remove(enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	if (type == GDB_BP_SOFTWARE) {
		struct hermit_debug_break *b = swbp_find(addr);
		if (b)
			swbp_remove(b);
		return 0;
	}
	if (type == GDB_BP_HARDWARE)
		len = 1;
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		struct hwbp *h = &hwbp[i];
		if (h->used && h->type == type && h->addr == addr && h->len == len) {
			h->used = false;
			debugregs_clear(i);
		}
	}
	return 0;
}

void bp_remove_all(void)
{
	for (int i = 0; i < SWBP_MAX; i++)
		if (swbp[i].used)
			swbp_remove(&swbp[i]);
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		hwbp[i].used = false;
		debugregs_clear(i);
	}
}

void bp_hide(uint64_t addr, void *buf, size_t len)
{
	for (int i = 0; i < SWBP_MAX; i++)
		if (swbp[i].used && swbp[i].addr >= addr && swbp[i].addr - addr < len)
			((uint8_t *)buf)[swbp[i].addr - addr] = swbp[i].saved;
}

void bp_written(uint64_t addr, const void *buf, size_t len)
{
	uint8_t int3 = INT3;

	for (int i = 0; i < SWBP_MAX; i++) {
		struct hermit_debug_break *b = &swbp[i];
		if (b->used && b->addr >= addr && b->addr - addr < len) {
			b->saved = ((const uint8_t *)buf)[b->addr - addr];
			if (table.planted)
				debug_write_chunk(b->addr, &int3, 1);
		}
	}
}

void bp_snapshot_reads(void)
{
	for (unsigned i = 0; i < DR_SLOTS; i++)
		if (hwbp[i].used && hwbp[i].type == GDB_WATCH_READ)
			hwbp[i].snapshot = snapshot(hwbp[i].addr, hwbp[i].len);
}

bool bp_watch_hit(unsigned slot, struct trap_frame *f, struct gdb_stop *stop)
{
	uint64_t now;

	KASSERT(slot < DR_SLOTS, "DR6 names debug-register slots 0-3 only");
	struct hwbp *h = &hwbp[slot];
	if (!h->used)
		return false;
	stop->addr = h->addr;
	switch (h->type) {
	case GDB_BP_HARDWARE:
		stop->reason = GDB_STOP_HWBREAK;
		f->rflags |= RFLAGS_RF; /* so the instruction runs when resumed */
		return true;
	case GDB_WATCH_WRITE:
		stop->reason = GDB_STOP_WATCH;
		return true;
	case GDB_WATCH_READ:
		now = snapshot(h->addr, h->len);
		if (now != h->snapshot) { /* x86 watches reads and writes together: a write */
			h->snapshot = now;
			return false;
		}
		stop->reason = GDB_STOP_RWATCH;
		return true;
	default:
		stop->reason = GDB_STOP_AWATCH;
		return true;
	}
}

void debug_print_breakpoints(void)
{
	static const char *const names[] = { "breakpoint", "hw breakpoint", "watch (write)",
					      "watch (read)", "watch (access)" };
	char line[96];
	int n = 0;

	for (int i = 0; i < SWBP_MAX; i++) {
		if (!swbp[i].used)
			continue;
		n++;
		fmt_snprintf(line, sizeof(line), "int3 at 0x%lx (saved byte 0x%02x)\n",
			     (unsigned long)swbp[i].addr, swbp[i].saved);
		gdb_console_puts(line);
	}
	for (unsigned i = 0; i < DR_SLOTS; i++) {
		const struct hwbp *h = &hwbp[i];
		if (!h->used)
			continue;
		n++;
		fmt_snprintf(line, sizeof(line), "DR%u: %s at 0x%lx, %lu bytes\n", i, names[h->type],
			     (unsigned long)h->addr, (unsigned long)h->len);
		gdb_console_puts(line);
	}
	if (!n)
		gdb_console_puts("no breakpoints or watchpoints inserted (gdb inserts them on resume)\n");
}
