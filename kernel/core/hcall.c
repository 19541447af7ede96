/*
 * core/hcall.c: see hcall.h. The isle's doorbell (kernel/doorbell.h) carries the rings and the
 * answers. A single request is in flight at a time (hcall_mutex); the answer wakes the caller
 * through the doorbell's interrupt once interrupts are set up.
 */
#include "kernel/hcall.h"

#include "arch.h"
#include "kernel/clock.h"
#include "kernel/doorbell.h"
#include "kernel/percpu.h"
#include "kernel/sync.h"
#include "kernel/trace.h"

/* The host finds this through the image's ELF note (boot_pvh.S). */
struct hermit_anchor hermit_anchor = {
	.magic = HERMIT_ANCHOR_MAGIC,
	.version = HERMIT_ABI_VERSION,
	.size = sizeof(struct hermit_anchor),
};

static struct kmutex hcall_mutex;
static uint32_t hcall_seq;
static struct ksem answered;
static int irq_driven;

void hcall_init(void) { doorbell_init(); }

/* A recording host sends the outputs with the answer (hermit/abi.h): into place before the wake. */
static void take_answer(uint8_t answer)
{
	if (answer & HERMIT_ANSWER_DATA)
		hcall_answer_data();
}

static void on_answer(uint8_t answer)
{
	take_answer(answer);
	ksem_post(&answered);
}

void hcall_enable_irq(void)
{
	doorbell_enable_irq(on_answer);
	irq_driven = 1;
}

static void hcall_serve(uint32_t nr, void *req);

/*
 * Recorded or replayed, QEMU logs an answer that came in while the guest halted only at its next
 * timer: tens of milliseconds with none due. A timer every RECORDED_WAIT_NS while the guest waits
 * bounds that (docs/replay.md); otherwise the wait has no end.
 */
#define RECORDED_WAIT_NS 200000ull
static uint64_t answer_deadline(void)
{
	return answer_disk_in_use() ? clock_ns() + RECORDED_WAIT_NS : 0;
}

static void ring(uint32_t nr, void *req)
{
	uint32_t cpu = this_cpu()->id;
	struct hermit_hcall_slot *slot = &hermit_anchor.hcall[cpu];
	slot->req = (hermit_gpa_t)(uintptr_t)req;
	slot->nr = nr;
	slot->seq = __atomic_add_fetch(&hcall_seq, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* the slot's stores come before the ring */
	doorbell_ring(cpu);
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
		take_answer(doorbell_wait_answer());
		return;
	}
	kmutex_lock(&hcall_mutex, 0);
	ring(nr, req);
	while (ksem_wait_as(&answered, answer_deadline(), HERMIT_WAIT_HOST, req) < 0)
		;
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
