/*
 * arch/x86_64/traps.c: where entry.S hands every trap. Exceptions are fatal unless the gdb stub
 * claims them (breakpoints, single steps, watchpoints, faults under gdb); interrupts go to their
 * handler, then the stub may stop there for gdb; then the scheduler picks the frame to resume.
 */
#include "arch/x86_64/frame.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/nmi_divert.h"
#include "kernel/debug.h"
#include "kernel/ipi.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/task.h"
#include "kernel/trace.h"

static irq_handler vector_handlers[256];

void irq_attach_vector(unsigned vector, irq_handler handler) { vector_handlers[vector] = handler; }

#define VEC_NMI 2

static int frame_on_task_stack(const struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	return (uintptr_t)f >= c->stack_lo && (uintptr_t)(f + 1) <= c->stack_hi;
}

/*
 * An NMI: a crash on another CPU stopping this one for good (its task's frame becomes the NMI's,
 * so the report and the core show where it stood), a wake-up (ipi_sleep), or the gdb stub's: a
 * park or a stop, done once the handler returned (nmi_divert.h); false for one nobody asked for.
 */
static bool nmi(struct trap_frame *f)
{
	extern char nmi_wait_hlt[];
	struct task *t = this_cpu()->current;
	struct trap_frame *saved = t ? t->frame : NULL;
	bool woke;

	nmi_divert_enter(f);
	if (f->rip == (uintptr_t)nmi_wait_hlt)
		f->rip++; /* it was about to halt: it has something to look at now */
	if (t) /* parked for gdb (nmi_divert.h), its task stands in the diverted frame */
		t->frame = nmi_divert_busy() ? nmi_divert_frame() : f;
	if (ipi_nmi_received())
		return true; /* not reached: a stopped CPU stays halted */
	if (t)
		t->frame = saved;
	woke = ipi_nmi_woke();
	return debug_nmi(f, woke) || woke;
}

struct trap_frame *trap_dispatch(struct trap_frame *f);

struct trap_frame *trap_dispatch(struct trap_frame *f)
{
	if (f->vector < 32)
		trace(EXCEPTION, f->vector, f->rip);
	else
		trace(IRQ, f->vector, f->rip);
	if (f->vector == VEC_NMI && nmi(f))
		return f;
	if (f->vector < 32) {
		if (debug_exception(f) || signal_fault(f))
			return f;
		crash_exception(f);
	}
	/* Off the task's stack: it was nearly full, or the trap came to NMI work (the stub's doorbell
	 * while a stop runs diverted), which leaves it on the trap stack. */
	if (!frame_on_task_stack(f) && !nmi_divert_busy())
		panic("kernel stack overflow (interrupt %lu with rsp 0x%lx)", f->vector, f->rsp);
	if (f->vector == VEC_RESCHED) {
		this_cpu()->need_resched = 1;
	} else if (f->vector == VEC_TIMER) {
		apic_eoi();
		sched_timer_tick();
	} else if (f->vector != VEC_SPURIOUS) {
		if (vector_handlers[f->vector])
			vector_handlers[f->vector]();
		apic_eoi();
	}
	if (debug_stub_active())
		return f;
	debug_check_stop(f);
	return signal_divert(sched_switch(f));
}
