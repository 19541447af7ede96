/*
 * replay.c: HERMIT_REPLAY=DIR (docs/replay.md). QEMU replays the recorded run from its own log,
 * the hypercall answers included (the doorbell UART's input and the answer disk's reads), so the
 * proxy serves nothing and touches no host file. It still hears each doorbell ring: the Nth ring
 * is the Nth hypercall of its own log, which says what the app wrote to the proxy's stdout and
 * stderr (printed again from the log: by the time the proxy reads the ring, the replay may have
 * moved on and reused the guest's buffer) and how the run ended. A ring the log does not expect is a replay
 * that diverged. Under gdb (reverse execution replays stretches again, so rings repeat) the
 * ending is taken from guest memory, and the app's output is printed once, by the hypercall's
 * number the kernel gives in its slot.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"

struct replayer {
	char dir[4096];
	struct rec_manifest m;
	FILE *log;
	uint64_t seen;   /* rings heard */
	uint64_t taken;  /* entries of the log read */
	bool debugging;  /* under gdb: rings repeat */
};

static int open_log(struct replayer *p, char *err, size_t errlen)
{
	char path[4200], magic[8];

	rec_path(path, sizeof(path), p->dir, REC_HCALL_LOG);
	p->log = fopen(path, "r");
	if (!p->log || fread(magic, 1, sizeof(magic), p->log) != sizeof(magic) ||
	    memcmp(magic, REC_HCALL_LOG_MAGIC, sizeof(magic)) != 0) {
		snprintf(err, errlen, "hermit: HERMIT_REPLAY: %s is not a hypercall log", path);
		return -1;
	}
	return 0;
}

struct replayer *replay_open(const char *dir, const struct image *img, const char *app,
			     bool debugging, char *err, size_t errlen)
{
	struct replayer *p = calloc(1, sizeof(*p));
	char why[4400], id[REC_BUILD_ID_HEX];

	if (!p) {
		snprintf(err, errlen, "hermit: out of memory");
		return NULL;
	}
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	p->debugging = debugging;
	if (rec_manifest_read(dir, &p->m, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "hermit: HERMIT_REPLAY=%s: cannot replay: %s", dir, why);
		goto fail;
	}
	rec_build_id_hex(img, id);
	if (strcmp(id, p->m.build_id) != 0) {
		snprintf(err, errlen, "hermit: HERMIT_REPLAY=%s: recorded from another image (build id "
			 "%s, %s); %s has build id %s", dir, p->m.build_id, p->m.app, app,
			 id[0] ? id : "none");
		goto fail;
	}
	if (open_log(p, err, errlen) < 0)
		goto fail;
	return p;
fail:
	if (p->log)
		fclose(p->log);
	free(p);
	return NULL;
}

const struct rec_manifest *replay_manifest(const struct replayer *p)
{
	return &p->m;
}

static void echo(FILE *log, const struct rec_hcall *e)
{
	char buf[65536];
	uint64_t left = e->echo_len;

	while (left) {
		size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		if (fread(buf, 1, n, log) != n)
			return;
		for (size_t done = 0; done < n;) {
			ssize_t w = write(e->echo_fd, buf + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return;
			done += (size_t)w;
		}
		left -= n;
	}
}

static enum hcall_outcome diverged(struct hcall_ctx *ctx, struct replayer *p, const char *what)
{
	snprintf(ctx->why, sizeof(ctx->why), "hermit: the replay diverged from the recording at "
		 "hypercall %" PRIu64 ": %s", p->seen, what);
	return HCALL_BAD;
}

static bool read_slot(struct hcall_ctx *ctx, unsigned cpu, struct hermit_hcall_slot *slot)
{
	hermit_gpa_t at = ctx->anchor + offsetof(struct hermit_anchor, hcall) + cpu * sizeof(*slot);

	return cpu < HERMIT_MAX_CPUS && gm_read(ctx->gm, at, slot, sizeof(*slot));
}

/* An ending, read from guest memory: the guest halts after it, so the request stays put. */
static enum hcall_outcome ending(struct hcall_ctx *ctx, unsigned cpu, enum hcall_outcome *out)
{
	struct hermit_hcall_slot slot;
	struct hc_exit ex;

	*out = HCALL_ANSWER;
	if (!read_slot(ctx, cpu, &slot) || (slot.nr != HERMIT_HC_EXIT && slot.nr != HERMIT_HC_CRASH) ||
	    !gm_read(ctx->gm, slot.req, &ex, sizeof(ex)))
		return HCALL_ANSWER;
	ctx->status = ex.status;
	*out = slot.nr == HERMIT_HC_EXIT ? HCALL_EXIT : HCALL_CRASH;
	return *out;
}

/* The log's next entry, its output printed; NULL, or what is wrong with it. */
static const char *take_entry(struct replayer *p, struct rec_hcall *e)
{
	if (fread(e, sizeof(*e), 1, p->log) != 1 || e->magic != REC_HCALL_MAGIC)
		return "the recording has no more hypercalls";
	/* The log is the user's file: what it says is printed goes to stdout or stderr alone. */
	if (e->echo_len && e->echo_fd != 1 && e->echo_fd != 2)
		return "the hypercall log is corrupt";
	if (fseek(p->log, (long)e->req_size, SEEK_CUR) < 0)
		return "the hypercall log is cut short";
	echo(p->log, e);
	p->taken++;
	return NULL;
}

/*
 * Under gdb, rings repeat: each reverse command replays from a snapshot again. The ring's slot
 * says which hypercall of the run it is (hermit/abi.h), so the app's output up to it is printed
 * once, the first time the replay gets that far; by the time the proxy reads the slot the guest
 * may have gone on to later ones, whose output is in the log all the same.
 */
static enum hcall_outcome debugged_ring(struct replayer *p, struct hcall_ctx *ctx, unsigned cpu)
{
	struct hermit_hcall_slot slot;
	struct rec_hcall e;
	enum hcall_outcome out;

	if (read_slot(ctx, cpu, &slot))
		while (p->taken < slot.seq && p->taken < p->m.hcalls && !take_entry(p, &e))
			;
	return ending(ctx, cpu, &out);
}

enum hcall_outcome replay_doorbell(struct replayer *p, struct hcall_ctx *ctx, unsigned cpu)
{
	struct rec_hcall e;
	enum hcall_outcome out;
	const char *wrong;

	p->seen++;
	if (p->debugging)
		return debugged_ring(p, ctx, cpu);
	if ((wrong = take_entry(p, &e)))
		return diverged(ctx, p, wrong);
	if (e.cpu != cpu)
		return diverged(ctx, p, "another CPU rang");
	switch (e.outcome) {
	case HCALL_EXIT:
	case HCALL_CRASH:
		if ((int32_t)ending(ctx, cpu, &out) != e.outcome)
			return diverged(ctx, p, "the recorded run ended here, the replay did not");
		return out;
	case HCALL_BAD:
		snprintf(ctx->why, sizeof(ctx->why), "hermit: the recorded run ended here with a bad "
			 "hypercall (see the recording's output)");
		return HCALL_BAD;
	default:
		return HCALL_ANSWER; /* QEMU hands the guest the recorded answer */
	}
}

bool replay_cut_short(const struct replayer *p, int *end, int32_t *status)
{
	if ((p->m.end != VM_TIMEOUT && p->m.end != VM_SIGNALED) || p->seen < p->m.hcalls)
		return false;
	*end = p->m.end;
	*status = p->m.status;
	return true;
}

uint64_t replay_heard(const struct replayer *p)
{
	return p->seen;
}

static const char *end_text(int end, int32_t status, char *buf, size_t len)
{
	char name[32];

	switch (end) {
	case VM_EXITED: snprintf(buf, len, "exit status %d", (int)status & 0xff); break;
	case VM_CRASHED: snprintf(buf, len, "crash (%s)", hcall_crash_name(status, name, sizeof(name))); break;
	case VM_BAD: snprintf(buf, len, "a bad hypercall"); break;
	case VM_DIED: snprintf(buf, len, "death without exiting"); break;
	case VM_TIMEOUT: snprintf(buf, len, "HERMIT_TIMEOUT"); break;
	case VM_SIGNALED: snprintf(buf, len, "a signal to the proxy"); break;
	default: snprintf(buf, len, "ending %d", end); break;
	}
	return buf;
}

bool replay_finish(struct replayer *p, int end, int32_t status, FILE *out)
{
	char was[64], is[64];
	bool same = end == p->m.end && (end != VM_EXITED && end != VM_CRASHED ? true : status == p->m.status);

	if (!same && !p->debugging && end != VM_SIGNALED && end != VM_TIMEOUT && end != VM_DIVERGED)
		fprintf(out, "hermit: the replay ended with %s, the recording with %s\n",
			end_text(end, status, is, sizeof(is)), end_text(p->m.end, p->m.status, was, sizeof(was)));
	fclose(p->log);
	free(p);
	return same;
}
