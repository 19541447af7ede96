/*
 * fuzz_rsp.c: libFuzzer target for the gdb stub's protocol engine.
 *
 * Every input is a byte stream from a hostile "gdb", fed to a freshly initialized engine bound to
 * a small fake target (memory with a hole, three threads). The input also drives the target: when
 * the engine has resumed it, a fed byte whose low three bits are zero makes the target stop, with
 * a reason picked from the byte, so that stop replies, range stepping and packets-while-running
 * are all reached. The first byte is not fed: its bit 0 says whether the kernel is halted before
 * gdb arrives (set in the seeds) or running (gdb then attaches).
 *
 * Besides the sanitizers, the fake checks the engine's side of the contract and traps on any
 * breach: every transmission is one ack or one well-formed packet with a correct checksum and a
 * payload within GDB_PACKET_MAX, and every hook call has arguments within the documented ranges.
 *
 *	make fuzz FUZZ_SECONDS=300
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gdbstub.h"

#define MEM_BASE 0x1000u
#define MEM_SIZE 0x4000u
#define HOLE 0x2000u

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			__builtin_trap(); \
	} while (0)

static uint8_t mem[MEM_SIZE];
static struct gdb_regs regs[3];
static uint64_t pc_counter;

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One transmission: '+', '-', or "$payload#cs". */
static int f_send(void *ctx, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint8_t sum = 0;

	(void)ctx;
	CHECK(len >= 1);
	if (len == 1) {
		CHECK(b[0] == '+' || b[0] == '-');
		return 0;
	}
	CHECK(len >= 4 && len - 4 <= GDB_PACKET_MAX);
	CHECK(b[0] == '$' && b[len - 3] == '#');
	for (size_t i = 1; i < len - 3; i++) {
		CHECK(b[i] != '$' && b[i] != '#');
		sum = (uint8_t)(sum + b[i]);
	}
	CHECK(hexval(b[len - 2]) >= 0 && hexval(b[len - 1]) >= 0);
	CHECK(sum == (uint8_t)(hexval(b[len - 2]) << 4 | hexval(b[len - 1])));
	return 0;
}

static struct gdb_regs *thread_regs(gdb_tid_t tid)
{
	return tid >= 1 && tid <= 3 ? &regs[tid - 1] : NULL;
}

static int f_read_regs(void *ctx, gdb_tid_t tid, struct gdb_regs *r)
{
	(void)ctx;
	if (thread_regs(tid) == NULL)
		return GDB_ESRCH;
	*r = *thread_regs(tid);
	r->rip = MEM_BASE + (pc_counter++ % 0x40); /* wanders in and out of step ranges */
	return 0;
}

static int f_write_regs(void *ctx, gdb_tid_t tid, const struct gdb_regs *r, int regnum)
{
	(void)ctx;
	CHECK(regnum >= -1 && regnum < GDB_REG_COUNT);
	if (thread_regs(tid) == NULL)
		return GDB_ESRCH;
	*thread_regs(tid) = *r;
	return 0;
}

static bool mapped(uint64_t a)
{
	return a >= MEM_BASE && a - MEM_BASE < MEM_SIZE && (a < HOLE || a >= HOLE + 0x1000);
}

static int f_read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	size_t n = 0;

	(void)ctx;
	CHECK(len >= 1 && len <= GDB_PACKET_MAX && addr + (len - 1) >= addr);
	while (n < len && mapped(addr + n)) {
		((uint8_t *)buf)[n] = mem[addr + n - MEM_BASE];
		n++;
	}
	return n == 0 ? GDB_EFAULT : (int)n;
}

static int f_write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx;
	CHECK(len >= 1 && len <= GDB_PACKET_MAX && addr + (len - 1) >= addr);
	for (size_t i = 0; i < len; i++) {
		if (!mapped(addr + i))
			return GDB_EFAULT;
	}
	memcpy(mem + (addr - MEM_BASE), buf, len);
	return 0;
}

static int f_resume(void *ctx, const struct gdb_resume *how)
{
	(void)ctx;
	CHECK(how->count >= 1 && how->count <= GDB_RESUME_MAX);
	for (size_t i = 0; i < how->count; i++) {
		CHECK(how->action[i].kind <= GDB_RESUME_STOP);
		CHECK(how->action[i].signal >= 0 && how->action[i].signal <= 0xff);
		CHECK(how->action[i].tid == GDB_TID_ALL || how->action[i].tid > 0);
	}
	return how->count == 7 ? GDB_EIO : 0; /* sometimes refuse */
}

static int f_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	(void)ctx;
	CHECK(type <= GDB_WATCH_ACCESS);
	CHECK(type < GDB_WATCH_WRITE || len == 1 || len == 2 || len == 4 || len == 8);
	return addr & 1 ? GDB_ENOTSUP : addr & 2 ? GDB_EBUSY : 0;
}

static int f_interrupt(void *ctx)
{
	(void)ctx;
	return 0;
}

static int f_next_thread(void *ctx, gdb_tid_t after, gdb_tid_t *next)
{
	(void)ctx;
	if (after >= 3)
		return GDB_ENOENT;
	*next = after < 0 ? 1 : after + 1;
	return 0;
}

static int f_text(void *ctx, gdb_tid_t tid, char *buf, size_t size)
{
	static const char text[] = "<&\"'> a long enough thread description to fill the buffer";

	(void)ctx;
	CHECK(size == GDB_THREAD_TEXT_MAX);
	if (tid == 2)
		return GDB_EIO;
	memcpy(buf, text, size < sizeof(text) ? size : sizeof(text)); /* maybe unterminated */
	return 0;
}

static int f_simple(void *ctx)
{
	(void)ctx;
	return 0;
}

static int f_run(void *ctx, const char *const *argv, int argc)
{
	(void)ctx;
	CHECK(argc >= 1 && argc <= GDB_RUN_ARGS_MAX && argv[argc] == NULL);
	for (int i = 0; i < argc; i++)
		CHECK(strlen(argv[i]) <= GDB_PACKET_MAX / 2);
	return 0;
}

static int f_monitor(void *ctx, const char *args)
{
	(void)ctx;
	gdb_console_puts(args);
	gdb_console_puts(args); /* can exceed one 'O' packet */
	return args[0] == 'x' ? GDB_EINVAL : 0;
}

static const struct gdb_ops ops = {
	.send = f_send,
	.read_regs = f_read_regs,
	.read_mem = f_read_mem,
	.resume = f_resume,
	.write_regs = f_write_regs,
	.write_mem = f_write_mem,
	.insert_bp = f_bp,
	.remove_bp = f_bp,
	.interrupt = f_interrupt,
	.next_thread = f_next_thread,
	.thread_name = f_text,
	.thread_extra = f_text,
	.detach = f_simple,
	.kill = f_simple,
	.run = f_run,
};

static const struct gdb_monitor_cmd monitor_cmd = {"say", "print the arguments twice", f_monitor};

static void stop_target(uint8_t byte)
{
	struct gdb_stop stop = {
		.reason = (enum gdb_stop_reason)((byte >> 3) % (GDB_STOP_TERMINATED + 1)),
		.tid = (byte >> 5) % 4, /* 0 means thread 1 */
		.signal = byte & 0x80 ? 0 : GDB_SIGSEGV,
		.addr = (uint64_t)byte << 56,
		.status = byte,
	};

	gdb_report_stop(&stop);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum gdb_state st;

	for (size_t i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i * 7);
	memset(regs, 0, sizeof(regs));
	regs[2].unavailable = 0xf0f0f0f0f0f0f0f0;
	pc_counter = 0;
	CHECK(gdb_init(&ops, NULL) == 0);
	CHECK(gdb_monitor_register(&monitor_cmd) == 0);
	if (size == 0)
		return 0;
	if (data[0] & 1)
		stop_target(0); /* halted before gdb connects */
	for (size_t i = 1; i < size; i++) {
		st = gdb_feed_byte(data[i]);
		CHECK(st == gdb_state());
		if (st == GDB_STATE_RUNNING && (data[i] & 7) == 0)
			stop_target(data[i]);
		if (data[i] == 0xee)
			gdb_console_puts("kernel log line\n");
	}
	return 0;
}
