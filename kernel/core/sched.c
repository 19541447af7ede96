/*
 * core/sched.c: round-robin scheduling on each CPU's run queue, tickless: the APIC timer is armed
 * only for the next sleeper's deadline or the end of the running task's slice when others wait.
 * Run queues, sleeper lists and task states change only with interrupts off on their CPU (a
 * per-CPU lock joins this when other CPUs can wake tasks here).
 */
#include "kernel/sched.h"

#include "arch.h"
#include "kernel/clock.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/task.h"
#include "kernel/trace.h"

static void sleeper_insert(struct cpu *c, struct task *t)
{
	struct task **p = &c->sleepers;
	while (*p && (*p)->wake_at <= t->wake_at)
		p = &(*p)->timer_next;
	t->timer_next = *p;
	*p = t;
}

static void sleeper_remove(struct cpu *c, struct task *t)
{
	for (struct task **p = &c->sleepers; *p; p = &(*p)->timer_next)
		if (*p == t) {
			*p = t->timer_next;
			break;
		}
	t->timer_next = NULL;
	t->wake_at = 0;
}

static void timer_reprogram(struct cpu *c)
{
	uint64_t next = c->sleepers ? c->sleepers->wake_at : 0;
	if (c->current != c->idle && !runqueue_empty(&c->runq) && (!next || c->slice_end < next))
		next = c->slice_end;
	if (next && next != c->timer_armed) {
		trace(TIMER_ARM, next, 0);
		apic_timer_arm(next);
	}
	c->timer_armed = next;
}

void sched_make_ready(struct task *t)
{
	struct cpu *c = &cpus[t->cpu];
	t->state = TASK_READY;
	runqueue_push(&c->runq, t);
	if (c->current == c->idle)
		c->need_resched = 1;
	else
		timer_reprogram(c);
}

static void wake(struct task *t, int reason)
{
	if (t->wake_at)
		sleeper_remove(&cpus[t->cpu], t);
	t->waiting_on = NULL;
	t->wake_reason = reason;
	trace(SCHED_WAKEUP, t->id, reason == TASK_TIMED_OUT);
	sched_make_ready(t);
}

struct task *sched_wake_one(struct runqueue *q)
{
	struct task *t = runqueue_pop(q);
	if (t)
		wake(t, 0);
	return t;
}

void sched_wake_all(struct runqueue *q)
{
	while (sched_wake_one(q))
		;
}

static void switch_away(void) { __asm__ volatile("int %0" : : "i"(VEC_RESCHED) : "memory"); }

void sched_yield_task(void) { switch_away(); }

int sched_block(struct runqueue *q, struct spinlock *lock, uint64_t flags, uint64_t deadline)
{
	struct cpu *c = this_cpu();
	struct task *t = c->current;
	t->state = TASK_BLOCKED;
	t->wake_reason = 0;
	if (q) {
		t->waiting_on = q;
		runqueue_push(q, t);
	}
	if (deadline) {
		t->wake_at = deadline;
		sleeper_insert(c, t);
		timer_reprogram(c);
	}
	if (lock)
		spin_unlock(lock);
	switch_away();
	irq_restore(flags);
	return t->wake_reason;
}

void sched_sleep_until(uint64_t deadline_ns)
{
	uint64_t flags = irq_save();
	if (clock_ns() >= deadline_ns) {
		irq_restore(flags);
		return;
	}
	sched_block(NULL, NULL, flags, deadline_ns);
}

void sched_timer_tick(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = clock_ns();
	trace(TIMER_FIRE, now, 0);
	c->timer_armed = 0;
	while (c->sleepers && c->sleepers->wake_at <= now) {
		struct task *t = c->sleepers;
		if (t->waiting_on)
			runqueue_remove(t->waiting_on, t);
		wake(t, TASK_TIMED_OUT);
	}
	if (c->current != c->idle && now >= c->slice_end && !runqueue_empty(&c->runq))
		c->need_resched = 1;
	timer_reprogram(c);
}

static void reap_dead(struct cpu *c)
{
	if (c->reap && c->reap != c->current) {
		task_release(c->reap);
		c->reap = NULL;
	}
}

struct trap_frame *sched_switch(struct trap_frame *frame)
{
	struct cpu *c = this_cpu();
	reap_dead(c);
	if (!c->need_resched)
		return frame;
	c->need_resched = 0;
	struct task *cur = c->current;
	cur->frame = frame;
	if (cur->state == TASK_RUNNING && cur != c->idle)
		runqueue_push(&c->runq, cur);
	if (cur->state == TASK_RUNNING)
		cur->state = TASK_READY;
	struct task *next = runqueue_pop(&c->runq);
	if (!next)
		next = c->idle;
	next->state = TASK_RUNNING;
	if (next != cur)
		trace(SCHED_SWITCH, cur->id, next->id);
	c->current = next;
	c->stack_lo = next->stack_lo;
	c->stack_hi = next->stack_hi;
	c->slice_end = clock_ns() + SCHED_SLICE_NS;
	timer_reprogram(c);
	return next->frame;
}

void sched_idle_loop(void)
{
	for (;;) {
		/* Check and halt with interrupts off until the hlt, so no wake-up slips between. */
		__asm__ volatile("cli" ::: "memory");
		if (runqueue_empty(&this_cpu()->runq))
			cpu_idle();
		else
			switch_away();
	}
}
