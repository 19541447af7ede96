/*
 * gdb_internal.h: what the gdb stub's files share among themselves; not for the kernel.
 *
 * Layers, bottom up:
 *	rsp_framing.c   bytes -> packets: $payload#cs, ^C (rsp_framing.h, shared with the proxy)
 *	rsp_parse.c     fields of a received payload: hex numbers, thread ids, binary data
 *	rsp_text.c      text building: hex, XML, binary escaping (rsp_text.h, shared with the proxy)
 *	rsp_encode.c    the reply packet: checksum, send, retransmit
 *	gdb_session.c   the public entry points and the run state: stops, resumes, range stepping
 *	gdb_commands.c  the packet dispatcher (errors become replies there) and run-control packets
 *	gdb_registers.c gdb_memory.c gdb_threads.c gdb_monitor.c: the packets of each concept
 *	x86_64_regs.c x86_64_tdesc.c: the register table and the target.xml built from it
 *
 * Everything here runs in the caller's context of the public function that led to it; the state
 * below is touched by no one else (see the calling rules in gdbstub.h).
 */
#ifndef GDBSTUB_INTERNAL_H
#define GDBSTUB_INTERNAL_H

#include "gdbstub.h"
#include "rsp_framing.h"
#include "rsp_text.h"

/* A handler's result besides 0 and GDB_E*: the packet gets no reply (c, s, k, ...). Chosen so
 * that no hook result is mistaken for it: the dispatcher treats other positive values as errors. */
#define GDB_NOREPLY 0x100000

/* ---- session state (gdb_session.c) ---- */

struct gdb_session {
	const struct gdb_ops *ops;
	void *ctx;
	enum gdb_state state;
	struct gdb_stop last_stop; /* answered to '?'; its thread is the current thread */
	gdb_tid_t g_thread;        /* Hg: thread of g/G/p/P, GDB_TID_ANY = the stop's thread */
	gdb_tid_t c_thread;        /* Hc: thread of c/s, GDB_TID_ANY or GDB_TID_ALL = all */
	bool extended;             /* '!' received */
	bool gdb_swbreak;          /* gdb listed swbreak+ in qSupported: "swbreak:" may be sent */
	bool gdb_hwbreak;          /* same for hwbreak+ */
	bool attach_pending;       /* a packet arrived while DETACHED; it waits for the stop */
	struct gdb_resume resume;  /* the last resume, repeated while range stepping */
	bool range_active;         /* vCont 'r': step again while rip is in [start, end) */
	gdb_tid_t range_tid;
	uint64_t range_start, range_end;
	struct rsp_framer framer;  /* gdb's bytes into packets */
	char rx[GDB_PACKET_MAX];   /* the framer's payload buffer */
	bool noack;                /* no-ack mode: neither side acknowledges */
	bool noack_armed;          /* QStartNoAckMode answered; no-ack from gdb's next '+' or packet */
};
extern struct gdb_session gdb_sess;

/* Resume as *how says (ops->resume); state RUNNING on success. Returns GDB_NOREPLY or an error. */
int gdb_session_resume(const struct gdb_resume *how);
/* The thread gdb currently means when it names none: the stop's thread. */
gdb_tid_t gdb_current_thread(void);
/* Put the stop reply for *stop (T, W or X payload) in the reply being built. */
void gdb_format_stop(const struct gdb_stop *stop);
/* gdb_sess.state = EXITED and last_stop = "killed by SIGKILL". */
void gdb_session_killed(void);

/* ---- acks (gdb_session.c; the framing itself is rsp_framing.h) ---- */

/* QStartNoAckMode was answered: leave ack mode after gdb's final '+' (or its next packet). */
void rsp_noack_arm(void);
void rsp_set_ack_mode(void);

/* ---- replies (rsp_encode.c) ---- */

/* The reply packet: begin, build into rsp_reply(), then send (frames, checksums, transmits). */
void rsp_reply_begin(void);
struct gdb_sbuf *rsp_reply(void);
void rsp_reply_send(void);
void rsp_retransmit(void);      /* the last packet again, after a NAK */
void rsp_send_raw(const char *s, size_t n); /* acks */
void rsp_encode_reset(void);

/* ---- handlers (one per packet; see the dispatcher in gdb_commands.c) ---- */

void gdb_dispatch(const char *payload, size_t len);

int gdb_cmd_read_regs(struct rsp_cur *args);   /* g */
int gdb_cmd_write_regs(struct rsp_cur *args);  /* G */
int gdb_cmd_read_reg(struct rsp_cur *args);    /* p */
int gdb_cmd_write_reg(struct rsp_cur *args);   /* P */

int gdb_cmd_mem_read(struct rsp_cur *args);     /* m */
int gdb_cmd_mem_write(struct rsp_cur *args);    /* M */
int gdb_cmd_mem_write_bin(struct rsp_cur *args); /* X */
int gdb_cmd_mem_read_bin(struct rsp_cur *args); /* x */
/* The one checked accessor for target memory: length clamped, no wrap, hook result checked. */
int gdb_mem_read(uint64_t addr, void *buf, size_t len);
int gdb_mem_write(uint64_t addr, const void *buf, size_t len);

int gdb_cmd_thread_first(struct rsp_cur *args); /* qfThreadInfo */
int gdb_cmd_thread_next(struct rsp_cur *args);  /* qsThreadInfo */
int gdb_cmd_thread_extra(struct rsp_cur *args); /* qThreadExtraInfo */
int gdb_cmd_current_thread(struct rsp_cur *args); /* qC */
int gdb_cmd_thread_alive(struct rsp_cur *args); /* T */
int gdb_cmd_thread_stop_info(struct rsp_cur *args); /* qThreadStopInfo */
int gdb_cmd_set_thread(struct rsp_cur *args);   /* H */
int gdb_cmd_xfer_threads(struct rsp_cur *args); /* qXfer:threads:read */
int gdb_thread_check(gdb_tid_t tid);            /* 0 if tid is alive, GDB_ESRCH */
void gdb_threads_reset(void);

int gdb_cmd_monitor(struct rsp_cur *args);      /* qRcmd */
void gdb_monitor_reset(void);

/* Serve [off, off+len) of a qXfer document: 'm' + data when more follows, 'l' + data at the end. */
int gdb_xfer_reply(const char *doc, size_t doc_len, struct rsp_cur *args);

/* ---- architecture (x86_64_regs.c, x86_64_tdesc.c) ---- */

struct gdb_reg_desc {
	const char *name;
	uint16_t bitsize;
	uint16_t offset;   /* into struct gdb_regs */
	uint16_t regnum;   /* gdb's number: the entry's index, checked by the tests */
	uint8_t feature;   /* index into gdb_arch_features */
	const char *type;  /* target.xml type */
	const char *group; /* target.xml group, or NULL */
};
extern const struct gdb_reg_desc gdb_arch_regs[];
extern const size_t gdb_arch_nregs;
extern const char *const gdb_arch_features[];
extern const size_t gdb_arch_nfeatures;
#define GDB_ARCH_PC_REGNUM GDB_REG_RIP
/* Registers sent along with a T stop reply, so gdb needs no 'g' to show where it stopped. */
extern const uint16_t gdb_arch_expedite[];
extern const size_t gdb_arch_nexpedite;

bool gdb_arch_reg_available(const struct gdb_regs *regs, unsigned regnum);
uint64_t gdb_arch_pc(const struct gdb_regs *regs);
void gdb_arch_set_pc(struct gdb_regs *regs, uint64_t pc);
bool gdb_arch_watch_len_ok(uint64_t len);
/* target.xml, built from the register table on first use; NULL if it does not fit (a bug). */
const char *gdb_arch_target_xml(size_t *len);

#endif
