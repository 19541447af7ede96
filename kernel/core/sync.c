/*
 * core/sync.c: see sync.h. An unlocked mutex wakes its first waiter, which competes for it
 * again: handing ownership to a task that first has to be scheduled (on another CPU, after an
 * IPI) would make every contended hand-over wait for that, a convoy. Waiters re-check under the
 * lock, so no wake-up is lost; a semaphore still hands its unit to the task it wakes.
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
		if (sched_block(&m->waiters, &m->lock, f, deadline))
			return -1;
		f = spin_lock_irqsave(&m->lock);
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
		m->owner = NULL;
		sched_wake_one(&m->waiters);
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
