/*
 * postmortem.c: what the proxy leaves behind from guest memory when a guest ends: the trace
 * (HERMIT_TRACE, tracedump.c) and the post-mortem bundle of a crash (or of any ending with
 * HERMIT_BUNDLE=1, or of the running guest on SIGUSR2): log.txt (logdump.c), registers.txt and an
 * ELF core file that gdb opens with every task as a thread (core.c), the trace and capture.pcapng
 * (docs/tracing.md). Every piece is read through the checked accessor and written on its own: a
 * broken table costs its piece, never the rest of the bundle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracing/export.h"
#include "proxy.h"

void pm_init(struct postmortem *pm, const struct guestmem *gm, hermit_gpa_t anchor,
	     struct symbolizer *sym, const char *app, const struct settings *s)
{
	memset(pm, 0, sizeof(*pm));
	gv_init(&pm->gv, gm, anchor);
	pm->sym = sym;
	pm->app = app;
	pm->dir = s->trace_dir ? s->trace_dir : ".";
	pm->trace = s->trace;
	pm->bundle_always = s->bundle_always;
	if (!s->record || !realpath(s->record, pm->recording))
		pm->recording[0] = '\0';
}

bool pm_print_log(struct postmortem *pm, FILE *out)
{
	return log_print(&pm->gv, pm->sym, out);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static const char *end_name(int end)
{
	switch (end) {
	case VM_EXITED: return "exited";
	case VM_CRASHED: return "crashed";
	case VM_DIED: return "died without exiting (triple fault or QEMU error)";
	case VM_SIGNALED: return "stopped by a signal";
	case VM_TIMEOUT: return "stopped by HERMIT_TIMEOUT";
	case VM_DIVERGED: return "left its recording (a replay that diverged)";
	case VM_RUNNING: return "was running (a snapshot on request: SIGUSR2)";
	default: return "ended";
	}
}

static void bundle_log(struct postmortem *pm, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t len;
	uint64_t lost;
	char *text;

	if (!f)
		return;
	if ((text = log_text(&pm->gv, &len, &lost)))
		log_render(pm->sym, text, len, f);
	free(text);
	fclose(f);
}

/* registers.txt and core; the core's signal as a shell would report the ending. */
static int bundle_core(struct postmortem *pm, const char *dir, int end, int32_t status)
{
	char path[4200];
	int sig = end == VM_CRASHED ? (status == HERMIT_CRASH_PANIC ? 6 : 11) : end == VM_DIED ? 11 : 0;
	FILE *regs;
	int rc;

	snprintf(path, sizeof(path), "%s/registers.txt", dir);
	regs = fopen(path, "w");
	if (regs)
		fprintf(regs, "the guest %s (status %d)\n", end_name(end), (int)status);
	snprintf(path, sizeof(path), "%s/core", dir);
	rc = core_write(&pm->gv, pm->app, path, sig, regs ? regs : stderr);
	if (regs)
		fclose(regs);
	return rc;
}

static void bundle_trace(struct postmortem *pm, const char *dir)
{
	struct trace_snapshot s;
	char base[4200], json[4300];

	if (!trace_read(&pm->gv, &s))
		return;
	snprintf(base, sizeof(base), "%s/trace", dir);
	trace_write_files(&s, base, json, sizeof(json));
	trace_snapshot_free(&s);
}

/* A recorded run's bundle says how to replay it and go back in time to the cause. */
static bool bundle_replay_hint(struct postmortem *pm, const char *dir)
{
	char path[4200];
	FILE *f;

	if (!pm->recording[0])
		return false;
	snprintf(path, sizeof(path), "%s/replay.txt", dir);
	if (!(f = fopen(path, "w")))
		return false;
	fprintf(f, "This run was recorded into %s (docs/replay.md). The same run again, without the\n"
		"outside world:\n\n    HERMIT_REPLAY=%s proxy %s\n\n"
		"Backwards from the crash with gdb (QEMU's gdbstub, 127.0.0.1:1234):\n\n"
		"    HERMIT_REPLAY=%s HERMIT_DEBUG=1 proxy %s &\n"
		"    gdb %s -ex 'target remote :1234' -ex 'break crash_exception' -ex continue\n"
		"    (gdb) watch VARIABLE\n    (gdb) reverse-continue\n",
		pm->recording, pm->recording, pm->app, pm->recording, pm->app, pm->app);
	return fclose(f) == 0;
}

static int write_bundle(struct postmortem *pm, int end, int32_t status, FILE *out)
{
	char tag[32] = "", dir[4096], path[4200];
	struct hermit_anchor anchor;

	if (end == VM_RUNNING)
		snprintf(tag, sizeof(tag), "-snapshot%u", ++pm->snapshots);
	if (!gv_anchor(&pm->gv, &anchor) || (!anchor.log && !anchor.tasks))
		return -1; /* a guest without the tables: nothing to put in a bundle */
	snprintf(dir, sizeof(dir), "%s/hermit-postmortem-%s-%d%s", pm->dir, base_name(pm->app), (int)getpid(), tag);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(out, "hermit: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/log.txt", dir);
	bundle_log(pm, path);
	int rc = bundle_core(pm, dir, end, status);
	bundle_trace(pm, dir);
	snprintf(path, sizeof(path), "%s/capture.pcapng", dir); /* with HERMIT_CAPTURE_NET */
	long frames = net_capture_save(pm->gv.gm, pm->gv.anchor, path);
	bool hint = bundle_replay_hint(pm, dir);
	fprintf(out, "hermit: post-mortem bundle in %s (log.txt, registers.txt, core%s%s%s; gdb %s %s/core)\n", dir,
		rc < 0 ? " missing" : "", frames >= 0 ? ", capture.pcapng" : "",
		hint ? ", replay.txt" : "", pm->app, dir);
	return rc;
}

void pm_snapshot(struct postmortem *pm, FILE *out)
{
	(void)mkdir(pm->dir, 0777);
	write_bundle(pm, VM_RUNNING, 0, out);
	fflush(out);
}

void pm_finish(struct postmortem *pm, int end, int32_t status, FILE *out)
{
	bool bundle = end == VM_CRASHED || end == VM_DIED || end == VM_DIVERGED || pm->bundle_always;

	if (pm->trace || bundle)
		(void)mkdir(pm->dir, 0777); /* one level, as `mkdir DIR` would; it may exist */
	if (pm->trace) {
		char base[4096];
		snprintf(base, sizeof(base), "%s/hermit-trace-%s-%d", pm->dir, base_name(pm->app), (int)getpid());
		trace_dump(&pm->gv, base, out);
	}
	if (bundle)
		write_bundle(pm, end, status, out);
	fflush(out);
}
