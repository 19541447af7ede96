/*
 * kernel/wait.h: what a blocked task waits for, recorded for debuggers (struct hermit_wait in
 * hermit/abi.h): `hermit tasks`, the stub's thread list and post-mortem reports read it to show
 * a deadlock's mutexes and owners, or which socket a server waits on.
 *
 * Each blocking primitive blocks through wait_block() instead of sched_block(), naming what it
 * waits on: one call in each. The socket and file calls say which descriptor they work on with
 * wait_fd_call() around the call, so a wait inside it shows that descriptor too.
 */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include <stdint.h>

#include "hermit/abi.h"
#include "kernel/runqueue.h"
#include "kernel/spinlock.h"

struct task;

/* sched_block(q, lock, flags, deadline), with the current task recorded as waiting on object
 * (kind, enum hermit_wait_kind) held by *owner (NULL when nobody holds it) meanwhile. */
int wait_block(enum hermit_wait_kind kind, const void *object, struct task *const *owner,
	       struct runqueue *q, struct spinlock *lock, uint64_t flags, uint64_t deadline);

/* The current task enters a call on descriptor fd (-1: it leaves it). */
void wait_fd_call(int fd);
/* The value of call, made with the current task shown in a call on descriptor fd meanwhile. */
#define WAIT_FD_CALL(fd, call)                                  \
	({                                                      \
		wait_fd_call(fd);                               \
		__typeof__(call) wait_fd_result_ = (call);      \
		wait_fd_call(-1);                               \
		wait_fd_result_;                                \
	})

#endif
