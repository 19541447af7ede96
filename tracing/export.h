/*
 * tracing/export.h: host side. A snapshot of the tracer's rings (read from guest memory, live or
 * dead) and its export as CTF 1.8 (babeltrace2, Trace Compass) and as Chrome trace-event JSON
 * (Perfetto UI, chrome://tracing). docs/tracing.md describes both outputs.
 */
#ifndef TRACING_EXPORT_H
#define TRACING_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hermit/abi.h"
#include "ring.h"

struct trace_cpu_events {
	uint32_t cpu;
	struct hermit_trace_event *ev; /* oldest first, sorted by time */
	size_t n;
	uint64_t lost;                 /* overwritten */
	uint64_t torn;                 /* reserved, never committed */
};

struct trace_task_name {
	uint32_t tid;
	char name[32];
};

struct trace_snapshot {
	uint64_t tsc_khz;
	uint64_t tsc_base;
	unsigned ncpus;
	struct trace_cpu_events cpu[HERMIT_MAX_CPUS];
	struct trace_task_name *tasks; /* optional, for names in the JSON timeline */
	size_t ntasks;
};

/* Guest memory for the reader: a host pointer for [gpa, gpa + len) or NULL. */
typedef const void *(*trace_map_fn)(void *arg, uint64_t gpa, uint64_t len);

/* Reads the rings behind hdr (a copy of the guest's struct hermit_trace). -1 on a bad header. */
int trace_snapshot_read(struct trace_snapshot *s, const struct hermit_trace *hdr, trace_map_fn map,
			void *arg);
void trace_snapshot_free(struct trace_snapshot *s);
/* Nanoseconds since boot of a raw TSC value. */
uint64_t trace_ns(const struct trace_snapshot *s, uint64_t tsc);
size_t trace_snapshot_count(const struct trace_snapshot *s);

/* Writes DIR/metadata and DIR/stream_<cpu> (DIR is created). */
int trace_write_ctf(const struct trace_snapshot *s, const char *dir);
/* Writes the CTF metadata text alone (for tests and the reference files). */
void trace_write_ctf_metadata(FILE *out);
/* Writes one CPU's stream. */
void trace_write_ctf_stream(const struct trace_snapshot *s, unsigned i, FILE *out);
int trace_write_json(const struct trace_snapshot *s, FILE *out);

#endif
