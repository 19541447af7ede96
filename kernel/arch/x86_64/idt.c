/*
 * arch/x86_64/idt.c: one interrupt gate per vector, all pointing at entry.S's stubs. Gates are
 * interrupt gates (interrupts off inside handlers) on an IST stack (see entry.S for why).
 */
#include <stdint.h>

#include "arch/x86_64/layout.h"
#include "kernel/irq.h"

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t ist, type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi, reserved;
} __attribute__((packed));

extern const char trap_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(16)));

static uint8_t ist_for_vector(unsigned v)
{
	switch (v) {
	case 2:
		return IST_NMI;
	case 8:
		return IST_DOUBLE_FAULT;
	case 18:
		return IST_MACHINE_CHECK;
	default:
		return IST_TRAP;
	}
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)(trap_stubs + v * TRAP_STUB_SIZE);
		idt[v] = (struct idt_gate){ .offset_lo = a & 0xffff,
					    .selector = KERNEL_CS,
					    .ist = ist_for_vector(v),
					    .type_attr = 0x8e,
					    .offset_mid = (a >> 16) & 0xffff,
					    .offset_hi = a >> 32 };
	}
	idt_load();
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}
