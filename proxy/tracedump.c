/*
 * tracedump.c: the tracer's rings, read out of guest memory through the checked accessor, handed
 * to the exporters of tracing/export.c (the one place that writes CTF and JSON; gdb's
 * `hermit trace save` is tested against its output), with the task names for the timeline.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracing/export.h"
#include "proxy.h"

static const void *map_guest(void *arg, uint64_t gpa, uint64_t len)
{
	return gm_range(arg, gpa, len);
}

/* Task ids and names from the task table, for the JSON timeline. */
static void add_task_names(struct guestview *v, struct trace_snapshot *s)
{
	static struct guest_task tasks[GV_TASKS_MAX];
	struct hermit_task_table tt;
	size_t n = gv_tasks(v, &tt) ? gv_task_walk(v, &tt, tasks, GV_TASKS_MAX) : 0;

	s->tasks = calloc(n ? n : 1, sizeof(*s->tasks));
	for (size_t i = 0; s->tasks && i < n; i++) {
		s->tasks[i].tid = tasks[i].id;
		snprintf(s->tasks[i].name, sizeof(s->tasks[i].name), "%s", tasks[i].name);
	}
	s->ntasks = s->tasks ? n : 0;
}

bool trace_read(struct guestview *v, struct trace_snapshot *s)
{
	struct hermit_trace hdr;

	if (!gv_trace(v, &hdr) || trace_snapshot_read(s, &hdr, map_guest, (void *)v->gm) < 0)
		return false;
	if (!s->ncpus) {
		trace_snapshot_free(s);
		return false;
	}
	add_task_names(v, s);
	return true;
}

int trace_write_files(const struct trace_snapshot *s, const char *base, char *json, size_t jsonlen)
{
	snprintf(json, jsonlen, "%s.json", base);
	FILE *f = fopen(json, "w");
	int rc = trace_write_ctf(s, base) < 0 || !f || trace_write_json(s, f) < 0 ? -1 : 0;

	if (f && fclose(f) != 0)
		rc = -1;
	return rc;
}

int trace_dump(struct guestview *v, const char *base, FILE *out)
{
	struct trace_snapshot s;
	char json[4200];
	uint64_t lost = 0;

	if (!trace_read(v, &s)) {
		fprintf(out, "hermit: no trace to write (the kernel set up no trace rings)\n");
		return -1;
	}
	int rc = trace_write_files(&s, base, json, sizeof(json));
	for (unsigned i = 0; i < s.ncpus; i++)
		lost += s.cpu[i].lost + s.cpu[i].torn;
	if (rc < 0)
		fprintf(out, "hermit: cannot write the trace to %s: %s\n", base, strerror(errno));
	else
		fprintf(out, "hermit: trace of %zu events (%llu lost) written to %s (CTF) and %s (JSON)\n",
			trace_snapshot_count(&s), (unsigned long long)lost, base, json);
	trace_snapshot_free(&s);
	return rc;
}
