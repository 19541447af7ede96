/*
 * debug/wait_text.c: what a blocked task waits for, in words, from its wait record (kernel/wait.h):
 * gdb's thread list (`info threads`) and "monitor tasks". Runs in the stub context with every task
 * stopped; the owner pointer a record names is read only once the page walk allows it, and only a
 * listed task counts as an owner.
 */
#include <string.h>

#include "debug/debug_internal.h"
#include "kernel/task.h"
#include "lib/format.h"

static const char *const kind_names[] = HERMIT_WAIT_NAMES;
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == HERMIT_WAIT_KINDS, "a name per wait kind");

/* The id of the task at addr, 0 when it is none of the listed tasks. */
static uint32_t listed_id(uint64_t addr)
{
	for (const struct task *t = task_list(); t; t = t->all_next)
		if ((uintptr_t)t == addr)
			return t->id;
	return 0;
}

/* The id of the task the struct task * variable at slot holds, 0 for none. */
static uint32_t owner_id(hermit_gpa_t slot)
{
	if (!slot || !debug_readable(slot, sizeof(uint64_t)))
		return 0;
	return listed_id(*(const uint64_t *)(uintptr_t)slot);
}

void debug_wait_text(const struct task *t, char *buf, size_t size)
{
	const struct hermit_wait *w = &t->wait;
	const char *name = w->kind < HERMIT_WAIT_KINDS ? kind_names[w->kind] : "?";
	uint32_t owner = owner_id(w->owner);
	unsigned long obj = (unsigned long)w->object;

	bool socket = w->kind == HERMIT_WAIT_NET && w->fd;
	size_t n;

	if (socket)
		fmt_snprintf(buf, size, "socket %u", w->fd - 1);
	else if (w->kind == HERMIT_WAIT_JOIN)
		fmt_snprintf(buf, size, "join of task %u", listed_id(obj));
	else if (owner)
		fmt_snprintf(buf, size, "%s 0x%lx held by task %u", name, obj, owner);
	else if (obj)
		fmt_snprintf(buf, size, "%s 0x%lx", name, obj);
	else
		fmt_snprintf(buf, size, "%s", name);
	n = strlen(buf);
	if (w->fd && !socket && n < size)
		fmt_snprintf(buf + n, size - n, ", fd %u", w->fd - 1);
}
