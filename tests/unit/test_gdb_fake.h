/*
 * test_gdb_fake.h: a fake target for the gdb stub's unit tests, and packet transcript helpers.
 *
 * The fake has FAKE_MEM_SIZE bytes of memory at FAKE_MEM_BASE with unmapped pages (holes), a few
 * threads with their own registers, and records every hook call. Each test starts with
 * fake_start(), which binds the engine to fake_ops and reports a first stop (thread 1, SIGTRAP),
 * then talks to it in packets:
 *
 *	assert_string_equal(transact("m10000,4"), "00010203");
 *
 * transact() frames the payload, feeds it, and checks that the engine acked it and sent exactly
 * one well-formed packet, whose payload it returns.
 */
#ifndef TEST_GDB_FAKE_H
#define TEST_GDB_FAKE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gdbstub.h"

#define FAKE_MEM_BASE 0x10000u
#define FAKE_MEM_SIZE 0x8000u
#define FAKE_PAGE 0x1000u
#define FAKE_HOLE 0x13000u /* one unmapped page inside the memory */
#define FAKE_MAX_THREADS 5000
#define FAKE_OUT_MAX (1u << 20)

/* The expedited registers (rbp, rsp, rip) of fake thread 1 in a stop reply. */
#define FAKE_T1_REGS "6:0610000001000000;7:0070010000000000;10:0101010000000000;"
#define FAKE_T05_THREAD1 "T05thread:1;" FAKE_T1_REGS

struct fake_thread {
	gdb_tid_t tid;
	char name[40];
	char state[40];
	struct gdb_regs regs;
};

struct fake_target {
	uint8_t mem[FAKE_MEM_SIZE];
	bool mapped[FAKE_MEM_SIZE / FAKE_PAGE];
	struct fake_thread thread[FAKE_MAX_THREADS];
	size_t nthreads;

	/* hook records */
	struct gdb_resume resume;
	int resumes;
	int resume_rc;
	int interrupts;
	int detaches;
	int kills;
	int runs;
	int run_argc;
	char run_argv[GDB_RUN_ARGS_MAX][64];
	int bp_inserts, bp_removes;
	int bp_rc;
	enum gdb_bp_type bp_type;
	uint64_t bp_addr, bp_len;
	int reg_writes;
	int reg_write_regnum;
	gdb_tid_t reg_write_tid;
	size_t max_read_len;

	/* everything the engine sent */
	char out[FAKE_OUT_MAX];
	size_t out_len;
};

extern struct fake_target fake;
extern struct gdb_ops fake_ops; /* all hooks; a test may NULL some before fake_init() */

void fake_reset(void);             /* fresh target and fake_ops */
void fake_add_thread(gdb_tid_t tid, const char *name, const char *state);
struct fake_thread *fake_thread(gdb_tid_t tid);
void fake_init(void);              /* gdb_init(&fake_ops, &fake), output cleared */
void fake_start(void);             /* fake_reset + fake_init + report the first stop */
int fake_setup(void **state);      /* fake_start as a cmocka setup */

void out_clear(void);
void feed_bytes(const void *p, size_t n);
void feed_str(const char *s);
void send_packet(const char *payload);
void send_packet_n(const void *payload, size_t n);
void frame_packet(char *dst, const void *payload, size_t n); /* "$payload#cs" into dst */

/* The output parsed into acks and packets; asserts each packet's framing and checksum. */
struct out_summary {
	int acks;
	int naks;
	int count;
	const char *pkt[64];
	size_t len[64];
};
const struct out_summary *out_parse(void);

/* Send one packet; assert one ack and one reply; return the reply's payload (NUL-terminated). */
const char *transact(const char *payload);
const char *transact_n(const void *payload, size_t n, size_t *reply_len);
/* Same in no-ack mode: no ack expected. */
const char *transact_noack(const char *payload);

void hex_encode(char *dst, const void *src, size_t n);
size_t hex_decode(void *dst, const char *src);

#endif
