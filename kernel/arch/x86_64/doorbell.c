/*
 * arch/x86_64/doorbell.c: the QEMU isle's doorbell (kernel/doorbell.h): COM2, whose other end is
 * the proxy's socket. One byte out rings; each byte in is an answer, taken from the receive
 * interrupt once interrupts are set up, polled before. The length a recording host sends after
 * an answer byte is polled for, from the interrupt handler too.
 */
#include "kernel/doorbell.h"

#include "arch.h"
#include "arch/x86_64/uart.h"
#include "hermit/abi.h"
#include "kernel/irq.h"

#define DOORBELL_IRQ 3

static void (*answered)(uint8_t answer);

static void doorbell_irq(void)
{
	while (uart_rx_ready(HERMIT_QEMU_DOORBELL_PORT))
		answered(uart_getc(HERMIT_QEMU_DOORBELL_PORT));
}

void doorbell_init(void) { uart_init(HERMIT_QEMU_DOORBELL_PORT, false); }

void doorbell_enable_irq(void (*on_answer)(uint8_t answer))
{
	answered = on_answer;
	irq_attach(DOORBELL_IRQ, doorbell_irq);
	uart_init(HERMIT_QEMU_DOORBELL_PORT, true);
}

void doorbell_ring(unsigned slot) { uart_putc(HERMIT_QEMU_DOORBELL_PORT, (uint8_t)slot); }

static void wait_byte(void)
{
	while (!uart_rx_ready(HERMIT_QEMU_DOORBELL_PORT))
		cpu_relax();
}

uint8_t doorbell_wait_answer(void)
{
	wait_byte();
	return uart_getc(HERMIT_QEMU_DOORBELL_PORT);
}

void doorbell_nudge(void) { (void)uart_getc(HERMIT_QEMU_DOORBELL_PORT); }

void doorbell_read(uint8_t *dst, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		wait_byte();
		dst[i] = uart_getc(HERMIT_QEMU_DOORBELL_PORT);
	}
}
