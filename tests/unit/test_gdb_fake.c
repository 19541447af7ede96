/*
 * test_gdb_fake.c: the fake target and transcript helpers of test_gdb_fake.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_gdb_fake.h"

struct fake_target fake;
struct gdb_ops fake_ops;

/* ---- hooks ---- */

static int f_send(void *ctx, const void *buf, size_t len)
{
	assert_ptr_equal(ctx, &fake);
	assert_true(len <= GDB_PACKET_MAX + 4);
	assert_true(fake.out_len + len <= sizeof(fake.out));
	memcpy(fake.out + fake.out_len, buf, len);
	fake.out_len += len;
	return 0;
}

struct fake_thread *fake_thread(gdb_tid_t tid)
{
	for (size_t i = 0; i < fake.nthreads; i++) {
		if (fake.thread[i].tid == tid)
			return &fake.thread[i];
	}
	return NULL;
}

static int f_read_regs(void *ctx, gdb_tid_t tid, struct gdb_regs *regs)
{
	struct fake_thread *t = fake_thread(tid);

	(void)ctx;
	if (t == NULL)
		return GDB_ESRCH;
	*regs = t->regs;
	return 0;
}

static int f_write_regs(void *ctx, gdb_tid_t tid, const struct gdb_regs *regs, int regnum)
{
	struct fake_thread *t = fake_thread(tid);

	(void)ctx;
	if (t == NULL)
		return GDB_ESRCH;
	t->regs = *regs;
	fake.reg_writes++;
	fake.reg_write_regnum = regnum;
	fake.reg_write_tid = tid;
	return 0;
}

static bool mapped(uint64_t addr)
{
	return addr >= FAKE_MEM_BASE && addr - FAKE_MEM_BASE < FAKE_MEM_SIZE &&
	       fake.mapped[(addr - FAKE_MEM_BASE) / FAKE_PAGE];
}

static int f_read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	size_t n = 0;

	(void)ctx;
	assert_true(len >= 1 && len <= GDB_PACKET_MAX);
	assert_true(addr + (len - 1) >= addr);
	if (len > fake.max_read_len)
		fake.max_read_len = len;
	while (n < len && mapped(addr + n)) {
		((uint8_t *)buf)[n] = fake.mem[addr + n - FAKE_MEM_BASE];
		n++;
	}
	return n == 0 ? GDB_EFAULT : (int)n;
}

static int f_write_mem(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx;
	assert_true(len >= 1 && len <= GDB_PACKET_MAX);
	for (size_t i = 0; i < len; i++) {
		if (!mapped(addr + i))
			return GDB_EFAULT;
	}
	memcpy(fake.mem + (addr - FAKE_MEM_BASE), buf, len);
	return 0;
}

static int f_resume(void *ctx, const struct gdb_resume *how)
{
	(void)ctx;
	assert_true(how->count >= 1 && how->count <= GDB_RESUME_MAX);
	fake.resume = *how;
	fake.resumes++;
	return fake.resume_rc;
}

static int f_bp(bool insert, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	if (insert)
		fake.bp_inserts++;
	else
		fake.bp_removes++;
	fake.bp_type = type;
	fake.bp_addr = addr;
	fake.bp_len = len;
	return fake.bp_rc;
}

static int f_insert_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	(void)ctx;
	return f_bp(true, type, addr, len);
}

static int f_remove_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	(void)ctx;
	return f_bp(false, type, addr, len);
}

static int f_interrupt(void *ctx)
{
	(void)ctx;
	fake.interrupts++;
	return 0;
}

static int f_next_thread(void *ctx, gdb_tid_t after, gdb_tid_t *next)
{
	gdb_tid_t best = 0;

	(void)ctx;
	for (size_t i = 0; i < fake.nthreads; i++) {
		gdb_tid_t t = fake.thread[i].tid;

		if (t > after && (best == 0 || t < best))
			best = t;
	}
	if (best == 0)
		return GDB_ENOENT;
	*next = best;
	return 0;
}

static int f_thread_alive(void *ctx, gdb_tid_t tid)
{
	(void)ctx;
	return fake_thread(tid) != NULL ? 0 : GDB_ESRCH;
}

static int copy_text(const char *text, char *buf, size_t size)
{
	assert_int_equal(size, GDB_THREAD_TEXT_MAX);
	snprintf(buf, size, "%s", text);
	return 0;
}

static int f_thread_name(void *ctx, gdb_tid_t tid, char *buf, size_t size)
{
	struct fake_thread *t = fake_thread(tid);

	(void)ctx;
	return t == NULL ? GDB_ESRCH : copy_text(t->name, buf, size);
}

static int f_thread_extra(void *ctx, gdb_tid_t tid, char *buf, size_t size)
{
	struct fake_thread *t = fake_thread(tid);

	(void)ctx;
	return t == NULL ? GDB_ESRCH : copy_text(t->state, buf, size);
}

static int f_detach(void *ctx)
{
	(void)ctx;
	fake.detaches++;
	return 0;
}

static int f_kill(void *ctx)
{
	(void)ctx;
	fake.kills++;
	return 0;
}

static int f_run(void *ctx, const char *const *argv, int argc)
{
	(void)ctx;
	fake.runs++;
	fake.run_argc = argc;
	assert_null(argv[argc]);
	for (int i = 0; i < argc && i < GDB_RUN_ARGS_MAX; i++)
		snprintf(fake.run_argv[i], sizeof(fake.run_argv[i]), "%s", argv[i]);
	return 0;
}

/* ---- set-up ---- */

static void fill_regs(struct gdb_regs *r, gdb_tid_t tid)
{
	uint64_t v = (uint64_t)tid << 32 | 0x1000;

	memset(r, 0, sizeof(*r));
	/* general registers in gdb order hold tid:0x1000+n */
	r->rax = v + 0; r->rbx = v + 1; r->rcx = v + 2; r->rdx = v + 3;
	r->rsi = v + 4; r->rdi = v + 5; r->rbp = v + 6;
	r->r8 = v + 8; r->r9 = v + 9; r->r10 = v + 10; r->r11 = v + 11;
	r->r12 = v + 12; r->r13 = v + 13; r->r14 = v + 14; r->r15 = v + 15;
	r->rip = FAKE_MEM_BASE + 0x100 + (uint64_t)tid;
	r->rsp = FAKE_MEM_BASE + 0x7000;
	r->eflags = 0x246;
	r->cs = 0x8;
	r->ss = 0x10;
	r->fctrl = 0x37f;
	r->ftag = 0xffff;
	r->mxcsr = 0x1f80;
	r->fs_base = 0x7f0000001000;
	for (int i = 0; i < 16; i++)
		memset(r->xmm[i], i, 16);
}

void fake_add_thread(gdb_tid_t tid, const char *name, const char *state)
{
	struct fake_thread *t;

	assert_true(fake.nthreads < FAKE_MAX_THREADS);
	t = &fake.thread[fake.nthreads++];
	t->tid = tid;
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->state, sizeof(t->state), "%s", state);
	fill_regs(&t->regs, tid);
}

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	for (size_t i = 0; i < FAKE_MEM_SIZE; i++)
		fake.mem[i] = (uint8_t)i;
	for (size_t p = 0; p < FAKE_MEM_SIZE / FAKE_PAGE; p++)
		fake.mapped[p] = FAKE_MEM_BASE + p * FAKE_PAGE != FAKE_HOLE;
	fake_add_thread(1, "init", "running");
	fake_add_thread(2, "idle", "ready");
	fake_add_thread(5, "net<rx>&\"q\"", "blocked on rx queue");
	fake_add_thread(0x1f, "shell", "sleeping");
	fake_ops = (struct gdb_ops){
		.send = f_send,
		.read_regs = f_read_regs,
		.read_mem = f_read_mem,
		.resume = f_resume,
		.write_regs = f_write_regs,
		.write_mem = f_write_mem,
		.insert_bp = f_insert_bp,
		.remove_bp = f_remove_bp,
		.interrupt = f_interrupt,
		.next_thread = f_next_thread,
		.thread_alive = f_thread_alive,
		.thread_name = f_thread_name,
		.thread_extra = f_thread_extra,
		.detach = f_detach,
		.kill = f_kill,
		.run = f_run,
	};
}

void fake_init(void)
{
	assert_int_equal(gdb_init(&fake_ops, &fake), 0);
	assert_int_equal(gdb_state(), GDB_STATE_DETACHED);
	out_clear();
}

void fake_start(void)
{
	struct gdb_stop stop = {.reason = GDB_STOP_SIGNAL, .tid = 1, .signal = GDB_SIGTRAP};

	fake_reset();
	fake_init();
	assert_int_equal(gdb_report_stop(&stop), GDB_STATE_HALTED);
	assert_int_equal(fake.out_len, 0); /* nobody asked: nothing sent */
}

int fake_setup(void **state)
{
	(void)state;
	fake_start();
	return 0;
}

/* ---- transcripts ---- */

void out_clear(void)
{
	fake.out_len = 0;
}

void feed_bytes(const void *p, size_t n)
{
	gdb_feed(p, n);
}

void feed_str(const char *s)
{
	feed_bytes(s, strlen(s));
}

void frame_packet(char *dst, const void *payload, size_t n)
{
	const uint8_t *p = payload;
	uint8_t sum = 0;

	dst[0] = '$';
	memcpy(dst + 1, p, n);
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	sprintf(dst + 1 + n, "#%02x", sum);
}

void send_packet_n(const void *payload, size_t n)
{
	static char framed[2 * GDB_PACKET_MAX + 8];

	assert_true(n + 4 < sizeof(framed));
	frame_packet(framed, payload, n);
	feed_bytes(framed, n + 4);
}

void send_packet(const char *payload)
{
	send_packet_n(payload, strlen(payload));
}

const struct out_summary *out_parse(void)
{
	static struct out_summary s;
	static char copy[FAKE_OUT_MAX + 64];
	size_t i = 0, c = 0;

	memset(&s, 0, sizeof(s));
	while (i < fake.out_len) {
		char ch = fake.out[i];
		uint8_t sum = 0;
		unsigned want;
		size_t start;

		if (ch == '+' || ch == '-') {
			if (ch == '+')
				s.acks++;
			else
				s.naks++;
			i++;
			continue;
		}
		assert_int_equal(ch, '$');
		start = ++i;
		while (i < fake.out_len && fake.out[i] != '#') {
			assert_true(fake.out[i] != '$');
			sum = (uint8_t)(sum + (uint8_t)fake.out[i]);
			i++;
		}
		assert_true(i + 3 <= fake.out_len);
		assert_int_equal(sscanf(fake.out + i + 1, "%2x", &want), 1);
		assert_int_equal(want, sum);
		assert_true(s.count < 64);
		s.pkt[s.count] = copy + c;
		s.len[s.count] = i - start;
		memcpy(copy + c, fake.out + start, i - start);
		c += i - start;
		copy[c++] = '\0';
		s.count++;
		i += 3;
	}
	return &s;
}

const char *transact_n(const void *payload, size_t n, size_t *reply_len)
{
	const struct out_summary *s;

	out_clear();
	send_packet_n(payload, n);
	s = out_parse();
	assert_int_equal(s->acks, 1);
	assert_int_equal(s->naks, 0);
	assert_int_equal(s->count, 1);
	assert_int_equal(fake.out[0], '+'); /* the ack comes before the reply */
	if (reply_len != NULL)
		*reply_len = s->len[0];
	return s->pkt[0];
}

const char *transact(const char *payload)
{
	return transact_n(payload, strlen(payload), NULL);
}

const char *transact_noack(const char *payload)
{
	const struct out_summary *s;

	out_clear();
	send_packet(payload);
	s = out_parse();
	assert_int_equal(s->acks, 0);
	assert_int_equal(s->naks, 0);
	assert_int_equal(s->count, 1);
	return s->pkt[0];
}

void hex_encode(char *dst, const void *src, size_t n)
{
	const uint8_t *b = src;

	for (size_t i = 0; i < n; i++)
		sprintf(dst + 2 * i, "%02x", b[i]);
	dst[2 * n] = '\0';
}

size_t hex_decode(void *dst, const char *src)
{
	uint8_t *o = dst;
	size_t n = 0;
	unsigned v;

	while (src[0] != '\0' && src[1] != '\0' && sscanf(src, "%2x", &v) == 1) {
		o[n++] = (uint8_t)v;
		src += 2;
	}
	return n;
}
