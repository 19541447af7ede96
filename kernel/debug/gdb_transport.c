/*
 * debug/gdb_transport.c: the stub's byte transport to the host: the two rings of
 * struct hermit_debug_channel (hermit/abi.h says who writes what) in kernel memory, which the
 * proxy reads and writes directly, and the third 16550 as the doorbell in both directions.
 *
 * Sending copies into g2h, publishes head, then writes one byte to the UART; the proxy drains the
 * whole ring on every doorbell byte, so a sender that finds the ring full only has to wait.
 * Receiving never blocks. While the stub holds the guest stopped it waits in transport_wait():
 * polling the ring for a moment (gdb's next packet of the same command comes fast), then halted
 * with every interrupt but the doorbell's held back (the task priority), so a stopped guest that
 * gdb leaves alone costs the host no CPU (the doorbell's interrupt goes to the CPU holding the
 * stub while it holds it, CPU 0 otherwise); while tasks run, the receive interrupt drains the ring.
 */
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/uart.h"
#include "debug/debug_internal.h"
#include "debug_ring.h"
#include "hermit/abi.h"
#include "kernel/clock.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"

extern struct hermit_anchor hermit_anchor;

static struct hermit_debug_channel channel __attribute__((aligned(64)));

void transport_init(void (*rx_irq)(void))
{
	channel.version = HERMIT_DEBUG_VERSION;
	channel.ring_size = HERMIT_DEBUG_RING_SIZE;
	channel.breaks = (hermit_gpa_t)(uintptr_t)bp_table();
	hermit_anchor.debug_channel = (hermit_gpa_t)(uintptr_t)&channel;
	uart_init(HERMIT_QEMU_DEBUG_PORT, true);
	irq_attach_at(HERMIT_QEMU_DEBUG_IRQ, VEC_DEBUG_DOORBELL, rx_irq);
	__atomic_store_n(&channel.magic, HERMIT_DEBUG_MAGIC, __ATOMIC_RELEASE);
	uart_putc(HERMIT_QEMU_DEBUG_PORT, 0); /* ready */
}

void transport_send(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		size_t n = debug_ring_put(&channel.g2h, p, len);
		if (n == 0) {
			cpu_relax(); /* the host drains after the last doorbell */
			continue;
		}
		p += n;
		len -= n;
		uart_putc(HERMIT_QEMU_DEBUG_PORT, 1); /* the port write orders the stores before it */
	}
}

size_t transport_recv(void *buf, size_t cap)
{
	long got = debug_ring_get(&channel.h2g, buf, cap);

	return got < 0 ? 0 : (size_t)got; /* a broken host: ignore the ring rather than read garbage */
}

void transport_set_polling(bool on)
{
	__atomic_store_n(&channel.guest_polling, on ? 1u : 0u, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void transport_publish_stop(bool stopped)
{
	if (stopped) {
		channel.page_table = read_cr3() & ~(uint64_t)(PAGE_SIZE - 1);
		channel.stop_seq++;
		__atomic_store_n(&channel.stopped, 1u, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&channel.stopped, 0u, __ATOMIC_SEQ_CST);
	}
}

/* How long a stopped stub polls before it halts: longer than gdb's gaps between the packets of
 * one command (a stepi is five round trips), so only an idle gdb lets it halt. */
#define SPIN_BEFORE_HALT_NS 2000000ull

void transport_wait(bool may_halt)
{
	if (!apic_ready() || !may_halt) {
		cpu_relax(); /* the boot stop comes before the APIC: poll the ring */
		return;
	}
	for (uint64_t until = clock_ns() + SPIN_BEFORE_HALT_NS; clock_ns() < until;) {
		if (!debug_ring_empty(&channel.h2g))
			return;
		cpu_relax();
	}
	transport_set_polling(false); /* from here the host rings for every write */
	if (debug_ring_empty(&channel.h2g)) {
		apic_set_priority(TPR_DEBUG_ONLY);
		cpu_idle(); /* sti; hlt: a doorbell already pending wakes it at once */
		__asm__ volatile("cli" ::: "memory");
		apic_set_priority(0);
	}
	transport_set_polling(true);
}

void transport_route_doorbell(unsigned cpu) { irq_route(HERMIT_QEMU_DEBUG_IRQ, cpus[cpu].apic_id); }

void transport_ack_doorbell(void)
{
	while (uart_rx_ready(HERMIT_QEMU_DEBUG_PORT))
		(void)uart_getc(HERMIT_QEMU_DEBUG_PORT);
}
