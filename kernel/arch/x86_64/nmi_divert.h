/*
 * arch/x86_64/nmi_divert.h: longer work an NMI asks for (parking a CPU for gdb, a stop for gdb)
 * runs after the NMI handler has returned, not inside it. Inside, NMIs stay blocked until its
 * iret, so the CPU could not halt waiting for the NMI that ends a park, and an interrupt nested
 * there would unblock NMIs (its iret) while the NMI's frame still sits at the top of its stack.
 *
 * nmi_divert(f, fn) copies the interrupted state *f aside and makes the handler's iret land in
 * fn(frame) on this CPU's divert stack, interrupts off; when fn returns, the CPU resumes the
 * frame (as fn may have changed it). An NMI that comes while fn runs queues its own work to run
 * after fn (nmi_divert again); one that comes while the CPU returns into the frame finishes that
 * return first (nmi_divert_enter), so every NMI sees the interrupted code's true state.
 */
#ifndef ARCH_X86_64_NMI_DIVERT_H
#define ARCH_X86_64_NMI_DIVERT_H

#include <stdbool.h>

#include "arch/x86_64/frame.h"

typedef void (*nmi_work)(struct trap_frame *frame);

/* First thing of every NMI handler: if it struck while this CPU left diverted work, *f becomes
 * the frame that work resumes. */
void nmi_divert_enter(struct trap_frame *f);
/* From the NMI handler: fn(frame) runs once it returned (after the work running, if any). */
void nmi_divert(struct trap_frame *f, nmi_work fn);
/* True while this CPU runs diverted work, which resumes nmi_divert_frame() when done. */
bool nmi_divert_busy(void);
struct trap_frame *nmi_divert_frame(void);
/* True when an interrupt may nest while f's code is held stopped: neither f nor the stack f's
 * code ran on is this CPU's trap stack, where every interrupt starts (entry.S). */
bool trap_may_nest(const struct trap_frame *f);

#endif
