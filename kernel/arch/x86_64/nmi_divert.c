/*
 * arch/x86_64/nmi_divert.c: see nmi_divert.h. Each CPU's divert state is one word, changed only
 * by that CPU (its NMI handler runs between two instructions of its diverted work, never beside
 * it): IDLE, RUNNING, LEAVING (the work returned; the CPU is on its way back into the frame) or
 * the work an NMI queued while the work ran.
 */
#include "arch/x86_64/nmi_divert.h"

#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "hermit/abi.h"
#include "kernel/percpu.h"

#define DIVERT_IDLE 0
#define DIVERT_RUNNING 1
#define DIVERT_LEAVING 2
#define DIVERT_STACK_SIZE IST_STACK_SIZE /* the stub ran on the NMI's stack before */

static struct divert {
	struct trap_frame frame; /* the interrupted state, resumed from here by trap_return */
	uintptr_t state;         /* DIVERT_* or queued work */
	uint8_t stack[DIVERT_STACK_SIZE] __attribute__((aligned(16)));
} diverts[HERMIT_MAX_CPUS];

void nmi_divert_trampoline(void); /* entry.S: calls nmi_diverted, then trap_return */
struct trap_frame *nmi_diverted(nmi_work fn);

static struct divert *this_divert(void) { return &diverts[this_cpu()->id]; }

static bool within(uintptr_t a, const void *lo, size_t size)
{
	return a >= (uintptr_t)lo && a <= (uintptr_t)lo + size;
}

void nmi_divert_enter(struct trap_frame *f)
{
	struct divert *d = this_divert();

	if (d->state != DIVERT_LEAVING)
		return;
	/* Still on the way out (on the divert stack, or popping the frame in trap_return): take
	 * the frame as the interrupted state; the way out restarts from it later if need be. */
	if (within(f->rsp, d->stack, sizeof(d->stack)) || within(f->rsp, &d->frame, sizeof(d->frame)))
		*f = d->frame;
	d->state = DIVERT_IDLE;
}

void nmi_divert(struct trap_frame *f, nmi_work fn)
{
	struct divert *d = this_divert();

	if (d->state != DIVERT_IDLE) {
		d->state = (uintptr_t)fn; /* after the work running now */
		return;
	}
	d->frame = *f;
	d->state = DIVERT_RUNNING;
	f->rip = (uintptr_t)nmi_divert_trampoline;
	f->rdi = (uintptr_t)fn;
	f->rsp = (uintptr_t)&d->stack[sizeof(d->stack)];
	f->rflags = RFLAGS_RESERVED1; /* interrupts off, no trap flag */
}

bool nmi_divert_busy(void) { return this_divert()->state != DIVERT_IDLE; }
struct trap_frame *nmi_divert_frame(void) { return &this_divert()->frame; }

/* On the divert stack, NMIs unblocked: runs fn and whatever NMIs queued meanwhile. */
struct trap_frame *nmi_diverted(nmi_work fn)
{
	struct divert *d = this_divert();

	for (;;) {
		uintptr_t running = DIVERT_RUNNING;
		fn(&d->frame);
		if (__atomic_compare_exchange_n(&d->state, &running, DIVERT_LEAVING, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return &d->frame;
		fn = (nmi_work)__atomic_exchange_n(&d->state, DIVERT_RUNNING, __ATOMIC_SEQ_CST);
	}
}

bool trap_may_nest(const struct trap_frame *f)
{
	const uint8_t *trap_stack = this_cpu()->ist_stacks[IST_TRAP - 1];

	return !within((uintptr_t)f, trap_stack, IST_STACK_SIZE) && !within(f->rsp, trap_stack, IST_STACK_SIZE);
}
