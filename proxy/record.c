/*
 * record.c: HERMIT_RECORD=DIR (docs/replay.md). QEMU records everything that reaches the guest
 * through its devices, but not what the proxy writes into guest RAM through the shared memfd.
 * So while recording, the hypercall handlers write into a private copy-on-write view of guest
 * RAM instead (the guest never sees those writes), guestmem notes each range they were handed,
 * and afterwards the bytes that differ from the guest's own RAM go to the guest through the
 * doorbell UART, which QEMU records (HERMIT_ANSWER_DATA, hermit/abi.h); the kernel copies them
 * into place. The private pages are then dropped, so the view follows guest RAM again.
 * Every hypercall, its answer and the app's output to the proxy's stdio also go to the proxy's
 * own log (recording.c), which a replay uses to print that output and to know how the run ended.
 * QEMU takes a snapshot at the start ("init") and every REC_SNAPSHOT_PERIOD_MS, through its
 * monitor, for reverse execution.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

/* From bench/replay.py's figures (docs/replay.md): a snapshot stops a 128 MiB guest for ~0.1 s
 * and a reverse step replays from the last one, so a few seconds bound both. */
#define REC_SNAPSHOT_PERIOD_MS 2000
#define REC_SNAPSHOT_RETRY_MS 5
#define QEMU_SNAPSHOT_WAIT_MS 5000 /* for a snapshot under way when the guest ends */
#define REC_LOG_BUFFER (1 << 20)

extern char **environ;

struct recorder {
	char dir[4096];
	struct rec_manifest m;
	const struct guestmem *gm;   /* guest RAM as the guest sees it */
	struct guestmem view;        /* the handlers' private view */
	struct gm_touched touched;
	int doorbell_fd;
	FILE *log;
	uint8_t *frame;
	size_t frame_len, frame_cap;
	struct qmp qmp;
	int timer_fd;
	bool snapshot_pending;
	struct timespec start;
	uint64_t answer_bytes;       /* outputs sent through the doorbell */
};

static int run_qemu_img(const char *path, char *err, size_t errlen)
{
	char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", (char *)path, "1M", NULL };
	pid_t pid;
	int status, rc = posix_spawnp(&pid, "qemu-img", NULL, NULL, argv, environ);

	if (rc != 0) {
		snprintf(err, errlen, "hermit: HERMIT_RECORD: cannot run qemu-img: %s (Debian: apt-get "
			 "install qemu-utils)", strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "hermit: HERMIT_RECORD: qemu-img could not create %s", path);
		return -1;
	}
	return 0;
}

/* DIR must be new or empty: a recording is never mixed with another one's files. */
static int make_dir(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0777) == 0)
		return 0;
	if (errno == EEXIST) {
		char probe[4200];
		rec_path(probe, sizeof(probe), dir, REC_MANIFEST);
		struct stat st;
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(probe, F_OK) < 0) {
			rec_path(probe, sizeof(probe), dir, REC_QEMU_LOG);
			if (access(probe, F_OK) < 0)
				return 0;
		}
		snprintf(err, errlen, "hermit: HERMIT_RECORD=%s: holds a recording already (or is no "
			 "directory); give a new one", dir);
		return -1;
	}
	snprintf(err, errlen, "hermit: HERMIT_RECORD=%s: %s", dir, strerror(errno));
	return -1;
}

static int open_log(struct recorder *r, char *err, size_t errlen)
{
	char path[4200];

	rec_path(path, sizeof(path), r->dir, REC_HCALL_LOG);
	r->log = fopen(path, "w");
	if (!r->log) {
		snprintf(err, errlen, "hermit: %s: %s", path, strerror(errno));
		return -1;
	}
	setvbuf(r->log, NULL, _IOFBF, REC_LOG_BUFFER);
	fwrite(REC_HCALL_LOG_MAGIC, 1, 8, r->log);
	return 0;
}

struct recorder *rec_create(const char *dir, const struct image *img, const char *app,
			    const struct settings *s, char *err, size_t errlen)
{
	struct recorder *r = calloc(1, sizeof(*r));
	char path[4200];

	if (!r) {
		snprintf(err, errlen, "hermit: out of memory");
		return NULL;
	}
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	r->doorbell_fd = r->timer_fd = -1;
	r->qmp.fd = -1;
	if (img->build_id_len == 0) {
		snprintf(err, errlen, "hermit: HERMIT_RECORD: %s has no build id to name it by (build "
			 "it with this SDK's x86_64-hermit-gcc)", app);
		goto fail;
	}
	rec_path(path, sizeof(path), dir, REC_SNAPSHOTS);
	if (make_dir(dir, err, errlen) < 0 || run_qemu_img(path, err, errlen) < 0 ||
	    open_log(r, err, errlen) < 0)
		goto fail;
	r->m = (struct rec_manifest){ .format = REC_FORMAT, .mem_size = s->mem_size, .nic = s->nic,
				      .capture_kib = s->capture_net ? SETTINGS_CAPTURE_KIB : 0,
				      .network_in = s->netif[0] || s->app_port,
				      .period_ms = REC_SNAPSHOT_PERIOD_MS, .snapshots = 1 };
	rec_build_id_hex(img, r->m.build_id);
	snprintf(r->m.app, sizeof(r->m.app), "%s", app);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	return r;
fail:
	free(r);
	return NULL;
}

int rec_map(struct recorder *r, int memfd, const struct guestmem *gm)
{
	uint8_t *view = mmap(NULL, gm->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, memfd, 0);

	if (view == MAP_FAILED) {
		fprintf(stderr, "hermit: HERMIT_RECORD: mmap of guest memory: %s\n", strerror(errno));
		return -1;
	}
	r->gm = gm;
	r->view = *gm;
	r->view.host = view;
	r->view.touched = &r->touched;
	return 0;
}

static struct timespec ms_time(long ms)
{
	return (struct timespec){ ms / 1000, (ms % 1000) * 1000000 };
}

/* The next snapshot in first_ms, then every REC_SNAPSHOT_PERIOD_MS. */
static int arm_timer(struct recorder *r, long first_ms)
{
	struct itimerspec t = { .it_interval = ms_time(REC_SNAPSHOT_PERIOD_MS), .it_value = ms_time(first_ms) };

	return timerfd_settime(r->timer_fd, 0, &t, NULL);
}

int rec_start(struct recorder *r, int doorbell_fd, int qmp_fd)
{
	r->doorbell_fd = doorbell_fd;
	qmp_init(&r->qmp, qmp_fd);
	r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->timer_fd < 0 || arm_timer(r, REC_SNAPSHOT_PERIOD_MS) < 0) {
		fprintf(stderr, "hermit: timerfd: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

const struct guestmem *rec_handler_gm(struct recorder *r)
{
	return &r->view;
}

/* ---- the answer: what the handler wrote, as chunks after the answer byte ---- */

static int frame_put(struct recorder *r, const void *data, size_t len)
{
	if (r->frame_len + len > r->frame_cap) {
		size_t cap = r->frame_cap ? r->frame_cap : 4096;
		while (cap < r->frame_len + len)
			cap *= 2;
		uint8_t *grown = realloc(r->frame, cap);
		if (!grown)
			return -1;
		r->frame = grown;
		r->frame_cap = cap;
	}
	memcpy(r->frame + r->frame_len, data, len);
	r->frame_len += len;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	hermit_gpa_t x = *(const hermit_gpa_t *)a, y = *(const hermit_gpa_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts the touched ranges and merges those that overlap or meet. */
static void merge_touched(struct gm_touched *t)
{
	unsigned out = 0;

	qsort(t->range, t->n, sizeof(t->range[0]), cmp_range);
	for (unsigned i = 0; i < t->n; i++) {
		hermit_gpa_t end = t->range[i].gpa + t->range[i].len;
		if (out && t->range[i].gpa <= t->range[out - 1].gpa + t->range[out - 1].len) {
			hermit_gpa_t prev_end = t->range[out - 1].gpa + t->range[out - 1].len;
			if (end > prev_end)
				t->range[out - 1].len = end - t->range[out - 1].gpa;
			continue;
		}
		t->range[out++] = t->range[i];
	}
	t->n = out;
}

/* The span of [gpa, gpa + len) where the handler's view differs from guest RAM, as one chunk. */
static int diff_chunk(struct recorder *r, hermit_gpa_t gpa, uint64_t len)
{
	const uint8_t *mine = (const uint8_t *)gm_range(r->gm, gpa, len);
	const uint8_t *theirs = mine;
	uint64_t first = 0, last = len;

	if (!mine)
		return 0; /* the handler refused it too */
	mine = r->view.host + (mine - r->gm->host);
	while (first < len && mine[first] == theirs[first])
		first++;
	if (first == len)
		return 0;
	while (last > first && mine[last - 1] == theirs[last - 1])
		last--;
	struct hermit_answer_chunk c = { .gpa = gpa + first, .len = last - first };
	r->answer_bytes += c.len;
	return frame_put(r, &c, sizeof(c)) < 0 || frame_put(r, mine + first, c.len) < 0 ? -1 : 0;
}

/* Drops the view's private copies of the pages under the touched ranges. */
static void drop_view(struct recorder *r)
{
	long page = sysconf(_SC_PAGESIZE);

	for (unsigned i = 0; i < r->touched.n; i++) {
		uint8_t *at = gm_range(r->gm, r->touched.range[i].gpa, r->touched.range[i].len);
		if (!at)
			continue;
		uintptr_t lo = (uintptr_t)(r->view.host + (at - r->gm->host));
		uintptr_t hi = lo + r->touched.range[i].len;
		lo &= ~(uintptr_t)(page - 1);
		hi = (hi + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
}

static int build_frame(struct recorder *r, unsigned cpu)
{
	uint8_t answer = (uint8_t)(HERMIT_ANSWER_DATA | cpu);
	struct hermit_answer_chunk end = { 0, 0 };

	r->frame_len = 0;
	if (r->touched.overflow) {
		fprintf(stderr, "hermit: HERMIT_RECORD: a hypercall used more guest ranges than the "
			"recorder follows\n");
		return -1;
	}
	merge_touched(&r->touched);
	if (frame_put(r, &answer, 1) < 0)
		return -1;
	for (unsigned i = 0; i < r->touched.n; i++)
		if (diff_chunk(r, r->touched.range[i].gpa, r->touched.range[i].len) < 0)
			return -1;
	return frame_put(r, &end, sizeof(end));
}

/* Blocks until fd is ready for events, taking signals and the console meanwhile. */
static bool wait_ready(struct hcall_ctx *ctx, int fd, short events)
{
	return ctx->wait_fd && ctx->wait_fd(ctx->wait_arg, fd, events);
}

static int put_burst(struct recorder *r, struct hcall_ctx *ctx, const uint8_t *data, size_t len)
{
	while (len) {
		ssize_t n = write(r->doorbell_fd, data, len);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		} else if (!(n < 0 && (errno == EINTR ||
				       (errno == EAGAIN && wait_ready(ctx, r->doorbell_fd, POLLOUT))))) {
			return -1; /* QEMU is gone, or the proxy must stop */
		}
	}
	return 0;
}

static int take_ack(struct recorder *r, struct hcall_ctx *ctx)
{
	uint8_t ack;

	for (;;) {
		ssize_t n = read(r->doorbell_fd, &ack, 1);
		if (n == 1 && ack == HERMIT_DOORBELL_CAPTURE)
			continue; /* the capture ring's notice: not drained while recording (loop.c) */
		if (n == 1)
			return ack == HERMIT_ANSWER_ACK ? 0 : -1;
		if (!(n < 0 && (errno == EINTR ||
				(errno == EAGAIN && wait_ready(ctx, r->doorbell_fd, POLLIN)))))
			return -1;
	}
}

/* QEMU drops recorded UART input that does not fit the FIFO: a burst at a time (abi.h). */
static int send_frame(struct recorder *r, struct hcall_ctx *ctx)
{
	for (size_t done = 0; done < r->frame_len; done += HERMIT_ANSWER_BURST) {
		size_t len = r->frame_len - done;
		if (done && take_ack(r, ctx) < 0)
			return -1;
		if (put_burst(r, ctx, r->frame + done, len < HERMIT_ANSWER_BURST ? len :
			      HERMIT_ANSWER_BURST) < 0)
			return -1;
	}
	return 0;
}

/* The app's writes to the proxy's own stdout or stderr: a replay prints them again. */
static const void *take_echo(struct recorder *r, struct hcall_ctx *ctx, struct rec_hcall *e)
{
	struct guestmem answered = r->view; /* read without noting the range */
	struct hc_rw rw;

	answered.touched = NULL;
	if (e->nr != HERMIT_HC_WRITE || !gm_read(&answered, e->req, &rw, sizeof(rw)))
		return NULL;
	int fd = files_host(ctx->files, rw.fd);
	if ((fd != STDOUT_FILENO && fd != STDERR_FILENO) || rw.ret <= 0 || (uint64_t)rw.ret > rw.len)
		return NULL;
	e->echo_fd = fd;
	e->echo_len = (uint64_t)rw.ret;
	return gm_range(r->gm, rw.buf, e->echo_len);
}

static void log_entry(struct recorder *r, const struct rec_hcall *e, const void *req,
		      const void *echo)
{
	fwrite(e, sizeof(*e), 1, r->log);
	fwrite(req, 1, e->req_size, r->log);
	fwrite(r->frame, 1, e->frame_len, r->log);
	if (echo)
		fwrite(echo, 1, e->echo_len, r->log);
	r->m.hcalls++;
}

static void take_snapshot(struct recorder *r);

enum hcall_outcome rec_doorbell(struct recorder *r, struct hcall_ctx *ctx, unsigned cpu)
{
	struct rec_hcall e = { .magic = REC_HCALL_MAGIC, .cpu = cpu };
	struct hermit_hcall_slot slot;
	uint8_t req[HCALL_REQUEST_MAX];
	const void *echo = NULL;
	enum hcall_outcome out;

	hermit_gpa_t at = ctx->anchor + offsetof(struct hermit_anchor, hcall) + cpu * sizeof(slot);
	if (cpu < HERMIT_MAX_CPUS && gm_read(r->gm, at, &slot, sizeof(slot))) {
		e.nr = slot.nr;
		e.req = slot.req;
		e.req_size = (uint32_t)hcall_request_size(slot.nr);
		if (!gm_read(r->gm, slot.req, req, e.req_size))
			e.req_size = 0;
	}
	r->touched = (struct gm_touched){ 0 };
	out = hcall_doorbell(ctx, cpu);
	e.outcome = out;
	r->frame_len = 0;
	if (out == HCALL_ANSWER) {
		if (build_frame(r, cpu) < 0)
			out = hcall_bad(ctx, "the recorder failed on this request");
		echo = take_echo(r, ctx, &e);
	}
	drop_view(r);
	e.frame_len = out == HCALL_ANSWER ? r->frame_len : 0;
	log_entry(r, &e, req, echo);
	/* A snapshot once the kernel is up: reverse commands early in the run start from it
	 * rather than from the firmware's first instruction ("init"). */
	if (r->m.hcalls == 1)
		take_snapshot(r);
	if (out == HCALL_ANSWER && send_frame(r, ctx) < 0)
		return HCALL_STOP;
	return out;
}

/* ---- snapshots ---- */

int rec_pollfds(struct recorder *r, struct pollfd *p)
{
	p[0] = (struct pollfd){ .fd = r->timer_fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = r->qmp.fd, .events = POLLIN };
	return 2;
}

/* QEMU takes it from its main loop, stopping the guest meanwhile; its answer comes later. */
static void take_snapshot(struct recorder *r)
{
	char cmd[160];

	if (r->snapshot_pending)
		return;
	snprintf(cmd, sizeof(cmd), "{\"execute\": \"human-monitor-command\", \"arguments\": "
		 "{\"command-line\": \"savevm auto%u\"}}", r->m.snapshots);
	r->snapshot_pending = qmp_send(&r->qmp, cmd) == 0;
}

void rec_handle(struct recorder *r, const struct pollfd *p)
{
	uint64_t ticks;

	if (p[1].revents)
		qmp_drain(&r->qmp);
	/* QEMU refuses a snapshot while recorded events wait to be logged: again, soon. */
	if (r->snapshot_pending && !r->qmp.pending) {
		r->snapshot_pending = false;
		if (!r->qmp.failed)
			r->m.snapshots++;
		else
			arm_timer(r, REC_SNAPSHOT_RETRY_MS);
		r->qmp.failed = false;
	}
	if (p[0].revents && read(r->timer_fd, &ticks, sizeof(ticks)) == sizeof(ticks))
		take_snapshot(r);
}

/* ---- the end ---- */

void rec_settle(struct recorder *r)
{
	if (r->snapshot_pending && qmp_settle(&r->qmp, QEMU_SNAPSHOT_WAIT_MS) && !r->qmp.failed)
		r->m.snapshots++;
	r->snapshot_pending = false;
}

static uint64_t elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000 +
	       (uint64_t)((now.tv_nsec - start->tv_nsec) / 1000000);
}

static uint64_t file_size(const char *dir, const char *name)
{
	char path[4200];
	struct stat st;

	rec_path(path, sizeof(path), dir, name);
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

int rec_finish(struct recorder *r, int end, int32_t status, FILE *out)
{
	char path[4200], err[4400];
	double mib = 1.0 / MIB;

	r->m.end = end;
	r->m.status = status;
	r->m.duration_ms = elapsed_ms(&r->start);
	if (r->view.host)
		munmap(r->view.host, r->view.size);
	if (r->timer_fd >= 0)
		close(r->timer_fd);
	if (r->qmp.fd >= 0)
		close(r->qmp.fd);
	free(r->frame);
	int rc = fclose(r->log) == 0 ? 0 : -1;
	rec_path(path, sizeof(path), r->dir, REC_QEMU_LOG);
	if (rc < 0 || rec_file_sum(path, &r->m.qemu_log_size, &r->m.qemu_log_hash, err, sizeof(err)) < 0 ||
	    (rec_path(path, sizeof(path), r->dir, REC_HCALL_LOG),
	     rec_file_sum(path, &r->m.hcall_log_size, &r->m.hcall_log_hash, err, sizeof(err)) < 0) ||
	    rec_manifest_write(r->dir, &r->m, err, sizeof(err)) < 0) {
		fprintf(out, "hermit: HERMIT_RECORD: the recording in %s is incomplete: %s\n", r->dir,
			rc < 0 ? strerror(errno) : err);
		free(r);
		return -1;
	}
	uint64_t snaps = file_size(r->dir, REC_SNAPSHOTS);
	fprintf(out, "hermit: recorded into %s: %.1f MiB (QEMU log %.1f MiB, hypercalls %.1f MiB, "
		"%u snapshots %.1f MiB) in %.1f s; replay: HERMIT_REPLAY=%s proxy %s\n", r->dir,
		(double)(r->m.qemu_log_size + r->m.hcall_log_size + snaps) * mib,
		(double)r->m.qemu_log_size * mib, (double)r->m.hcall_log_size * mib, r->m.snapshots,
		(double)snaps * mib, (double)r->m.duration_ms / 1000, r->dir, r->m.app);
	free(r);
	return 0;
}
