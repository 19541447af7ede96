/*
 * core/ipi.c: see ipi.h. Call-function goes through mailboxes: mailbox[target][sender] holds
 * the one call a sender waits for (a sender has at most one outstanding, as it waits), so each
 * slot has a single writer and a single reader and needs no lock. The call itself lives on the
 * sender's stack; the target reads fn and arg, runs it, then counts it done, after which it never
 * touches the call again.
 */
#include "kernel/ipi.h"

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "hermit/abi.h"
#include "kernel/clock.h"
#include "kernel/smp.h"

#define STOP_ACK_NS 100000000ull /* how long ipi_stop_others() waits for the others */

struct ipi_call {
	ipi_fn fn;
	void *arg;
	unsigned pending; /* targets that have not finished fn yet */
};

struct park {
	unsigned arrived;
	bool released;
};

static struct ipi_call *mailbox[HERMIT_MAX_CPUS][HERMIT_MAX_CPUS]; /* [target][sender] */
static bool parking; /* one ipi_call_parked() at a time */
static bool stop_requested[HERMIT_MAX_CPUS];
static unsigned stops_acknowledged;
static bool asleep[HERMIT_MAX_CPUS];     /* in ipi_sleep(): only an NMI wakes it */
static unsigned wake_nmis[HERMIT_MAX_CPUS]; /* wake-up NMIs sent to it, not yet taken */

void ipi_reschedule(unsigned cpu) { arch_ipi_send(cpu, IPI_RESCHEDULE); }

void ipi_handle_calls(void)
{
	unsigned self = smp_cpu_index();
	for (unsigned sender = 0; sender < HERMIT_MAX_CPUS; sender++) {
		struct ipi_call *c = __atomic_exchange_n(&mailbox[self][sender], NULL, __ATOMIC_ACQUIRE);
		if (!c)
			continue;
		c->fn(c->arg);
		__atomic_sub_fetch(&c->pending, 1, __ATOMIC_RELEASE);
	}
}

static void post(unsigned self, unsigned target, struct ipi_call *c)
{
	__atomic_store_n(&mailbox[target][self], c, __ATOMIC_RELEASE);
	arch_ipi_send(target, IPI_CALL);
	ipi_wake(target);
}

/* The sleeper publishes asleep, then looks at its mailboxes and its condition; a waker publishes
 * its store, then looks at asleep: one of the two sees the other. An NMI just before the hlt
 * makes the hlt a no-op (arch_halt_until_nmi), so it is never lost. */
void ipi_sleep(bool (*done)(void *), void *arg)
{
	unsigned self = smp_cpu_index();

	__atomic_store_n(&asleep[self], true, __ATOMIC_SEQ_CST);
	while (!done(arg)) {
		ipi_handle_calls();
		arch_halt_until_nmi();
	}
	__atomic_store_n(&asleep[self], false, __ATOMIC_RELEASE);
}

void ipi_wake(unsigned cpu)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the caller's store before the look at asleep */
	if (!__atomic_load_n(&asleep[cpu], __ATOMIC_SEQ_CST))
		return;
	__atomic_add_fetch(&wake_nmis[cpu], 1, __ATOMIC_SEQ_CST);
	arch_ipi_send(cpu, IPI_NMI);
}

bool ipi_nmi_woke(void)
{
	unsigned *n = &wake_nmis[smp_cpu_index()];
	unsigned seen = __atomic_load_n(n, __ATOMIC_ACQUIRE);

	while (seen && !__atomic_compare_exchange_n(n, &seen, seen - 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
	return seen != 0;
}

static void wait_done(struct ipi_call *c)
{
	while (__atomic_load_n(&c->pending, __ATOMIC_ACQUIRE)) {
		ipi_handle_calls();
		arch_cpu_relax();
	}
}

/* Callers run with interrupts masked until their call is done: a sender preempted or moved to
 * another CPU while it waits would let a second call from its CPU take its mailbox slot, and the
 * first would never be counted done (smp-stress hung so, one run in ten). Waiting with interrupts
 * masked cannot deadlock: wait_done serves the calls sent here meanwhile. */
void ipi_call(unsigned cpu, ipi_fn fn, void *arg)
{
	uint64_t flags = irq_save();
	unsigned self = smp_cpu_index();
	if (cpu == self) {
		fn(arg);
	} else {
		struct ipi_call c = { fn, arg, 1 };
		post(self, cpu, &c);
		wait_done(&c);
	}
	irq_restore(flags);
}

void ipi_call_all(ipi_fn fn, void *arg)
{
	uint64_t flags = irq_save();
	unsigned self = smp_cpu_index(), n = smp_cpus_online();
	struct ipi_call c = { fn, arg, n - 1 };
	for (unsigned cpu = 0; cpu < n; cpu++)
		if (cpu != self)
			post(self, cpu, &c);
	fn(arg);
	wait_done(&c);
	irq_restore(flags);
}

static void park_here(void *arg)
{
	struct park *p = arg;
	__atomic_add_fetch(&p->arrived, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&p->released, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
}

void ipi_call_parked(ipi_fn fn, void *arg)
{
	uint64_t flags = irq_save();
	unsigned self = smp_cpu_index(), n = smp_cpus_online();
	/* Two at once would each wait for the other to park: the second serves calls meanwhile. */
	while (__atomic_exchange_n(&parking, true, __ATOMIC_ACQUIRE))
		ipi_handle_calls();
	struct park p = { 0, false };
	struct ipi_call c = { park_here, &p, n - 1 };
	for (unsigned cpu = 0; cpu < n; cpu++)
		if (cpu != self)
			post(self, cpu, &c);
	while (__atomic_load_n(&p.arrived, __ATOMIC_ACQUIRE) < n - 1) {
		ipi_handle_calls();
		arch_cpu_relax();
	}
	fn(arg);
	__atomic_store_n(&p.released, true, __ATOMIC_RELEASE);
	wait_done(&c);
	__atomic_store_n(&parking, false, __ATOMIC_RELEASE);
	irq_restore(flags);
}

unsigned ipi_stop_others(void)
{
	unsigned self = smp_cpu_index(), n = smp_cpus_online();
	for (unsigned cpu = 0; cpu < n; cpu++)
		if (cpu != self) {
			__atomic_store_n(&stop_requested[cpu], true, __ATOMIC_RELEASE);
			arch_ipi_send(cpu, IPI_NMI);
		}
	uint64_t deadline = clock_ns() + STOP_ACK_NS;
	while (__atomic_load_n(&stops_acknowledged, __ATOMIC_ACQUIRE) < n - 1 && clock_ns() < deadline)
		arch_cpu_relax();
	return __atomic_load_n(&stops_acknowledged, __ATOMIC_ACQUIRE);
}

bool ipi_nmi_received(void)
{
	unsigned self = smp_cpu_index();
	if (!__atomic_exchange_n(&stop_requested[self], false, __ATOMIC_ACQ_REL))
		return false;
	__atomic_add_fetch(&stops_acknowledged, 1, __ATOMIC_RELEASE);
	arch_halt_forever();
}
