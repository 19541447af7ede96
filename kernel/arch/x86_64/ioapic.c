/*
 * arch/x86_64/ioapic.c: routes ISA/GSI lines to vectors VEC_IRQ_BASE + line on CPU 0 (or the CPU
 * irq_route() names).
 */
#include <stdint.h>

#include "arch/x86_64/layout.h"
#include "kernel/irq.h"

static void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(uintptr_t)(IOAPIC_BASE + 0x10) = v;
}

void irq_attach(unsigned gsi, irq_handler handler) { irq_attach_at(gsi, VEC_IRQ_BASE + gsi, handler); }

void irq_attach_at(unsigned gsi, unsigned vector, irq_handler handler)
{
	irq_attach_vector(vector, handler);
	ioapic_write(0x11 + 2 * gsi, 0);      /* destination: APIC id 0 */
	ioapic_write(0x10 + 2 * gsi, vector); /* fixed, physical, edge, active high, unmasked */
}

void irq_route(unsigned gsi, uint32_t apic_id) { ioapic_write(0x11 + 2 * gsi, apic_id << 24); }
