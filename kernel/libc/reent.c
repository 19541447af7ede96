/*
 * libc/reent.c: newlib keeps errno and other per-thread state in a struct _reent. Every POSIX
 * thread gets its own; the main task and kernel tasks share the global one. The stdio streams
 * themselves are global (newlib is built with --enable-newlib-global-stdio-streams).
 */
#include <reent.h>
#include <stdlib.h>

#include "kernel/task.h"
#include "libc/libc.h"

struct _reent *__getreent(void)
{
	struct task *t = task_current();
	return t && t->libc ? t->libc : _GLOBAL_REENT;
}

void *libc_task_state_new(void)
{
	struct _reent *r = malloc(sizeof(*r));
	if (r)
		_REENT_INIT_PTR(r);
	return r;
}

void libc_task_state_free(void *state)
{
	struct _reent *r = state;
	if (!r)
		return;
	_reclaim_reent(r);
	free(r);
}
