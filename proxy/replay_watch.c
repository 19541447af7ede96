/*
 * replay_watch.c: a replay that left its recording (docs/replay.md, Limits). QEMU 7.2 does not
 * notice a divergence: it waits for the next recorded event at an instruction the guest never
 * reaches, and the instruction count stands still for good. So the proxy asks QEMU, through its
 * machine protocol (qmp.c), every WATCH_PERIOD_MS for its run state (query-status) and the
 * replay's instruction count (query-replay); a count that stood still for the limit while QEMU
 * ran the guest is a replay that left its recording. While QEMU holds the guest stopped (gdb's
 * stop, the monitor's `stop`) the count may stand still as long as it likes.
 *
 * Measured (docs/replay.md): a replayed guest that sleeps halts between its timers, with the
 * count standing still for up to 0.9 s on a quiet host and up to 3 s with the host's 2 CPUs
 * loaded 10 deep; a replay that diverged stood still for good.
 *
 * Some divergences QEMU does notice, when the guest does what the log has no entry for (a
 * doorbell ring where the log has none): it then says so and exits; replay_qemu_said finds that
 * in its stderr.
 */
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "proxy.h"

#define ASK_STATUS "{\"execute\": \"query-status\", \"id\": \"status\"}"
#define ASK_ICOUNT "{\"execute\": \"query-replay\", \"id\": \"icount\"}"

bool stall_sample(struct stall *s, bool running, uint64_t icount, unsigned elapsed_ms,
		  unsigned limit_ms)
{
	/* The first sample of a guest that runs (again) says where it is, not how long it stood. */
	if (!running || !s->known || icount != s->icount) {
		s->icount = icount;
		s->known = running;
		s->still_ms = 0;
		return false;
	}
	s->still_ms = s->still_ms + elapsed_ms < s->still_ms ? UINT32_MAX : s->still_ms + elapsed_ms;
	return limit_ms && s->still_ms >= limit_ms;
}

/* The id of an answer of ours, and the member of its "return" object. */
static const char *answer_value(const char *line, const char *id, const char *key)
{
	const char *its_id = qmp_member(line, "id"), *ret = qmp_member(line, "return");
	size_t len = strlen(id);

	if (!its_id || !ret || its_id[0] != '"' || strncmp(its_id + 1, id, len) || its_id[len + 1] != '"')
		return NULL;
	return qmp_member(ret, key);
}

static void take_answer(void *arg, const char *line)
{
	struct replay_watch *w = arg;
	const char *v;

	if ((v = answer_value(line, "status", "running"))) {
		w->running = !strncmp(v, "true", 4);
	} else if ((v = answer_value(line, "icount", "icount"))) {
		uint64_t icount = strtoull(v, NULL, 10);
		if (stall_sample(&w->stall, w->running, icount, w->elapsed_ms, w->limit_ms) && !w->said)
			w->stalled = w->said = true;
		if (w->stall.still_ms == 0)
			w->said = false; /* it moved (or was stopped): a later stall is a new one */
		w->elapsed_ms = 0;
	}
}

int watch_start(struct replay_watch *w, int qmp_fd, unsigned limit_ms)
{
	struct itimerspec every = {
		.it_interval = { .tv_nsec = WATCH_PERIOD_MS * 1000000L },
		.it_value = { .tv_nsec = WATCH_PERIOD_MS * 1000000L },
	};

	memset(w, 0, sizeof(*w));
	w->limit_ms = limit_ms;
	w->timer_fd = -1;
	qmp_init(&w->qmp, qmp_fd);
	w->qmp.on_answer = take_answer;
	w->qmp.arg = w;
	if (!limit_ms)
		return 0;
	w->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->timer_fd < 0 || timerfd_settime(w->timer_fd, 0, &every, NULL) < 0) {
		perror("hermit: timerfd for the replay's watch");
		return -1;
	}
	return 0;
}

/* Asks again once QEMU answered the last questions: a busy main loop answers late, and its
 * questions do not pile up meanwhile. */
void watch_tick(struct replay_watch *w, unsigned elapsed_ms)
{
	w->elapsed_ms += elapsed_ms;
	if (w->qmp.pending == 0 && qmp_send(&w->qmp, ASK_STATUS) == 0)
		qmp_send(&w->qmp, ASK_ICOUNT);
}

int watch_pollfds(struct replay_watch *w, struct pollfd *p)
{
	p[0] = (struct pollfd){ .fd = w->qmp.fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = w->timer_fd, .events = POLLIN };
	return WATCH_POLLFDS;
}

bool watch_handle(struct replay_watch *w, const struct pollfd *p)
{
	uint64_t ticks;

	if (p[0].revents && !qmp_drain(&w->qmp)) {
		close(w->qmp.fd); /* QEMU is gone: SIGCHLD tells the rest */
		w->qmp.fd = -1;
	}
	if (p[1].revents && read(w->timer_fd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks) &&
	    w->qmp.fd >= 0)
		watch_tick(w, (unsigned)ticks * WATCH_PERIOD_MS);
	bool stalled = w->stalled;
	w->stalled = false;
	return stalled;
}

void watch_describe(const struct replay_watch *w, const struct rec_manifest *m, uint64_t heard,
		    char *out, size_t len)
{
	char of[64] = "";

	if (m->icount) /* recordings made before the manifest kept it do not say */
		snprintf(of, sizeof(of), " of the recording's %" PRIu64, m->icount);
	snprintf(out, len, "hermit: the replay left its recording: the guest stood still at "
		 "instruction %" PRIu64 "%s for %u s while QEMU ran it (QEMU waits for a recorded event "
		 "at an instruction the guest does not reach); it had made %" PRIu64 " of the recording's "
		 "%" PRIu64 " hypercalls, and the recorded run took %.1f s",
		 w->stall.icount, of, w->stall.still_ms / 1000, heard, m->hcalls,
		 (double)m->duration_ms / 1000);
}

/* QEMU 7.2's words for a replay whose guest did what its log has no entry for. */
static const char *const qemu_divergence[] = {
	"in the replay log",      /* Missing character write event in the replay log, ... */
	"replay file is over",
	"of replay event",        /* Unknown ID %ld of replay event */
	"Replay: unknown event kind",
	"Replay: invalid async event ID",
	"error reading the replay data",
};

bool replay_qemu_said(const char *err, size_t len, char *line, size_t linelen)
{
	for (size_t i = 0; i < sizeof(qemu_divergence) / sizeof(qemu_divergence[0]); i++) {
		const char *at = memmem(err, len, qemu_divergence[i], strlen(qemu_divergence[i]));
		if (!at)
			continue;
		const char *start = at, *end = at;
		while (start > err && start[-1] != '\n')
			start--;
		while (end < err + len && *end != '\n')
			end++;
		snprintf(line, linelen, "%.*s", (int)(end - start), start);
		return true;
	}
	return false;
}

void watch_close(struct replay_watch *w)
{
	if (w->qmp.fd >= 0)
		close(w->qmp.fd);
	if (w->timer_fd >= 0)
		close(w->timer_fd);
	w->qmp.fd = w->timer_fd = -1;
}
