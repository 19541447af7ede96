/*
 * kernel/signal.h: how the trap path hands POSIX signals to the app (libc/signal.c).
 * A signal the C library marked pending runs its handler on an app task: when the task calls into
 * the signal functions or sleeps, or, asynchronously, when the task is resumed in the app's own code
 * (not the kernel's: arch/x86_64/signal_divert.c), as Linux runs handlers on the way back to user
 * mode.
 */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <stdbool.h>

#include "arch.h"

struct task;

/* True when a pending signal is one t takes now. Any context. */
bool signal_ready(const struct task *t);
/* Runs the handlers (or default actions) of the pending signals the calling task takes. */
void signal_deliver(void);
/* Trap exit: resumed is the frame about to be resumed, interrupted the one that entered. When a
 * different task resumes in the app's code with a signal ready, its frame is redirected to run
 * signal_deliver() first and then come back to where it was. */
struct trap_frame *signal_divert(struct trap_frame *resumed, const struct trap_frame *interrupted);

#endif
