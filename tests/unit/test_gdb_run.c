/*
 * test_gdb_run.c: the session: stops reported asynchronously, resume packets (c, s, C, S, vCont
 * with range stepping), breakpoints and watchpoints, detach, kill, extended mode, vRun,
 * attaching to a running kernel, qSupported, and unknown packets.
 */
#include <stdio.h>
#include <string.h>

#include "test_gdb_fake.h"

static enum gdb_state stop_with(enum gdb_stop_reason reason, gdb_tid_t tid, int sig, uint64_t addr)
{
	struct gdb_stop stop = {.reason = reason, .tid = tid, .signal = sig, .addr = addr};

	out_clear();
	return gdb_report_stop(&stop);
}

/* The one packet the engine sent since out_clear(), with no ack. */
static const char *sent(void)
{
	const struct out_summary *s = out_parse();

	assert_int_equal(s->acks, 0);
	assert_int_equal(s->count, 1);
	return s->pkt[0];
}

static void assert_action(size_t i, enum gdb_resume_kind kind, int sig, gdb_tid_t tid)
{
	assert_true(i < fake.resume.count);
	assert_int_equal(fake.resume.action[i].kind, kind);
	assert_int_equal(fake.resume.action[i].signal, sig);
	assert_int_equal(fake.resume.action[i].tid, tid);
}

/* Send a packet that has no immediate reply: only the ack comes back. */
static void send_no_reply(const char *pkt)
{
	out_clear();
	send_packet(pkt);
	assert_int_equal(fake.out_len, 1);
	assert_int_equal(fake.out[0], '+');
}

static void swbreak_gdb(void)
{
	assert_string_equal(transact("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386"),
			    "PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;"
			    "qXfer:threads:read+;swbreak+;hwbreak+;vContSupported+;binary-upload+");
}

static void test_stop_reason_query(void **state)
{
	(void)state;
	assert_string_equal(transact("?"), FAKE_T05_THREAD1);
	assert_string_equal(transact("qAttached"), "1");
}

static void test_first_stop_before_gdb_is_remembered(void **state)
{
	(void)state;
	fake_reset();
	fake_init();
	assert_int_equal(stop_with(GDB_STOP_SIGNAL, 0x1f, GDB_SIGSEGV, 0), GDB_STATE_HALTED);
	assert_int_equal(fake.out_len, 0);
	assert_string_equal(transact("?"), "T0bthread:1f;6:061000001f000000;"
					   "7:0070010000000000;10:1f01010000000000;");
}

static void test_continue_and_async_stop(void **state)
{
	(void)state;
	swbreak_gdb();
	send_no_reply("c");
	assert_int_equal(gdb_state(), GDB_STATE_RUNNING);
	assert_int_equal(fake.resumes, 1);
	assert_int_equal(fake.resume.count, 1);
	assert_action(0, GDB_RESUME_CONTINUE, 0, GDB_TID_ALL);
	assert_int_equal(stop_with(GDB_STOP_SWBREAK, 2, 0, 0), GDB_STATE_HALTED);
	assert_string_equal(sent(), "T05thread:2;swbreak:;6:0610000002000000;"
				    "7:0070010000000000;10:0201010000000000;");
	/* the stopped thread is now gdb's current thread */
	assert_string_equal(transact("qC"), "QC2");
	assert_string_equal(transact("p0"), "0010000002000000");
}

static void test_stop_reasons(void **state)
{
	(void)state;
	swbreak_gdb();
	fake_thread(2)->regs.unavailable = ~UINT64_C(0); /* no expedited registers */
	send_no_reply("c");
	stop_with(GDB_STOP_HWBREAK, 2, 0, 0);
	assert_string_equal(sent(), "T05thread:2;hwbreak:;");
	send_no_reply("c");
	stop_with(GDB_STOP_WATCH, 2, 0, 0x10040);
	assert_string_equal(sent(), "T05thread:2;watch:10040;");
	send_no_reply("c");
	stop_with(GDB_STOP_RWATCH, 2, 0, 0xffffffff81000000);
	assert_string_equal(sent(), "T05thread:2;rwatch:ffffffff81000000;");
	send_no_reply("c");
	stop_with(GDB_STOP_AWATCH, 2, 0, 0);
	assert_string_equal(sent(), "T05thread:2;awatch:0;");
	send_no_reply("c");
	stop_with(GDB_STOP_STEP, 2, 0, 0);
	assert_string_equal(sent(), "T05thread:2;");
	send_no_reply("c");
	stop_with(GDB_STOP_SIGNAL, 2, GDB_SIGSEGV, 0);
	assert_string_equal(sent(), "T0bthread:2;");
	send_no_reply("c");
	stop_with(GDB_STOP_SIGNAL, 2, 0, 0);
	assert_string_equal(sent(), "T00thread:2;");
	send_no_reply("c");
	stop_with(GDB_STOP_SIGNAL, 2, 12345, 0); /* out of range: SIGTRAP */
	assert_string_equal(sent(), "T05thread:2;");
}

static void test_break_reasons_need_gdb_consent(void **state)
{
	(void)state;
	/* gdb did not list swbreak+/hwbreak+: plain T05 */
	assert_string_equal(transact("qSupported:multiprocess+"),
			    "PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;"
			    "qXfer:threads:read+;swbreak+;hwbreak+;vContSupported+;binary-upload+");
	fake_thread(1)->regs.unavailable = ~UINT64_C(0);
	send_no_reply("c");
	stop_with(GDB_STOP_SWBREAK, 1, 0, 0);
	assert_string_equal(sent(), "T05thread:1;");
	send_no_reply("c");
	stop_with(GDB_STOP_HWBREAK, 1, 0, 0);
	assert_string_equal(sent(), "T05thread:1;");
}

static void test_exit_and_termination(void **state)
{
	(void)state;
	send_no_reply("c");
	assert_int_equal(stop_with(GDB_STOP_EXITED, 1, 0, 0) , GDB_STATE_EXITED);
	fake.resumes = 0;
	assert_string_equal(sent(), "W00");
	assert_string_equal(transact("?"), "W00");
	/* commands needing a live program are refused */
	assert_string_equal(transact("g"), "E03");
	assert_string_equal(transact("m10000,1"), "E03");
	assert_string_equal(transact("c"), "E03");
	assert_string_equal(transact("vCont;c"), "E03");
	assert_int_equal(fake.resumes, 0);
	assert_string_equal(transact("qAttached"), "1");
	fake_start();
	send_no_reply("c");
	assert_int_equal(stop_with(GDB_STOP_EXITED, 1, 0, 0x2a), GDB_STATE_EXITED);
	stop_with(GDB_STOP_EXITED, 1, 0, 0);
	fake_start();
	send_no_reply("c");
	{
		struct gdb_stop stop = {.reason = GDB_STOP_EXITED, .status = 0x2a};

		out_clear();
		gdb_report_stop(&stop);
		assert_string_equal(sent(), "W2a");
	}
	fake_start();
	send_no_reply("c");
	stop_with(GDB_STOP_TERMINATED, 1, GDB_SIGSEGV, 0);
	assert_string_equal(sent(), "X0b");
	assert_int_equal(gdb_state(), GDB_STATE_EXITED);
}

static void test_step(void **state)
{
	(void)state;
	send_no_reply("s");
	assert_int_equal(fake.resume.count, 2);
	assert_action(0, GDB_RESUME_STEP, 0, 1);
	assert_action(1, GDB_RESUME_CONTINUE, 0, GDB_TID_ALL);
	stop_with(GDB_STOP_STEP, 1, 0, 0);
	assert_string_equal(sent(), FAKE_T05_THREAD1);
}

static void test_resume_with_hc_thread(void **state)
{
	(void)state;
	assert_string_equal(transact("Hc2"), "OK");
	send_no_reply("s");
	assert_int_equal(fake.resume.count, 1);
	assert_action(0, GDB_RESUME_STEP, 0, 2);
	stop_with(GDB_STOP_STEP, 2, 0, 0);
	send_no_reply("c");
	assert_int_equal(fake.resume.count, 1);
	assert_action(0, GDB_RESUME_CONTINUE, 0, 2);
	stop_with(GDB_STOP_STEP, 2, 0, 0);
	assert_string_equal(transact("Hc-1"), "OK");
	send_no_reply("c");
	assert_action(0, GDB_RESUME_CONTINUE, 0, GDB_TID_ALL);
}

static void test_resume_with_signal_and_address(void **state)
{
	(void)state;
	send_no_reply("C0b");
	assert_int_equal(fake.resume.count, 2);
	assert_action(0, GDB_RESUME_CONTINUE, 11, 1);
	assert_action(1, GDB_RESUME_CONTINUE, 0, GDB_TID_ALL);
	stop_with(GDB_STOP_STEP, 1, 0, 0);
	send_no_reply("S02;10200");
	assert_action(0, GDB_RESUME_STEP, 2, 1);
	assert_true(fake_thread(1)->regs.rip == 0x10200);
	assert_int_equal(fake.reg_write_regnum, GDB_REG_RIP);
	stop_with(GDB_STOP_STEP, 1, 0, 0);
	send_no_reply("c10300");
	assert_true(fake_thread(1)->regs.rip == 0x10300);
	stop_with(GDB_STOP_STEP, 1, 0, 0);
	send_no_reply("s10400");
	assert_true(fake_thread(1)->regs.rip == 0x10400);
}

static void test_bad_resume_packets(void **state)
{
	(void)state;
	assert_string_equal(transact("C"), "E16");
	assert_string_equal(transact("C100"), "E16");
	assert_string_equal(transact("C05x"), "E16");
	assert_string_equal(transact("cxyz"), "E16");
	assert_string_equal(transact("s1,2"), "E16");
	assert_int_equal(fake.resumes, 0);
	assert_int_equal(gdb_state(), GDB_STATE_HALTED);
}

static void test_resume_hook_failure(void **state)
{
	(void)state;
	fake.resume_rc = GDB_EBUSY;
	assert_string_equal(transact("c"), "E10");
	assert_int_equal(gdb_state(), GDB_STATE_HALTED);
	fake.resume_rc = 7; /* a hook outside its contract is an error, not "no reply" */
	assert_string_equal(transact("vCont;c"), "E05");
	assert_int_equal(gdb_state(), GDB_STATE_HALTED);
}

static void test_vcont_query_and_actions(void **state)
{
	(void)state;
	assert_string_equal(transact("vCont?"), "vCont;c;C;s;S;t;r");
	send_no_reply("vCont;s:2;c");
	assert_int_equal(fake.resume.count, 2);
	assert_action(0, GDB_RESUME_STEP, 0, 2);
	assert_action(1, GDB_RESUME_CONTINUE, 0, GDB_TID_ALL);
	stop_with(GDB_STOP_STEP, 2, 0, 0);
	send_no_reply("vCont;C0b:5;S02:2;t:1f;c:1");
	assert_int_equal(fake.resume.count, 4);
	assert_action(0, GDB_RESUME_CONTINUE, 11, 5);
	assert_action(1, GDB_RESUME_STEP, 2, 2);
	assert_action(2, GDB_RESUME_STOP, 0, 0x1f);
	assert_action(3, GDB_RESUME_CONTINUE, 0, 1);
	/* lookup: first matching action wins, unnamed threads stay stopped */
	assert_ptr_equal(gdb_resume_lookup(&fake.resume, 2), &fake.resume.action[1]);
	assert_null(gdb_resume_lookup(&fake.resume, 7));
	stop_with(GDB_STOP_STEP, 2, 0, 0);
	send_no_reply("vCont;c:p1.2;s:0");
	assert_action(0, GDB_RESUME_CONTINUE, 0, 2);
	assert_action(1, GDB_RESUME_STEP, 0, 2); /* 0 = the current thread */
	assert_ptr_equal(gdb_resume_lookup(&fake.resume, 9), NULL);
}

static void test_vcont_malformed(void **state)
{
	(void)state;
	assert_string_equal(transact("vCont"), "E16");
	assert_string_equal(transact("vCont;"), "E16");
	assert_string_equal(transact("vCont;q"), "E16");
	assert_string_equal(transact("vCont;C"), "E16");
	assert_string_equal(transact("vCont;C1ff"), "E16");
	assert_string_equal(transact("vCont;c:"), "E16");
	assert_string_equal(transact("vCont;c:zz"), "E16");
	assert_string_equal(transact("vCont;r1000"), "E16");
	assert_string_equal(transact("vCont;r1000,"), "E16");
	send_no_reply("vCont;c;c;c;c;c;c;c;c"); /* GDB_RESUME_MAX actions are fine */
	gdb_report_stop(&(struct gdb_stop){.reason = GDB_STOP_STEP, .tid = 1});
	assert_string_equal(transact("vCont;c;c;c;c;c;c;c;c;c"), "E16"); /* 9 > GDB_RESUME_MAX */
	assert_string_equal(transact("vContx"), "");
	assert_int_equal(fake.resumes, 1);
}

static void test_range_stepping(void **state)
{
	struct fake_thread *t1 = fake_thread(1);
	(void)state;

	send_no_reply("vCont;r10100,10110:1;c");
	assert_int_equal(fake.resume.count, 2);
	assert_action(0, GDB_RESUME_STEP, 0, 1);
	assert_action(1, GDB_RESUME_CONTINUE, 0, GDB_TID_ALL);
	/* each step inside the range resumes at once, without a word to gdb */
	t1->regs.rip = 0x10104;
	assert_int_equal(stop_with(GDB_STOP_STEP, 1, 0, 0), GDB_STATE_RUNNING);
	assert_int_equal(fake.out_len, 0);
	assert_int_equal(fake.resumes, 2);
	assert_action(0, GDB_RESUME_STEP, 0, 1);
	t1->regs.rip = 0x1010f;
	assert_int_equal(stop_with(GDB_STOP_STEP, 1, 0, 0), GDB_STATE_RUNNING);
	assert_int_equal(fake.resumes, 3);
	/* leaving the range stops */
	t1->regs.rip = 0x10110;
	assert_int_equal(stop_with(GDB_STOP_STEP, 1, 0, 0), GDB_STATE_HALTED);
	assert_memory_equal(sent(), "T05thread:1;", 12);
	/* a range ends with the stop: a later step stops at once */
	send_no_reply("vCont;s:1");
	t1->regs.rip = 0x10104;
	assert_int_equal(stop_with(GDB_STOP_STEP, 1, 0, 0), GDB_STATE_HALTED);
}

static void test_range_stepping_other_stops(void **state)
{
	struct fake_thread *t1 = fake_thread(1);
	(void)state;

	swbreak_gdb();
	t1->regs.rip = 0x10104;
	send_no_reply("vCont;r10100,10110:1;c");
	/* a breakpoint inside the range is reported */
	assert_int_equal(stop_with(GDB_STOP_SWBREAK, 1, 0, 0), GDB_STATE_HALTED);
	assert_memory_equal(sent(), "T05thread:1;swbreak:;", 21);
	/* another thread's step is reported too */
	send_no_reply("vCont;r10100,10110:1;c");
	fake_thread(2)->regs.rip = 0x10104;
	assert_int_equal(stop_with(GDB_STOP_STEP, 2, 0, 0), GDB_STATE_HALTED);
	/* a range that cannot resume (hook fails) is reported as a stop */
	send_no_reply("vCont;r10100,10110:1");
	fake.resume_rc = GDB_EIO;
	assert_int_equal(stop_with(GDB_STOP_STEP, 1, 0, 0), GDB_STATE_HALTED);
	assert_memory_equal(sent(), "T05thread:1;", 12);
}

static void test_breakpoints(void **state)
{
	static const struct {
		const char *pkt;
		enum gdb_bp_type type;
		uint64_t addr, len;
	} cases[] = {
		{"Z0,10100,1", GDB_BP_SOFTWARE, 0x10100, 1},
		{"Z1,ffffffff81000000,1", GDB_BP_HARDWARE, 0xffffffff81000000, 1},
		{"Z2,10040,8", GDB_WATCH_WRITE, 0x10040, 8},
		{"Z3,10040,4", GDB_WATCH_READ, 0x10040, 4},
		{"Z4,10041,1", GDB_WATCH_ACCESS, 0x10041, 1},
		{"Z4,10042,2", GDB_WATCH_ACCESS, 0x10042, 2},
		{"Z0,10100,1;X2,0a01", GDB_BP_SOFTWARE, 0x10100, 1}, /* a condition is ignored */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char z[64];

		assert_string_equal(transact(cases[i].pkt), "OK");
		assert_int_equal(fake.bp_inserts, i + 1);
		assert_int_equal(fake.bp_type, cases[i].type);
		assert_true(fake.bp_addr == cases[i].addr);
		assert_true(fake.bp_len == cases[i].len);
		snprintf(z, sizeof(z), "z%s", cases[i].pkt + 1);
		assert_string_equal(transact(z), "OK");
		assert_int_equal(fake.bp_removes, i + 1);
	}
}

static void test_breakpoint_errors(void **state)
{
	(void)state;
	assert_string_equal(transact("Z2,10040,3"), "E16");
	assert_string_equal(transact("Z3,10040,10"), "E16");
	assert_string_equal(transact("Z4,10040,0"), "E16");
	assert_string_equal(transact("Z5,10040,1"), "E16");
	assert_string_equal(transact("Z0,10040"), "E16");
	assert_string_equal(transact("Z0"), "E16");
	assert_string_equal(transact("Z0,,1"), "E16");
	assert_string_equal(transact("Z0,1,1x"), "E16");
	assert_int_equal(fake.bp_inserts, 0);
	fake.bp_rc = GDB_EBUSY;
	assert_string_equal(transact("Z1,10040,1"), "E10");
	fake.bp_rc = GDB_ENOTSUP;
	assert_string_equal(transact("Z3,10040,4"), "");
	assert_string_equal(transact("z3,10040,4"), "");
}

static void test_breakpoints_without_hooks(void **state)
{
	(void)state;
	fake_reset();
	fake_ops.insert_bp = NULL;
	fake_ops.remove_bp = NULL;
	fake_init();
	stop_with(GDB_STOP_SIGNAL, 1, GDB_SIGTRAP, 0);
	assert_string_equal(transact("Z0,10100,1"), "");
	assert_string_equal(transact("z0,10100,1"), "");
	assert_string_equal(transact("Z2,10100,4"), "");
}

static void test_detach(void **state)
{
	(void)state;
	assert_string_equal(transact("D"), "OK");
	assert_int_equal(fake.detaches, 1);
	assert_int_equal(fake.resume.count, 1);
	assert_action(0, GDB_RESUME_CONTINUE, 0, GDB_TID_ALL);
	assert_int_equal(gdb_state(), GDB_STATE_DETACHED);
	/* a stop now is remembered, not sent: nobody listens */
	assert_int_equal(stop_with(GDB_STOP_SWBREAK, 1, 0, 0), GDB_STATE_HALTED);
	assert_int_equal(fake.out_len, 0);
	/* detach with a pid, and without a detach hook */
	fake_reset();
	fake_ops.detach = NULL;
	fake_init();
	stop_with(GDB_STOP_SIGNAL, 1, GDB_SIGTRAP, 0);
	assert_string_equal(transact("D;1"), "OK");
	assert_int_equal(fake.resumes, 1);
	assert_int_equal(gdb_state(), GDB_STATE_DETACHED);
}

static void test_kill(void **state)
{
	(void)state;
	send_no_reply("k");
	assert_int_equal(fake.kills, 1);
	assert_int_equal(gdb_state(), GDB_STATE_EXITED);
	assert_string_equal(transact("?"), "X09");
	fake_start();
	assert_string_equal(transact("vKill;1"), "OK");
	assert_int_equal(fake.kills, 1);
	assert_int_equal(gdb_state(), GDB_STATE_EXITED);
	/* without a kill hook: vKill unsupported, k leaves the program running */
	fake_reset();
	fake_ops.kill = NULL;
	fake_init();
	stop_with(GDB_STOP_SIGNAL, 1, GDB_SIGTRAP, 0);
	assert_string_equal(transact("vKill;1"), "");
	send_no_reply("k");
	assert_int_equal(gdb_state(), GDB_STATE_DETACHED);
	assert_int_equal(fake.resumes, 1);
}

static void test_extended_mode_and_vrun(void **state)
{
	char pkt[256], a0[64], a1[64];
	(void)state;

	assert_string_equal(transact("!"), "OK");
	hex_encode(a0, "/bin/hello", 10);
	hex_encode(a1, "--verbose x", 11);
	snprintf(pkt, sizeof(pkt), "vRun;%s;%s;", a0, a1);
	send_no_reply(pkt);
	assert_int_equal(fake.runs, 1);
	assert_int_equal(fake.run_argc, 3);
	assert_string_equal(fake.run_argv[0], "/bin/hello");
	assert_string_equal(fake.run_argv[1], "--verbose x");
	assert_string_equal(fake.run_argv[2], "");
	assert_int_equal(gdb_state(), GDB_STATE_RUNNING);
	/* the new program's first stop answers vRun */
	stop_with(GDB_STOP_SIGNAL, 1, GDB_SIGTRAP, 0);
	assert_string_equal(sent(), FAKE_T05_THREAD1);
	/* after an exit, vRun starts again */
	send_no_reply("c");
	stop_with(GDB_STOP_EXITED, 1, 0, 0);
	send_no_reply("vRun;");
	assert_int_equal(fake.run_argc, 1);
	assert_string_equal(fake.run_argv[0], "");
}

static void test_vrun_bad(void **state)
{
	char pkt[1024];
	(void)state;

	assert_string_equal(transact("vRun"), "E16");
	assert_string_equal(transact("vRun;6"), "E16");
	assert_string_equal(transact("vRun;zz"), "E16");
	assert_string_equal(transact("vRun;6100"), "E16"); /* a NUL inside an argument */
	strcpy(pkt, "vRun");
	for (int i = 0; i < GDB_RUN_ARGS_MAX + 1; i++)
		strcat(pkt, ";61");
	assert_string_equal(transact(pkt), "E16");
	assert_int_equal(fake.runs, 0);
	fake_reset();
	fake_ops.run = NULL;
	fake_init();
	stop_with(GDB_STOP_SIGNAL, 1, GDB_SIGTRAP, 0);
	assert_string_equal(transact("vRun;"), "");
}

static void test_vrun_longest_arguments(void **state)
{
	static char pkt[GDB_PACKET_MAX + 1];
	size_t n;
	(void)state;

	/* one argument filling the whole packet */
	strcpy(pkt, "vRun;");
	n = strlen(pkt);
	while (n + 2 <= GDB_PACKET_MAX) {
		memcpy(pkt + n, "41", 2);
		n += 2;
	}
	pkt[n] = '\0';
	send_no_reply(pkt);
	assert_int_equal(fake.runs, 1);
	assert_int_equal(fake.run_argc, 1);
}

static void test_attach_to_running_kernel(void **state)
{
	(void)state;
	fake_reset();
	fake_init(); /* DETACHED: the kernel runs, no stop yet */
	feed_str("+");
	send_packet("qSupported:swbreak+");
	/* acked, but the answer waits until the kernel has stopped */
	assert_int_equal(fake.out_len, 1);
	assert_int_equal(fake.interrupts, 1);
	assert_int_equal(gdb_state(), GDB_STATE_RUNNING);
	/* gdb sends it again after a timeout: no second interrupt */
	send_packet("qSupported:swbreak+");
	assert_int_equal(fake.interrupts, 1);
	out_clear();
	assert_int_equal(stop_with(GDB_STOP_SIGNAL, 2, GDB_SIGINT, 0), GDB_STATE_HALTED);
	assert_memory_equal(sent(), "PacketSize=4000;", 16);
	assert_memory_equal(transact("?"), "T02thread:2;", 12);
}

static void test_attach_with_interrupt_byte(void **state)
{
	(void)state;
	fake_reset();
	fake_init();
	assert_int_equal(gdb_feed_byte(0x03), GDB_STATE_RUNNING);
	assert_int_equal(fake.interrupts, 1);
	stop_with(GDB_STOP_SIGNAL, 1, GDB_SIGINT, 0);
	assert_memory_equal(sent(), "T02thread:1;", 12);
}

static void test_attach_without_interrupt_hook(void **state)
{
	(void)state;
	fake_reset();
	fake_ops.interrupt = NULL;
	fake_init();
	send_packet("qSupported");
	assert_int_equal(gdb_state(), GDB_STATE_DETACHED);
	assert_int_equal(gdb_feed_byte(0x03), GDB_STATE_DETACHED);
	/* the kernel stops by itself later: gdb's retry is answered */
	stop_with(GDB_STOP_SIGNAL, 1, GDB_SIGTRAP, 0);
	assert_int_equal(fake.out_len, 0);
	assert_memory_equal(transact("qSupported"), "PacketSize", 10);
}

static void test_packets_while_running_are_dropped(void **state)
{
	(void)state;
	send_no_reply("c");
	send_no_reply("g");
	assert_int_equal(gdb_state(), GDB_STATE_RUNNING);
	stop_with(GDB_STOP_STEP, 1, 0, 0);
	assert_string_equal(sent(), FAKE_T05_THREAD1);
}

static void test_stop_while_halted_only_records(void **state)
{
	(void)state;
	assert_int_equal(stop_with(GDB_STOP_SIGNAL, 2, GDB_SIGSEGV, 0), GDB_STATE_HALTED);
	assert_int_equal(fake.out_len, 0);
	assert_memory_equal(transact("?"), "T0bthread:2;", 12);
	assert_int_equal(gdb_report_stop(NULL), GDB_STATE_HALTED);
}

static void test_console_output(void **state)
{
	char want[64];
	(void)state;

	gdb_console_puts("dropped while halted\n");
	assert_int_equal(fake.out_len, 0);
	send_no_reply("c");
	out_clear();
	gdb_console_puts("hello\n");
	hex_encode(want + 1, "hello\n", 6);
	want[0] = 'O';
	assert_string_equal(sent(), want);
	gdb_console_write(NULL, 3);
	gdb_console_puts(NULL);
}

static void test_qsupported_and_unknown(void **state)
{
	(void)state;
	swbreak_gdb();
	assert_string_equal(transact("qSupported"),
			    "PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;"
			    "qXfer:threads:read+;swbreak+;hwbreak+;vContSupported+;binary-upload+");
	assert_string_equal(transact("vMustReplyEmpty"), "");
	assert_string_equal(transact("qTStatus"), "");
	assert_string_equal(transact("qOffsets"), "");
	assert_string_equal(transact("qSymbol::"), "");
	assert_string_equal(transact("qCRC:10000,4"), ""); /* not qC */
	assert_string_equal(transact("qSupportedX"), "");   /* not qSupported */
	assert_string_equal(transact("vContX"), "");
	assert_string_equal(transact("Q"), "");
	assert_string_equal(transact("v"), "");
	assert_string_equal(transact("\x7f"), "");
	assert_string_equal(transact("bc"), ""); /* reverse execution */
	assert_string_equal(transact("R00"), "");
}

static void test_init_rejects_missing_hooks(void **state)
{
	struct gdb_ops ops;
	(void)state;

	fake_reset();
	assert_int_equal(gdb_init(NULL, NULL), GDB_EINVAL);
	ops = fake_ops;
	ops.send = NULL;
	assert_int_equal(gdb_init(&ops, NULL), GDB_EINVAL);
	ops = fake_ops;
	ops.read_regs = NULL;
	assert_int_equal(gdb_init(&ops, NULL), GDB_EINVAL);
	ops = fake_ops;
	ops.read_mem = NULL;
	assert_int_equal(gdb_init(&ops, NULL), GDB_EINVAL);
	ops = fake_ops;
	ops.resume = NULL;
	assert_int_equal(gdb_init(&ops, NULL), GDB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_stop_reason_query, fake_setup),
		cmocka_unit_test_setup(test_first_stop_before_gdb_is_remembered, fake_setup),
		cmocka_unit_test_setup(test_continue_and_async_stop, fake_setup),
		cmocka_unit_test_setup(test_stop_reasons, fake_setup),
		cmocka_unit_test_setup(test_break_reasons_need_gdb_consent, fake_setup),
		cmocka_unit_test_setup(test_exit_and_termination, fake_setup),
		cmocka_unit_test_setup(test_step, fake_setup),
		cmocka_unit_test_setup(test_resume_with_hc_thread, fake_setup),
		cmocka_unit_test_setup(test_resume_with_signal_and_address, fake_setup),
		cmocka_unit_test_setup(test_bad_resume_packets, fake_setup),
		cmocka_unit_test_setup(test_resume_hook_failure, fake_setup),
		cmocka_unit_test_setup(test_vcont_query_and_actions, fake_setup),
		cmocka_unit_test_setup(test_vcont_malformed, fake_setup),
		cmocka_unit_test_setup(test_range_stepping, fake_setup),
		cmocka_unit_test_setup(test_range_stepping_other_stops, fake_setup),
		cmocka_unit_test_setup(test_breakpoints, fake_setup),
		cmocka_unit_test_setup(test_breakpoint_errors, fake_setup),
		cmocka_unit_test_setup(test_breakpoints_without_hooks, fake_setup),
		cmocka_unit_test_setup(test_detach, fake_setup),
		cmocka_unit_test_setup(test_kill, fake_setup),
		cmocka_unit_test_setup(test_extended_mode_and_vrun, fake_setup),
		cmocka_unit_test_setup(test_vrun_bad, fake_setup),
		cmocka_unit_test_setup(test_vrun_longest_arguments, fake_setup),
		cmocka_unit_test_setup(test_attach_to_running_kernel, fake_setup),
		cmocka_unit_test_setup(test_attach_with_interrupt_byte, fake_setup),
		cmocka_unit_test_setup(test_attach_without_interrupt_hook, fake_setup),
		cmocka_unit_test_setup(test_packets_while_running_are_dropped, fake_setup),
		cmocka_unit_test_setup(test_stop_while_halted_only_records, fake_setup),
		cmocka_unit_test_setup(test_console_output, fake_setup),
		cmocka_unit_test_setup(test_qsupported_and_unknown, fake_setup),
		cmocka_unit_test_setup(test_init_rejects_missing_hooks, fake_setup),
	};
	return cmocka_run_group_tests_name("gdb run control", tests, NULL, NULL);
}
