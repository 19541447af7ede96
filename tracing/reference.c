/*
 * tracing/reference.c: writes the reference trace of traces/reference/ (a fixed synthetic ring:
 * two tasks switching, a system call, an interrupt, app marks, and events lost to overwriting),
 * as CTF (DIR/) and JSON (DIR.json). The tests compare the exporters' output with the committed
 * copy and babeltrace2's reading of it with traces/reference/synthetic.txt.
 *
 * usage: trace-reference DIR
 */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "export.h"

#define SLOTS 16

static const void *identity(void *arg, uint64_t gpa, uint64_t len)
{
	(void)arg;
	(void)len;
	return (const void *)(uintptr_t)gpa;
}

int main(int argc, char **argv)
{
	static struct hermit_trace_event slots[SLOTS];
	static struct hermit_trace hdr;
	struct hermit_trace_cpu *r = &hdr.cpu[0];
	char json[4096];

	if (argc != 2)
		return 2;
	hdr.magic = HERMIT_TRACE_MAGIC;
	hdr.version = HERMIT_TRACE_VERSION;
	hdr.event_size = sizeof(struct hermit_trace_event);
	hdr.ncpus = 1;
	hdr.tsc_khz = 2000000; /* 2 GHz */
	hdr.tsc_base = 1000;
	r->slots = (uintptr_t)slots;
	r->nslots = SLOTS;
	uint64_t tsc = 1000;
	/* 20 marks first: 4 + 16 - 16 of them are overwritten by what follows */
	for (uint64_t i = 0; i < 20; i++) {
		uint64_t pos = trace_ring_reserve(r);
		trace_ring_commit(slots, SLOTS, pos, tsc += 100, HERMIT_TRACE_APP_MARK, 2, 7, i);
	}
	static const struct { uint16_t id, task; uint64_t a0, a1; } script[] = {
		{ HERMIT_TRACE_TASK_CREATE, 2, 3, 256 },
		{ HERMIT_TRACE_SYS_WRITE_ENTRY, 2, 1, 5 },
		{ HERMIT_TRACE_HCALL_ENTRY, 2, 2, 0 },
		{ HERMIT_TRACE_SCHED_SWITCH, 2, 2, 3 },
		{ HERMIT_TRACE_APP_MARK, 3, 1000, 0 },
		{ HERMIT_TRACE_IRQ, 3, 35, 0x201000 },
		{ HERMIT_TRACE_SCHED_WAKEUP, 3, 2, 0 },
		{ HERMIT_TRACE_SCHED_SWITCH, 3, 3, 2 },
		{ HERMIT_TRACE_HCALL_EXIT, 2, 2, 0 },
		{ HERMIT_TRACE_SYS_WRITE_EXIT, 2, 5, 0 },
		{ HERMIT_TRACE_SYS_LSEEK_ENTRY, 2, 3, (uint64_t)-16 },
		{ HERMIT_TRACE_SYS_LSEEK_EXIT, 2, (uint64_t)-22, 0 },
		{ HERMIT_TRACE_TASK_EXIT, 3, 3, 0 },
		{ HERMIT_TRACE_PAGE_FREE, 2, 0x7ff00000, 65 },
	};
	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		uint64_t pos = trace_ring_reserve(r);
		trace_ring_commit(slots, SLOTS, pos, tsc += 2000, script[i].id, script[i].task, script[i].a0,
				  script[i].a1);
	}
	struct trace_snapshot s;
	if (trace_snapshot_read(&s, &hdr, identity, NULL) < 0)
		return 1;
	static struct trace_task_name names[] = { { 2, "main" }, { 3, "worker" } };
	s.tasks = names;
	s.ntasks = 2;
	snprintf(json, sizeof(json), "%s.json", argv[1]);
	FILE *f = fopen(json, "w");
	int rc = !f || trace_write_ctf(&s, argv[1]) < 0 || trace_write_json(&s, f) < 0 || fclose(f) != 0;
	s.tasks = NULL; /* static: not for trace_snapshot_free */
	trace_snapshot_free(&s);
	return rc;
}
