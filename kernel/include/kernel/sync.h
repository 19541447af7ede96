/*
 * kernel/sync.h: blocking synchronization for tasks: semaphores, mutexes, condition variables.
 * All-zero memory is a valid unlocked mutex, an empty condition variable and a semaphore at 0, so
 * static initializers are plain zeros (the POSIX wrappers rely on it). Deadlines are clock ns, 0
 * for none; waiting functions return 0, or -1 when the deadline passed. Task context only;
 * ksem_post() and kcond_signal()/kcond_broadcast() may also run in interrupt handlers.
 */
#ifndef KERNEL_SYNC_H
#define KERNEL_SYNC_H

#include <stdint.h>

#include "hermit/abi.h"
#include "kernel/runqueue.h"
#include "kernel/spinlock.h"

struct task;

struct ksem {
	struct spinlock lock;
	int count;
	struct runqueue waiters;
};

enum kmutex_type { KMUTEX_NORMAL, KMUTEX_ERRORCHECK, KMUTEX_RECURSIVE };

struct kmutex {
	struct spinlock lock;
	int type;              /* enum kmutex_type */
	unsigned depth;        /* recursive locks held by owner */
	int handoff;           /* a woken waiter lost to a spinning task: hand over next (sync.c) */
	struct task *owner;
	struct runqueue waiters;
};

struct kcond {
	struct spinlock lock;
	struct runqueue waiters;
};

void ksem_init(struct ksem *s, int count);
/* 0, or minus the task's wake_reason: -TASK_TIMED_OUT (-1), or -TASK_INTERRUPTED when the
 * caller waits interruptibly (task.interruptible) and a signal it takes came. */
int ksem_wait(struct ksem *s, uint64_t deadline);
/* ksem_wait() shown to debuggers as a wait of that kind on object (kernel/wait.h), not on s. */
int ksem_wait_as(struct ksem *s, uint64_t deadline, enum hermit_wait_kind kind, const void *object);
int ksem_trywait(struct ksem *s);
/* Returns 0, or -1 (and changes nothing) when the count is at INT_MAX. */
int ksem_post(struct ksem *s);

/* Returns 0, or EDEADLK-style -1 for an error-checking mutex its owner locks again. */
int kmutex_lock(struct kmutex *m, uint64_t deadline);
int kmutex_trylock(struct kmutex *m);
/* Returns 0, or -1 when the caller does not own m. */
int kmutex_unlock(struct kmutex *m);

/* Unlocks m, waits for a signal or the deadline, locks m again. */
int kcond_wait(struct kcond *c, struct kmutex *m, uint64_t deadline);
void kcond_signal(struct kcond *c);
void kcond_broadcast(struct kcond *c);

#endif
