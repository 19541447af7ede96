/*
 * arch/x86_64/debugregs.c: see debugregs.h. DR7 holds, per slot n, the local enable bit 2n and
 * four bits at 16 + 4n: R/W (the condition) then LEN (00 one byte, 01 two, 11 four, 10 eight).
 */
#include "arch/x86_64/debugregs.h"

#define DR7_LE (1ull << 8) /* exact breakpoints, as the SDM recommends */

static struct {
	uint64_t addr;
	uint64_t control; /* this slot's DR7 bits, 0 when free */
} slots[DR_SLOTS];

static unsigned len_bits(unsigned len)
{
	switch (len) {
	case 1: return 0;
	case 2: return 1;
	case 8: return 2;
	default: return 3; /* 4 */
	}
}

bool debugregs_set(unsigned slot, uint64_t addr, enum dr_kind kind, unsigned len)
{
	if (slot >= DR_SLOTS || (len != 1 && len != 2 && len != 4 && len != 8) || addr % len ||
	    (kind == DR_EXEC && len != 1))
		return false;
	slots[slot].addr = addr;
	slots[slot].control = (1ull << (2 * slot)) |
			      ((uint64_t)(kind | len_bits(len) << 2) << (16 + 4 * slot));
	return true;
}

void debugregs_clear(unsigned slot)
{
	if (slot < DR_SLOTS)
		slots[slot].control = 0;
}

void debugregs_load(void)
{
	uint64_t dr7 = 0;

	/* Disable first, so no half-written slot can fire. */
	__asm__ volatile("mov %0, %%dr7" : : "r"(dr7));
	__asm__ volatile("mov %0, %%dr0" : : "r"(slots[0].addr));
	__asm__ volatile("mov %0, %%dr1" : : "r"(slots[1].addr));
	__asm__ volatile("mov %0, %%dr2" : : "r"(slots[2].addr));
	__asm__ volatile("mov %0, %%dr3" : : "r"(slots[3].addr));
	for (unsigned i = 0; i < DR_SLOTS; i++)
		dr7 |= slots[i].control;
	if (dr7)
		dr7 |= DR7_LE;
	__asm__ volatile("mov %0, %%dr7" : : "r"(dr7));
}

void debugregs_disable(void)
{
	__asm__ volatile("mov %0, %%dr7" : : "r"(0ull));
}

uint64_t debugregs_take_status(void)
{
	uint64_t dr6, clear = 0xffff0ff0ull; /* DR6's reserved bits read as one */

	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	__asm__ volatile("mov %0, %%dr6" : : "r"(clear));
	return dr6;
}
