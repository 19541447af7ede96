/*
 * debug/stopall.c: every CPU stops for gdb together. The CPU that stops (a breakpoint, a step, a
 * watchpoint, a fault, ^C) claims the stub, the engine's one context; it sends every other CPU an
 * NMI, which reaches a CPU even with interrupts off, and waits until each has parked: saved where
 * it stands (the NMI's trap frame, the live registers of the task it runs) and halted with
 * interrupts off (ipi_sleep) until the holder's NMI wakes it. The NMI handler itself does not
 * park (nmi_divert.h): the park runs once its iret unblocked NMIs, so the waking NMI can come.
 * When gdb resumes, the holder releases the CPUs whose tasks gdb let go on and keeps the others
 * parked; if gdb did not resume its own CPU's task, it gives up the stub and parks too.
 *
 * A CPU that stops while another holds the stub keeps its event pending (as gdbserver keeps a
 * thread's status): it parks with the frame of its own trap, and the holder reports the event
 * when gdb next resumes that CPU's task, before anything runs, or drops it when it no longer
 * holds (the breakpoint was removed, the step was cancelled, a ^C already answered). So two CPUs
 * that hit breakpoints at once give gdb two stops, one after the other, neither lost or doubled.
 * A CPU in its stub path (in_stub) leaves the holder's NMI for that path to take: it parks at
 * stopall_take() or stopall_leave().
 *
 * Per-CPU fields are written by their own CPU, except parked and release, which the holder
 * clears and sets (a release store after everything the released CPU will read).
 */
#include <string.h>

#include "arch/x86_64/debugregs.h"
#include "debug/debug_internal.h"
#include "hermit/abi.h"
#include "kernel/clock.h"
#include "kernel/ipi.h"
#include "kernel/smp.h"

/* How long the holder waits for a CPU to park: long, as the wait ends when the last one parks; a
 * virtual CPU the host left unscheduled (TCG on a busy host) has missed 100 ms. */
#define PARK_WAIT_NS 1000000000ull

static struct stop_cpu {
	struct trap_frame *frame; /* where the CPU's task stands while it is stopped */
	bool in_stub;             /* in the stub's trap path: frame is that trap's, kept by a park */
	bool parked;              /* halted until released */
	bool release;             /* set by the holder to let a parked CPU go */
	bool nmi_wanted;          /* the holder's NMI, as against a stray one */
	bool stuck;               /* did not park within PARK_WAIT_NS at the last stop */
	bool has_event;           /* a stop of its own, not yet reported */
	bool told;                /* lldb asked and was told of it (stopall_tell_event) */
	struct gdb_stop event;
} cpu[HERMIT_MAX_CPUS];

static int holder = -1;          /* the CPU holding the stub, -1 for none */
static uint64_t last_park_ns;    /* how long the last stop waited for the others to park */
static uint64_t stops, pending_reported; /* stop-alls, and stops reported after another's */

struct trap_frame *stopall_frame(unsigned c) { return c < HERMIT_MAX_CPUS ? cpu[c].frame : NULL; }
bool stopall_in_stub(unsigned c) { return cpu[c].in_stub; }
bool stopall_stuck(unsigned c) { return cpu[c].stuck; }
uint64_t stopall_last_park_ns(void) { return last_park_ns; }
uint64_t stopall_stops(void) { return stops; }
uint64_t stopall_pending_reported(void) { return pending_reported; }

static bool released(void *flag) { return __atomic_exchange_n((bool *)flag, false, __ATOMIC_ACQUIRE); }

/* Waits halted for the holder's release, serving call-function IPIs meanwhile (monitor cpus,
 * the tracer's patching), then takes gdb's debug registers as the stub left them. */
static void park(unsigned self, struct trap_frame *f)
{
	struct stop_cpu *s = &cpu[self];
	bool own = !s->in_stub;

	if (own)
		s->frame = f;
	__atomic_store_n(&s->parked, true, __ATOMIC_RELEASE);
	ipi_sleep(released, &s->release);
	if (own)
		s->frame = NULL;
	debugregs_load();
	/* The holder may have patched text: returning by iret (or the caller's trap return) is
	 * the serializing instruction cross-modified code needs. */
}

void stopall_enter(unsigned self, struct trap_frame *f)
{
	cpu[self].frame = f;
	cpu[self].in_stub = true;
}

void stopall_leave(unsigned self)
{
	/* A holder's NMI that came on the way out of the stub path: park with this trap's frame. */
	if (__atomic_exchange_n(&cpu[self].nmi_wanted, false, __ATOMIC_ACQ_REL))
		park(self, cpu[self].frame);
	cpu[self].in_stub = false;
	cpu[self].frame = NULL;
}

bool stopall_nmi_wanted(unsigned self)
{
	return !cpu[self].in_stub && __atomic_exchange_n(&cpu[self].nmi_wanted, false, __ATOMIC_ACQ_REL);
}

void stopall_park(unsigned self, struct trap_frame *f, const struct gdb_stop *pending)
{
	if (pending) {
		cpu[self].event = *pending;
		cpu[self].told = false;
		__atomic_store_n(&cpu[self].has_event, true, __ATOMIC_RELEASE);
	}
	park(self, f);
}

bool stopall_busy(void) { return __atomic_load_n(&holder, __ATOMIC_ACQUIRE) >= 0; }

bool stopall_claim(unsigned self)
{
	int none = -1;
	return __atomic_compare_exchange_n(&holder, &none, (int)self, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void stopall_unclaim(void) { __atomic_store_n(&holder, -1, __ATOMIC_RELEASE); }

bool stopall_take(unsigned self, const struct gdb_stop *stop)
{
	struct stop_cpu *s = &cpu[self];

	s->event = *stop;
	s->told = false;
	__atomic_store_n(&s->has_event, true, __ATOMIC_RELEASE);
	for (;;) {
		if (!__atomic_load_n(&s->has_event, __ATOMIC_ACQUIRE))
			return false; /* a holder reported it, or dropped it */
		if (stopall_claim(self)) {
			s->has_event = false;
			return true;
		}
		/* The holder's NMI may be held back (this is an NMI handler itself): park here. */
		if (__atomic_exchange_n(&s->nmi_wanted, false, __ATOMIC_ACQ_REL))
			park(self, NULL);
		arch_cpu_relax();
	}
}

void stopall_stop_others(unsigned self)
{
	unsigned n = smp_cpus_online();
	uint64_t start = clock_ns(), deadline = start + PARK_WAIT_NS;

	for (unsigned c = 0; c < n; c++) {
		cpu[c].stuck = false;
		if (c == self || __atomic_load_n(&cpu[c].parked, __ATOMIC_ACQUIRE))
			continue;
		__atomic_store_n(&cpu[c].nmi_wanted, true, __ATOMIC_RELEASE);
		arch_ipi_send(c, IPI_NMI);
	}
	for (unsigned c = 0; c < n; c++) {
		if (c == self)
			continue;
		while (!__atomic_load_n(&cpu[c].parked, __ATOMIC_ACQUIRE) && clock_ns() < deadline)
			arch_cpu_relax();
		cpu[c].stuck = !__atomic_load_n(&cpu[c].parked, __ATOMIC_ACQUIRE);
	}
	last_park_ns = clock_ns() - start;
	stops++;
}

bool stopall_next_event(unsigned self, enum stopall_fate (*fate)(unsigned c, const struct gdb_stop *e),
			struct gdb_stop *out)
{
	for (unsigned c = 0; c < smp_cpus_online(); c++) {
		struct stop_cpu *s = &cpu[c];

		if (c == self || !s->parked || !__atomic_load_n(&s->has_event, __ATOMIC_ACQUIRE))
			continue;
		switch (s->told ? STOPALL_DROP : fate(c, &s->event)) { /* told: the debugger knows */
		case STOPALL_KEEP:
			break;
		case STOPALL_DROP:
			__atomic_store_n(&s->has_event, false, __ATOMIC_RELEASE);
			break;
		case STOPALL_REPORT:
			pending_reported++;
			*out = s->event;
			__atomic_store_n(&s->has_event, false, __ATOMIC_RELEASE);
			return true;
		}
	}
	return false;
}

bool stopall_tell_event(int64_t tid, struct gdb_stop *out)
{
	for (unsigned c = 0; c < smp_cpus_online(); c++) {
		struct stop_cpu *s = &cpu[c];

		if (!s->parked || !__atomic_load_n(&s->has_event, __ATOMIC_ACQUIRE) || s->event.tid != tid)
			continue;
		if (!s->told)
			pending_reported++;
		s->told = true;
		*out = s->event;
		return true;
	}
	return false;
}

static void release(unsigned c)
{
	__atomic_store_n(&cpu[c].parked, false, __ATOMIC_RELAXED);
	__atomic_store_n(&cpu[c].release, true, __ATOMIC_RELEASE);
	ipi_wake(c);
}

void stopall_resume(unsigned self, bool (*runs)(unsigned c))
{
	bool own = runs(self);

	if (!own)
		__atomic_store_n(&cpu[self].parked, true, __ATOMIC_RELEASE); /* no NMI for it now */
	for (unsigned c = 0; c < smp_cpus_online(); c++)
		if (c != self && __atomic_load_n(&cpu[c].parked, __ATOMIC_ACQUIRE) && runs(c))
			release(c);
	stopall_unclaim();
	if (!own)
		park(self, NULL); /* the next CPU to stop holds the stub and releases this one */
}

bool stopall_parked(unsigned c) { return __atomic_load_n(&cpu[c].parked, __ATOMIC_ACQUIRE); }
