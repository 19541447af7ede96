/*
 * kernel/signal.h: how the trap path hands POSIX signals to the app (libc/signal.c).
 * A signal the C library marked pending runs its handler on an app task: when the task calls into
 * the signal functions or sleeps, or, asynchronously, when the task is resumed in the app's own code
 * (not the kernel's: arch/x86_64/signal_divert.c), as Linux runs handlers on the way back to user
 * mode. Exceptions in the app's code become signals when the app handles them.
 */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <stdbool.h>

#include "arch.h"

struct task;

/* True when a pending signal is one t takes now. Any context. */
bool signal_ready(const struct task *t);
/* Runs the handlers (or default actions) of the pending signals the calling task takes; true
 * when it took any. */
bool signal_deliver(void);
/* A CPU exception in t's app code: when t has a handler for sig and does not block it, marks sig
 * pending for t (with its si_code and si_addr) and returns true; else false (the crash stands). */
bool signal_take_fault(struct task *t, int sig, int code, void *addr);

/* Trap exit: when the task about to resume from f is in the app's code with a signal ready, f is
 * redirected to run signal_deliver() first and then come back to where it was; in kernel code,
 * its next return into the app's code is. Returns f. */
struct trap_frame *signal_divert(struct trap_frame *f);
/* An exception in f: true when it became a signal whose handler f now runs first. */
bool signal_fault(struct trap_frame *f);
/* The trampoline's way back: f resumes where it was diverted from. */
void signal_undivert(struct trap_frame *f);
/* The return trampoline's: runs the handlers, then says where the redirected return goes. */
uint64_t signal_returned(void);

#endif
