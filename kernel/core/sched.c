/*
 * core/sched.c: round-robin scheduling on each CPU's run queue, tickless: the APIC timer is armed
 * only for the next sleeper's deadline or the end of the running task's slice when others wait.
 *
 * Locks, in this order (never two run-queue locks at once):
 *   the task list's lock (core/task.c; sched_interrupt() runs under it)
 *   a wait queue's lock (the kmutex, ksem, kcond ... that owns it)
 *   cpu->lock: the CPU's run queue, sleepers and timer state, and the state, wake_at and
 *              wake_reason of the tasks placed on that CPU (task->cpu)
 * A task runs only on task->cpu. task->cpu changes only under the lock of the CPU it names, and
 * only while the task is ready and on no queue (a wake-up, a steal, a push, an affinity change
 * take it off there and queue it on the new CPU after dropping the old lock); so whoever holds
 * cpus[t->cpu].lock and finds t->cpu unchanged holds t's CPU (lock_task_cpu()). A task is woken
 * once: wake() turns BLOCKED into READY under that lock, and the loser of a race (a waker
 * against the timer) finds it no longer blocked. A timeout or a signal ends only the wait it was
 * meant for (task->wait_seq): the task may have been woken meanwhile and be in its next wait.
 * Another CPU's wake-up reaches the task's CPU with a reschedule IPI, which wakes it from its
 * idle halt.
 * task->on_cpu is set while a CPU runs the task or still stands on its stack; it is cleared once
 * the CPU switched stacks (entry.S, after trap_dispatch()). A CPU that picks a task waits for it
 * to clear before it runs the task (a task moved just after it blocked), and task_release()
 * waits for it before freeing the stack.
 *
 * Where tasks go: kernel/balance.h's rules (placement when a task becomes ready, a push at each
 * switch of a CPU two tasks heavier than another, stealing by CPUs that become idle, a rotation
 * at the end of a slice of a CPU one task heavier), within the CPUs a task may run on
 * (sched_allowed()), with the gdb stub on too (it stops every CPU).
 *
 * Time a task ran (task->cpu_ns, its CPU-time clock) and a CPU was busy (cpu->busy_ns, the
 * process's) are counted at each switch, under the CPU's lock, from cpu->run_start.
 */
#include "kernel/sched.h"

#include "arch.h"
#include "kernel/balance.h"
#include "kernel/clock.h"
#include "kernel/ipi.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/signal.h"
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

/* ---- the CPUs a task may use, and their loads ---- */

static uint64_t usable_cpus(void)
{
	return CPU_BIT(smp_cpus_online()) - 1;
}

uint64_t sched_allowed(const struct task *t)
{
	uint64_t usable = usable_cpus();
	uint64_t mine = __atomic_load_n(&t->affinity, __ATOMIC_RELAXED) & usable;
	return mine ? mine : usable;
}

/* Read without the CPUs' locks: a hint, which is all balancing needs. */
static unsigned loads(unsigned *load)
{
	unsigned n = smp_cpus_online();
	for (unsigned i = 0; i < n; i++)
		load[i] = __atomic_load_n(&cpus[i].nr_queued, __ATOMIC_RELAXED) +
			  (__atomic_load_n(&cpus[i].current, __ATOMIC_RELAXED) != cpus[i].idle);
	return n;
}

static struct cpu *place(const struct task *t, unsigned prev, bool new_task)
{
	unsigned load[HERMIT_MAX_CPUS];
	unsigned n = loads(load);
	return &cpus[balance_place(load, n, sched_allowed(t), prev, new_task)];
}

/* ---- run queues: c->lock held ---- */

static void queue_push(struct cpu *c, struct task *t)
{
	t->queued_at = clock_ns();
	runqueue_push(&c->runq, t);
	__atomic_store_n(&c->nr_queued, c->nr_queued + 1, __ATOMIC_RELAXED);
}

static bool queue_remove(struct cpu *c, struct task *t)
{
	bool found = runqueue_remove(&c->runq, t);
	if (found)
		__atomic_store_n(&c->nr_queued, c->nr_queued - 1, __ATOMIC_RELAXED);
	return found;
}

/* The first queued task that may run on CPU cpu, taken off c's queue. */
static struct task *queue_take_for(struct cpu *c, unsigned cpu)
{
	for (struct task *t = c->runq.head; t; t = t->queue_next)
		if (sched_allowed(t) & CPU_BIT(cpu)) {
			queue_remove(c, t);
			return t;
		}
	return NULL;
}

/* On this CPU it takes effect here; another CPU is told by the caller (kick). */
static void enqueue(struct cpu *c, struct task *t)
{
	t->state = TASK_READY;
	queue_push(c, t);
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

/* Hands t, ready and on no queue, from c (locked) to CPU to: the caller queues it there once it
 * dropped c's lock (enqueue_on). */
static void hand_over(struct task *t, const struct cpu *to)
{
	t->state = TASK_READY;
	__atomic_store_n(&t->cpu, to->id, __ATOMIC_RELEASE);
}

static void enqueue_on(struct cpu *to, struct task *t)
{
	uint64_t f = spin_lock_irqsave(&to->lock);
	enqueue(to, t);
	spin_unlock_irqrestore(&to->lock, f);
	kick(to);
}

/* Locks t's CPU, which may change until its lock is held. */
static struct cpu *lock_task_cpu(const struct task *t, uint64_t *flags)
{
	for (;;) {
		struct cpu *c = &cpus[__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE)];
		*flags = spin_lock_irqsave(&c->lock);
		if (__atomic_load_n(&t->cpu, __ATOMIC_RELAXED) == c->id)
			return c;
		spin_unlock_irqrestore(&c->lock, *flags);
	}
}

void sched_kicked(void)
{
	struct cpu *c = this_cpu();
	spin_lock(&c->lock);
	/* idle, or running a task whose affinity no longer includes this CPU: switch now */
	if (c->current == c->idle || !(sched_allowed(c->current) & CPU_BIT(c->id)))
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

/* A new task, known to nobody else yet. */
void sched_make_ready(struct task *t)
{
	struct cpu *to = place(t, smp_cpu_index(), true);
	t->cpu = to->id;
	enqueue_on(to, t);
}

#define ANY_WAIT (~0ull)

/* Makes a blocked task ready, where balancing puts it; false when it was not blocked any more
 * (someone else woke it) or, unless seq is ANY_WAIT, blocked in a wait other than number seq. */
static bool wake(struct task *t, int reason, uint64_t seq)
{
	uint64_t f;
	struct cpu *c = lock_task_cpu(t, &f);
	struct cpu *to = c;
	bool blocked = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == TASK_BLOCKED &&
		       (seq == ANY_WAIT || __atomic_load_n(&t->wait_seq, __ATOMIC_RELAXED) == seq);
	if (blocked) {
		if (t->wake_at)
			sleeper_remove(c, t);
		t->wake_reason = reason;
		trace(SCHED_WAKEUP, t->id, reason == TASK_TIMED_OUT);
		to = place(t, c->id, false);
		if (to == c)
			enqueue(c, t);
		else
			hand_over(t, to);
	}
	spin_unlock_irqrestore(&c->lock, f);
	if (to != c)
		enqueue_on(to, t);
	else if (blocked)
		kick(c);
	return blocked;
}

void sched_wake(struct task *t) { wake(t, 0, ANY_WAIT); }

struct task *sched_wake_one(struct runqueue *q)
{
	struct task *t = runqueue_pop(q);
	if (t)
		wake(t, 0, ANY_WAIT);
	return t;
}

void sched_wake_all(struct runqueue *q)
{
	while (sched_wake_one(q))
		;
}

static void switch_away(void) { __asm__ volatile("int %0" : : "i"(VEC_RESCHED) : "memory"); }

void sched_yield_task(void) { switch_away(); }

void sched_set_affinity(struct task *t, uint64_t set)
{
	__atomic_store_n(&t->affinity, set, __ATOMIC_RELEASE);
	if (t == task_current()) {
		if (!(sched_allowed(t) & CPU_BIT(smp_cpu_index())))
			switch_away(); /* the switch sends it to a CPU it may use (pick_next) */
		return;
	}
	uint64_t f;
	struct cpu *c = lock_task_cpu(t, &f);
	struct cpu *to = c;
	if (!(sched_allowed(t) & CPU_BIT(c->id))) {
		if (t->state == TASK_READY && queue_remove(c, t)) {
			to = place(t, c->id, false);
			hand_over(t, to);
		} else if (c->current == t) {
			kick(c); /* sched_kicked() makes it switch, and the switch moves it */
		}
	}
	spin_unlock_irqrestore(&c->lock, f);
	if (to != c)
		enqueue_on(to, t);
}

int sched_block(struct runqueue *q, struct spinlock *lock, uint64_t flags, uint64_t deadline)
{
	struct cpu *c = this_cpu();
	struct task *t = c->current;
	t->wake_reason = 0;
	__atomic_store_n(&t->wait_seq, t->wait_seq + 1, __ATOMIC_RELEASE); /* before waiting_on */
	if (q) {
		/* stable until the task runs again: the timer takes it off q under lock */
		__atomic_store_n(&t->waiting_on, q, __ATOMIC_RELEASE);
		__atomic_store_n(&t->waiting_lock, lock, __ATOMIC_RELEASE);
		runqueue_push(q, t);
	}
	/* after waiting_on: whoever sees it blocked finds where it waits (end_wait) */
	__atomic_store_n(&t->state, TASK_BLOCKED, __ATOMIC_RELEASE);
	if (q) {
		/* a signal sent before its sender could see the task blocked (sched_interrupt) */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (t->interruptible && signal_ready(t)) {
			runqueue_remove(q, t);
			t->state = TASK_RUNNING;
			t->waiting_on = NULL;
			t->waiting_lock = NULL;
			if (lock)
				spin_unlock(lock);
			irq_restore(flags);
			return TASK_INTERRUPTED;
		}
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

bool sched_running_elsewhere(const struct task *t)
{
	return __atomic_load_n(&t->state, __ATOMIC_RELAXED) == TASK_RUNNING &&
	       __atomic_load_n(&t->cpu, __ATOMIC_RELAXED) != smp_cpu_index();
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

/* The first sleeper whose deadline passed, taken off c's list, and the number of its wait. One at
 * a time: once off the list, a task may be woken by others, run, and sleep again elsewhere. */
static struct task *take_expired(struct cpu *c, uint64_t now, uint64_t *seq)
{
	spin_lock(&c->lock);
	c->timer_armed = 0;
	struct task *t = c->sleepers;
	if (t && t->wake_at <= now) {
		c->sleepers = t->timer_next;
		t->timer_next = NULL;
		t->wake_at = 0;
		*seq = t->wait_seq;
	} else {
		t = NULL;
	}
	spin_unlock(&c->lock);
	return t;
}

/* Wait number seq of t ends early (deadline, signal): t leaves its wait queue first; if a waker
 * already took it off, the waker's wake-up stands (it may have handed the task a semaphore unit
 * or a mutex). The queue and its lock are those of wait seq only while wait_seq says so. */
static void end_wait(struct task *t, uint64_t seq, int reason)
{
	struct spinlock *lock = __atomic_load_n(&t->waiting_lock, __ATOMIC_ACQUIRE);
	struct runqueue *q = __atomic_load_n(&t->waiting_on, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&t->wait_seq, __ATOMIC_ACQUIRE) != seq)
		return;
	if (q && lock) {
		spin_lock(lock);
		bool still_waiting =
			__atomic_load_n(&t->wait_seq, __ATOMIC_RELAXED) == seq && runqueue_remove(q, t);
		spin_unlock(lock);
		if (!still_waiting)
			return;
	}
	wake(t, reason, seq);
}

void sched_interrupt(struct task *t)
{
	if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == TASK_BLOCKED && t->waiting_on)
		end_wait(t, __atomic_load_n(&t->wait_seq, __ATOMIC_ACQUIRE), TASK_INTERRUPTED);
}

static uint64_t rotate_not_before; /* the last rotation's time + BALANCE_ROTATE_NS (any CPU's) */

/* kernel/balance.h's rotation at the end of c's slice (c locked, running a task with others
 * queued): its longest-waiting task, if it waited a whole slice and has run at least as long as
 * the running task had before this slice (which the move leaves with fewer rivals), leaves for a
 * lighter CPU, where the caller queues it (enqueue_on). Not counting the slice: two tasks that
 * take turns, the one to run first less than a slice behind, would otherwise never qualify
 * (each is behind the other at the end of the other's slice) and never rotate. */
static struct task *rotate(struct cpu *c, uint64_t now)
{
	unsigned load[HERMIT_MAX_CPUS];
	unsigned n = loads(load);
	load[c->id] = c->nr_queued + 1;
	uint64_t not_before = __atomic_load_n(&rotate_not_before, __ATOMIC_RELAXED);
	int to = balance_rotate_target(load, n, c->id, usable_cpus(), now, not_before);
	if (to == BALANCE_NONE)
		return NULL;
	struct task *t = c->runq.head;
	while (t && !(sched_allowed(t) & CPU_BIT(to)))
		t = t->queue_next;
	if (!t || now - t->queued_at < SCHED_SLICE_NS || t->cpu_ns < c->current->cpu_ns ||
	    !__atomic_compare_exchange_n(&rotate_not_before, &not_before, now + BALANCE_ROTATE_NS, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return NULL;
	queue_remove(c, t);
	hand_over(t, &cpus[to]);
	return t;
}

void sched_timer_tick(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = clock_ns();
	trace(TIMER_FIRE, now, 0);
	uint64_t seq;
	for (struct task *t; (t = take_expired(c, now, &seq));)
		end_wait(t, seq, TASK_TIMED_OUT);
	struct task *moved = NULL;
	spin_lock(&c->lock);
	if (c->current != c->idle && now >= c->slice_end && !runqueue_empty(&c->runq)) {
		c->need_resched = 1;
		moved = rotate(c, now);
	}
	timer_reprogram(c);
	spin_unlock(&c->lock);
	if (moved)
		enqueue_on(&cpus[moved->cpu], moved);
}

/* c's running task stops or starts running now (c locked). */
static void account(struct cpu *c, struct task *cur, uint64_t now)
{
	if (cur != c->idle && c->run_start) {
		cur->cpu_ns += now - c->run_start;
		c->busy_ns += now - c->run_start;
	}
	c->run_start = now;
}

uint64_t sched_thread_cpu_ns(void)
{
	uint64_t f = irq_save();
	struct cpu *c = this_cpu();
	uint64_t ns = c->current->cpu_ns + (c->run_start ? clock_ns() - c->run_start : 0);
	irq_restore(f);
	return ns;
}

uint64_t sched_process_cpu_ns(void)
{
	uint64_t ns = 0;
	for (unsigned i = 0; i < smp_cpus_online(); i++) {
		struct cpu *c = &cpus[i];
		uint64_t f = spin_lock_irqsave(&c->lock);
		ns += c->busy_ns + (c->current != c->idle && c->run_start ? clock_ns() - c->run_start : 0);
		spin_unlock_irqrestore(&c->lock, f);
	}
	return ns;
}

static void reap_dead(struct cpu *c)
{
	if (c->reap && c->reap != c->current) {
		task_release(c->reap);
		c->reap = NULL;
	}
}

/* t leaves c (locked) for a CPU it may run on; queued there after the switch (c->outbox). */
static void send_away(struct cpu *c, struct task *t, struct cpu *to)
{
	hand_over(t, to ? to : place(t, c->id, false));
	runqueue_push(&c->outbox, t);
}

/* kernel/balance.h's push: one queued task to a CPU two lighter, if one may run there. */
static void push_surplus(struct cpu *c)
{
	if (runqueue_empty(&c->runq))
		return;
	unsigned load[HERMIT_MAX_CPUS];
	unsigned n = loads(load);
	load[c->id] = c->nr_queued + (c->current != c->idle);
	int to = balance_push_target(load, n, c->id, usable_cpus());
	struct task *t = to == BALANCE_NONE ? NULL : queue_take_for(c, (unsigned)to);
	if (t)
		send_away(c, t, &cpus[to]);
}

/* The first queued task no other CPU stands on (one moved here just after it blocked, until
 * its old CPU has left its stack; waiting for that here could wait for each other). */
static struct task *queue_take_runnable(struct cpu *c, const struct task *cur)
{
	for (struct task *t = c->runq.head; t; t = t->queue_next)
		if (t == cur || !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
			queue_remove(c, t);
			return t;
		}
	return NULL;
}

/* The task to run next on c, its lock held; cur's frame is saved. */
static struct task *pick_next(struct cpu *c, struct task *cur)
{
	if (cur->state == TASK_RUNNING && cur != c->idle) {
		if (sched_allowed(cur) & CPU_BIT(c->id))
			queue_push(c, cur);
		else
			send_away(c, cur, NULL);
	}
	if (cur->state == TASK_RUNNING)
		cur->state = TASK_READY;
	struct task *next;
	while ((next = queue_take_runnable(c, cur)) && !(sched_allowed(next) & CPU_BIT(c->id)))
		send_away(c, next, NULL); /* its affinity changed while it was queued */
	if (!next)
		next = c->idle;
	else if (!runqueue_empty(&c->runq) && c->runq.head != cur && c->runq.head->on_cpu)
		c->need_resched = 1; /* one was passed over: look again at the next trap, it will have left */
	next->state = TASK_RUNNING;
	c->current = next;
	push_surplus(c);
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
	uint64_t now = clock_ns();
	if (next != cur) {
		account(c, cur, now);
		trace(SCHED_SWITCH, cur->id, next->id);
		__atomic_store_n(&next->on_cpu, true, __ATOMIC_RELAXED);
		c->prev = cur;
	}
	c->stack_lo = next->stack_lo;
	c->stack_hi = next->stack_hi;
	c->slice_end = now + SCHED_SLICE_NS;
	timer_reprogram(c);
	spin_unlock(&c->lock);
	for (struct task *t; (t = runqueue_pop(&c->outbox));)
		enqueue_on(&cpus[t->cpu], t);
	return next->frame;
}

/* An idle CPU takes a queued task it may run from another CPU (kernel/balance.h); interrupts off. */
static bool steal(struct cpu *c)
{
	unsigned n = smp_cpus_online();
	for (unsigned k = 1; k < n; k++) {
		struct cpu *v = &cpus[(c->id + k) % n];
		if (!__atomic_load_n(&v->nr_queued, __ATOMIC_RELAXED))
			continue;
		spin_lock(&v->lock);
		struct task *t = queue_take_for(v, c->id);
		if (t)
			hand_over(t, c);
		spin_unlock(&v->lock);
		if (t) {
			spin_lock(&c->lock);
			enqueue(c, t);
			spin_unlock(&c->lock);
			return true;
		}
	}
	return false;
}

void sched_idle_loop(void)
{
	for (;;) {
		/* Check and halt with interrupts off until the hlt, so no wake-up slips between: a
		 * task queued here by another CPU comes with a reschedule IPI, which ends the hlt. */
		__asm__ volatile("cli" ::: "memory");
		struct cpu *c = this_cpu();
		if (runqueue_empty(&c->runq) && !steal(c)) {
			cpu_idle();
		} else {
			switch_away();
			/* Still idle when nothing queued here could run: each task still stands on
			 * another CPU's stack. That CPU may be waiting for this one in an IPI call
			 * (task_release's TLB shootdown, from sched_switch): let it in. */
			irq_window();
			cpu_relax();
		}
	}
}
