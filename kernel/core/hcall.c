/*
 * core/hcall.c: see hcall.h. The isle's doorbell (kernel/doorbell.h) carries the rings and the
 * answers. Up to HERMIT_MAX_CPUS requests are in flight at once, each in a slot of the anchor
 * and answered on its own (the answer byte names the slot), so a task that waits for the host
 * (a read of the proxy's stdin) holds up no other. The answer wakes the caller through the
 * doorbell's interrupt once interrupts are set up; before that, boot is one task and uses slot 0.
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

static uint32_t hcall_seq;
static struct ksem free_slots;                 /* slots no request holds */
static uint32_t slots_held;                    /* a bit per slot a request holds */
static struct ksem answered[HERMIT_MAX_CPUS];  /* per slot */
static int irq_driven;
_Static_assert(HERMIT_MAX_CPUS <= 32, "a bit per slot in slots_held");

void hcall_init(void)
{
	ksem_init(&free_slots, HERMIT_MAX_CPUS);
	doorbell_init();
}

static unsigned take_slot(void)
{
	while (ksem_wait(&free_slots, 0) < 0)
		;
	uint32_t held = __atomic_load_n(&slots_held, __ATOMIC_RELAXED);
	for (;;) {
		unsigned n = (unsigned)__builtin_ctz(~held); /* the semaphore leaves one free */
		if (__atomic_compare_exchange_n(&slots_held, &held, held | 1u << n, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return n;
	}
}

static void give_slot(unsigned n)
{
	__atomic_and_fetch(&slots_held, ~(1u << n), __ATOMIC_RELEASE);
	ksem_post(&free_slots);
}

/* A recording host sends the outputs with the answer (hermit/abi.h): into place before the wake. */
static void take_answer(uint8_t answer)
{
	if (answer & HERMIT_ANSWER_DATA)
		hcall_answer_data();
}

static void on_answer(uint8_t answer)
{
	unsigned slot = answer & HERMIT_ANSWER_CPU_MASK;
	take_answer(answer);
	if (slot < HERMIT_MAX_CPUS)
		ksem_post(&answered[slot]);
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

static void ring(unsigned n, uint32_t nr, void *req)
{
	struct hermit_hcall_slot *slot = &hermit_anchor.hcall[n];
	slot->req = (hermit_gpa_t)(uintptr_t)req;
	slot->nr = nr;
	slot->seq = __atomic_add_fetch(&hcall_seq, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* the slot's stores come before the ring */
	doorbell_ring(n);
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
		ring(0, nr, req);
		take_answer(doorbell_wait_answer());
		return;
	}
	unsigned n = take_slot();
	ring(n, nr, req);
	while (ksem_wait_as(&answered[n], answer_deadline(), HERMIT_WAIT_HOST, req) < 0)
		;
	give_slot(n);
}

void hcall_exit(uint32_t nr, int32_t status)
{
	static struct hc_exit req[HERMIT_MAX_CPUS];
	__asm__ volatile("cli");
	/* This CPU's slot, whoever holds it: the host ends the run at this request. */
	struct hc_exit *r = &req[this_cpu()->id];
	r->status = status;
	ring(this_cpu()->id, nr, r);
	cpu_halt_forever();
}
