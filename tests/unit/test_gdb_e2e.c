/*
 * test_gdb_e2e.c: stock gdb against the engine, end to end.
 *
 * The test runs `gdb -batch` with commands that connect with "target remote | <this binary>
 * --serve": in that mode this binary serves the engine on stdin/stdout with the fake target, and
 * plays a tiny "CPU" whenever gdb resumes it (a step advances rip by one; a continue runs into the
 * first breakpoint or watchpoint gdb has set, or exits). The test then checks gdb's output for
 * what each command must print, and for messages that mean gdb disliked a reply. Skipped when
 * gdb is not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_gdb_fake.h"

/* ---- serve mode: the engine on stdin/stdout ---- */

static struct {
	enum gdb_bp_type type;
	uint64_t addr, len;
	bool used;
} bps[16];

static int serve_send(void *ctx, const void *buf, size_t len)
{
	const char *p = buf;

	(void)ctx;
	while (len > 0) {
		ssize_t n = write(1, p, len);

		if (n <= 0)
			exit(1);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int serve_insert(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(bps) / sizeof(bps[0]); i++) {
		if (!bps[i].used) {
			bps[i].type = type;
			bps[i].addr = addr;
			bps[i].len = len;
			bps[i].used = true;
			return 0;
		}
	}
	return GDB_EBUSY;
}

static int serve_remove(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(bps) / sizeof(bps[0]); i++) {
		if (bps[i].used && bps[i].type == type && bps[i].addr == addr && bps[i].len == len) {
			bps[i].used = false;
			return 0;
		}
	}
	return GDB_ENOENT;
}

static int say_tasks(void *ctx, const char *args)
{
	(void)ctx;
	(void)args;
	for (size_t i = 0; i < fake.nthreads; i++) {
		char line[128];

		snprintf(line, sizeof(line), "task %lld %s: %s\n", (long long)fake.thread[i].tid,
			 fake.thread[i].name, fake.thread[i].state);
		gdb_console_puts(line);
	}
	return 0;
}

/* The target ran: produce the stop it would report. */
static void run_target(void)
{
	struct gdb_stop stop = {.reason = GDB_STOP_EXITED, .tid = 1};
	const struct gdb_resume *how = &fake.resume;

	for (size_t i = 0; i < how->count; i++) {
		if (how->action[i].kind == GDB_RESUME_STEP) {
			stop.tid = how->action[i].tid > 0 ? how->action[i].tid : 1;
			fake_thread(stop.tid)->regs.rip++;
			stop.reason = GDB_STOP_STEP;
			gdb_report_stop(&stop);
			return;
		}
	}
	for (size_t i = 0; i < sizeof(bps) / sizeof(bps[0]); i++) {
		if (!bps[i].used)
			continue;
		stop.addr = bps[i].addr;
		if (bps[i].type >= GDB_WATCH_WRITE) {
			fake.mem[bps[i].addr - FAKE_MEM_BASE]++; /* the write the watchpoint saw */
			stop.reason = GDB_STOP_WATCH;
		} else {
			fake_thread(1)->regs.rip = bps[i].addr;
			stop.reason = bps[i].type == GDB_BP_SOFTWARE ? GDB_STOP_SWBREAK
								     : GDB_STOP_HWBREAK;
		}
		gdb_report_stop(&stop);
		return;
	}
	gdb_report_stop(&stop);
}

static int serve(void)
{
	static const struct gdb_monitor_cmd tasks = {"tasks", "list the tasks", say_tasks};
	struct gdb_stop first = {.reason = GDB_STOP_SIGNAL, .tid = 1, .signal = GDB_SIGTRAP};
	uint8_t buf[4096];
	ssize_t n;

	fake_reset();
	fake_ops.send = serve_send;
	fake_ops.insert_bp = serve_insert;
	fake_ops.remove_bp = serve_remove;
	if (gdb_init(&fake_ops, &fake) != 0 || gdb_monitor_register(&tasks) != 0)
		return 1;
	gdb_report_stop(&first);
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		gdb_feed(buf, (size_t)n);
		while (gdb_state() == GDB_STATE_RUNNING)
			run_target();
	}
	return 0;
}

/* ---- the test ---- */

/* Each command is a separate -ex, so that one that fails on purpose does not end the session. */
static const char *const commands[] = {
	"set pagination off",
	"set confirm off",
	"set remotetimeout 10",
	"target remote | %s --serve",
	"info threads",
	"p/x $rip",
	"p/x $fs_base",
	"p $xmm3.v16_int8",
	"info registers eflags",
	"p/x $mxcsr",
	"x/4xb 0x10000",
	"set {int}0x10010 = 0x12345678",
	"x/xw 0x10010",
	"x/xb 0x13000",
	"monitor help",
	"monitor tasks",
	"monitor nonsense",
	"break *0x10120",
	"continue",
	"p/x $pc",
	"stepi",
	"p/x $pc",
	"thread 3",
	"p/x $rax",
	"thread 1",
	"delete",
	"watch *(int*)0x10040",
	"continue",
	"delete",
	"continue",
};

static const char *const expected[] = {
	"Thread 1 \"init\" (running)",
	"Thread 5 \"net<rx>&\"q\"\" (blocked on rx queue)",
	"Thread 31 \"shell\" (sleeping)",
	"$1 = 0x10101",
	"$2 = 0x7f0000001000",
	"$3 = {3 <repeats 16 times>}",
	"[ PF ZF IF ]",
	"$4 = 0x1f80",
	"0x10000:\t0x00\t0x01\t0x02\t0x03",
	"0x10010:\t0x12345678",
	"Cannot access memory at address 0x13000",
	"help   list the monitor commands",
	"tasks  list the tasks",
	"task 5 net<rx>&\"q\": blocked on rx queue",
	/* an unknown monitor command fails as gdbserver's do: E reply, gdb says "Protocol error" */
	"unknown monitor command 'nonsense'; try 'monitor help'\nProtocol error with Rcmd",
	"Breakpoint 1 at 0x10120",
	"Breakpoint 1, 0x0000000000010120 in ?? ()",
	"$5 = 0x10120",
	"$6 = 0x10121",
	"[Switching to thread 3 (Thread 5)]",
	"$7 = 0x500001000",
	"Hardware watchpoint 2: *(int*)0x10040",
	"Old value = 1128415552",
	"New value = 1128415553",
	"exited normally]",
};

/* gdb's complaints about a stub's replies. */
static const char *const unexpected[] = {
	"Remote failure reply", "Ignoring packet error", "Bogus",
	"Truncated register", "too long", "Remote replied unexpectedly", "malformed",
	"Could not load XML", "Unknown target description", "Internal error", "Segmentation",
};

static bool have_gdb(void)
{
	return system("command -v gdb >/dev/null 2>&1") == 0;
}

static void test_gdb_session(void **state)
{
	static char self[4096], cmd[16384], out[1 << 16];
	size_t n = 0;
	ssize_t len;
	FILE *f;
	(void)state;

	if (!have_gdb()) {
		print_message("gdb not installed: end-to-end test skipped\n");
		skip();
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(len > 0);
	self[len] = '\0';
	n = (size_t)snprintf(cmd, sizeof(cmd), "timeout 60 gdb -nx -batch");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " -ex '");
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, commands[i], self);
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "'");
	}
	snprintf(cmd + n, sizeof(cmd) - n, " 2>&1");
	f = popen(cmd, "r");
	assert_non_null(f);
	n = 0;
	while (n < sizeof(out) - 1 && (len = (ssize_t)fread(out + n, 1, sizeof(out) - 1 - n, f)) > 0)
		n += (size_t)len;
	out[n] = '\0';
	pclose(f);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		if (strstr(out, expected[i]) == NULL)
			print_error("gdb output lacks \"%s\":\n%s\n", expected[i], out);
		assert_non_null(strstr(out, expected[i]));
	}
	for (size_t i = 0; i < sizeof(unexpected) / sizeof(unexpected[0]); i++) {
		if (strstr(out, unexpected[i]) != NULL)
			print_error("gdb output has \"%s\":\n%s\n", unexpected[i], out);
		assert_null(strstr(out, unexpected[i]));
	}
	assert_null(strstr(strstr(out, "Protocol error") + 1, "Protocol error")); /* only that one */
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gdb_session),
	};

	if (argc == 2 && strcmp(argv[1], "--serve") == 0)
		return serve();
	return cmocka_run_group_tests_name("gdb end to end", tests, NULL, NULL);
}
