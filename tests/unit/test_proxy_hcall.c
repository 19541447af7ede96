/*
 * Unit tests of proxy/hcall.c and proxy/files.c: hypercalls served against a fake guest memory
 * buffer (1 MiB at guest-physical 0), with real host files in a temporary directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proxy.h"

#define RAM_SIZE (1024 * 1024)
#define ANCHOR 0x1000
#define REQ 0x2000   /* where tests put the request struct */
#define BUF 0x4000   /* and the buffers it points to */
#define FAKE_TSC_KHZ 2400123
#define POISON 0x5a5a5a5a5a5a5a5aLL

static _Alignas(4096) uint8_t ram[RAM_SIZE];

static struct guestmem gm;
static struct files files;
static struct hcall_ctx ctx;
static char tmpdir[64];
static char path[4096 + 64];

static char *guest_argv[] = { "/opt/hermit/hello", "-v", "", "last arg", NULL };
static char *guest_envp[] = { "HOME=/root", "HERMIT_VERBOSE=1", NULL };

static uint64_t fake_tsc_khz(void *arg)
{
	(void)arg;
	return FAKE_TSC_KHZ;
}

static void put_anchor(void)
{
	struct hermit_anchor a = { .magic = HERMIT_ANCHOR_MAGIC, .version = HERMIT_ABI_VERSION,
				   .size = sizeof(a) };
	memcpy(ram + ANCHOR, &a, sizeof(a));
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	gm = (struct guestmem){ .host = ram, .size = RAM_SIZE, .nregions = 1,
				.region = { { .gpa = 0, .size = RAM_SIZE, .offset = 0 } } };
	files_init(&files);
	ctx = (struct hcall_ctx){ .gm = &gm, .files = &files, .anchor = ANCHOR, .cpus = 1,
				  .argv = guest_argv, .envp = guest_envp, .tsc_khz = fake_tsc_khz };
	put_anchor();
	strcpy(tmpdir, "/tmp/test_proxy_hcall.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];

	/* Closes what the guest opened, never the test's own stdio. */
	for (int i = 3; i < FILES_MAX; i++)
		files_close(&files, i);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(hermit_gpa_t gpa, const void *src, size_t len)
{
	assert_true(gpa + len <= RAM_SIZE);
	memcpy(ram + gpa, src, len);
}

static void get(hermit_gpa_t gpa, void *dst, size_t len)
{
	memcpy(dst, ram + gpa, len);
}

static char *tmp_path(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Puts a path string at gpa. */
static void put_string(hermit_gpa_t gpa, const char *s)
{
	put(gpa, s, strlen(s) + 1);
}

static void expect_bad(enum hcall_outcome out, const char *why)
{
	assert_int_equal(out, HCALL_BAD);
	assert_string_equal(ctx.why, why);
}

/* ---- the doorbell and the anchor ---- */

static void ring_slot(uint32_t nr, hermit_gpa_t req, unsigned cpu)
{
	struct hermit_hcall_slot slot = { .nr = nr, .req = req };

	put(ANCHOR + offsetof(struct hermit_anchor, hcall) + cpu * sizeof(slot), &slot, sizeof(slot));
}

static void test_doorbell_serves_the_slot(void **state)
{
	(void)state;
	struct hc_exit e = { .status = 42 };

	put(REQ, &e, sizeof(e));
	ring_slot(HERMIT_HC_EXIT, REQ, 0);
	assert_int_equal(hcall_doorbell(&ctx, 0), HCALL_EXIT);
	assert_int_equal(ctx.status, 42);
	assert_true(ctx.anchor_checked);
}

static void test_doorbell_from_unknown_cpu(void **state)
{
	(void)state;
	expect_bad(hcall_doorbell(&ctx, 1),
		   "hermit: bad hypercall from the guest: doorbell from CPU 1, but the guest has 1");
	expect_bad(hcall_doorbell(&ctx, 255),
		   "hermit: bad hypercall from the guest: doorbell from CPU 255, but the guest has 1");
	/* Even with more CPUs, the anchor has HERMIT_MAX_CPUS slots only. */
	ctx.cpus = 1000;
	assert_int_equal(hcall_doorbell(&ctx, HERMIT_MAX_CPUS), HCALL_BAD);
}

static void test_anchor_checks(void **state)
{
	(void)state;
	struct hermit_anchor a;

	get(ANCHOR, &a, sizeof(a));
	a.magic ^= 1;
	put(ANCHOR, &a, sizeof(a));
	expect_bad(hcall_doorbell(&ctx, 0), "hermit: bad hypercall from the guest: the anchor at "
					    "0x1000 has magic 0x54494d524549, expected 0x54494d524548");
	assert_false(ctx.anchor_checked);
	put_anchor();
	get(ANCHOR, &a, sizeof(a));
	a.version = HERMIT_ABI_VERSION + 1;
	put(ANCHOR, &a, sizeof(a));
	char want[200];
	snprintf(want, sizeof(want), "hermit: bad hypercall from the guest: the kernel speaks ABI "
		 "version %d, this proxy version %d", HERMIT_ABI_VERSION + 1, HERMIT_ABI_VERSION);
	expect_bad(hcall_doorbell(&ctx, 0), want);
	put_anchor();
	get(ANCHOR, &a, sizeof(a));
	a.size = 16;
	put(ANCHOR, &a, sizeof(a));
	expect_bad(hcall_doorbell(&ctx, 0),
		   "hermit: bad hypercall from the guest: the anchor is 16 bytes, expected 336");
	ctx.anchor = RAM_SIZE - 8;
	expect_bad(hcall_doorbell(&ctx, 0), "hermit: bad hypercall from the guest: the anchor at "
					    "0xffff8 (336 bytes) is outside guest memory");
}

static void test_anchor_checked_once(void **state)
{
	(void)state;
	struct hc_exit e = { .status = 3 };

	put(REQ, &e, sizeof(e));
	ring_slot(HERMIT_HC_EXIT, REQ, 0);
	assert_int_equal(hcall_doorbell(&ctx, 0), HCALL_EXIT);
	/* The kernel may reuse the memory around later; the proxy does not look again. */
	memset(ram + ANCHOR, 0, 16);
	assert_int_equal(hcall_doorbell(&ctx, 0), HCALL_EXIT);
}

static void test_unknown_request(void **state)
{
	(void)state;
	expect_bad(hcall_handle(&ctx, 0, REQ),
		   "hermit: bad hypercall from the guest: unknown request number 0");
	expect_bad(hcall_handle(&ctx, HERMIT_HC_COUNT, REQ),
		   "hermit: bad hypercall from the guest: unknown request number 11");
	expect_bad(hcall_handle(&ctx, UINT32_MAX, REQ),
		   "hermit: bad hypercall from the guest: unknown request number 4294967295");
}

static void test_request_outside_memory(void **state)
{
	(void)state;
	expect_bad(hcall_handle(&ctx, HERMIT_HC_WRITE, RAM_SIZE - 16), "hermit: bad hypercall from "
		   "the guest: WRITE at 0xffff0 (32 bytes) is outside guest memory");
	expect_bad(hcall_handle(&ctx, HERMIT_HC_CONFIG, UINT64_MAX - 8), "hermit: bad hypercall from "
		   "the guest: CONFIG at 0xfffffffffffffff7 (72 bytes) is outside guest memory");
	expect_bad(hcall_handle(&ctx, HERMIT_HC_EXIT, RAM_SIZE), "hermit: bad hypercall from the "
		   "guest: EXIT at 0x100000 (8 bytes) is outside guest memory");
	/* A request that ends exactly at the end of RAM is fine. */
	struct hc_exit e = { .status = 7 };
	put(RAM_SIZE - sizeof(e), &e, sizeof(e));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_EXIT, RAM_SIZE - sizeof(e)), HCALL_EXIT);
	assert_int_equal(ctx.status, 7);
}

/* ---- CONFIG ---- */

static const char expected_strings[] = "/opt/hermit/hello\0-v\0\0last arg\0"
				       "HOME=/root\0HERMIT_VERBOSE=1";

static struct hc_config config_call(uint64_t cap, enum hcall_outcome want)
{
	struct hc_config c = { .strings = BUF, .strings_cap = cap, .tsc_khz = POISON,
			       .realtime_ns = POISON, .argc = 99, .envc = 99, .ret = POISON };

	put(REQ, &c, sizeof(c));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_CONFIG, REQ), want);
	get(REQ, &c, sizeof(c));
	return c;
}

static void test_config(void **state)
{
	(void)state;
	struct timespec before, after;
	struct hc_config c;

	clock_gettime(CLOCK_REALTIME, &before);
	c = config_call(4096, HCALL_ANSWER);
	clock_gettime(CLOCK_REALTIME, &after);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.argc, 4);
	assert_int_equal(c.envc, 2);
	assert_memory_equal(ram + BUF, expected_strings, sizeof(expected_strings));
	assert_int_equal(c.tsc_khz, FAKE_TSC_KHZ);
	assert_int_equal(c.flags, 0);
	assert_int_equal(c.log_level, HERMIT_LOG_INFO);
	assert_true(c.realtime_ns >= before.tv_sec * 1000000000LL + before.tv_nsec);
	assert_true(c.realtime_ns <= after.tv_sec * 1000000000LL + after.tv_nsec);
	/* "in" fields are left alone. */
	assert_int_equal(c.strings, BUF);
	assert_int_equal(c.strings_cap, 4096);
	/* Nothing is written past the strings. */
	assert_int_equal(ram[BUF + sizeof(expected_strings)], 0);
}

static void test_config_network(void **state)
{
	(void)state;
	ctx.net_ip = 0x0205000a;      /* 10.0.5.2 as it sits in memory */
	ctx.net_gateway = 0x0105000a;
	ctx.net_mask = 0x00ffffff;
	ctx.capture_kib = 1024;
	struct hc_config c = config_call(4096, HCALL_ANSWER);

	assert_int_equal(c.net_ip, 0x0205000a);
	assert_int_equal(c.net_gateway, 0x0105000a);
	assert_int_equal(c.net_mask, 0x00ffffff);
	assert_int_equal(c.capture_kib, 1024);
	ctx.capture_kib = 0;
	c = config_call(4096, HCALL_ANSWER);
	assert_int_equal(c.capture_kib, 0);
}

static void test_config_verbose_and_no_tsc(void **state)
{
	(void)state;
	ctx.verbose = true;
	ctx.tsc_khz = NULL;
	struct hc_config c = config_call(4096, HCALL_ANSWER);

	assert_int_equal(c.flags, HERMIT_CONFIG_VERBOSE);
	assert_int_equal(c.tsc_khz, 0);
}

static void test_config_exact_fit(void **state)
{
	(void)state;
	memset(ram + BUF, 0x77, 256);
	struct hc_config c = config_call(sizeof(expected_strings), HCALL_ANSWER);

	assert_int_equal(c.ret, 0);
	assert_memory_equal(ram + BUF, expected_strings, sizeof(expected_strings));
	assert_int_equal(ram[BUF + sizeof(expected_strings)], 0x77);
}

static void test_config_e2big(void **state)
{
	(void)state;
	memset(ram + BUF, 0x77, 256);
	struct hc_config c = config_call(sizeof(expected_strings) - 1, HCALL_ANSWER);

	assert_int_equal(c.ret, -E2BIG);
	assert_int_equal(c.argc, 0);
	assert_int_equal(c.envc, 0);
	assert_int_equal(c.tsc_khz, FAKE_TSC_KHZ); /* the rest is still answered */
	assert_int_equal(ram[BUF], 0x77);          /* and the buffer untouched */
	c = config_call(0, HCALL_ANSWER);
	assert_int_equal(c.ret, -E2BIG);
}

static void test_config_beyond_args_max(void **state)
{
	(void)state;
	/* Exactly HERMIT_ARGS_MAX bytes pass; one more is refused even if the buffer is larger. */
	char *big = malloc(HERMIT_ARGS_MAX);
	char *argv_fit[] = { big, NULL };
	char *argv_over[] = { big, "", NULL };
	struct hc_config c;

	memset(big, 'x', HERMIT_ARGS_MAX - 1);
	big[HERMIT_ARGS_MAX - 1] = '\0';
	ctx.envp = NULL;
	ctx.argv = argv_fit;
	c = config_call(RAM_SIZE - BUF, HCALL_ANSWER);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.argc, 1);
	assert_int_equal(c.envc, 0);
	ctx.argv = argv_over;
	c = config_call(RAM_SIZE - BUF, HCALL_ANSWER);
	assert_int_equal(c.ret, -E2BIG);
	assert_int_equal(c.argc, 0);
	free(big);
}

static void test_config_bad_buffer(void **state)
{
	(void)state;
	struct hc_config c = { .strings = RAM_SIZE - 100, .strings_cap = 101, .ret = POISON };

	put(REQ, &c, sizeof(c));
	expect_bad(hcall_handle(&ctx, HERMIT_HC_CONFIG, REQ), "hermit: bad hypercall from the guest: "
		   "CONFIG strings buffer at 0xfff9c (101 bytes) is outside guest memory");
	get(REQ, &c, sizeof(c));
	assert_int_equal(c.ret, POISON); /* no answer written */
	/* A capacity that wraps the address space. */
	c.strings = BUF;
	c.strings_cap = UINT64_MAX - BUF + 1;
	put(REQ, &c, sizeof(c));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_CONFIG, REQ), HCALL_BAD);
}

/* ---- WRITE, READ ---- */

static int pipe_fds[2];

static int add_pipe(void)
{
	assert_int_equal(pipe(pipe_fds), 0);
	return files_add(&files, pipe_fds[1]);
}

static struct hc_rw rw_call(uint32_t nr, int32_t fd, hermit_gpa_t buf, uint64_t len,
			    enum hcall_outcome want)
{
	struct hc_rw rw = { .fd = fd, .reserved = 0xabcdef, .buf = buf, .len = len, .ret = POISON };

	put(REQ, &rw, sizeof(rw));
	assert_int_equal(hcall_handle(&ctx, nr, REQ), want);
	get(REQ, &rw, sizeof(rw));
	/* Only ret may change. */
	assert_int_equal(rw.fd, fd);
	assert_int_equal(rw.reserved, 0xabcdef);
	assert_int_equal(rw.buf, buf);
	assert_int_equal(rw.len, len);
	return rw;
}

static void test_write(void **state)
{
	(void)state;
	int gfd = add_pipe();
	char got[16] = { 0 };

	assert_int_equal(gfd, 3);
	put_string(BUF, "hello, host");
	assert_int_equal(rw_call(HERMIT_HC_WRITE, gfd, BUF, 11, HCALL_ANSWER).ret, 11);
	assert_int_equal(read(pipe_fds[0], got, sizeof(got)), 11);
	assert_string_equal(got, "hello, host");
	assert_int_equal(rw_call(HERMIT_HC_WRITE, gfd, BUF, 0, HCALL_ANSWER).ret, 0);
	close(pipe_fds[0]);
	/* The reader is gone: -EPIPE, with SIGPIPE ignored as the proxy does. */
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(rw_call(HERMIT_HC_WRITE, gfd, BUF, 11, HCALL_ANSWER).ret, -EPIPE);
	signal(SIGPIPE, SIG_DFL);
}

static void test_write_bad_descriptors(void **state)
{
	(void)state;
	put_string(BUF, "x");
	assert_int_equal(rw_call(HERMIT_HC_WRITE, 3, BUF, 1, HCALL_ANSWER).ret, -EBADF);
	assert_int_equal(rw_call(HERMIT_HC_WRITE, -1, BUF, 1, HCALL_ANSWER).ret, -EBADF);
	assert_int_equal(rw_call(HERMIT_HC_WRITE, FILES_MAX, BUF, 1, HCALL_ANSWER).ret, -EBADF);
	assert_int_equal(rw_call(HERMIT_HC_WRITE, INT32_MIN, BUF, 1, HCALL_ANSWER).ret, -EBADF);
	assert_int_equal(rw_call(HERMIT_HC_READ, 200, BUF, 1, HCALL_ANSWER).ret, -EBADF);
}

static void test_write_bad_buffers(void **state)
{
	(void)state;
	int gfd = add_pipe();

	assert_int_equal(rw_call(HERMIT_HC_WRITE, gfd, RAM_SIZE - 4, 5, HCALL_BAD).ret, POISON);
	assert_string_equal(ctx.why, "hermit: bad hypercall from the guest: WRITE buffer at 0xffffc "
				     "(5 bytes) is outside guest memory");
	/* Lengths that wrap the address space. */
	assert_int_equal(rw_call(HERMIT_HC_WRITE, gfd, BUF, UINT64_MAX, HCALL_BAD).ret, POISON);
	assert_int_equal(rw_call(HERMIT_HC_WRITE, gfd, BUF, UINT64_MAX - BUF + 1, HCALL_BAD).ret,
			 POISON);
	assert_int_equal(rw_call(HERMIT_HC_WRITE, gfd, UINT64_MAX, 2, HCALL_BAD).ret, POISON);
	/* A bad buffer is a bad request even on a bad descriptor. */
	assert_int_equal(rw_call(HERMIT_HC_WRITE, 77, RAM_SIZE, 1, HCALL_BAD).ret, POISON);
	/* Nothing reached the host. */
	fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
	char c;
	assert_int_equal(read(pipe_fds[0], &c, 1), -1);
	assert_int_equal(errno, EAGAIN);
	close(pipe_fds[0]);
}

static void test_read(void **state)
{
	(void)state;
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	int gfd = files_add(&files, fds[0]);
	assert_int_equal(write(fds[1], "from host", 9), 9);
	memset(ram + BUF, 0x77, 32);
	assert_int_equal(rw_call(HERMIT_HC_READ, gfd, BUF, 32, HCALL_ANSWER).ret, 9);
	assert_memory_equal(ram + BUF, "from host", 9);
	assert_int_equal(ram[BUF + 9], 0x77);
	close(fds[1]);
	assert_int_equal(rw_call(HERMIT_HC_READ, gfd, BUF, 32, HCALL_ANSWER).ret, 0); /* EOF */
	assert_int_equal(rw_call(HERMIT_HC_READ, gfd, RAM_SIZE - 1, 2, HCALL_BAD).ret, POISON);
	assert_string_equal(ctx.why, "hermit: bad hypercall from the guest: READ buffer at 0xfffff "
				     "(2 bytes) is outside guest memory");
}

static bool refuse_to_wait(void *arg, int fd, short events)
{
	(void)fd;
	(void)events;
	++*(int *)arg;
	return false;
}

static void test_stop_while_waiting(void **state)
{
	(void)state;
	int gfd = add_pipe(), waits = 0;

	ctx.wait_fd = refuse_to_wait;
	ctx.wait_arg = &waits;
	assert_int_equal(rw_call(HERMIT_HC_WRITE, gfd, BUF, 4, HCALL_STOP).ret, POISON);
	assert_int_equal(rw_call(HERMIT_HC_READ, gfd, BUF, 4, HCALL_STOP).ret, POISON);
	assert_int_equal(waits, 2);
	close(pipe_fds[0]);
}

/* Plays another vCPU that rewrites the request while the host serves it. */
static bool rewrite_request(void *arg, int fd, short events)
{
	(void)arg;
	(void)fd;
	(void)events;
	struct hc_rw rw;
	get(REQ, &rw, sizeof(rw));
	rw.reserved = 0x1111;
	rw.len = 1;
	put(REQ, &rw, sizeof(rw));
	return true;
}

static void test_only_out_fields_are_written(void **state)
{
	(void)state;
	int gfd = add_pipe();
	struct hc_rw rw = { .fd = gfd, .buf = BUF, .len = 4, .ret = POISON };
	char got[8] = { 0 };

	put_string(BUF, "abcd");
	put(REQ, &rw, sizeof(rw));
	ctx.wait_fd = rewrite_request;
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_WRITE, REQ), HCALL_ANSWER);
	get(REQ, &rw, sizeof(rw));
	/* The host used its copy (4 bytes), and left the guest's later changes in place. */
	assert_int_equal(rw.ret, 4);
	assert_int_equal(rw.len, 1);
	assert_int_equal(rw.reserved, 0x1111);
	assert_int_equal(read(pipe_fds[0], got, sizeof(got)), 4);
	close(pipe_fds[0]);
}

/* ---- OPEN, CLOSE, LSEEK, UNLINK, FSTAT ---- */

static int64_t open_call(const char *p, int32_t flags, int32_t mode)
{
	struct hc_open o = { .path = BUF, .flags = flags, .mode = mode, .ret = POISON };

	put_string(BUF, p);
	put(REQ, &o, sizeof(o));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_OPEN, REQ), HCALL_ANSWER);
	get(REQ, &o, sizeof(o));
	assert_int_equal(o.path, BUF);
	assert_int_equal(o.flags, flags);
	return o.ret;
}

static int64_t simple_call(uint32_t nr, const void *req, size_t size, size_t ret_off)
{
	int64_t ret;

	put(REQ, req, size);
	assert_int_equal(hcall_handle(&ctx, nr, REQ), HCALL_ANSWER);
	get(REQ + ret_off, &ret, sizeof(ret));
	return ret;
}

static int64_t close_call(int32_t fd)
{
	struct hc_close c = { .fd = fd, .ret = POISON };
	return simple_call(HERMIT_HC_CLOSE, &c, sizeof(c), offsetof(struct hc_close, ret));
}

static int64_t lseek_call(int32_t fd, int64_t off, int32_t whence)
{
	struct hc_lseek l = { .fd = fd, .whence = whence, .offset = off, .ret = POISON };
	return simple_call(HERMIT_HC_LSEEK, &l, sizeof(l), offsetof(struct hc_lseek, ret));
}

static int64_t unlink_call(const char *p)
{
	struct hc_unlink u = { .path = BUF, .ret = POISON };
	put_string(BUF, p);
	return simple_call(HERMIT_HC_UNLINK, &u, sizeof(u), offsetof(struct hc_unlink, ret));
}

static void test_open_write_close(void **state)
{
	(void)state;
	char got[16] = { 0 };

	int64_t gfd = open_call(tmp_path("new"), O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_int_equal(gfd, 3);
	put_string(BUF + 512, "data");
	assert_int_equal(rw_call(HERMIT_HC_WRITE, (int32_t)gfd, BUF + 512, 4, HCALL_ANSWER).ret, 4);
	assert_int_equal(close_call((int32_t)gfd), 0);
	assert_int_equal(close_call((int32_t)gfd), -EBADF);
	int fd = open(tmp_path("new"), O_RDONLY);
	assert_int_equal(read(fd, got, sizeof(got)), 4);
	assert_string_equal(got, "data");
	close(fd);
	assert_int_equal(open_call(tmp_path("new"), O_WRONLY | O_CREAT | O_EXCL, 0600), -EEXIST);
	assert_int_equal(open_call(tmp_path("missing"), O_RDONLY, 0), -ENOENT);
	/* The lowest free descriptor is reused, as POSIX has it. */
	assert_int_equal(open_call(tmp_path("new"), O_RDONLY, 0), 3);
	assert_int_equal(open_call(tmp_path("new"), O_RDONLY, 0), 4);
	assert_int_equal(close_call(3), 0);
	assert_int_equal(open_call(tmp_path("new"), O_RDONLY, 0), 3);
}

static void test_open_flags_are_masked(void **state)
{
	(void)state;
	mode_t old = umask(0);

	/* Set-user-ID is not the guest's to give; O_CLOEXEC is always added. */
	int64_t gfd = open_call(tmp_path("f"), O_RDWR | O_CREAT, 04777);
	umask(old);
	assert_true(gfd >= 3);
	int host = files_host(&files, gfd);
	struct stat st;
	assert_int_equal(fstat(host, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0777);
	assert_true(fcntl(host, F_GETFD) & FD_CLOEXEC);
	/* Flags outside the safe set (O_PATH, O_SYNC) are dropped, not passed to the host. */
	gfd = open_call(tmp_path("f"), O_RDONLY | O_PATH | O_SYNC, 0);
	host = files_host(&files, gfd);
	assert_int_equal(fcntl(host, F_GETFL) & (O_PATH | O_SYNC), 0);
	char c;
	assert_int_equal(read(host, &c, 1), 0); /* a real, readable descriptor */
	/* Allowed flags do pass. */
	gfd = open_call(tmp_path("f"), O_WRONLY | O_APPEND | O_NONBLOCK, 0);
	host = files_host(&files, gfd);
	assert_true(fcntl(host, F_GETFL) & O_APPEND);
	assert_true(fcntl(host, F_GETFL) & O_NONBLOCK);
	assert_int_equal(open_call(tmp_path("f"), O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	char target[sizeof(path)];
	snprintf(target, sizeof(target), "%s", tmp_path("f"));
	assert_int_equal(symlink(target, tmp_path("link")), 0);
	assert_int_equal(open_call(tmp_path("link"), O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
}

static void test_open_bad_paths(void **state)
{
	(void)state;
	struct hc_open o = { .path = RAM_SIZE - 4, .flags = O_RDONLY, .ret = POISON };

	/* Unterminated at the end of guest memory: a bad request. */
	memset(ram + RAM_SIZE - 4, 'a', 4);
	put(REQ, &o, sizeof(o));
	expect_bad(hcall_handle(&ctx, HERMIT_HC_OPEN, REQ), "hermit: bad hypercall from the guest: "
		   "OPEN path at 0xffffc is not a string in guest memory");
	get(REQ, &o, sizeof(o));
	assert_int_equal(o.ret, POISON);
	o.path = RAM_SIZE;
	put(REQ, &o, sizeof(o));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_OPEN, REQ), HCALL_BAD);
	o.path = UINT64_MAX;
	put(REQ, &o, sizeof(o));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_OPEN, REQ), HCALL_BAD);

	/* 4096 bytes without a NUL, in memory: -ENAMETOOLONG, as Linux says. */
	o.path = BUF;
	memset(ram + BUF, '/', 4096);
	ram[BUF + 4096] = '\0';
	o.ret = POISON;
	put(REQ, &o, sizeof(o));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_OPEN, REQ), HCALL_ANSWER);
	get(REQ, &o, sizeof(o));
	assert_int_equal(o.ret, -ENAMETOOLONG);
	/* 4095 characters and the NUL: the longest path that is passed on. */
	size_t dirlen = strlen(tmpdir);
	memset(path, '/', 4095 - dirlen);
	memcpy(path + 4095 - dirlen, tmpdir, dirlen + 1);
	assert_int_equal(strlen(path), 4095);
	char longest[4096];
	strcpy(longest, path);
	assert_true(open_call(longest, O_RDONLY | O_DIRECTORY, 0) >= 3);
}

static void test_open_table_full(void **state)
{
	(void)state;
	int opened = 0;
	int64_t gfd;

	while ((gfd = open_call("/dev/null", O_RDONLY, 0)) >= 0)
		opened++;
	assert_int_equal(gfd, -EMFILE);
	assert_int_equal(opened, FILES_MAX - 3);
	/* The refused host descriptor was closed: the next host descriptor is the same again. */
	int probe1 = open("/dev/null", O_RDONLY);
	close(probe1);
	assert_int_equal(open_call("/dev/null", O_RDONLY, 0), -EMFILE);
	int probe2 = open("/dev/null", O_RDONLY);
	close(probe2);
	assert_int_equal(probe1, probe2);
}

static void test_close_stdio(void **state)
{
	(void)state;
	/* The guest loses its descriptor 2, the proxy keeps its stderr. */
	assert_int_equal(close_call(2), 0);
	assert_true(fcntl(STDERR_FILENO, F_GETFD) >= 0);
	put_string(BUF, "x");
	assert_int_equal(rw_call(HERMIT_HC_WRITE, 2, BUF, 1, HCALL_ANSWER).ret, -EBADF);
	assert_int_equal(close_call(2), -EBADF);
	assert_int_equal(close_call(-1), -EBADF);
	assert_int_equal(close_call(FILES_MAX), -EBADF);
}

static void test_lseek(void **state)
{
	(void)state;
	int fd = open(tmp_path("s"), O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);

	int32_t gfd = (int32_t)open_call(tmp_path("s"), O_RDONLY, 0);
	assert_int_equal(lseek_call(gfd, 4, SEEK_SET), 4);
	assert_int_equal(lseek_call(gfd, 2, SEEK_CUR), 6);
	assert_int_equal(lseek_call(gfd, -1, SEEK_END), 9);
	assert_int_equal(lseek_call(gfd, -100, SEEK_SET), -EINVAL);
	assert_int_equal(lseek_call(gfd, 0, 3), -EINVAL);
	assert_int_equal(lseek_call(gfd, 0, -1), -EINVAL);
	assert_int_equal(lseek_call(gfd + 1, 0, SEEK_SET), -EBADF);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	int32_t p = files_add(&files, fds[0]);
	assert_int_equal(lseek_call(p, 0, SEEK_SET), -ESPIPE);
	close(fds[1]);
}

static void test_unlink(void **state)
{
	(void)state;
	int fd = open(tmp_path("gone"), O_WRONLY | O_CREAT, 0600);
	close(fd);
	assert_int_equal(unlink_call(tmp_path("gone")), 0);
	assert_int_equal(access(tmp_path("gone"), F_OK), -1);
	assert_int_equal(unlink_call(tmp_path("gone")), -ENOENT);
	assert_int_equal(unlink_call(tmpdir), -EISDIR);

	struct hc_unlink u = { .path = RAM_SIZE - 2, .ret = POISON };
	memset(ram + RAM_SIZE - 2, 'z', 2);
	put(REQ, &u, sizeof(u));
	expect_bad(hcall_handle(&ctx, HERMIT_HC_UNLINK, REQ), "hermit: bad hypercall from the guest: "
		   "UNLINK path at 0xffffe is not a string in guest memory");
	memset(ram + BUF, 'a', 5000);
	u.path = BUF;
	u.ret = POISON;
	assert_int_equal(simple_call(HERMIT_HC_UNLINK, &u, sizeof(u), offsetof(struct hc_unlink, ret)),
			 -ENAMETOOLONG);
}

static void test_fstat(void **state)
{
	(void)state;
	int fd = open(tmp_path("st"), O_WRONLY | O_CREAT, 0640);
	assert_int_equal(write(fd, "12345", 5), 5);
	struct stat host;
	fstat(fd, &host);
	close(fd);

	int32_t gfd = (int32_t)open_call(tmp_path("st"), O_RDONLY, 0);
	struct hc_fstat f = { .fd = gfd, .st = BUF + 1024, .ret = POISON };
	struct hermit_stat hs;
	memset(ram + BUF + 1024, 0x77, sizeof(hs) + 8);
	assert_int_equal(simple_call(HERMIT_HC_FSTAT, &f, sizeof(f), offsetof(struct hc_fstat, ret)), 0);
	get(BUF + 1024, &hs, sizeof(hs));
	assert_int_equal(hs.size, 5);
	assert_int_equal(hs.mode, S_IFREG | 0640);
	assert_int_equal(hs.reserved, 0);
	assert_int_equal(hs.mtime_ns, host.st_mtim.tv_sec * 1000000000LL + host.st_mtim.tv_nsec);
	assert_int_equal(hs.blksize, host.st_blksize);
	assert_int_equal(ram[BUF + 1024 + sizeof(hs)], 0x77);

	/* Bad descriptor: -EBADF and the result buffer untouched. */
	memset(ram + BUF + 1024, 0x77, sizeof(hs));
	f.fd = 99;
	assert_int_equal(simple_call(HERMIT_HC_FSTAT, &f, sizeof(f), offsetof(struct hc_fstat, ret)),
			 -EBADF);
	assert_int_equal(ram[BUF + 1024], 0x77);

	/* A result buffer partly outside memory is a bad request, even with a bad descriptor. */
	f.st = RAM_SIZE - sizeof(hs) + 1;
	put(REQ, &f, sizeof(f));
	expect_bad(hcall_handle(&ctx, HERMIT_HC_FSTAT, REQ), "hermit: bad hypercall from the guest: "
		   "FSTAT result at 0xfffe1 (32 bytes) is outside guest memory");
}

/* ---- EXIT, CRASH ---- */

static void test_exit_and_crash(void **state)
{
	(void)state;
	struct hc_exit e = { .status = -1, .reserved = 0x1234 };

	put(REQ, &e, sizeof(e));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_CRASH, REQ), HCALL_CRASH);
	assert_int_equal(ctx.status, -1);
	e.status = 14;
	put(REQ, &e, sizeof(e));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_CRASH, REQ), HCALL_CRASH);
	assert_int_equal(ctx.status, 14);
	e.status = 0;
	put(REQ, &e, sizeof(e));
	assert_int_equal(hcall_handle(&ctx, HERMIT_HC_EXIT, REQ), HCALL_EXIT);
	assert_int_equal(ctx.status, 0);
	/* Nothing is written back for EXIT and CRASH. */
	get(REQ, &e, sizeof(e));
	assert_int_equal(e.reserved, 0x1234);
}

static void test_crash_names(void **state)
{
	(void)state;
	char buf[32];

	assert_string_equal(hcall_crash_name(14, buf, sizeof(buf)), "page fault");
	assert_string_equal(hcall_crash_name(13, buf, sizeof(buf)), "general protection fault");
	assert_string_equal(hcall_crash_name(0, buf, sizeof(buf)), "divide error");
	assert_string_equal(hcall_crash_name(6, buf, sizeof(buf)), "invalid opcode");
	assert_string_equal(hcall_crash_name(8, buf, sizeof(buf)), "double fault");
	assert_string_equal(hcall_crash_name(-1, buf, sizeof(buf)), "kernel panic");
	assert_string_equal(hcall_crash_name(9, buf, sizeof(buf)), "exception 9");
	assert_string_equal(hcall_crash_name(22, buf, sizeof(buf)), "exception 22");
	assert_string_equal(hcall_crash_name(255, buf, sizeof(buf)), "exception 255");
	assert_string_equal(hcall_crash_name(-2, buf, sizeof(buf)), "exception -2");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_doorbell_serves_the_slot),
		T(test_doorbell_from_unknown_cpu),
		T(test_anchor_checks),
		T(test_anchor_checked_once),
		T(test_unknown_request),
		T(test_request_outside_memory),
		T(test_config),
		T(test_config_network),
		T(test_config_verbose_and_no_tsc),
		T(test_config_exact_fit),
		T(test_config_e2big),
		T(test_config_beyond_args_max),
		T(test_config_bad_buffer),
		T(test_write),
		T(test_write_bad_descriptors),
		T(test_write_bad_buffers),
		T(test_read),
		T(test_stop_while_waiting),
		T(test_only_out_fields_are_written),
		T(test_open_write_close),
		T(test_open_flags_are_masked),
		T(test_open_bad_paths),
		T(test_open_table_full),
		T(test_close_stdio),
		T(test_lseek),
		T(test_unlink),
		T(test_fstat),
		T(test_exit_and_crash),
		T(test_crash_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
