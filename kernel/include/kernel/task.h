/*
 * kernel/task.h: kernel tasks (threads). Every task has its own stack with an unmapped guard page
 * below it; its saved registers are the trap frame on that stack while it does not run.
 *
 *   struct task *t = task_create("worker", fn, arg, stack_size);   (task context)
 *   task_exit();                                                    (from the task itself)
 *   task_release(t);     once nobody looks at t any more (it must be dead)
 */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "hermit/abi.h"
#include "kernel/runqueue.h"
#include "kernel/spinlock.h"

enum task_state { TASK_READY, TASK_RUNNING, TASK_BLOCKED, TASK_DEAD };

#define TASK_NAME_MAX 32
#define TASK_DEFAULT_STACK (256 * 1024)

struct task {
	struct trap_frame *frame;   /* saved state; valid while not running */
	uintptr_t stack_lo, stack_hi;
	bool on_cpu;                /* a CPU runs it or still stands on its stack (core/sched.c) */
	uint32_t id;                /* 1, 2, ...; also the gdb thread id */
	uint32_t cpu;
	enum task_state state;
	char name[TASK_NAME_MAX];
	struct task *queue_next;    /* run queue or wait queue */
	struct task *all_next;      /* every live task, newest first */
	uint64_t wake_at;           /* blocked with a deadline: clock ns, else 0 */
	struct task *timer_next;
	struct runqueue *waiting_on;/* the wait queue a blocked task sits in */
	struct spinlock *waiting_lock; /* and that queue's lock */
	int wake_reason;            /* 0: woken; TASK_TIMED_OUT, TASK_INTERRUPTED (sched.h) */
	uint64_t wait_seq;          /* which of its waits it is in, or was in last (core/sched.c) */
	struct spinlock exit_lock;
	struct runqueue exit_waiters;
	void *libc;                 /* the C library's per-task state (libc/reent.c) */
	void *user;                 /* owner's data (pthread) */
	int detached;               /* freed by the scheduler once dead, nobody joins */
	size_t alloc_pages;
	uintptr_t alloc_base;
	uint64_t sig_blocked;       /* signals the task does not take (libc/signal.c); kernel tasks: all */
	uint64_t sig_pending;       /* signals sent to this task alone (atomic) */
	uint64_t *sig_return_slot;  /* a return address into the app redirected to deliver signals */
	uint64_t sig_return_to;     /* (arch/x86_64/signal_divert.c), and where it returned to */
	uint64_t affinity;          /* the CPUs it may run on, bit i for CPU i (kernel/balance.h) */
	bool interruptible;         /* a signal it takes ends its wait (sched_interrupt_waits) */
	struct hermit_wait wait;    /* what it waits for while blocked, for debuggers (kernel/wait.h) */
	uint64_t queued_at;         /* when it was last queued to run (clock ns; core/sched.c) */
	uint64_t cpu_ns;            /* how long it ran, until its CPU's run_start (core/sched.c) */
};

#define TASK_SIG_ALL (~0ull)

_Static_assert(offsetof(struct task, on_cpu) == TASK_ON_CPU, "entry.S clears on_cpu");

#define TASK_TIMED_OUT 1
#define TASK_INTERRUPTED 2

typedef void (*task_fn)(void *arg);

/* Creates a ready task running fn(arg), placed on a CPU (core/sched.c); NULL when memory is
 * short. task_new() leaves it unstarted, for the creator to finish first; task_start() starts it
 * (it may run on another CPU at once). */
struct task *task_create(const char *name, task_fn fn, void *arg, size_t stack_size);
struct task *task_new(const char *name, task_fn fn, void *arg, size_t stack_size);
void task_start(struct task *t);
/* Ends the calling task; never returns. */
void task_exit(void) __attribute__((noreturn));
/* Waits until t is dead. Task context. */
void task_wait_dead(struct task *t);
/* Nobody will wait for t: its memory goes back when it ends. */
void task_detach(struct task *t);
/* Frees a dead task's stack and descriptor. */
void task_release(struct task *t);
void task_set_name(struct task *t, const char *name);
struct task *task_current(void);
/* The list of every task, for debuggers and crash reports: walk it only with the others stopped. */
struct task *task_list(void);
/* True when pred holds for a task; pred runs under the list's lock (short, no blocking). */
bool task_any(bool (*pred)(const struct task *t));
/* A signal became pending: ends the interruptible waits of the tasks that take it now. */
void task_interrupt_waits(void);
const char *task_state_name(enum task_state s);

/* Boot: turns the flow running on [stack_lo, stack_hi) into the idle task of this CPU. */
void task_init_idle(uintptr_t stack_lo, uintptr_t stack_hi);

#endif
