/*
 * Unit tests of proxy/hcall.c: the doorbell, the anchor, CONFIG, READ and WRITE, EXIT and CRASH,
 * served against a fake guest (hcall_fixture.h). The file requests: test_proxy_hcall_fs.c.
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

#include "hcall_fixture.h"

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

static void test_doorbell_from_unknown_slot(void **state)
{
	(void)state;
	/* Any of the anchor's HERMIT_MAX_CPUS slots, whatever the number of CPUs. */
	ring_slot(HERMIT_HC_EXIT, REQ, HERMIT_MAX_CPUS - 1);
	struct hc_exit e = { .status = 7 };
	put(REQ, &e, sizeof(e));
	assert_int_equal(hcall_doorbell(&ctx, HERMIT_MAX_CPUS - 1), HCALL_EXIT);
	expect_bad(hcall_doorbell(&ctx, HERMIT_MAX_CPUS),
		   "hermit: bad hypercall from the guest: doorbell from slot 16, but the anchor has 16");
	expect_bad(hcall_doorbell(&ctx, 255),
		   "hermit: bad hypercall from the guest: doorbell from slot 255, but the anchor has 16");
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
		   "the guest: WRITE at 0xffff0 (40 bytes) is outside guest memory");
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
	struct hc_rw rw = { .fd = fd, .offset = 0xabcdef, .buf = buf, .len = len, .ret = POISON };

	put(REQ, &rw, sizeof(rw));
	assert_int_equal(hcall_handle(&ctx, nr, REQ), want);
	get(REQ, &rw, sizeof(rw));
	/* Only ret may change. */
	assert_int_equal(rw.fd, fd);
	assert_int_equal(rw.offset, 0xabcdef);
	assert_int_equal(rw.flags, 0);
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

static void test_a_read_that_would_wait_is_parked(void **state)
{
	(void)state;
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	int gfd = files_add(&files, fds[0]);
	ctx.park = true;
	ctx.wait_fd = refuse_to_wait; /* never called when parking */
	assert_int_equal(rw_call(HERMIT_HC_READ, gfd, BUF, 8, HCALL_PARKED).ret, POISON);
	assert_int_equal(ctx.park_fd, fds[0]);
	assert_int_equal(ctx.park_events, POLLIN);
	/* Served again once the descriptor is ready, as the loop does. */
	assert_int_equal(write(fds[1], "late", 4), 4);
	assert_int_equal(rw_call(HERMIT_HC_READ, gfd, BUF, 8, HCALL_ANSWER).ret, 4);
	assert_memory_equal(ram + BUF, "late", 4);
	close(fds[1]);
}

/* Plays another vCPU that rewrites the request while the host serves it. */
static bool rewrite_request(void *arg, int fd, short events)
{
	(void)arg;
	(void)fd;
	(void)events;
	struct hc_rw rw;
	get(REQ, &rw, sizeof(rw));
	rw.offset = 0x1111;
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
	assert_int_equal(rw.offset, 0x1111);
	assert_int_equal(read(pipe_fds[0], got, sizeof(got)), 4);
	close(pipe_fds[0]);
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
		T(test_doorbell_from_unknown_slot),
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
		T(test_a_read_that_would_wait_is_parked),
		T(test_only_out_fields_are_written),
		T(test_exit_and_crash),
		T(test_crash_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
