/*
 * core/sync.c: see sync.h. Mutexes are not handed over on unlock by default: the unlock frees
 * the mutex and wakes the first waiter, which competes for it, and a task that finds the owner
 * running on another CPU spins for up to MUTEX_SPIN_NS before it sleeps. So a contended mutex
 * changes hands at the speed of the running tasks instead of waiting for each new owner to be
 * scheduled (a convoy: an IPI and a vCPU wake-up per hand-over across CPUs). A woken waiter
 * that loses the race marks the mutex, and the next unlock hands it straight to the first
 * waiter: nobody waits for ever (lwIP's port relies on it to pass its core lock,
 * net/sys_arch.c). A handed-over mutex has its new owner recorded before the owner is woken.
 */
#include "kernel/sync.h"

#include <limits.h>
#include <stdbool.h>

#include "arch.h"
#include "kernel/clock.h"
#include "kernel/sched.h"
#include "kernel/task.h"
#include "kernel/wait.h"

#define MUTEX_SPIN_NS 20000ull /* a few hand-overs between running tasks */

void ksem_init(struct ksem *s, int count) { *s = (struct ksem){ .count = count }; }

int ksem_trywait(struct ksem *s)
{
	uint64_t f = spin_lock_irqsave(&s->lock);
	int ok = s->count > 0;
	if (ok)
		s->count--;
	spin_unlock_irqrestore(&s->lock, f);
	return ok ? 0 : -1;
}

int ksem_wait(struct ksem *s, uint64_t deadline) { return ksem_wait_as(s, deadline, HERMIT_WAIT_SEM, s); }

int ksem_wait_as(struct ksem *s, uint64_t deadline, enum hermit_wait_kind kind, const void *object)
{
	uint64_t f = spin_lock_irqsave(&s->lock);
	if (s->count > 0) {
		s->count--;
		spin_unlock_irqrestore(&s->lock, f);
		return 0;
	}
	/* ksem_post() hands its unit straight to the task it wakes */
	return -wait_block(kind, object, NULL, &s->waiters, &s->lock, f, deadline);
}

int ksem_post(struct ksem *s)
{
	uint64_t f = spin_lock_irqsave(&s->lock);
	int full = s->count == INT_MAX && runqueue_empty(&s->waiters);
	if (!full && !sched_wake_one(&s->waiters))
		s->count++;
	spin_unlock_irqrestore(&s->lock, f);
	return full ? -1 : 0;
}

int kmutex_trylock(struct kmutex *m)
{
	struct task *self = task_current();
	uint64_t f = spin_lock_irqsave(&m->lock);
	int ok = 1;
	if (!m->owner)
		m->owner = self, m->depth = 1;
	else if (m->owner == self && m->type == KMUTEX_RECURSIVE)
		m->depth++;
	else
		ok = 0;
	spin_unlock_irqrestore(&m->lock, f);
	return ok ? 0 : -1;
}

/* With m locked: waits, m unlocked, while m's owner runs on another CPU, until the owner
 * changes or the caller's spinning time (*until, set on first use) is over. False when it
 * did not spin (the caller sleeps instead). */
static bool spin_on_owner(struct kmutex *m, uint64_t *flags, uint64_t *until)
{
	struct task *owner = m->owner;
	uint64_t now = clock_ns();
	if (!*until)
		*until = now + MUTEX_SPIN_NS;
	if (now >= *until || !sched_running_elsewhere(owner))
		return false;
	spin_unlock_irqrestore(&m->lock, *flags);
	while (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == owner && sched_running_elsewhere(owner) &&
	       clock_ns() < *until)
		cpu_relax();
	*flags = spin_lock_irqsave(&m->lock);
	return true;
}

int kmutex_lock(struct kmutex *m, uint64_t deadline)
{
	struct task *self = task_current();
	uint64_t spin_until = 0;
	uint64_t f = spin_lock_irqsave(&m->lock);
	for (;;) {
		if (!m->owner || (m->owner == self && m->type == KMUTEX_RECURSIVE)) {
			m->owner = self;
			m->depth++;
			spin_unlock_irqrestore(&m->lock, f);
			return 0;
		}
		if (m->owner == self && m->type == KMUTEX_ERRORCHECK) {
			spin_unlock_irqrestore(&m->lock, f);
			return -1;
		}
		if (spin_on_owner(m, &f, &spin_until))
			continue;
		if (wait_block(HERMIT_WAIT_MUTEX, m, &m->owner, &m->waiters, &m->lock, f, deadline))
			return -1;
		f = spin_lock_irqsave(&m->lock);
		if (m->owner == self) { /* handed over */
			spin_unlock_irqrestore(&m->lock, f);
			return 0;
		}
		if (m->owner)
			m->handoff = 1; /* woken, but another task was faster: the next unlock is ours */
	}
}

int kmutex_unlock(struct kmutex *m)
{
	uint64_t f = spin_lock_irqsave(&m->lock);
	if (m->owner != task_current()) {
		spin_unlock_irqrestore(&m->lock, f);
		return -1;
	}
	if (--m->depth == 0) {
		struct task *next = runqueue_pop(&m->waiters);
		bool hand_over = next && m->handoff;
		m->owner = hand_over ? next : NULL;
		m->depth = hand_over;
		if (hand_over)
			m->handoff = 0;
		if (next)
			sched_wake(next);
	}
	spin_unlock_irqrestore(&m->lock, f);
	return 0;
}

int kcond_wait(struct kcond *c, struct kmutex *m, uint64_t deadline)
{
	uint64_t f = spin_lock_irqsave(&c->lock);
	unsigned depth = m->depth;
	m->depth = 1;
	kmutex_unlock(m);
	int timed_out = wait_block(HERMIT_WAIT_COND, c, NULL, &c->waiters, &c->lock, f, deadline);
	kmutex_lock(m, 0);
	m->depth = depth;
	return timed_out ? -1 : 0;
}

void kcond_signal(struct kcond *c)
{
	uint64_t f = spin_lock_irqsave(&c->lock);
	sched_wake_one(&c->waiters);
	spin_unlock_irqrestore(&c->lock, f);
}

void kcond_broadcast(struct kcond *c)
{
	uint64_t f = spin_lock_irqsave(&c->lock);
	sched_wake_all(&c->waiters);
	spin_unlock_irqrestore(&c->lock, f);
}
