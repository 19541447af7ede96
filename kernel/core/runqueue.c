/* core/runqueue.c: see runqueue.h. */
#include "kernel/runqueue.h"

#include <stddef.h>

#include "kernel/panic.h"
#include "kernel/task.h"

void runqueue_push(struct runqueue *q, struct task *t)
{
	/* a task queued twice would make the queue a cycle */
	KASSERT(q->tail != t && !t->queue_next, "a task is on one queue at most, once");
	t->queue_next = NULL;
	if (q->tail)
		q->tail->queue_next = t;
	else
		q->head = t;
	q->tail = t;
}

struct task *runqueue_pop(struct runqueue *q)
{
	struct task *t = q->head;
	if (t) {
		q->head = t->queue_next;
		if (!q->head)
			q->tail = NULL;
		t->queue_next = NULL;
	}
	return t;
}

bool runqueue_remove(struct runqueue *q, struct task *t)
{
	struct task *prev = NULL;
	for (struct task *i = q->head; i; prev = i, i = i->queue_next) {
		if (i != t)
			continue;
		if (prev)
			prev->queue_next = i->queue_next;
		else
			q->head = i->queue_next;
		if (q->tail == t)
			q->tail = prev;
		t->queue_next = NULL;
		return true;
	}
	return false;
}
