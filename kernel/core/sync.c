/*
 * core/sync.c: see sync.h. Mutexes hand ownership straight to the first waiter on unlock, so a
 * woken waiter never has to compete again (fair, no lost wake-ups; lwIP's port relies on it to
 * pass its core lock, net/sys_arch.c). The new owner is recorded before it is woken: on another
 * CPU it runs at once. The price on SMP is a convoy: a contended mutex waits for each new owner
 * to be scheduled (docs/smp.md).
 */
#include "kernel/sync.h"

#include "kernel/sched.h"
#include "kernel/task.h"

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

int ksem_wait(struct ksem *s, uint64_t deadline)
{
	uint64_t f = spin_lock_irqsave(&s->lock);
	if (s->count > 0) {
		s->count--;
		spin_unlock_irqrestore(&s->lock, f);
		return 0;
	}
	/* ksem_post() hands its unit straight to the task it wakes */
	return sched_block(&s->waiters, &s->lock, f, deadline) ? -1 : 0;
}

void ksem_post(struct ksem *s)
{
	uint64_t f = spin_lock_irqsave(&s->lock);
	if (!sched_wake_one(&s->waiters))
		s->count++;
	spin_unlock_irqrestore(&s->lock, f);
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

int kmutex_lock(struct kmutex *m, uint64_t deadline)
{
	struct task *self = task_current();
	uint64_t f = spin_lock_irqsave(&m->lock);
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
	/* kmutex_unlock() makes us the owner before it wakes us */
	return sched_block(&m->waiters, &m->lock, f, deadline) ? -1 : 0;
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
		m->owner = next;
		m->depth = next ? 1 : 0;
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
	int timed_out = sched_block(&c->waiters, &c->lock, f, deadline);
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
