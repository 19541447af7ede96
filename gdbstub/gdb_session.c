/*
 * gdb_session.c: the stub's public entry points and its run state.
 *
 * The state (enum gdb_state in gdbstub.h) moves like this:
 *	DETACHED --packet or ^C--> RUNNING (interrupt hook called; the packet waits in `pending`)
 *	RUNNING  --gdb_report_stop--> HALTED, answering the waiting packet or sending the stop reply
 *	HALTED   --c/s/vCont/vRun--> RUNNING;  --D--> DETACHED;  --k/vKill--> EXITED
 *	any      --gdb_report_stop(exit)--> EXITED, which accepts packets like HALTED
 * gdb_report_stop() outside RUNNING only records the stop (the kernel stopped before gdb was
 * there): '?' reports it when gdb connects.
 *
 * Range stepping: when vCont asked for "r start,end", gdb_report_stop() resumes a finished step
 * again by itself while the thread's rip stays inside [start, end), as gdb expects of the stub.
 */
#include <string.h>

#include "gdb_internal.h"

struct gdb_session gdb_sess;

/* A packet received while DETACHED, answered once the target has stopped. gdb's first packets
 * (qSupported, ?) are short; a longer one is dropped and gdb sends it again. */
static struct {
	char buf[512];
	size_t len;
} pending;

static struct gdb_regs stop_regs; /* registers of the stopped thread; static to spare the stack */

int gdb_init(const struct gdb_ops *ops, void *ctx)
{
	if (ops == NULL || ops->send == NULL || ops->read_regs == NULL || ops->read_mem == NULL ||
	    ops->resume == NULL)
		return GDB_EINVAL;
	memset(&gdb_sess, 0, sizeof(gdb_sess));
	gdb_sess.ops = ops;
	gdb_sess.ctx = ctx;
	gdb_sess.state = GDB_STATE_DETACHED;
	gdb_sess.last_stop.reason = GDB_STOP_SIGNAL;
	gdb_sess.last_stop.signal = GDB_SIGTRAP;
	gdb_sess.last_stop.tid = 1;
	pending.len = 0;
	rsp_framer_init(&gdb_sess.framer, gdb_sess.rx, sizeof(gdb_sess.rx));
	rsp_encode_reset();
	gdb_threads_reset();
	gdb_monitor_reset();
	return 0;
}

enum gdb_state gdb_state(void)
{
	return gdb_sess.state;
}

gdb_tid_t gdb_current_thread(void)
{
	return gdb_sess.last_stop.tid;
}

const struct gdb_resume_action *gdb_resume_lookup(const struct gdb_resume *how, gdb_tid_t tid)
{
	for (size_t i = 0; i < how->count && i < GDB_RESUME_MAX; i++) {
		if (how->action[i].tid == tid || how->action[i].tid == GDB_TID_ALL)
			return &how->action[i];
	}
	return NULL;
}

int gdb_session_resume(const struct gdb_resume *how)
{
	int rc = gdb_sess.ops->resume(gdb_sess.ctx, how);

	if (rc != 0) {
		gdb_sess.range_active = false;
		return rc;
	}
	gdb_sess.resume = *how;
	gdb_sess.state = GDB_STATE_RUNNING;
	return GDB_NOREPLY;
}

void gdb_session_killed(void)
{
	gdb_sess.state = GDB_STATE_EXITED;
	gdb_sess.range_active = false;
	gdb_sess.last_stop.reason = GDB_STOP_TERMINATED;
	gdb_sess.last_stop.signal = GDB_SIGKILL;
}

/* ---- stop replies ---- */

static bool is_exit(enum gdb_stop_reason r)
{
	return r == GDB_STOP_EXITED || r == GDB_STOP_TERMINATED;
}

static void put_reason(struct gdb_sbuf *sb, const struct gdb_stop *stop)
{
	switch (stop->reason) {
	case GDB_STOP_SWBREAK:
		if (gdb_sess.gdb_swbreak)
			sb_puts(sb, "swbreak:;");
		break;
	case GDB_STOP_HWBREAK:
		if (gdb_sess.gdb_hwbreak)
			sb_puts(sb, "hwbreak:;");
		break;
	case GDB_STOP_WATCH:
	case GDB_STOP_RWATCH:
	case GDB_STOP_AWATCH:
		sb_puts(sb, stop->reason == GDB_STOP_WATCH    ? "watch:"
			    : stop->reason == GDB_STOP_RWATCH ? "rwatch:"
							      : "awatch:");
		sb_put_hex(sb, stop->addr);
		sb_putc(sb, ';');
		break;
	default:
		break;
	}
}

/* pc, sp and fp ride along with the stop, saving gdb a 'g' round trip. */
static void put_expedited(struct gdb_sbuf *sb, gdb_tid_t tid)
{
	if (gdb_sess.ops->read_regs(gdb_sess.ctx, tid, &stop_regs) != 0)
		return;
	for (size_t i = 0; i < gdb_arch_nexpedite; i++) {
		const struct gdb_reg_desc *r = &gdb_arch_regs[gdb_arch_expedite[i]];

		if (!gdb_arch_reg_available(&stop_regs, r->regnum))
			continue;
		sb_put_hex(sb, r->regnum);
		sb_putc(sb, ':');
		sb_put_hex_bytes(sb, (const uint8_t *)&stop_regs + r->offset, r->bitsize / 8u);
		sb_putc(sb, ';');
	}
}

void gdb_format_stop(const struct gdb_stop *stop)
{
	struct gdb_sbuf *sb = rsp_reply();

	if (stop->reason == GDB_STOP_EXITED) {
		sb_putc(sb, 'W');
		sb_put_hex8(sb, (uint8_t)stop->status);
		return;
	}
	if (stop->reason == GDB_STOP_TERMINATED) {
		sb_putc(sb, 'X');
		sb_put_hex8(sb, (uint8_t)stop->signal);
		return;
	}
	sb_putc(sb, 'T');
	sb_put_hex8(sb, (uint8_t)stop->signal);
	sb_puts(sb, "thread:");
	sb_put_hex(sb, (uint64_t)stop->tid);
	sb_putc(sb, ';');
	put_reason(sb, stop);
	put_expedited(sb, stop->tid);
}

/* ---- events ---- */

static void normalize(struct gdb_stop *s)
{
	if (s->tid <= 0)
		s->tid = 1;
	if (s->signal < 0 || s->signal > 0xff)
		s->signal = GDB_SIGTRAP;
	if (s->signal == 0 && s->reason != GDB_STOP_SIGNAL && s->reason != GDB_STOP_EXITED)
		s->signal = GDB_SIGTRAP;
}

/* While range stepping: true if the step stayed in the range and the thread was resumed. */
static bool range_continue(const struct gdb_stop *s)
{
	uint64_t pc;

	if (!gdb_sess.range_active || s->reason != GDB_STOP_STEP)
		return false;
	if (gdb_sess.range_tid > 0 && s->tid != gdb_sess.range_tid)
		return false;
	if (gdb_sess.ops->read_regs(gdb_sess.ctx, s->tid, &stop_regs) != 0)
		return false;
	pc = gdb_arch_pc(&stop_regs);
	if (pc < gdb_sess.range_start || pc >= gdb_sess.range_end)
		return false;
	return gdb_sess.ops->resume(gdb_sess.ctx, &gdb_sess.resume) == 0;
}

enum gdb_state gdb_report_stop(const struct gdb_stop *stop)
{
	struct gdb_stop s;
	bool gdb_waits;

	if (gdb_sess.ops == NULL || stop == NULL)
		return gdb_sess.state;
	s = *stop;
	normalize(&s);
	if (gdb_sess.state == GDB_STATE_RUNNING && range_continue(&s))
		return GDB_STATE_RUNNING;
	gdb_waits = gdb_sess.state == GDB_STATE_RUNNING;
	gdb_sess.range_active = false;
	gdb_sess.last_stop = s;
	gdb_sess.g_thread = GDB_TID_ANY; /* gdb too makes the stopped thread its current one */
	gdb_sess.state = is_exit(s.reason) ? GDB_STATE_EXITED : GDB_STATE_HALTED;
	if (gdb_sess.attach_pending) {
		gdb_sess.attach_pending = false;
		gdb_dispatch(pending.buf, pending.len);
	} else if (gdb_waits) {
		rsp_reply_begin();
		gdb_format_stop(&s);
		rsp_reply_send();
	}
	return gdb_sess.state;
}

/* A packet while the target runs: only a connecting gdb (state DETACHED) is served. */
static void packet_while_running(const char *payload, size_t len)
{
	int rc;

	if (gdb_sess.state == GDB_STATE_RUNNING && !gdb_sess.attach_pending)
		return; /* gdb waits for a stop reply and should not send anything but ^C */
	if (len > sizeof(pending.buf) || gdb_sess.ops->interrupt == NULL)
		return;
	memcpy(pending.buf, payload, len);
	pending.len = len;
	if (gdb_sess.attach_pending)
		return; /* gdb sent it again: the stop is already on its way */
	rc = gdb_sess.ops->interrupt(gdb_sess.ctx);
	if (rc == 0) {
		gdb_sess.attach_pending = true;
		gdb_sess.state = GDB_STATE_RUNNING;
	}
}

static void on_interrupt(void)
{
	if (gdb_sess.state != GDB_STATE_RUNNING && gdb_sess.state != GDB_STATE_DETACHED)
		return; /* already stopped */
	if (gdb_sess.ops->interrupt != NULL && gdb_sess.ops->interrupt(gdb_sess.ctx) == 0)
		gdb_sess.state = GDB_STATE_RUNNING;
}

void rsp_noack_arm(void)
{
	gdb_sess.noack_armed = true;
}

void rsp_set_ack_mode(void)
{
	gdb_sess.noack = false;
	gdb_sess.noack_armed = false;
}

/* No-ack mode: after QStartNoAckMode is answered, gdb sends one last '+' (or, without it, its next
 * packet) and then neither side acknowledges; a bad packet is then dropped silently. */
static void enter_noack_if_armed(void)
{
	if (gdb_sess.noack_armed) {
		gdb_sess.noack_armed = false;
		gdb_sess.noack = true;
	}
}

/* A packet is complete: acknowledged (in ack mode) before it is answered. */
static void on_packet(bool good)
{
	enter_noack_if_armed();
	if (!gdb_sess.noack)
		rsp_send_raw(good ? "+" : "-", 1);
	if (!good)
		return;
	if (gdb_sess.state == GDB_STATE_HALTED || gdb_sess.state == GDB_STATE_EXITED)
		gdb_dispatch(gdb_sess.rx, gdb_sess.framer.len);
	else
		packet_while_running(gdb_sess.rx, gdb_sess.framer.len);
}

/* A '+' in no-ack mode can only come from a new gdb connection, which starts in ack mode. */
static void on_ack(void)
{
	if (gdb_sess.noack_armed)
		enter_noack_if_armed();
	else if (gdb_sess.noack)
		rsp_set_ack_mode();
}

enum gdb_state gdb_feed_byte(uint8_t byte)
{
	if (gdb_sess.ops == NULL)
		return GDB_STATE_DETACHED;
	switch (rsp_framer_byte(&gdb_sess.framer, byte)) {
	case RSP_FRAME_PACKET:
		on_packet(true);
		break;
	case RSP_FRAME_BAD:
		on_packet(false);
		break;
	case RSP_FRAME_INTERRUPT:
		on_interrupt();
		break;
	case RSP_FRAME_NAK:
		if (!gdb_sess.noack)
			rsp_retransmit();
		break;
	case RSP_FRAME_ACK:
		on_ack();
		break;
	case RSP_FRAME_NONE:
		break;
	}
	return gdb_sess.state;
}

enum gdb_state gdb_feed(const void *buf, size_t len)
{
	const uint8_t *b = buf;

	if (b == NULL)
		return gdb_sess.state;
	for (size_t i = 0; i < len; i++)
		gdb_feed_byte(b[i]);
	return gdb_sess.state;
}
