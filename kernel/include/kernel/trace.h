/*
 * kernel/trace.h: the flight-recorder tracer (docs/tracing.md).
 *
 *   trace(SCHED_SWITCH, prev->id, next->id);      a tracepoint (tracing/events.h names the events)
 *   trace_enable("sched_*,syscall_*");           turns events on (HERMIT_TRACE, `monitor trace`)
 *   trace_disable("*");
 *
 * Each tracepoint is a 5-byte NOP in the code (a static branch); trace_enable() patches the NOPs
 * of the chosen events into jumps to the out-of-line code that records the event, so a disabled
 * tracepoint costs one NOP and its arguments are not even computed. Events go to this CPU's ring
 * (hermit/abi.h, anchor.trace), overwriting the oldest. Any context, interrupts included.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracing/events.h"

/* One per tracepoint, in section __trace_sites: where the NOP is, where its jump goes. */
struct trace_site {
	uint64_t code;
	uint64_t target;
	uint32_t id;
	uint32_t reserved;
};

static inline __attribute__((always_inline)) bool trace_site_on(unsigned id)
{
	__asm__ goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t" /* nopl 0(%%rax,%%rax,1) */
		     ".pushsection __trace_sites, \"aw\"\n\t"
		     ".balign 8\n\t"
		     ".quad 1b, %l[on]\n\t"
		     ".long %c0, 0\n\t"
		     ".popsection"
		     : : "i"(id) : : on);
	return false;
on:
	return true;
}

void trace_emit(unsigned id, uint64_t a0, uint64_t a1);
/* The same, stamped with a TSC reading the caller took (clock_tsc()) and shares with another record. */
void trace_emit_at(unsigned id, uint64_t tsc, uint64_t a0, uint64_t a1);
/* The hypercall tracepoints (core/hcall.c): the hcall_* events and the system calls behind them. */
void trace_hcall(uint32_t nr, const void *req, bool exit);

#define trace(event, a0, a1)                                                                   \
	do {                                                                                   \
		if (trace_site_on(HERMIT_TRACE_##event))                                        \
			trace_emit(HERMIT_TRACE_##event, (uint64_t)(a0), (uint64_t)(a1));       \
	} while (0)

#define trace_at(event, tsc, a0, a1)                                                           \
	do {                                                                                   \
		if (trace_site_on(HERMIT_TRACE_##event))                                        \
			trace_emit_at(HERMIT_TRACE_##event, (tsc), (uint64_t)(a0), (uint64_t)(a1)); \
	} while (0)

/* Turns on (off) the events whose names match patterns (comma-separated globs, "all", "-glob"
 * to leave some out). Returns how many events are on afterwards, -1 when a pattern matches no
 * event (nothing changes then) or the rings cannot be allocated. Any context, the gdb stub's
 * traps included (the first call allocates the rings: not from an interrupt handler). */
int trace_enable(const char *patterns);
int trace_disable(const char *patterns);
bool trace_is_enabled(unsigned id);
/* One line for `monitor trace`: the events on, the ring size, events written and lost per CPU.
 * Returns the length written (NUL-ended, cut to len). */
size_t trace_describe(char *buf, size_t len);

/* Boot, after hcall CONFIG: HERMIT_TRACE, HERMIT_TRACE_EVENTS (events per CPU ring),
 * HERMIT_LOGSIZE; publishes the trace header in the anchor (debug_tables_init the task table). */
void trace_boot(void);
/* A CPU came up: it gets its ring if tracing has rings already. */
void trace_cpu_online(unsigned cpu);
/* Early boot: publishes the task table (anchor.tasks), so a crash at boot can be read. */
void debug_tables_init(void);

/* Cost of one tracepoint in TSC cycles, measured here: loop overhead subtracted. */
struct trace_cost {
	uint64_t iterations;
	uint64_t cycles_disabled_x1000; /* per tracepoint, times 1000 */
	uint64_t cycles_enabled_x1000;
	uint64_t tsc_khz;
};
void trace_measure_cost(uint64_t iterations, struct trace_cost *out);

#endif
