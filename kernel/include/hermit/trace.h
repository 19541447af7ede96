/*
 * <hermit/trace.h>: the tracer, for apps. Events go to the kernel's flight recorder with the
 * kernel's own (task switches, system calls, interrupts...); the proxy exports them all as CTF and
 * JSON when HERMIT_TRACE is set (docs/tracing.md).
 *
 *   hermit_trace_enable("app_mark,sched_*");   same patterns as HERMIT_TRACE
 *   hermit_trace_mark(42, value);              an "app_mark" event with fields tag and value
 */
#ifndef HERMIT_TRACE_H
#define HERMIT_TRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Records an app_mark event (when that event is on; nearly free when it is off). */
void hermit_trace_mark(uint32_t tag, uint64_t value);
/* Turn events on or off by name patterns; return how many events are on, -1 on a bad pattern. */
int hermit_trace_enable(const char *patterns);
int hermit_trace_disable(const char *patterns);
/* What is on and how full the rings are, in one line (as `monitor trace` says it). */
size_t hermit_trace_describe(char *buf, size_t len);

/* The cost of one kernel tracepoint, measured over iterations runs (bench/tracecost). */
struct hermit_trace_cost {
	uint64_t iterations;
	uint64_t cycles_disabled_x1000; /* TSC cycles per tracepoint, times 1000 */
	uint64_t cycles_enabled_x1000;
	uint64_t tsc_khz;
};
void hermit_trace_measure(uint64_t iterations, struct hermit_trace_cost *out);

#ifdef __cplusplus
}
#endif

#endif
