/*
 * kernel/runqueue.h: a FIFO of tasks linked through task.queue_next. Used for run queues and wait
 * queues; the caller holds whatever lock guards the queue.
 */
#ifndef KERNEL_RUNQUEUE_H
#define KERNEL_RUNQUEUE_H

#include <stdbool.h>

struct task;

struct runqueue {
	struct task *head, *tail;
};

void runqueue_push(struct runqueue *q, struct task *t);
struct task *runqueue_pop(struct runqueue *q);
/* Takes t out of q; false when it was not queued there. */
bool runqueue_remove(struct runqueue *q, struct task *t);
static inline bool runqueue_empty(const struct runqueue *q) { return !q->head; }

#endif
