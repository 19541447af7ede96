/*
 * arch/x86_64/doorbell.c: the QEMU isle's doorbell (kernel/doorbell.h): COM2, whose other end is
 * the proxy's socket. One byte out rings; each byte in is an answer, taken from the receive
 * interrupt once interrupts are set up, polled before.
 */
#include "kernel/doorbell.h"

#include "arch.h"
#include "arch/x86_64/uart.h"
#include "hermit/abi.h"
#include "kernel/irq.h"

#define DOORBELL_IRQ 3

static void (*answered)(void);

static void doorbell_irq(void)
{
	while (uart_rx_ready(HERMIT_QEMU_DOORBELL_PORT)) {
		(void)uart_getc(HERMIT_QEMU_DOORBELL_PORT);
		answered();
	}
}

void doorbell_init(void) { uart_init(HERMIT_QEMU_DOORBELL_PORT, false); }

void doorbell_enable_irq(void (*on_answer)(void))
{
	answered = on_answer;
	irq_attach(DOORBELL_IRQ, doorbell_irq);
	uart_init(HERMIT_QEMU_DOORBELL_PORT, true);
}

void doorbell_ring(unsigned cpu) { uart_putc(HERMIT_QEMU_DOORBELL_PORT, (uint8_t)cpu); }

void doorbell_wait_answer(void)
{
	while (!uart_rx_ready(HERMIT_QEMU_DOORBELL_PORT))
		cpu_relax();
	(void)uart_getc(HERMIT_QEMU_DOORBELL_PORT);
}
