/* libc/trace_api.c: <hermit/trace.h>, the tracer for apps, over kernel/trace.h. */
#include "hermit/trace.h"

#include "kernel/trace.h"

_Static_assert(sizeof(struct hermit_trace_cost) == sizeof(struct trace_cost), "trace cost layout");

void hermit_trace_mark(uint32_t tag, uint64_t value) { trace(APP_MARK, tag, value); }
int hermit_trace_enable(const char *patterns) { return trace_enable(patterns); }
int hermit_trace_disable(const char *patterns) { return trace_disable(patterns); }
size_t hermit_trace_describe(char *buf, size_t len) { return trace_describe(buf, len); }

void hermit_trace_measure(uint64_t iterations, struct hermit_trace_cost *out)
{
	trace_measure_cost(iterations, (struct trace_cost *)out);
}
