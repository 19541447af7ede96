/*
 * End-to-end tests of build/bin/proxy with tiny guests that speak the hypercall ABI.
 *
 * Each guest is assembled here with gcc and ld from the source below: a 32-bit PVH entry (no
 * paging, so guest addresses are physical), an anchor note, and straight-line code that rings
 * the doorbell. The proxy runs them under TCG (HERMIT_KVM=0) so that a triple fault ends QEMU
 * the same way on every host. Skipped when QEMU, gcc or ld is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proxy.h"

#define STR(x) #x
#define XSTR(x) STR(x)

/* Variants: EXIT_NR/EXIT_STATUS pick the last request; TRIPLE, SPIN, READ_STDIN change the path. */
static const char guest_source[] =
	"	.section .note.Xen, \"a\", @note\n"
	"	.p2align 2\n"
	"	.long 4, 4, 18\n" /* XEN_ELFNOTE_PHYS32_ENTRY */
	"	.asciz \"Xen\"\n"
	"	.long _start\n"
	"	.section .note.hermit, \"a\", @note\n"
	"	.p2align 2\n"
	"	.long 7, 8, 1\n"
	"	.asciz \"Hermit\"\n"
	"	.p2align 2\n"
	"	.quad anchor\n"
	"	.data\n"
	"	.p2align 3\n"
	"anchor:	.quad 0x54494d524548\n"
	"	.long " XSTR(HERMIT_ABI_VERSION) ", 336\n" /* sizeof(struct hermit_anchor) */
	"slots:	.fill 320, 1, 0\n" /* the hcall slots and the table pointers */
	"cfg:	.quad strings, 4096\n" /* struct hc_config: 72 bytes */
	"	.fill 56, 1, 0\n"
	"args:	.long 1, 0\n" /* WRITE(1, strings, 64) */
	"	.quad strings, 64, 0, 0\n" /* buf, len, offset, ret */
	"rw:	.long 1, 0\n"
	"	.quad msg, msglen, 0, 0\n"
	"inreq:	.long 0, 0\n" /* READ(0, msg, msglen) */
	"	.quad msg, msglen, 0, 0\n"
	"exitreq: .long EXIT_STATUS, 0\n"
	"msg:	.ascii \"hello from the guest\\n\"\n"
	"	.set msglen, . - msg\n"
	"conmsg:	.ascii \"[     0.000001] I booting\\n\"\n"
	"	.ascii \"[     0.000002] E failing at <pc:0x\"\n"
	"	.ascii PC\n"
	"	.ascii \">\\n\"\n"
	"	.byte 0\n"
	"	.bss\n"
	"	.p2align 12\n"
	"strings: .fill 4096\n"
	"	.text\n"
	"	.code32\n"
	"	.globl _start\n"
	"_start:	mov $0x200000, %esp\n"
	"	mov $conmsg, %esi\n"
	"	call puts\n"
	"#ifdef TRIPLE\n"
	"	int3\n" /* no IDT: triple fault */
	"#endif\n"
	"#ifdef SPIN\n"
	"	jmp spin\n"
	"#endif\n"
	"	mov $1, %eax\n"
	"	mov $cfg, %ebx\n"
	"	call hcall\n"
	"	mov $2, %eax\n"
	"	mov $args, %ebx\n"
	"	call hcall\n"
	"#ifdef READ_STDIN\n"
	"	mov $3, %eax\n"
	"	mov $inreq, %ebx\n"
	"	call hcall\n"
	"#endif\n"
	"	mov $2, %eax\n"
	"	mov $rw, %ebx\n"
	"	call hcall\n"
	"	mov $EXIT_NR, %eax\n"
	"	mov $exitreq, %ebx\n"
	"	call hcall\n"
	"spin:	hlt\n"
	"	jmp spin\n"
	"hcall:	mov %eax, slots\n" /* slot 0: nr, req; then ring and wait for the answer */
	"	mov %ebx, slots + 8\n"
	"	mov $0x2f8, %dx\n"
	"	xor %al, %al\n"
	"	outb %al, %dx\n"
	"	mov $0x2fd, %dx\n"
	"1:	inb %dx, %al\n"
	"	test $1, %al\n"
	"	jz 1b\n"
	"	mov $0x2f8, %dx\n"
	"	inb %dx, %al\n"
	"	ret\n"
	"puts:	mov (%esi), %al\n"
	"	test %al, %al\n"
	"	jz 2f\n"
	"	mov $0x3f8, %dx\n"
	"	outb %al, %dx\n"
	"	inc %esi\n"
	"	jmp puts\n"
	"2:	ret\n";

#define TEXT_BASE 0x100000

static char dir[PATH_MAX];
static char start_pc[32]; /* _start in hex, as the guest's console line names it */
static char proxy[PATH_MAX];

struct run {
	int status; /* exit status, or 128 + signal */
	char out[16384];
	char err[16384];
	char err_before_signal[16384]; /* stderr while the guest still ran */
};

static int sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int assemble(const char *name, const char *pc, const char *defines)
{
	return sh("cd '%s' && gcc -c -g -x assembler-with-cpp -DPC='\"%s\"' %s guest.S -o %s.o && "
		  "ld -m elf_x86_64 -static -z noseparate-code -Ttext-segment=%#x %s.o -o %s && "
		  "printf '\\102' | dd of=%s bs=1 seek=7 conv=notrunc status=none",
		  dir, pc, defines, name, TEXT_BASE, name, name, name);
}

/* Builds twice: the console line names _start, known only once linked (its place does not
 * move, as the string lives in .data after the code). */
static int build_guest(const char *name, const char *defines)
{
	char cmd[2 * PATH_MAX];
	FILE *nm;

	if (assemble(name, "000000", defines) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "nm '%s/%s' | sed -n 's/^0*\\([0-9a-f]*\\) T _start$/\\1/p'",
		 dir, name);
	nm = popen(cmd, "r");
	if (!nm || !fgets(start_pc, sizeof(start_pc), nm))
		return -1;
	pclose(nm);
	start_pc[strcspn(start_pc, "\n")] = '\0';
	return assemble(name, start_pc, defines);
}

static int setup_group(void **state)
{
	(void)state;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;

	if (n < 0)
		return -1;
	exe[n] = '\0';
	snprintf(proxy, sizeof(proxy), "%s/../../bin/proxy", dirname(exe));
	strcpy(dir, "/tmp/test_proxy_run.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (chdir(dir) < 0 || !(f = fopen("guest.S", "w")))
		return -1;
	fputs(guest_source, f);
	fclose(f);
	return 0;
}

static int teardown_group(void **state)
{
	(void)state;
	return sh("rm -rf '%s'", dir) == 0 ? 0 : -1;
}

static void need_tools(void)
{
	if (sh("command -v qemu-system-x86_64 gcc ld >/dev/null 2>&1") != 0 || access(proxy, X_OK))
		skip();
}

static void read_file(const char *name, char *buf, size_t len)
{
	int fd = open(name, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

static void child(const char *guest, char **env, int in_fd)
{
	char *argv[] = { proxy, (char *)guest, "a", "b c", NULL };

	dup2(in_fd, STDIN_FILENO);
	dup2(open("out", O_WRONLY | O_CREAT | O_TRUNC, 0600), STDOUT_FILENO);
	dup2(open("err", O_WRONLY | O_CREAT | O_TRUNC, 0600), STDERR_FILENO);
	execve(proxy, argv, env);
	_exit(126);
}

/* Waits up to 30 s, then kills: a hung proxy is a failure, not a hung test run. */
static int wait_for(pid_t pid)
{
	int status;

	for (int i = 0; i < 3000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fail_msg("the proxy did not end within 30 s");
	return -1;
}

/* Runs the proxy on guest with "a" "b c" as arguments; sig is sent after 300 ms if non-zero. */
static void run(struct run *r, const char *guest, const char *extra_env, const char *input, int sig)
{
	char path_env[PATH_MAX + 8], extra[256];
	char *env[] = { path_env, "HERMIT_KVM=0", "HERMIT_MEM=64M", extra, NULL };
	int in[2];
	pid_t pid;

	snprintf(path_env, sizeof(path_env), "PATH=%s", getenv("PATH"));
	snprintf(extra, sizeof(extra), "%s", extra_env ? extra_env : "HERMIT_X=1");
	assert_int_equal(pipe(in), 0);
	pid = fork();
	if (pid == 0) {
		close(in[1]);
		child(guest, env, in[0]);
	}
	close(in[0]);
	if (input)
		assert_int_equal(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
	if (sig) {
		usleep(300000);
		read_file("err", r->err_before_signal, sizeof(r->err_before_signal));
		kill(pid, sig);
	}
	r->status = wait_for(pid);
	close(in[1]);
	read_file("out", r->out, sizeof(r->out));
	read_file("err", r->err, sizeof(r->err));
}

static void test_exit_status_and_output(void **state)
{
	(void)state;
	static struct run r;
	char args[128];

	need_tools();
	assert_int_equal(build_guest("hello", "-DEXIT_NR=9 -DEXIT_STATUS=42"), 0);
	run(&r, "hello", NULL, NULL, 0);
	assert_int_equal(r.status, 42);
	/* The CONFIG strings start with APP as given, then the arguments. */
	memcpy(args, "hello\0a\0b c\0", 12);
	assert_memory_equal(r.out, args, 12);
	assert_string_equal(r.out + 64, "hello from the guest\n");
	/* Error lines reach stderr at once, symbolized; other lines stay in the log. */
	char line[128];
	snprintf(line, sizeof(line), "[     0.000002] E failing at 0x%s in _start at ", start_pc);
	assert_non_null(strstr(r.err, line));
	assert_null(strstr(r.err, "booting"));
	assert_null(strstr(r.err, "hermit:"));
}

static void test_verbose_prints_the_log(void **state)
{
	(void)state;
	static struct run r;

	need_tools();
	assert_int_equal(build_guest("hello", "-DEXIT_NR=9 -DEXIT_STATUS=0"), 0);
	run(&r, "hello", "HERMIT_VERBOSE=1", NULL, 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "[     0.000001] I booting\n[     0.000002] E failing at 0x"));
}

static void test_crash_and_panic(void **state)
{
	(void)state;
	static struct run r;

	need_tools();
	assert_int_equal(build_guest("crash", "-DEXIT_NR=10 -DEXIT_STATUS=14"), 0);
	run(&r, "crash", NULL, NULL, 0);
	assert_int_equal(r.status, 139);
	assert_non_null(strstr(r.err, "E failing at"));
	assert_non_null(strstr(r.err, "\nhermit: the guest crashed (page fault)\n"));
	assert_int_equal(build_guest("panic", "-DEXIT_NR=10 -DEXIT_STATUS=-1"), 0);
	run(&r, "panic", NULL, NULL, 0);
	assert_int_equal(r.status, 134);
	assert_non_null(strstr(r.err, "hermit: the guest crashed (kernel panic)\n"));
}

static void test_bad_hypercall(void **state)
{
	(void)state;
	static struct run r;

	need_tools();
	assert_int_equal(build_guest("bad", "-DEXIT_NR=77 -DEXIT_STATUS=0"), 0);
	run(&r, "bad", NULL, NULL, 0);
	assert_int_equal(r.status, 1);
	assert_non_null(
		strstr(r.err, "hermit: bad hypercall from the guest: unknown request number 77\n"));
}

static void test_triple_fault(void **state)
{
	(void)state;
	static struct run r;

	need_tools();
	assert_int_equal(build_guest("triple", "-DTRIPLE -DEXIT_NR=9 -DEXIT_STATUS=0"), 0);
	run(&r, "triple", NULL, NULL, 0);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err,
			       "hermit: the guest died without exiting (triple fault or QEMU error)\n"));
}

/* No QEMU may survive: none may still run with this test's guest on its command line. */
static void expect_no_qemu_left(void)
{
	usleep(100000);
	/* "[s]pin": the pattern must not match this shell's own command line. */
	assert_int_equal(sh("for p in /proc/[0-9]*; do { tr '\\0' ' ' < $p/cmdline; } 2>/dev/null | "
			    "grep -q -- '-kernel [s]pin' && [ \"$(readlink $p/cwd)\" = '%s' ] && "
			    "exit 1; done; exit 0", dir), 0);
}

static void test_signals_stop_the_guest(void **state)
{
	(void)state;
	static struct run r;

	need_tools();
	assert_int_equal(build_guest("spin", "-DSPIN -DEXIT_NR=9 -DEXIT_STATUS=0"), 0);
	run(&r, "spin", NULL, NULL, SIGTERM);
	assert_int_equal(r.status, 143);
	/* The error line was printed as it came, not when the guest ended. */
	assert_non_null(strstr(r.err_before_signal, "E failing at"));
	run(&r, "spin", NULL, NULL, SIGINT);
	assert_int_equal(r.status, 130);
	expect_no_qemu_left();
}

static void test_reads_stdin(void **state)
{
	(void)state;
	static struct run r;

	need_tools();
	assert_int_equal(build_guest("reader", "-DREAD_STDIN -DEXIT_NR=9 -DEXIT_STATUS=3"), 0);
	run(&r, "reader", NULL, "typed\n", 0);
	assert_int_equal(r.status, 3);
	/* READ put "typed\n" over the start of the message that is then written. */
	assert_string_equal(r.out + 64, "typed\nfrom the guest\n");
}

static void test_signal_while_reading_stdin(void **state)
{
	(void)state;
	static struct run r;

	need_tools();
	assert_int_equal(build_guest("reader", "-DREAD_STDIN -DEXIT_NR=9 -DEXIT_STATUS=3"), 0);
	run(&r, "reader", NULL, NULL, SIGINT); /* stdin stays open and empty */
	assert_int_equal(r.status, 130);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status_and_output),
		cmocka_unit_test(test_verbose_prints_the_log),
		cmocka_unit_test(test_crash_and_panic),
		cmocka_unit_test(test_bad_hypercall),
		cmocka_unit_test(test_triple_fault),
		cmocka_unit_test(test_signals_stop_the_guest),
		cmocka_unit_test(test_reads_stdin),
		cmocka_unit_test(test_signal_while_reading_stdin),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
