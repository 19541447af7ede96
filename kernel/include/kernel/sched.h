/*
 * kernel/sched.h: a round-robin preemptive scheduler with one run queue per CPU (locks and
 * placement: core/sched.c).
 * Blocking: with the queue's lock held, sched_block(q, lock, flags, deadline) puts the current task
 * on q, releases the lock and switches away; it returns once sched_wake_one() or sched_wake_all()
 * took the task off q or the deadline (clock ns, 0 = none) passed, with the task's wake_reason
 * telling which (TASK_TIMED_OUT; TASK_INTERRUPTED for a task.interruptible one a signal ended).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "kernel/runqueue.h"
#include "kernel/spinlock.h"

struct task;

#define SCHED_SLICE_NS 10000000ull /* 10 ms */

void sched_yield_task(void);
int sched_block(struct runqueue *q, struct spinlock *lock, uint64_t flags, uint64_t deadline);
/* Wakes the first task of q; the caller holds q's lock. Returns it, or NULL when q was empty. */
struct task *sched_wake_one(struct runqueue *q);
void sched_wake_all(struct runqueue *q);
/* Wakes t, which the caller took off its wait queue (under the queue's lock) after handing it
 * what it waited for: on another CPU t may run before this returns. */
void sched_wake(struct task *t);
/* Makes a new task runnable on the CPU placement chooses (kernel/balance.h). */
void sched_make_ready(struct task *t);
/* The CPUs t may run on now: its affinity among the CPUs in use (never empty). */
uint64_t sched_allowed(const struct task *t);
/* Sets the CPUs t may run on (a mask holding an online CPU); t moves off a CPU no longer in it
 * at once (the caller itself before this returns). */
void sched_set_affinity(struct task *t, uint64_t set);
/* A signal t takes is pending and t waits interruptibly (task.interruptible): if t sits in a
 * wait queue, its wait ends with TASK_INTERRUPTED. Interrupts off, under the task list's lock. */
void sched_interrupt(struct task *t);
/* True when t runs on a CPU other than the caller's now (a hint: spinning on a lock t holds). */
bool sched_running_elsewhere(const struct task *t);
/* CPU time (ns) of the calling task, and of the whole process (every CPU's time running tasks). */
uint64_t sched_thread_cpu_ns(void);
uint64_t sched_process_cpu_ns(void);
/* Sleeps until the clock reaches deadline_ns. */
void sched_sleep_until(uint64_t deadline_ns);

/* Trap exit: picks the frame to resume. Interrupts off. */
struct trap_frame *sched_switch(struct trap_frame *frame);
/* Timer interrupt: wakes expired sleepers, ends time slices, programs the next expiry. */
void sched_timer_tick(void);
/* Interrupts every other CPU that runs a task, so it passes through the trap exit (where a
 * pending signal diverts it to its handlers). */
void sched_kick_others(void);
/* The reschedule IPI: another CPU queued a task here. */
void sched_kicked(void);
/* Entered by the boot task once everything is set up; becomes this CPU's idle loop. */
void sched_idle_loop(void) __attribute__((noreturn));

#endif
