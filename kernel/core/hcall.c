/*
 * core/hcall.c: see hcall.h. The QEMU isle's doorbell is COM2: one byte out (the CPU number)
 * rings, one byte in answers. A single request is in flight at a time (hcall_mutex); the answer
 * wakes the caller through the COM2 receive interrupt once interrupts are set up.
 */
#include "kernel/hcall.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/uart.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/sync.h"
#include "kernel/trace.h"

#define DOORBELL_IRQ 3

/* The host finds this through the image's ELF note (boot_pvh.S). */
struct hermit_anchor hermit_anchor = {
	.magic = HERMIT_ANCHOR_MAGIC,
	.version = HERMIT_ABI_VERSION,
	.size = sizeof(struct hermit_anchor),
};

static struct kmutex hcall_mutex;
static struct ksem answered;
static int irq_driven;

void hcall_init(void) { uart_init(HERMIT_QEMU_DOORBELL_PORT, false); }

void hcall_irq(void)
{
	while (uart_rx_ready(HERMIT_QEMU_DOORBELL_PORT)) {
		(void)uart_getc(HERMIT_QEMU_DOORBELL_PORT);
		ksem_post(&answered);
	}
}

void hcall_enable_irq(void)
{
	irq_attach(DOORBELL_IRQ, hcall_irq);
	uart_init(HERMIT_QEMU_DOORBELL_PORT, true);
	irq_driven = 1;
}

static void hcall_serve(uint32_t nr, void *req);

static void ring(uint32_t nr, void *req)
{
	uint32_t cpu = this_cpu()->id;
	struct hermit_hcall_slot *slot = &hermit_anchor.hcall[cpu];
	slot->req = (hermit_gpa_t)(uintptr_t)req;
	slot->nr = nr;
	/* the port write is serializing: the host sees the slot and request before the bell */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	uart_putc(HERMIT_QEMU_DOORBELL_PORT, (uint8_t)cpu);
}

void hcall(uint32_t nr, void *req)
{
	/* the system calls newlib makes are hypercalls: traced here with their arguments */
	if (trace_site_on(HERMIT_TRACE_HCALL_ENTRY))
		trace_hcall(nr, req, false);
	hcall_serve(nr, req);
	if (trace_site_on(HERMIT_TRACE_HCALL_EXIT))
		trace_hcall(nr, req, true);
}

static void hcall_serve(uint32_t nr, void *req)
{
	if (!irq_driven) {
		ring(nr, req);
		while (!uart_rx_ready(HERMIT_QEMU_DOORBELL_PORT))
			cpu_relax();
		(void)uart_getc(HERMIT_QEMU_DOORBELL_PORT);
		return;
	}
	kmutex_lock(&hcall_mutex, 0);
	ring(nr, req);
	ksem_wait(&answered, 0);
	kmutex_unlock(&hcall_mutex);
}

void hcall_exit(uint32_t nr, int32_t status)
{
	static struct hc_exit req[HERMIT_MAX_CPUS];
	__asm__ volatile("cli");
	struct hc_exit *r = &req[this_cpu()->id];
	r->status = status;
	ring(nr, r);
	cpu_halt_forever();
}
