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
 * gdb leaves alone costs the host no CPU; while tasks run, the receive interrupt drains the ring.
 */
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/uart.h"
#include "debug/debug_internal.h"
#include "hermit/abi.h"
#include "kernel/clock.h"
#include "kernel/irq.h"

extern struct hermit_anchor hermit_anchor;

static struct hermit_debug_channel channel __attribute__((aligned(64)));

#define RING_MASK (HERMIT_DEBUG_RING_SIZE - 1u)

void transport_init(void (*rx_irq)(void))
{
	channel.version = HERMIT_DEBUG_VERSION;
	channel.ring_size = HERMIT_DEBUG_RING_SIZE;
	hermit_anchor.debug_channel = (hermit_gpa_t)(uintptr_t)&channel;
	uart_init(HERMIT_QEMU_DEBUG_PORT, true);
	irq_attach_at(HERMIT_QEMU_DEBUG_IRQ, VEC_DEBUG_DOORBELL, rx_irq);
	__atomic_store_n(&channel.magic, HERMIT_DEBUG_MAGIC, __ATOMIC_RELEASE);
	uart_putc(HERMIT_QEMU_DEBUG_PORT, 0); /* ready */
}

void transport_send(const void *buf, size_t len)
{
	struct hermit_debug_ring *r = &channel.g2h;
	const uint8_t *p = buf;

	while (len > 0) {
		uint32_t head = r->head;
		uint32_t room = HERMIT_DEBUG_RING_SIZE - (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE));
		if (room == 0 || room > HERMIT_DEBUG_RING_SIZE) {
			cpu_relax(); /* the host drains after the last doorbell */
			continue;
		}
		uint32_t at = head & RING_MASK, n = room;
		if (n > len)
			n = (uint32_t)len;
		if (n > HERMIT_DEBUG_RING_SIZE - at)
			n = HERMIT_DEBUG_RING_SIZE - at;
		memcpy(&r->data[at], p, n);
		__atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
		p += n;
		len -= n;
		uart_putc(HERMIT_QEMU_DEBUG_PORT, 1); /* the port write orders the stores before it */
	}
}

size_t transport_recv(void *buf, size_t cap)
{
	struct hermit_debug_ring *r = &channel.h2g;
	uint32_t tail = r->tail;
	uint32_t used = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - tail;
	uint8_t *p = buf;
	size_t got = 0;

	if (used > HERMIT_DEBUG_RING_SIZE)
		return 0; /* a broken host: ignore the ring rather than read garbage */
	while (got < cap && used > 0) {
		uint32_t at = tail & RING_MASK, n = used;
		if (n > cap - got)
			n = (uint32_t)(cap - got);
		if (n > HERMIT_DEBUG_RING_SIZE - at)
			n = HERMIT_DEBUG_RING_SIZE - at;
		memcpy(p + got, &r->data[at], n);
		got += n;
		tail += n;
		used -= n;
	}
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return got;
}

void transport_set_polling(bool on)
{
	__atomic_store_n(&channel.guest_polling, on ? 1u : 0u, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static bool h2g_empty(void)
{
	return __atomic_load_n(&channel.h2g.head, __ATOMIC_ACQUIRE) == channel.h2g.tail;
}

/* How long a stopped stub polls before it halts: longer than gdb's gaps between the packets of
 * one command (a stepi is five round trips), so only an idle gdb lets it halt. */
#define SPIN_BEFORE_HALT_NS 2000000ull

void transport_wait(void)
{
	if (!apic_ready()) {
		cpu_relax(); /* the boot stop comes before the APIC: poll the ring */
		return;
	}
	for (uint64_t until = clock_ns() + SPIN_BEFORE_HALT_NS; clock_ns() < until;) {
		if (!h2g_empty())
			return;
		cpu_relax();
	}
	transport_set_polling(false); /* from here the host rings for every write */
	if (h2g_empty()) {
		apic_set_priority(TPR_DEBUG_ONLY);
		cpu_idle(); /* sti; hlt: a doorbell already pending wakes it at once */
		__asm__ volatile("cli" ::: "memory");
		apic_set_priority(0);
	}
	transport_set_polling(true);
}

void transport_ack_doorbell(void)
{
	while (uart_rx_ready(HERMIT_QEMU_DEBUG_PORT))
		(void)uart_getc(HERMIT_QEMU_DEBUG_PORT);
}
