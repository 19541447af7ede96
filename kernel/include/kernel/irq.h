/*
 * kernel/irq.h: interrupt controllers and the trap dispatcher's hooks.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdint.h>

typedef void (*irq_handler)(void);

void idt_init(void);
void apic_init(void);
void apic_eoi(void);
/* Fires VEC_TIMER at (or soon after) clock_ns() == deadline_ns. */
void apic_timer_arm(uint64_t deadline_ns);
/* Routes ISA/GSI line gsi to handler, edge-triggered. */
void irq_attach(unsigned gsi, irq_handler handler);

#endif
