/*
 * hcall_fixture.h: a fake guest for the proxy's hypercall tests: 1 MiB of guest memory at
 * guest-physical 0, an anchor, the guest's descriptor table and file system view, and a temporary
 * directory for real host files. Included by one test program at a time.
 */
#ifndef HCALL_FIXTURE_H
#define HCALL_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static struct fs fs;
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
	files_make_room();
	files_init(&files);
	ctx = (struct hcall_ctx){ .gm = &gm, .files = &files, .fs = &fs, .anchor = ANCHOR,
				  .argv = guest_argv, .envp = guest_envp, .tsc_khz = fake_tsc_khz };
	put_anchor();
	strcpy(tmpdir, "/tmp/test_proxy_hcall.XXXXXX");
	char err[256];
	return mkdtemp(tmpdir) && fs_init(&fs, NULL, err, sizeof(err)) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];

	/* Closes what the guest opened, never the test's own stdio. */
	for (int i = 3; i < FILES_MAX; i++)
		files_close(&files, i);
	fs_close(&fs);
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

static __attribute__((unused)) char *tmp_path(const char *name)
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

/* Serves request nr at REQ and returns its 64-bit result at ret_off. */
static __attribute__((unused)) int64_t simple_call(uint32_t nr, const void *req, size_t size, size_t ret_off)
{
	int64_t ret;

	put(REQ, req, size);
	assert_int_equal(hcall_handle(&ctx, nr, REQ), HCALL_ANSWER);
	get(REQ + ret_off, &ret, sizeof(ret));
	return ret;
}

#endif
