/*
 * record.c: HERMIT_RECORD=DIR (docs/replay.md). QEMU records everything that reaches the guest
 * through its devices, but not what the proxy writes into guest RAM through the shared memfd.
 * So while recording, the hypercall handlers write into a private copy-on-write view of guest
 * RAM instead (the guest never sees those writes), guestmem notes each range they were handed,
 * and afterwards the bytes that differ from the guest's own RAM are appended to the answer disk,
 * a virtio-blk device whose reads QEMU records, and the doorbell's answer says how many there
 * are (HERMIT_ANSWER_DATA, hermit/abi.h); the kernel reads them from the disk and copies them
 * into place. The private pages are then dropped, so the view follows guest RAM again.
 * Every hypercall, its answer and the app's output to the proxy's stdio also go to the proxy's
 * own log (recording.c), which a replay uses to print that output and to know how the run ended.
 * QEMU takes a snapshot at the start ("init") and, through its monitor, one more at the first
 * hypercall ("auto1"), for reverse execution: no periodic ones (docs/replay.md says why).
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

#define QEMU_SNAPSHOT_WAIT_MS 5000
#define REC_LOG_BUFFER (1 << 20)
/* The answer disk's size while recording (a sparse file): QEMU takes a disk's size once, when it
 * opens it, and the disk grows as the run goes; cut to what was written at the end. */
#define REC_ANSWERS_CAPACITY (64ull << 30)

extern char **environ;

struct recorder {
	char dir[4096];
	struct rec_manifest m;
	const struct guestmem *gm;   /* guest RAM as the guest sees it */
	struct guestmem view;        /* the handlers' private view */
	struct gm_touched touched;
	int doorbell_fd;
	int answers_fd;
	uint64_t answers_at;         /* the next answer's place on the answer disk */
	FILE *log;
	uint8_t *frame;
	size_t frame_len, frame_cap;
	struct qmp qmp;
	struct timespec start;
	uint64_t answer_bytes;       /* outputs sent through the answer disk */
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

static int create_answers(struct recorder *r, char *err, size_t errlen)
{
	char path[4200];

	rec_path(path, sizeof(path), r->dir, REC_ANSWERS);
	r->answers_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->answers_fd < 0 || ftruncate(r->answers_fd, (off_t)REC_ANSWERS_CAPACITY) < 0) {
		snprintf(err, errlen, "hermit: %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
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
	r->doorbell_fd = r->answers_fd = -1;
	r->qmp.fd = -1;
	if (img->build_id_len == 0) {
		snprintf(err, errlen, "hermit: HERMIT_RECORD: %s has no build id to name it by (build "
			 "it with this SDK's x86_64-hermit-gcc)", app);
		goto fail;
	}
	rec_path(path, sizeof(path), dir, REC_SNAPSHOTS);
	if (make_dir(dir, err, errlen) < 0 || run_qemu_img(path, err, errlen) < 0 ||
	    create_answers(r, err, errlen) < 0 || open_log(r, err, errlen) < 0)
		goto fail;
	r->m = (struct rec_manifest){ .format = REC_FORMAT, .mem_size = s->mem_size, .nic = s->nic,
				      .capture_kib = s->capture_net ? SETTINGS_CAPTURE_KIB : 0,
				      .network_in = s->netif[0] || s->app_port,
				      .snapshots = 1 };
	rec_build_id_hex(img, r->m.build_id);
	snprintf(r->m.app, sizeof(r->m.app), "%s", app);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	return r;
fail:
	if (r->answers_fd >= 0)
		close(r->answers_fd);
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

int rec_start(struct recorder *r, int doorbell_fd, int qmp_fd)
{
	r->doorbell_fd = doorbell_fd;
	qmp_init(&r->qmp, qmp_fd);
	return 0;
}

const struct guestmem *rec_handler_gm(struct recorder *r)
{
	return &r->view;
}

/* ---- the answer: what the handler wrote, as chunks on the answer disk ---- */

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

static int build_frame(struct recorder *r)
{
	struct hermit_answer_chunk end = { 0, 0 };

	r->frame_len = 0;
	if (r->touched.overflow) {
		fprintf(stderr, "hermit: HERMIT_RECORD: a hypercall used more guest ranges than the "
			"recorder follows\n");
		return -1;
	}
	merge_touched(&r->touched);
	for (unsigned i = 0; i < r->touched.n; i++)
		if (diff_chunk(r, r->touched.range[i].gpa, r->touched.range[i].len) < 0)
			return -1;
	return r->frame_len ? frame_put(r, &end, sizeof(end)) : 0;
}

/* Appends the frame to the answer disk, from a sector boundary (hermit/abi.h). QEMU reads the
 * file through the page cache, so the guest finds it there once it has the answer. */
static int put_on_disk(struct recorder *r)
{
	uint64_t sector = HERMIT_ANSWER_SECTOR;

	if (r->frame_len > UINT32_MAX || r->answers_at + r->frame_len > REC_ANSWERS_CAPACITY) {
		fprintf(stderr, "hermit: HERMIT_RECORD: the answer disk is full (%llu GiB of hypercall "
			"outputs)\n", REC_ANSWERS_CAPACITY >> 30);
		return -1;
	}
	for (size_t done = 0; done < r->frame_len;) {
		ssize_t n = pwrite(r->answers_fd, r->frame + done, r->frame_len - done,
				   (off_t)(r->answers_at + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "hermit: HERMIT_RECORD: writing the answer disk: %s\n",
				n < 0 ? strerror(errno) : "no space");
			return -1;
		}
		done += (size_t)n;
	}
	r->answers_at += (r->frame_len + sector - 1) / sector * sector;
	return 0;
}

/* Blocks until fd is ready for events, taking signals and the console meanwhile. */
static bool wait_ready(struct hcall_ctx *ctx, int fd, short events)
{
	return ctx->wait_fd && ctx->wait_fd(ctx->wait_arg, fd, events);
}

static int write_doorbell(struct recorder *r, struct hcall_ctx *ctx, const uint8_t *data, size_t len)
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

/* The answer byte, and with outputs on the disk their length (hermit/abi.h). */
static int send_answer(struct recorder *r, struct hcall_ctx *ctx, unsigned cpu)
{
	uint8_t answer[5] = { (uint8_t)cpu };
	size_t len = 1;

	if (r->frame_len) {
		answer[0] |= HERMIT_ANSWER_DATA;
		for (unsigned i = 0; i < 4; i++)
			answer[len++] = (uint8_t)(r->frame_len >> (8 * i));
	}
	return write_doorbell(r, ctx, answer, len);
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
		if (build_frame(r) < 0 || (r->frame_len && put_on_disk(r) < 0))
			out = hcall_bad(ctx, "the recorder failed on this request");
		echo = take_echo(r, ctx, &e);
	}
	drop_view(r);
	e.frame_len = out == HCALL_ANSWER ? r->frame_len : 0;
	log_entry(r, &e, req, echo);
	/* A snapshot once the kernel is up: reverse commands start from it rather than from the
	 * firmware's first instruction ("init"). The guest polls for this first answer. */
	if (r->m.hcalls == 1)
		take_snapshot(r);
	if (out == HCALL_ANSWER && send_answer(r, ctx, cpu) < 0)
		return HCALL_STOP;
	return out;
}

/* ---- snapshots ---- */

int rec_pollfds(struct recorder *r, struct pollfd *p)
{
	p[0] = (struct pollfd){ .fd = r->qmp.fd, .events = POLLIN };
	return 1;
}

void rec_handle(struct recorder *r, const struct pollfd *p)
{
	if (p[0].revents)
		qmp_drain(&r->qmp);
}

/*
 * Taken while the guest waits for an answer, before it is sent: no recorded input waits to be
 * logged then (QEMU refuses a snapshot otherwise). Only this one, while the kernel still polls
 * for its answers: replays of recordings with snapshots taken later, while the guest halted
 * waiting for its answers, stalled (docs/replay.md).
 */
static void take_snapshot(struct recorder *r)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "{\"execute\": \"human-monitor-command\", \"arguments\": "
		 "{\"command-line\": \"savevm auto%u\"}}", r->m.snapshots);
	if (qmp_send(&r->qmp, cmd) == 0 && qmp_settle(&r->qmp, QEMU_SNAPSHOT_WAIT_MS) &&
	    !r->qmp.failed)
		r->m.snapshots++;
	r->qmp.failed = false;
}

/* ---- the end ---- */

/* A replay that stands still (replay_watch.c) says how far into the run it got. */
void rec_note_end(struct recorder *r)
{
	uint64_t icount;

	if (qmp_send(&r->qmp, "{\"execute\": \"query-replay\"}") == 0 &&
	    qmp_settle(&r->qmp, QEMU_SNAPSHOT_WAIT_MS) && !r->qmp.failed &&
	    qmp_answer_number(&r->qmp, "icount", &icount))
		r->m.icount = icount;
	r->qmp.failed = false;
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

static int sum_file(struct recorder *r, const char *name, struct rec_file *f, char *err, size_t errlen)
{
	char path[4200];

	rec_path(path, sizeof(path), r->dir, name);
	return rec_file_sum(path, &f->size, &f->hash, err, errlen);
}

int rec_finish(struct recorder *r, int end, int32_t status, FILE *out)
{
	char err[4400];
	double mib = 1.0 / MIB;

	r->m.end = end;
	r->m.status = status;
	r->m.duration_ms = elapsed_ms(&r->start);
	if (r->view.host)
		munmap(r->view.host, r->view.size);
	if (r->qmp.fd >= 0)
		close(r->qmp.fd);
	free(r->frame);
	int rc = fclose(r->log) == 0 && ftruncate(r->answers_fd, (off_t)r->answers_at) == 0 &&
		 close(r->answers_fd) == 0 ? 0 : -1;
	if (rc < 0 || sum_file(r, REC_QEMU_LOG, &r->m.qemu_log, err, sizeof(err)) < 0 ||
	    sum_file(r, REC_HCALL_LOG, &r->m.hcall_log, err, sizeof(err)) < 0 ||
	    sum_file(r, REC_ANSWERS, &r->m.answers, err, sizeof(err)) < 0 ||
	    rec_manifest_write(r->dir, &r->m, err, sizeof(err)) < 0) {
		fprintf(out, "hermit: HERMIT_RECORD: the recording in %s is incomplete: %s\n", r->dir,
			rc < 0 ? strerror(errno) : err);
		free(r);
		return -1;
	}
	uint64_t snaps = file_size(r->dir, REC_SNAPSHOTS);
	fprintf(out, "hermit: recorded into %s: %.1f MiB (QEMU log %.1f MiB, hypercalls %.1f MiB, "
		"answers %.1f MiB, %u snapshots %.1f MiB) in %.1f s; replay: HERMIT_REPLAY=%s proxy %s\n",
		r->dir, (double)(r->m.qemu_log.size + r->m.hcall_log.size + r->m.answers.size + snaps) * mib,
		(double)r->m.qemu_log.size * mib, (double)r->m.hcall_log.size * mib,
		(double)r->m.answers.size * mib, r->m.snapshots, (double)snaps * mib,
		(double)r->m.duration_ms / 1000, r->dir, r->m.app);
	free(r);
	return 0;
}
