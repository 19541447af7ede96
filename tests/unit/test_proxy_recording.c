/* Unit tests of record/replay's host side: the HERMIT_RECORD/HERMIT_REPLAY rules (settings.c),
 * QEMU's record/replay options (qemu.c) and the recording's manifest and checks (recording.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "proxy.h"
#include "qemu_argv.h"

static int parse(struct settings *s, char *err, const char *a, const char *b, const char *c)
{
	char *envp[] = { (char *)a, (char *)b, (char *)c, NULL };

	return settings_parse(s, envp, err, 256);
}

static void test_settings_rules(void **state)
{
	(void)state;
	struct settings s;
	char err[256];

	assert_int_equal(parse(&s, err, "HERMIT_RECORD=/r", NULL, NULL), 0);
	assert_string_equal(s.record, "/r");
	assert_int_equal(s.kvm, KVM_OFF);
	assert_int_equal(parse(&s, err, "HERMIT_RECORD=/r", "HERMIT_REPLAY=/r", NULL), -1);
	assert_string_equal(err, "hermit: HERMIT_RECORD and HERMIT_REPLAY: one at a time");
	assert_int_equal(parse(&s, err, "HERMIT_REPLAY=/r", "HERMIT_CPUS=2", NULL), -1);
	assert_string_equal(err, "hermit: HERMIT_REPLAY: HERMIT_CPUS=2: QEMU records and replays one "
			    "CPU only (single-threaded TCG); use HERMIT_CPUS=1");
	assert_int_equal(parse(&s, err, "HERMIT_RECORD=/r", "HERMIT_KVM=1", NULL), -1);
	assert_int_equal(parse(&s, err, "HERMIT_RECORD=/r", "HERMIT_DEBUG=1", NULL), -1);
	assert_non_null(strstr(err, "debug the replay (HERMIT_REPLAY=/r HERMIT_DEBUG=1)"));
	/* A replay is debugged with QEMU's gdbstub: the kernel's stub cannot go backwards. */
	assert_int_equal(parse(&s, err, "HERMIT_REPLAY=/r", "HERMIT_DEBUG=1", NULL), 0);
	assert_false(s.debug);
	assert_true(s.debug_qemu);
}

static void test_qemu_options(void **state)
{
	(void)state;
	struct qemu_fds fds = { .mem = 3, .console = 5, .doorbell = 7, .qmp = 9 };
	struct settings s;
	char err[256];

	assert_int_equal(parse(&s, err, "HERMIT_RECORD=/r", "HERMIT_APP_PORT=8000", NULL), 0);
	char **argv = qemu_argv(&s, false, "app", &fds);
	assert_true(has_pair(argv, "-accel", "tcg,thread=single"));
	assert_true(has_pair(argv, "-icount", "shift=auto,rr=record,rrfile=/r/qemu.rr,rrsnapshot=init"));
	assert_true(has_pair(argv, "-drive", "file=/r/snapshots.qcow2,if=none,id=rr,format=qcow2"));
	assert_true(has_pair(argv, "-drive", "file=/r/answers.disk,if=none,id=answers-file,format=raw,readonly=on"));
	assert_true(has_pair(argv, "-device", "virtio-blk-device,drive=answers"));
	assert_true(has_pair(argv, "-global", "apic-common.vapic=off")); /* QEMU 7.2's deadlock */
	/* Both UARTs' input is recorded; the console is a pipe. */
	assert_true(has_pair(argv, "-serial", "chardev:con"));
	assert_true(has_pair(argv, "-serial", "chardev:hc"));
	assert_true(has_pair(argv, "-chardev", "file,id=con,path=/proc/self/fd/5"));
	assert_true(has_pair(argv, "-object", "filter-replay,id=replay,netdev=net0"));
	/* virtio-net sends from its virtual-clock timer, at a recorded instruction (docs/replay.md) */
	assert_true(has_pair(argv, "-device", "virtio-net-device,netdev=net0,tx=timer"));
	assert_true(has_pair(argv, "-chardev", "socket,id=qmp,fd=9"));
	assert_true(has_pair(argv, "-mon", "chardev=qmp,mode=control"));
	qemu_argv_free(argv);

	/* A replay: no outside network, no port forwarded. */
	fds.qmp = 0;
	assert_int_equal(parse(&s, err, "HERMIT_REPLAY=/r", "HERMIT_APP_PORT=8000", NULL), 0);
	argv = qemu_argv(&s, false, "app", &fds);
	assert_true(has_pair(argv, "-icount", "shift=auto,rr=replay,rrfile=/r/qemu.rr,rrsnapshot=init"));
	assert_true(has_pair(argv, "-netdev", "user,id=net0,net=10.0.5.0/24,host=10.0.5.1,restrict=on"));
	assert_true(has_pair(argv, "-device", "virtio-net-device,netdev=net0,tx=timer"));
	assert_false(has_pair(argv, "-chardev", "socket,id=qmp,fd=9"));
	qemu_argv_free(argv);

	/* Under gdb: QEMU's gdbstub, and a stop rather than an exit at the recording's end. */
	assert_int_equal(parse(&s, err, "HERMIT_REPLAY=/r", "HERMIT_DEBUG=1", NULL), 0);
	s.snapshot_image = "/tmp/hermit-replay-x.qcow2"; /* its own snapshots go into a copy */
	argv = qemu_argv(&s, false, "app", &fds);
	assert_true(has_pair(argv, "-gdb", "tcp:127.0.0.1:1234"));
	assert_true(has_pair(argv, "-drive", "file=/tmp/hermit-replay-x.qcow2,if=none,id=rr,format=qcow2"));
	assert_true(has_pair(argv, "-icount", "shift=auto,rr=replay,rrfile=/r/qemu.rr,rrsnapshot=init"));
	int i = 0;
	while (argv[i] && strcmp(argv[i], "-no-shutdown"))
		i++;
	assert_non_null(argv[i]);
	qemu_argv_free(argv);
}

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];

	rec_path(path, sizeof(path), dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sum(const char *name, struct rec_file *f)
{
	char path[256], err[256];

	rec_path(path, sizeof(path), dir, name);
	assert_int_equal(rec_file_sum(path, &f->size, &f->hash, err, sizeof(err)), 0);
}

/* A recording of three files, its manifest written as record.c writes it. */
static struct rec_manifest make_recording(void)
{
	struct rec_manifest m = { .format = REC_FORMAT, .build_id = "00aa", .app = "app",
				  .mem_size = 128 << 20, .hcalls = 3, .snapshots = 2,
				  .end = VM_CRASHED, .status = 14, .icount = 1234567 };
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/hermit-recording-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file(REC_QEMU_LOG, "qemu's log");
	write_file(REC_HCALL_LOG, "HRMTHCL1");
	write_file(REC_SNAPSHOTS, "qcow2");
	write_file(REC_ANSWERS, "outputs");
	sum(REC_QEMU_LOG, &m.qemu_log);
	sum(REC_HCALL_LOG, &m.hcall_log);
	sum(REC_ANSWERS, &m.answers);
	assert_int_equal(rec_manifest_write(dir, &m, err, sizeof(err)), 0);
	return m;
}

static void remove_recording(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_manifest_round_trip(void **state)
{
	(void)state;
	struct rec_manifest m = make_recording(), back;
	char err[512];

	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), 0);
	assert_string_equal(back.build_id, "00aa");
	assert_int_equal(back.mem_size, m.mem_size);
	assert_int_equal(back.hcalls, 3);
	assert_int_equal(back.end, VM_CRASHED);
	assert_int_equal(back.status, 14);
	assert_int_equal(back.icount, 1234567);
	assert_int_equal(back.qemu_log.hash, m.qemu_log.hash);
	assert_int_equal(back.answers.size, 7);
	assert_int_equal(back.answers.hash, m.answers.hash);
	remove_recording();
}

static void test_corrupt_or_incomplete_is_refused(void **state)
{
	(void)state;
	char err[512], path[256];
	struct rec_manifest back;

	make_recording();
	write_file(REC_QEMU_LOG, "qemu's LOG"); /* same size, other bytes */
	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "qemu.rr is corrupt"));
	remove_recording();

	make_recording();
	write_file(REC_ANSWERS, "outputS");
	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "answers.disk is corrupt"));
	remove_recording();

	make_recording();
	rec_path(path, sizeof(path), dir, REC_HCALL_LOG);
	unlink(path);
	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "hypercalls.log: No such file or directory"));
	remove_recording();

	make_recording(); /* a manifest cut short: no "complete" line */
	rec_path(path, sizeof(path), dir, REC_MANIFEST);
	assert_int_equal(truncate(path, 40), 0);
	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "manifest is incomplete or corrupt"));
	unlink(path);
	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a recording, or one that never finished"));
	remove_recording();
}

/* The manifest with the line that starts with key replaced by line (as a user may hand it over). */
static void replace_line(const char *key, const char *line)
{
	char path[256], text[4096] = "", buf[600];
	FILE *f;

	rec_path(path, sizeof(path), dir, REC_MANIFEST);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(buf, sizeof(buf), f))
		strcat(text, strncmp(buf, key, strlen(key)) ? buf : line);
	fclose(f);
	write_file(REC_MANIFEST, text);
}

/* Bug (fuzz_recording): a value that was no number, or out of the range a recording has, was
 * taken (as 0, or wrapped): "end x" was a run still going, "mem 0" a guest without memory. */
static void test_a_manifest_value_a_recording_cannot_have_is_refused(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
		{ "end ", "end capture-kib1\n" }, { "end ", "end 0\n" }, { "end ", "end 99\n" },
		{ "mem ", "mem 0\n" }, { "mem ", "mem 134217729\n" }, { "mem ", "mem 99999999999999999999\n" },
		{ "nic ", "nic 7\n" }, { "status ", "status three\n" }, { "status ", "status 2147483648\n" },
		{ "hermit-recording ", "hermit-recording 4294967297\n" }, { "network-in ", "network-in -1\n" },
		{ REC_QEMU_LOG, REC_QEMU_LOG " 10 +5\n" },
	};
	struct rec_manifest back;
	char err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_recording();
		replace_line(bad[i][0], bad[i][1]);
		assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "manifest is incomplete or corrupt: \""));
		remove_recording();
	}
	make_recording(); /* a panic's status is negative */
	replace_line("status ", "status -1\n");
	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), 0);
	assert_int_equal(back.status, -1);
	remove_recording();
}

/* Bug: a line longer than the reader's buffer went on as a line of its own, keys and all. */
static void test_a_manifest_line_too_long_is_refused(void **state)
{
	(void)state;
	char line[700];
	struct rec_manifest back;
	char err[512];

	make_recording();
	memset(line, 'a', sizeof(line));
	memcpy(line, "app ", 4);
	memcpy(line + sizeof(line) - 12, " complete 1\n", 12);
	line[sizeof(line) - 1] = '\0';
	replace_line("app ", line);
	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a line longer than"));
	remove_recording();
}

/* Bug: a log that was a FIFO blocked the replay's checks until a writer came, for ever. */
static void test_a_log_that_is_a_fifo_is_refused_not_waited_on(void **state)
{
	(void)state;
	struct rec_manifest back;
	char path[256], err[512];

	make_recording();
	rec_path(path, sizeof(path), dir, REC_QEMU_LOG);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10); /* a wait fails the test (SIGALRM) instead of hanging it */
	assert_int_equal(rec_manifest_read(dir, &back, err, sizeof(err)), -1);
	alarm(0);
	assert_non_null(strstr(err, "qemu.rr: not a regular file"));
	remove_recording();
}

/* A recording of one hypercall e, with body after it, for an image of build id 00aa. */
static struct replayer *replay_one(const struct rec_hcall *e, const void *body, size_t len)
{
	static const struct image img = { .build_id = { 0x00, 0xaa }, .build_id_len = 2 };
	struct rec_manifest m = make_recording();
	char path[256], err[512];
	struct replayer *p;
	FILE *f;

	rec_path(path, sizeof(path), dir, REC_HCALL_LOG);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(REC_HCALL_LOG_MAGIC, 1, 8, f);
	fwrite(e, sizeof(*e), 1, f);
	fwrite(body, 1, len, f);
	fclose(f);
	sum(REC_HCALL_LOG, &m.hcall_log);
	assert_int_equal(rec_manifest_write(dir, &m, err, sizeof(err)), 0);
	p = replay_open(dir, &img, "app", false, err, sizeof(err));
	assert_non_null(p);
	return p;
}

/* Bug: the log named the descriptor a replay printed the app's output to, any the proxy had. */
static void test_a_log_that_prints_elsewhere_than_stdout_or_stderr_is_refused(void **state)
{
	(void)state;
	int pipe_fd[2];
	char got[8];

	assert_int_equal(pipe(pipe_fd), 0);
	struct rec_hcall e = { .magic = REC_HCALL_MAGIC, .nr = HERMIT_HC_WRITE, .echo_fd = pipe_fd[1],
			       .echo_len = 5, .outcome = HCALL_ANSWER };
	struct replayer *p = replay_one(&e, "hello", 5);
	struct hcall_ctx ctx = { 0 };

	assert_int_equal(replay_doorbell(p, &ctx, 0), HCALL_BAD);
	assert_non_null(strstr(ctx.why, "the hypercall log is corrupt"));
	close(pipe_fd[1]);
	assert_int_equal(read(pipe_fd[0], got, sizeof(got)), 0); /* nothing was written */
	close(pipe_fd[0]);
	replay_finish(p, VM_EXITED, 0, stderr);
	remove_recording();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_rules),
		cmocka_unit_test(test_qemu_options),
		cmocka_unit_test(test_manifest_round_trip),
		cmocka_unit_test(test_corrupt_or_incomplete_is_refused),
		cmocka_unit_test(test_a_manifest_value_a_recording_cannot_have_is_refused),
		cmocka_unit_test(test_a_manifest_line_too_long_is_refused),
		cmocka_unit_test(test_a_log_that_is_a_fifo_is_refused_not_waited_on),
		cmocka_unit_test(test_a_log_that_prints_elsewhere_than_stdout_or_stderr_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
