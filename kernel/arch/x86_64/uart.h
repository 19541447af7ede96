/*
 * arch/x86_64/uart.h: a 16550 UART. COM1 carries the kernel console; COM2 is the QEMU isle's
 * hypercall doorbell. The caller serializes access to a port.
 */
#ifndef ARCH_X86_64_UART_H
#define ARCH_X86_64_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_COM1 0x3f8
#define UART_COM2 0x2f8

void uart_init(uint16_t base, bool rx_interrupt);
void uart_putc(uint16_t base, uint8_t c);
void uart_write(uint16_t base, const char *s, size_t n);
bool uart_rx_ready(uint16_t base);
uint8_t uart_getc(uint16_t base);

#endif
