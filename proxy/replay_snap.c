/*
 * replay_snap.c: snapshots taken while a replay runs forward under gdb (docs/replay.md, "Reverse
 * execution"). A reverse command makes QEMU load the last snapshot before its target and replay
 * forward from there, so its cost is the distance to that snapshot. The recording holds two
 * (init, auto1: snapshots taken while recording, after the boot, made replays stall); a replay
 * under gdb takes more, in QEMU's replay mode, each time it has run forward a period of wall time
 * through instructions it never ran before. They go into a copy of the recording's snapshot
 * image, in TMPDIR, removed at the end: the recording is never written.
 *
 * The proxy asks QEMU's monitor for the instruction count (query-replay) every SNAP_TICK_MS, one
 * command at a time, and answers a count beyond the furthest it saw with savevm. The policy is
 * apart and pure (snap_policy_*), for the unit tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "proxy.h"

#define SNAP_TICK_MS 100

/* ---- the policy ---- */

void snap_policy_init(struct snap_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->period_ms = p->base_ms = SNAP_PERIOD_MS;
}

bool snap_policy_tick(struct snap_policy *p, uint64_t icount, int64_t elapsed_ms, bool running)
{
	/* The first count seen is where the replay starts: the time before it went to QEMU's start
	 * and to waiting for gdb. */
	if (!p->frontier) {
		p->frontier = icount;
		return false;
	}
	/* Behind the furthest count seen, the replay goes over ground a snapshot covers (a reverse
	 * command). At it, while the guest runs, it goes on: QEMU updates the count it reports only
	 * now and then (at its next recorded event), seconds apart when a breakpoint slows it. */
	if (!running || icount < p->frontier)
		return false;
	p->frontier = icount;
	p->ahead_ms += elapsed_ms;
	return p->ahead_ms >= p->period_ms;
}

unsigned snap_policy_taken(struct snap_policy *p, unsigned name, int64_t took_ms, unsigned *drop)
{
	unsigned dropped = 0, kept = 0;

	p->ahead_ms = 0;
	/* A snapshot stops the replay while QEMU writes it: at most a sixth of the time. From the
	 * last one alone, so that one slow snapshot (a busy host) does not stretch the rest. */
	p->period_ms = took_ms * SNAP_COST_SHARE > p->base_ms ? took_ms * SNAP_COST_SHARE : p->base_ms;
	p->names[p->kept++] = name;
	if (p->kept < SNAP_KEEP_MAX)
		return 0;
	/* Full: every other one goes, the newest stays, and the period doubles, so that those kept
	 * stay evenly spread over the run however long it is. */
	for (unsigned i = 0; i < p->kept; i++) {
		if (i % 2 == 0)
			drop[dropped++] = p->names[i];
		else
			p->names[kept++] = p->names[i];
	}
	p->kept = kept;
	p->base_ms *= 2;
	if (p->period_ms < p->base_ms)
		p->period_ms = p->base_ms;
	return dropped;
}

/* ---- the snapshot image: a copy of the recording's ---- */

static int copy_file(int from, int to)
{
	char buf[1 << 16];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(to, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			done += w;
		}
	}
	return 0;
}

static int copy_image(struct replay_snaps *s, const char *dir, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char from_path[4200];
	int from, to;

	rec_path(from_path, sizeof(from_path), dir, REC_SNAPSHOTS);
	snprintf(s->image, sizeof(s->image), "%s/hermit-replay-XXXXXX.qcow2", tmp && *tmp ? tmp : "/tmp");
	from = open(from_path, O_RDONLY | O_CLOEXEC);
	if (from < 0) {
		snprintf(err, errlen, "hermit: HERMIT_REPLAY: %s: %s", from_path, strerror(errno));
		return -1;
	}
	to = mkostemps(s->image, 6, O_CLOEXEC);
	if (to < 0 || copy_file(from, to) < 0 || close(to) < 0) {
		snprintf(err, errlen, "hermit: HERMIT_REPLAY: copying %s to %s: %s", from_path, s->image,
			 strerror(errno));
		if (to >= 0)
			unlink(s->image);
		close(from);
		return -1;
	}
	close(from);
	return 0;
}

/* ---- the snapshotter ---- */

struct replay_snaps *rsnap_open(const char *dir, char *err, size_t errlen)
{
	struct replay_snaps *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "hermit: out of memory");
		return NULL;
	}
	s->qmp.fd = s->timer_fd = -1;
	snap_policy_init(&s->policy);
	if (copy_image(s, dir, err, errlen) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

const char *rsnap_image(const struct replay_snaps *s)
{
	return s->image;
}

int rsnap_start(struct replay_snaps *s, int qmp_fd)
{
	struct itimerspec every = { .it_interval = { 0, SNAP_TICK_MS * 1000000L },
				    .it_value = { 0, SNAP_TICK_MS * 1000000L } };

	qmp_init(&s->qmp, qmp_fd);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->timer_fd < 0 || timerfd_settime(s->timer_fd, 0, &every, NULL) < 0) {
		fprintf(stderr, "hermit: HERMIT_REPLAY: timerfd: %s\n", strerror(errno));
		return -1;
	}
	s->looked_at = monotonic_ms();
	return 0;
}

int rsnap_pollfds(struct replay_snaps *s, struct pollfd *p)
{
	p[0] = (struct pollfd){ .fd = s->qmp.fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = s->timer_fd, .events = POLLIN };
	return RSNAP_POLLFDS;
}

static void send_hmp(struct replay_snaps *s, const char *verb, unsigned name)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "{\"execute\": \"human-monitor-command\", \"arguments\": "
		 "{\"command-line\": \"%s " SNAP_NAME_FORMAT "\"}}", verb, name);
	qmp_send(&s->qmp, cmd);
}

/* The answer to the one command out: what comes next. */
static void answered(struct replay_snaps *s)
{
	uint64_t icount;
	int64_t now = monotonic_ms();
	bool failed = s->qmp.failed;

	s->qmp.failed = false;
	if (s->saving) {
		s->saving = false;
		if (failed) /* QEMU's "not right now", or no room: tried again a period later */
			s->policy.ahead_ms = 0;
		else /* what it cost is the time the guest stood still, not the answer's delay */
			s->dropping = snap_policy_taken(&s->policy, s->name, s->qmp.stopped_ms, s->drop);
	} else if (!s->dropping && !failed && qmp_answer_number(&s->qmp, "icount", &icount) &&
		   snap_policy_tick(&s->policy, icount, now - s->looked_at, s->qmp.running)) {
		s->saving = true;
		send_hmp(s, "savevm", ++s->name);
	}
	if (s->dropping && !s->saving)
		send_hmp(s, "delvm", s->drop[--s->dropping]);
	if (!s->saving)
		s->looked_at = now;
}

void rsnap_handle(struct replay_snaps *s, const struct pollfd *p)
{
	uint64_t ticks;

	if (p[0].revents) {
		unsigned before = s->qmp.pending;
		if (!qmp_drain(&s->qmp)) {
			s->qmp.fd = -1; /* QEMU is gone: the loop finds out why */
			return;
		}
		if (before && !s->qmp.pending)
			answered(s);
	}
	if (p[1].revents && read(s->timer_fd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks) &&
	    !s->qmp.pending && s->qmp.fd >= 0)
		qmp_send(&s->qmp, "{\"execute\": \"query-replay\"}");
}

void rsnap_finish(struct replay_snaps *s)
{
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	unlink(s->image);
	free(s);
}
