/*
 * hcall.c: serves the guest's hypercalls (protocol in abi.h).
 *
 * loop.c calls hcall_doorbell for each doorbell byte. The request struct is copied out of guest
 * memory first, so the guest cannot change it while it is served; the handler works on the
 * copy; then only the fields abi.h marks "out" are copied back. Every guest pointer and length
 * goes through guestmem.c. Two kinds of failure, kept apart:
 *   - a request the host cannot carry out (no such file, bad descriptor) is answered with a
 *     Linux -errno, as a system call would be;
 *   - a request that breaks the ABI (unknown number, pointer outside guest memory) is a guest
 *     bug: HCALL_BAD ends the guest, and nothing outside the guest mapping is touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

union hc_request {
	struct hc_config config;
	struct hc_rw rw;
	struct hc_path path;
	struct hc_fd fd;
	struct hc_exit exit;
};

_Static_assert(sizeof(union hc_request) <= HCALL_REQUEST_MAX, "HCALL_REQUEST_MAX");

typedef enum hcall_outcome hcall_fn(struct hcall_ctx *ctx, union hc_request *r);

enum hcall_outcome hcall_bad(struct hcall_ctx *ctx, const char *fmt, ...)
{
	static const char prefix[] = "hermit: bad hypercall from the guest: ";
	va_list ap;

	memcpy(ctx->why, prefix, sizeof(prefix));
	va_start(ap, fmt);
	vsnprintf(ctx->why + sizeof(prefix) - 1, sizeof(ctx->why) - sizeof(prefix) + 1, fmt, ap);
	va_end(ap);
	return HCALL_BAD;
}

enum hcall_outcome hcall_bad_range(struct hcall_ctx *ctx, const char *what, hermit_gpa_t gpa,
				   uint64_t len)
{
	return hcall_bad(ctx, "%s at 0x%llx (%llu bytes) is outside guest memory", what,
		   (unsigned long long)gpa, (unsigned long long)len);
}

/* Blocks in poll rather than in read/write, so that ^C still works while stdin is idle; or, when
 * the context parks, leaves the request for later unless fd is ready now. */
static enum hcall_outcome wait_ready(struct hcall_ctx *ctx, int fd, short events)
{
	if (ctx->park) {
		struct pollfd p = { .fd = fd, .events = events };
		if (poll(&p, 1, 0) == 1)
			return HCALL_ANSWER;
		ctx->park_fd = fd;
		ctx->park_events = events;
		return HCALL_PARKED;
	}
	return !ctx->wait_fd || ctx->wait_fd(ctx->wait_arg, fd, events) ? HCALL_ANSWER : HCALL_STOP;
}

int64_t hcall_result(int64_t rc)
{
	return rc < 0 ? -errno : rc;
}

/* ---- CONFIG ---- */

static uint64_t strings_size(char *const *v, uint32_t *count)
{
	uint64_t size = 0;

	for (*count = 0; v && v[*count]; (*count)++)
		size += strlen(v[*count]) + 1;
	return size;
}

static char *pack_strings(char *dst, char *const *v, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		size_t n = strlen(v[i]) + 1;
		memcpy(dst, v[i], n);
		dst += n;
	}
	return dst;
}

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static enum hcall_outcome serve_config(struct hcall_ctx *ctx, union hc_request *r)
{
	struct hc_config *c = &r->config;
	char *dst = gm_range(ctx->gm, c->strings, c->strings_cap);
	uint32_t argc, envc;
	uint64_t need;

	if (!dst)
		return hcall_bad_range(ctx, "CONFIG strings buffer", c->strings, c->strings_cap);
	need = strings_size(ctx->argv, &argc) + strings_size(ctx->envp, &envc);
	c->tsc_khz = ctx->tsc_khz ? ctx->tsc_khz(ctx->tsc_arg) : 0;
	c->flags = (ctx->verbose ? HERMIT_CONFIG_VERBOSE : 0) | (ctx->debug ? HERMIT_CONFIG_DEBUG : 0) |
		   (ctx->capture_bare ? HERMIT_CONFIG_CAPTURE_BARE : 0) |
		   (ctx->debug_attach ? HERMIT_CONFIG_ATTACH : 0);
	c->log_level = HERMIT_LOG_INFO;
	c->argc = c->envc = 0;
	c->ret = -E2BIG;
	if (need <= c->strings_cap && need <= HERMIT_ARGS_MAX) {
		pack_strings(pack_strings(dst, ctx->argv, argc), ctx->envp, envc);
		c->argc = argc;
		c->envc = envc;
		c->ret = 0;
	}
	c->net_ip = ctx->net_ip;
	c->net_gateway = ctx->net_gateway;
	c->net_mask = ctx->net_mask;
	c->capture_kib = ctx->capture_kib;
	c->realtime_ns = realtime_ns();
	return HCALL_ANSWER;
}

/* ---- READ, WRITE ---- */

static enum hcall_outcome serve_rw(struct hcall_ctx *ctx, struct hc_rw *rw, bool write_op)
{
	void *buf = gm_range(ctx->gm, rw->buf, rw->len);
	int fd;

	if (!buf)
		return hcall_bad_range(ctx, write_op ? "WRITE buffer" : "READ buffer", rw->buf, rw->len);
	fd = files_host(ctx->files, rw->fd);
	if (fd < 0 || (rw->flags & ~HERMIT_RW_AT)) {
		rw->ret = fd < 0 ? -EBADF : -EINVAL;
		return HCALL_ANSWER;
	}
	if (files_nonblock(ctx->files, rw->fd)) {
		struct pollfd p = { .fd = fd, .events = write_op ? POLLOUT : POLLIN };
		if (poll(&p, 1, 0) == 0) {
			rw->ret = -EAGAIN;
			return HCALL_ANSWER;
		}
	} else {
		enum hcall_outcome ready = wait_ready(ctx, fd, write_op ? POLLOUT : POLLIN);
		if (ready != HCALL_ANSWER)
			return ready;
	}
	if (rw->flags & HERMIT_RW_AT)
		rw->ret = hcall_result(write_op ? pwrite(fd, buf, rw->len, rw->offset)
					       : pread(fd, buf, rw->len, rw->offset));
	else
		rw->ret = hcall_result(write_op ? write(fd, buf, rw->len) : read(fd, buf, rw->len));
	return HCALL_ANSWER;
}

static enum hcall_outcome serve_write(struct hcall_ctx *ctx, union hc_request *r)
{
	return serve_rw(ctx, &r->rw, true);
}

static enum hcall_outcome serve_read(struct hcall_ctx *ctx, union hc_request *r)
{
	return serve_rw(ctx, &r->rw, false);
}

/* ---- PATH, FD: hcall_fs.c ---- */

/*
 * Copies a guest path into path[FS_PATH_MAX]; the copy keeps a guest that rewrites the string
 * meanwhile from handing the host an unterminated one.
 */
int hcall_copy_path(struct hcall_ctx *ctx, hermit_gpa_t gpa, char *path)
{
	const char *s;

	switch (gm_string(ctx->gm, gpa, FS_PATH_MAX, &s)) {
	case GM_STRING_OK:
		break;
	case GM_STRING_TOO_LONG:
		return -ENAMETOOLONG;
	default:
		return -EFAULT;
	}
	size_t n = strnlen(s, FS_PATH_MAX - 1);
	memcpy(path, s, n);
	path[n] = '\0';
	return 0;
}

static enum hcall_outcome serve_path(struct hcall_ctx *ctx, union hc_request *r)
{
	return hcall_path(ctx, &r->path);
}

static enum hcall_outcome serve_fd(struct hcall_ctx *ctx, union hc_request *r)
{
	return hcall_fd(ctx, &r->fd);
}

/* ---- EXIT, CRASH ---- */

static enum hcall_outcome serve_exit(struct hcall_ctx *ctx, union hc_request *r)
{
	ctx->status = r->exit.status;
	return HCALL_EXIT;
}

static enum hcall_outcome serve_crash(struct hcall_ctx *ctx, union hc_request *r)
{
	ctx->status = r->exit.status;
	return HCALL_CRASH;
}

const char *hcall_crash_name(int32_t vector, char *buf, size_t len)
{
	static const char *const names[] = {
		[0] = "divide error",        [1] = "debug exception",
		[2] = "NMI",                 [3] = "breakpoint",
		[4] = "overflow",            [5] = "bound range exceeded",
		[6] = "invalid opcode",      [7] = "device not available",
		[8] = "double fault",        [10] = "invalid TSS",
		[11] = "segment not present", [12] = "stack-segment fault",
		[13] = "general protection fault", [14] = "page fault",
		[16] = "x87 floating-point exception", [17] = "alignment check",
		[18] = "machine check",      [19] = "SIMD floating-point exception",
		[20] = "virtualization exception", [21] = "control protection exception",
	};

	if (vector == -1)
		return "kernel panic";
	if (vector >= 0 && (size_t)vector < sizeof(names) / sizeof(names[0]) && names[vector])
		return names[vector];
	snprintf(buf, len, "exception %d", vector);
	return buf;
}

/* ---- dispatch ---- */

struct hcall_desc {
	const char *name;
	size_t size; /* of the request struct */
	size_t out;  /* offset of its first "out" field, = size when there is none */
	hcall_fn *fn;
};

#define DESC(nr, type, first_out, handler)                                                     \
	[HERMIT_HC_##nr] = { #nr, sizeof(struct type), offsetof(struct type, first_out), handler }
#define DESC_NO_OUT(nr, type, handler)                                                         \
	[HERMIT_HC_##nr] = { #nr, sizeof(struct type), sizeof(struct type), handler }

static const struct hcall_desc hcalls[HERMIT_HC_COUNT] = {
	DESC(CONFIG, hc_config, tsc_khz, serve_config),
	DESC(WRITE, hc_rw, ret, serve_write),
	DESC(READ, hc_rw, ret, serve_read),
	DESC(PATH, hc_path, ret, serve_path),
	DESC(FD, hc_fd, ret, serve_fd),
	DESC_NO_OUT(EXIT, hc_exit, serve_exit),
	DESC_NO_OUT(CRASH, hc_exit, serve_crash),
};

size_t hcall_request_size(uint32_t nr)
{
	return nr < HERMIT_HC_COUNT && hcalls[nr].fn ? hcalls[nr].size : 0;
}

enum hcall_outcome hcall_handle(struct hcall_ctx *ctx, uint32_t nr, hermit_gpa_t req)
{
	const struct hcall_desc *d;
	union hc_request r;
	enum hcall_outcome out;

	if (nr >= HERMIT_HC_COUNT || !hcalls[nr].fn)
		return hcall_bad(ctx, "unknown request number %u", nr);
	d = &hcalls[nr];
	if (!gm_read(ctx->gm, req, &r, d->size))
		return hcall_bad_range(ctx, d->name, req, d->size);
	out = d->fn(ctx, &r);
	if (out == HCALL_ANSWER)
		gm_write(ctx->gm, req + d->out, (const char *)&r + d->out, d->size - d->out);
	return out;
}

static enum hcall_outcome check_anchor(struct hcall_ctx *ctx)
{
	struct hermit_anchor a;

	if (!gm_read(ctx->gm, ctx->anchor, &a, sizeof(a)))
		return hcall_bad_range(ctx, "the anchor", ctx->anchor, sizeof(a));
	if (a.magic != HERMIT_ANCHOR_MAGIC)
		return hcall_bad(ctx, "the anchor at 0x%llx has magic 0x%llx, expected 0x%llx",
			   (unsigned long long)ctx->anchor, (unsigned long long)a.magic,
			   HERMIT_ANCHOR_MAGIC);
	if (a.version != HERMIT_ABI_VERSION)
		return hcall_bad(ctx, "the kernel speaks ABI version %u, this proxy version %d", a.version,
			   HERMIT_ABI_VERSION);
	if (a.size != sizeof(a))
		return hcall_bad(ctx, "the anchor is %u bytes, expected %zu", a.size, sizeof(a));
	ctx->anchor_checked = true;
	return HCALL_ANSWER;
}

enum hcall_outcome hcall_doorbell(struct hcall_ctx *ctx, unsigned n)
{
	struct hermit_hcall_slot slot;
	hermit_gpa_t at;

	if (!ctx->anchor_checked && check_anchor(ctx) == HCALL_BAD)
		return HCALL_BAD;
	if (n >= HERMIT_MAX_CPUS)
		return hcall_bad(ctx, "doorbell from slot %u, but the anchor has %d", n, HERMIT_MAX_CPUS);
	at = ctx->anchor + offsetof(struct hermit_anchor, hcall) + n * sizeof(slot);
	if (!gm_read(ctx->gm, at, &slot, sizeof(slot)))
		return hcall_bad_range(ctx, "the hypercall slot", at, sizeof(slot));
	return hcall_handle(ctx, slot.nr, slot.req);
}
