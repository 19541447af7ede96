/*
 * kernel/irq.h: interrupt controllers and the trap dispatcher's hooks.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*irq_handler)(void);

/* Builds the interrupt table and loads it on this CPU; idt_load() loads it on each other CPU. */
void idt_init(void);
void idt_load(void);
/* This CPU's local APIC; the boot CPU's first (it measures the timer's rate for all). */
void apic_init(void);
void apic_eoi(void);
/* Fires VEC_TIMER at (or soon after) clock_ns() == deadline_ns. */
void apic_timer_arm(uint64_t deadline_ns);
/* Routes ISA/GSI line gsi to handler, edge-triggered, at vector VEC_IRQ_BASE + gsi. */
void irq_attach(unsigned gsi, irq_handler handler);
/* The same at a chosen vector (its priority class decides what the task priority lets in). */
void irq_attach_at(unsigned gsi, unsigned vector, irq_handler handler);
/* Sends line gsi's interrupts to the local APIC apic_id from now on. */
void irq_route(unsigned gsi, uint32_t apic_id);
/* Sets the handler of a vector that no controller routes (IPIs). */
void irq_attach_vector(unsigned vector, irq_handler handler);
/* True once the local APIC delivers interrupts (after apic_init()). */
bool apic_ready(void);
/* Sets this CPU's task priority: interrupts of a vector class at or below tpr >> 4 wait. */
void apic_set_priority(uint8_t tpr);

#endif
