/*
 * kernel/debug.h: the in-kernel gdb stub (kernel/debug/), as the rest of the kernel sees it.
 *
 * With HERMIT_DEBUG=1 the host sets HERMIT_CONFIG_DEBUG; debug_boot() then starts the stub and
 * stops the kernel for gdb before the main task exists (with HERMIT_CONFIG_ATTACH too, it does not
 * stop: the guest runs until a gdb connects). Afterwards the trap dispatcher hands it
 * every exception (debug_exception) and lets it stop the CPU at the end of an interrupt when gdb
 * asked for a stop (debug_check_stop). Without HERMIT_CONFIG_DEBUG all three do nothing.
 */
#ifndef KERNEL_DEBUG_H
#define KERNEL_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"

/* Boot, after the CONFIG hypercall, interrupts off. */
void debug_boot(uint32_t config_flags);

/* An exception (vector < 32) in frame f: true when the stub handled it and f may be resumed
 * (a breakpoint, a step, a watchpoint, or a fault gdb looked at and moved the pc away from);
 * false when it is fatal as without a debugger. */
bool debug_exception(struct trap_frame *f);

/* An NMI in frame f: true when the stub claims it: a stop-all's, for this CPU to park, or one
 * nobody asked for (unless expected: it may be the kernel's own wake-up), which stops the guest
 * for gdb; each runs once the NMI handler returned (nmi_divert.h). Under HERMIT_DEBUG every NMI
 * is the stub's. */
bool debug_nmi(struct trap_frame *f, bool expected);
/* A CPU came up: it takes gdb's watchpoints and hardware breakpoints. Interrupts off. */
void debug_cpu_online(void);

/* End of an interrupt: if gdb asked for a stop (^C, a new gdb), stops here in f's task. */
void debug_check_stop(struct trap_frame *f);
/* True once HERMIT_DEBUG started the stub. */
bool debug_stub_enabled(void);
/* True while the stub holds this CPU stopped and waits for gdb: an interrupt then only wakes
 * it, and no task switch may happen. */
bool debug_stub_active(void);

#endif
