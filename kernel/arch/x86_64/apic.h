/*
 * arch/x86_64/apic.h: what the x86 parts of the kernel need of the local APIC beyond irq.h: its
 * id and inter-processor interrupts.
 */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include <stdint.h>

/* This CPU's local APIC id. */
uint32_t apic_id(void);
/* INIT, then the start-up IPI whose vector makes the target start at vector << 12 in real mode. */
void apic_send_init(uint32_t dest_apic_id);
void apic_send_startup(uint32_t dest_apic_id, uint8_t vector);
/* A fixed interrupt at vector, or an NMI, to the CPU with that APIC id. */
void apic_send_fixed(uint32_t dest_apic_id, uint8_t vector);
void apic_send_nmi(uint32_t dest_apic_id);

#endif
