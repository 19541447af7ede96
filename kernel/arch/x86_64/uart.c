/* arch/x86_64/uart.c: polled transmit, optional receive interrupt. */
#include "arch/x86_64/uart.h"

#include "arch/x86_64/cpu.h"

enum { THR = 0, RBR = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the interrupt line on PC-style UARTs */

void uart_init(uint16_t base, bool rx_interrupt)
{
	outb(base + IER, 0);
	outb(base + LCR, 0x80); /* divisor latch: 115200 baud, which QEMU ignores anyway */
	outb(base + 0, 1);
	outb(base + 1, 0);
	outb(base + LCR, 0x03); /* 8N1 */
	outb(base + FCR, 0x07); /* FIFOs on and cleared */
	outb(base + MCR, MCR_DTR_RTS_OUT2);
	while (uart_rx_ready(base))
		(void)inb(base + RBR);
	outb(base + IER, rx_interrupt ? 0x01 : 0);
}

void uart_putc(uint16_t base, uint8_t c)
{
	while (!(inb(base + LSR) & LSR_THR_EMPTY))
		cpu_relax();
	outb(base + THR, c);
}

void uart_write(uint16_t base, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uart_putc(base, (uint8_t)s[i]);
}

bool uart_rx_ready(uint16_t base) { return inb(base + LSR) & LSR_DATA_READY; }

uint8_t uart_getc(uint16_t base) { return inb(base + RBR); }
