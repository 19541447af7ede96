/*
 * core/sched.c: round-robin scheduling on each CPU's run queue, tickless: the APIC timer is armed
 * only for the next sleeper's deadline or the end of the running task's slice when others wait.
 *
 * Locks, in this order (never two run-queue locks at once):
 *   a wait queue's lock (the kmutex, ksem, kcond ... that owns it)
 *   cpu->lock: the CPU's run queue, sleepers and timer state, and the state, wake_at and
 *              wake_reason of the tasks placed on that CPU (task->cpu)
 * A task runs only on task->cpu, which is chosen when it is created (placement below) and never
 * changes. A task is woken once: wake() turns BLOCKED into READY under the CPU's lock, and the
 * loser of a race (a waker against the timer) finds it no longer blocked. Another CPU's wake-up
 * reaches the task's CPU with a reschedule IPI, which wakes it from its idle halt.
 * task->on_cpu is set while a CPU runs the task or still stands on its stack; it is cleared once
 * the CPU switched stacks (entry.S, after trap_dispatch()), which is what task_release() waits for.
 *
 * Placement: a new task goes to the online CPU with the fewest live tasks (ties: the lowest
 * index). Only with HERMIT_SMP_SPREAD=1 for now, and never with the gdb stub on (it cannot stop
 * the other CPUs yet): otherwise every task stays on CPU 0 (docs/smp.md says what still breaks
 * across CPUs). There is no migration or work stealing afterwards.
 */
#include "kernel/sched.h"

#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "kernel/clock.h"
#include "kernel/debug.h"
#include "kernel/ipi.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
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

/* This CPU's timer; c is this CPU and its lock is held. */
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

/* c->lock held. On this CPU it takes effect here; another CPU is told by the caller (kick). */
static void enqueue(struct cpu *c, struct task *t)
{
	t->state = TASK_READY;
	runqueue_push(&c->runq, t);
	if (c != this_cpu())
		return;
	if (c->current == c->idle)
		c->need_resched = 1;
	else
		timer_reprogram(c);
}

static void kick(const struct cpu *c)
{
	if (c != this_cpu())
		ipi_reschedule(c->id);
}

void sched_kicked(void)
{
	struct cpu *c = this_cpu();
	spin_lock(&c->lock);
	if (c->current == c->idle)
		c->need_resched = 1;
	else
		timer_reprogram(c);
	spin_unlock(&c->lock);
}

void sched_kick_others(void)
{
	unsigned self = smp_cpu_index();
	for (unsigned i = 0; i < smp_cpus_online(); i++)
		if (i != self && __atomic_load_n(&cpus[i].current, __ATOMIC_RELAXED) != cpus[i].idle)
			ipi_reschedule(i);
}

void sched_make_ready(struct task *t)
{
	struct cpu *c = &cpus[t->cpu];
	uint64_t f = spin_lock_irqsave(&c->lock);
	enqueue(c, t);
	spin_unlock_irqrestore(&c->lock, f);
	kick(c);
}

/* Makes a blocked task ready; false when it was not blocked any more (someone else woke it). */
static bool wake(struct task *t, int reason)
{
	struct cpu *c = &cpus[t->cpu];
	uint64_t f = spin_lock_irqsave(&c->lock);
	bool blocked = t->state == TASK_BLOCKED;
	if (blocked) {
		if (t->wake_at)
			sleeper_remove(c, t);
		t->wake_reason = reason;
		trace(SCHED_WAKEUP, t->id, reason == TASK_TIMED_OUT);
		enqueue(c, t);
	}
	spin_unlock_irqrestore(&c->lock, f);
	if (blocked)
		kick(c);
	return blocked;
}

void sched_wake(struct task *t) { wake(t, 0); }

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

static bool spread;

void sched_boot(void)
{
	const char *v = getenv("HERMIT_SMP_SPREAD");
	spread = v && !strcmp(v, "1");
}

unsigned sched_place(void)
{
	unsigned best = 0, n = smp_cpus_online();
	if (!spread || debug_stub_enabled())
		n = 1;
	for (unsigned i = 1; i < n; i++)
		if (__atomic_load_n(&cpus[i].nr_tasks, __ATOMIC_RELAXED) <
		    __atomic_load_n(&cpus[best].nr_tasks, __ATOMIC_RELAXED))
			best = i;
	__atomic_add_fetch(&cpus[best].nr_tasks, 1, __ATOMIC_RELAXED);
	return best;
}

void sched_task_gone(const struct task *t) { __atomic_sub_fetch(&cpus[t->cpu].nr_tasks, 1, __ATOMIC_RELAXED); }

static void switch_away(void) { __asm__ volatile("int %0" : : "i"(VEC_RESCHED) : "memory"); }

void sched_yield_task(void) { switch_away(); }

int sched_block(struct runqueue *q, struct spinlock *lock, uint64_t flags, uint64_t deadline)
{
	struct cpu *c = this_cpu();
	struct task *t = c->current;
	t->wake_reason = 0;
	t->state = TASK_BLOCKED;
	if (q) {
		/* stable until the task runs again: the timer takes it off q under lock */
		t->waiting_on = q;
		t->waiting_lock = lock;
		runqueue_push(q, t);
	}
	if (deadline) {
		spin_lock(&c->lock);
		t->wake_at = deadline;
		sleeper_insert(c, t);
		timer_reprogram(c);
		spin_unlock(&c->lock);
	}
	if (lock)
		spin_unlock(lock);
	switch_away();
	t->waiting_on = NULL;
	t->waiting_lock = NULL;
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

/* The sleepers whose deadline passed, taken off c's list (linked through timer_next). */
static struct task *take_expired(struct cpu *c, uint64_t now)
{
	struct task *expired = NULL;
	spin_lock(&c->lock);
	c->timer_armed = 0;
	while (c->sleepers && c->sleepers->wake_at <= now) {
		struct task *t = c->sleepers;
		c->sleepers = t->timer_next;
		t->wake_at = 0;
		t->timer_next = expired;
		expired = t;
	}
	spin_unlock(&c->lock);
	return expired;
}

/* A timed-out waiter leaves its wait queue first; if a waker already took it off, the waker's
 * wake-up stands (it may have handed the task a semaphore unit or a mutex). */
static void time_out(struct task *t)
{
	if (t->waiting_on) {
		spin_lock(t->waiting_lock);
		bool still_waiting = runqueue_remove(t->waiting_on, t);
		spin_unlock(t->waiting_lock);
		if (!still_waiting)
			return;
	}
	wake(t, TASK_TIMED_OUT);
}

void sched_timer_tick(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = clock_ns();
	trace(TIMER_FIRE, now, 0);
	for (struct task *t = take_expired(c, now), *next; t; t = next) {
		next = t->timer_next;
		t->timer_next = NULL;
		time_out(t);
	}
	spin_lock(&c->lock);
	if (c->current != c->idle && now >= c->slice_end && !runqueue_empty(&c->runq))
		c->need_resched = 1;
	timer_reprogram(c);
	spin_unlock(&c->lock);
}

static void reap_dead(struct cpu *c)
{
	if (c->reap && c->reap != c->current) {
		task_release(c->reap);
		c->reap = NULL;
	}
}

/* The task to run next on c, its lock held; cur's frame is saved. */
static struct task *pick_next(struct cpu *c, struct task *cur)
{
	if (cur->state == TASK_RUNNING && cur != c->idle)
		runqueue_push(&c->runq, cur);
	if (cur->state == TASK_RUNNING)
		cur->state = TASK_READY;
	struct task *next = runqueue_pop(&c->runq);
	if (!next)
		next = c->idle;
	next->state = TASK_RUNNING;
	return next;
}

struct trap_frame *sched_switch(struct trap_frame *frame)
{
	struct cpu *c = this_cpu();
	reap_dead(c);
	if (!c->need_resched)
		return frame;
	spin_lock(&c->lock);
	c->need_resched = 0;
	struct task *cur = c->current;
	cur->frame = frame;
	struct task *next = pick_next(c, cur);
	if (next != cur) {
		trace(SCHED_SWITCH, cur->id, next->id);
		__atomic_store_n(&next->on_cpu, true, __ATOMIC_RELAXED);
		c->prev = cur;
	}
	c->current = next;
	c->stack_lo = next->stack_lo;
	c->stack_hi = next->stack_hi;
	c->slice_end = clock_ns() + SCHED_SLICE_NS;
	timer_reprogram(c);
	spin_unlock(&c->lock);
	return next->frame;
}

void sched_idle_loop(void)
{
	for (;;) {
		/* Check and halt with interrupts off until the hlt, so no wake-up slips between: a
		 * task queued here by another CPU comes with a reschedule IPI, which ends the hlt. */
		__asm__ volatile("cli" ::: "memory");
		if (runqueue_empty(&this_cpu()->runq))
			cpu_idle();
		else
			switch_away();
	}
}
