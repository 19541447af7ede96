/*
 * core/wait.c: see wait.h. The record is written only by its own task, before it blocks, so it
 * needs no lock: a debugger reads it with the task stopped in its wait.
 */
#include "kernel/wait.h"

#include "kernel/sched.h"
#include "kernel/task.h"

int wait_block(enum hermit_wait_kind kind, const void *object, struct task *const *owner,
	       struct runqueue *q, struct spinlock *lock, uint64_t flags, uint64_t deadline)
{
	struct task *self = task_current();
	int woken;

	self->wait.kind = kind;
	self->wait.object = (hermit_gpa_t)(uintptr_t)object;
	self->wait.owner = (hermit_gpa_t)(uintptr_t)owner;
	woken = sched_block(q, lock, flags, deadline);
	self->wait.kind = HERMIT_WAIT_NONE; /* a wait not recorded later shows as none, not as this */
	return woken;
}

void wait_fd_call(int fd)
{
	struct task *self = task_current();

	if (self) /* NULL only before the first task */
		self->wait.fd = (uint32_t)(fd + 1);
}
