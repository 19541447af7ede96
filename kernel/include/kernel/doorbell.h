/*
 * kernel/doorbell.h: the isle's doorbell to the host, the transport under hcall.c: one ring per
 * request (the ringing CPU's number), one answer back. The QEMU isle's doorbell is the second
 * 16550 (arch/x86_64/doorbell.c); another isle brings its own.
 */
#ifndef KERNEL_DOORBELL_H
#define KERNEL_DOORBELL_H

void doorbell_init(void);
/* From here on each answer calls on_answer, from the doorbell's interrupt. */
void doorbell_enable_irq(void (*on_answer)(void));
/* The port write orders the slot and request stores before it: the host sees them first. */
void doorbell_ring(unsigned cpu);
/* Before interrupts are set up: waits for the next answer and takes it. */
void doorbell_wait_answer(void);

#endif
