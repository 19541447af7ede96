/*
 * arch/x86_64/signal_divert.c: redirecting a task to its signal handlers. The frame it is about to
 * resume from stays where it is on the task's stack; its rip, rsp and rflags are set aside in the
 * bytes of the FXSAVE area the processor leaves to software, and the task resumes instead in
 * signal_trampoline (entry.S) with its stack pointer at the frame, so that whatever the handlers
 * push goes below it. The trampoline runs signal_deliver(), puts the three registers back
 * (signal_undivert) and returns through the frame to where the task was, every register intact.
 * A handler that longjmps out simply abandons the frame.
 * CPU exceptions in the app's code become SIGSEGV, SIGBUS, SIGFPE or SIGILL the same way when the
 * app has a handler for them and the task does not block it; otherwise they stay fatal.
 */
#include <signal.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kernel/percpu.h"
#include "kernel/signal.h"
#include "kernel/task.h"

#define DIVERT_STACK_MIN (16 * 1024) /* what a handler gets at the least, else it waits */
#define STASH_OFFSET 464             /* FXSAVE bytes 464-511 are software's */
#define PF_PRESENT 1                 /* page-fault error code: a protection violation */
#define RETURN_SEARCH_DEPTH 64       /* frames searched for the return into the app */

extern char __image_start[], __text_end[], __kernel_text_start[], __kernel_text_end[];
extern char signal_trampoline[], signal_return_trampoline[];

_Static_assert(STASH_OFFSET + 3 * sizeof(uint64_t) <= sizeof(struct fxsave_area), "stash fits");

static uint64_t *stash(struct trap_frame *f) { return (uint64_t *)((char *)&f->fx + STASH_OFFSET); }

static bool in_app_code(uint64_t rip)
{
	if (rip < (uint64_t)__image_start || rip >= (uint64_t)__text_end)
		return false;
	return rip < (uint64_t)__kernel_text_start || rip >= (uint64_t)__kernel_text_end;
}

/* True when f, saved on its task's stack (not an IST stack) with room below, is app code. */
static bool divertible(const struct trap_frame *f, const struct task *t)
{
	uintptr_t at = (uintptr_t)f;
	return in_app_code(f->rip) && at >= t->stack_lo + DIVERT_STACK_MIN && at + sizeof(*f) <= t->stack_hi;
}

static void divert(struct trap_frame *f)
{
	uint64_t *s = stash(f);
	s[0] = f->rip;
	s[1] = f->rsp;
	s[2] = f->rflags;
	f->rip = (uint64_t)signal_trampoline;
	f->rsp = (uint64_t)f; /* 16-byte aligned (frame.h) */
	f->rflags &= ~RFLAGS_IF;
}

void signal_undivert(struct trap_frame *f)
{
	uint64_t *s = stash(f);
	f->rip = s[0];
	f->rsp = s[1];
	f->rflags = s[2];
}

static bool on_stack(const struct task *t, uintptr_t at, size_t len)
{
	return at >= t->stack_lo && at + len <= t->stack_hi && at + len > at;
}

/*
 * A task resumed in kernel code gets its signals when it returns to the app, as from a system
 * call: the first return address into the app's code up its frame-pointer chain (everything is
 * built with frame pointers) is redirected to signal_return_trampoline (entry.S), which runs
 * signal_deliver() and then returns where the call would have. One redirection per task at a
 * time; one a longjmp skipped is noticed by its slot no longer holding the trampoline.
 */
static void redirect_return(const struct trap_frame *f, struct task *t)
{
	if (t->sig_return_slot && *t->sig_return_slot == (uint64_t)signal_return_trampoline)
		return;
	t->sig_return_slot = NULL;
	uintptr_t rbp = f->rbp;
	for (int depth = 0; depth < RETURN_SEARCH_DEPTH && rbp % 8 == 0 && on_stack(t, rbp, 16); depth++) {
		uint64_t *ret = (uint64_t *)rbp + 1;
		if (in_app_code(*ret)) {
			if ((uintptr_t)ret + 8 > t->stack_lo + DIVERT_STACK_MIN) {
				t->sig_return_to = *ret;
				t->sig_return_slot = ret;
				*ret = (uint64_t)signal_return_trampoline;
			}
			return;
		}
		uintptr_t next = *(uint64_t *)rbp;
		if (next <= rbp)
			return;
		rbp = next;
	}
}

uint64_t signal_returned(void)
{
	struct task *t = this_cpu()->current;
	t->sig_return_slot = NULL;
	signal_deliver();
	return t->sig_return_to;
}

struct trap_frame *signal_divert(struct trap_frame *f)
{
	struct task *t = this_cpu()->current;
	if (!signal_ready(t) || !on_stack(t, (uintptr_t)f, sizeof(*f)))
		return f;
	if (in_app_code(f->rip)) {
		if ((f->rflags & RFLAGS_IF) && divertible(f, t))
			divert(f);
	} else if (t->sig_blocked != TASK_SIG_ALL) {
		redirect_return(f, t);
	}
	return f;
}

/* The signal and si_code Linux gives for an exception vector; 0 when none. */
static int fault_signal(const struct trap_frame *f, int *code)
{
	switch (f->vector) {
	case 0: /* divide error */
		*code = FPE_INTDIV;
		return SIGFPE;
	case 16: /* x87 */
	case 19: /* SIMD */
		*code = FPE_FLTINV;
		return SIGFPE;
	case 6: /* invalid opcode */
		*code = ILL_ILLOPN;
		return SIGILL;
	case 17: /* alignment check */
		*code = BUS_ADRALN;
		return SIGBUS;
	case 12: /* stack segment */
	case 13: /* general protection */
		*code = SI_KERNEL;
		return SIGSEGV;
	case 14: /* page fault */
		*code = f->error & PF_PRESENT ? SEGV_ACCERR : SEGV_MAPERR;
		return SIGSEGV;
	default:
		return 0;
	}
}

bool signal_fault(struct trap_frame *f)
{
	int code, sig = fault_signal(f, &code);
	struct task *t = this_cpu()->current;
	if (!sig || !t || !divertible(f, t))
		return false;
	void *addr = (void *)(f->vector == 14 ? read_cr2() : f->rip);
	if (!signal_take_fault(t, sig, code, addr))
		return false;
	divert(f);
	return true;
}
