/*
 * arch/x86_64/signal_divert.c: redirecting a resumed task to its signal handlers. The frame it
 * resumes from is copied just below itself on the task's stack, and the task resumes instead in
 * signal_trampoline (entry.S) with its stack pointer at that copy: the trampoline runs
 * signal_deliver() and then returns through the copy to where the task was interrupted, every
 * register intact. A handler that longjmps out simply abandons the copy.
 * Only a task other than the interrupted one is diverted: the trap handler's own stack frames lie
 * below an interrupted task's frame, where the copy would go.
 */
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "kernel/percpu.h"
#include "kernel/signal.h"
#include "kernel/task.h"

#define DIVERT_STACK_MIN (16 * 1024) /* what a handler gets at the least, else it waits */

extern char __image_start[], __text_end[], __kernel_text_start[], __kernel_text_end[];
extern char signal_trampoline[];

static bool in_app_code(uint64_t rip)
{
	if (rip < (uint64_t)__image_start || rip >= (uint64_t)__text_end)
		return false;
	return rip < (uint64_t)__kernel_text_start || rip >= (uint64_t)__kernel_text_end;
}

struct trap_frame *signal_divert(struct trap_frame *resumed, const struct trap_frame *interrupted)
{
	struct task *t = this_cpu()->current;
	if (resumed == interrupted || !(resumed->rflags & RFLAGS_IF) || !in_app_code(resumed->rip) || !signal_ready(t))
		return resumed;
	uintptr_t copy = ((uintptr_t)resumed - sizeof(*resumed)) & ~(uintptr_t)15;
	if (copy < t->stack_lo + DIVERT_STACK_MIN)
		return resumed;
	memcpy((void *)copy, resumed, sizeof(*resumed));
	resumed->rip = (uint64_t)signal_trampoline;
	resumed->rsp = copy;
	resumed->rflags &= ~RFLAGS_IF;
	return resumed;
}
