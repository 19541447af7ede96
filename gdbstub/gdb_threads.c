/*
 * gdb_threads.c: the thread packets qfThreadInfo/qsThreadInfo, qXfer:threads:read, qC,
 * qThreadExtraInfo, H and T.
 *
 * Threads are the kernel's task ids (> 0), walked in increasing order with the next_thread hook;
 * without it the target has the single thread of the last stop. The engine insists that each id
 * the hook returns is larger than the one before, so a confused hook cannot make a walk endless.
 * Ids are plain hex on the wire (multiprocess is not offered).
 *
 * The qXfer:threads document is built when gdb reads offset 0 and served from that snapshot for
 * the following offsets, so it stays consistent while gdb reads it in pieces. Threads that do not
 * fit GDB_PACKET_MAX bytes of XML are left out of it (qfThreadInfo still lists all of them).
 */
#include <string.h>

#include "gdb_internal.h"

static struct {
	gdb_tid_t cursor;                 /* last id sent by qf/qsThreadInfo */
	char xml[GDB_PACKET_MAX];
	size_t xml_len;
	char text[GDB_THREAD_TEXT_MAX];   /* a name or extra text from a hook */
} thr;

void gdb_threads_reset(void)
{
	thr.cursor = 0;
	thr.xml_len = 0;
}

static int next_thread(gdb_tid_t after, gdb_tid_t *next)
{
	gdb_tid_t only = gdb_current_thread();
	int rc;

	if (gdb_sess.ops->next_thread == NULL) {
		if (after >= only)
			return GDB_ENOENT;
		*next = only;
		return 0;
	}
	rc = gdb_sess.ops->next_thread(gdb_sess.ctx, after, next);
	if (rc == 0 && *next <= after)
		return GDB_ENOENT;
	return rc;
}

int gdb_thread_check(gdb_tid_t tid)
{
	gdb_tid_t t;

	if (tid <= 0)
		return GDB_ESRCH;
	if (gdb_sess.ops->thread_alive != NULL)
		return gdb_sess.ops->thread_alive(gdb_sess.ctx, tid) == 0 ? 0 : GDB_ESRCH;
	return next_thread(tid - 1, &t) == 0 && t == tid ? 0 : GDB_ESRCH;
}

/* A hook's text for thread tid, or "" when the hook is missing or fails. */
static const char *thread_text(int (*hook)(void *, gdb_tid_t, char *, size_t), gdb_tid_t tid)
{
	thr.text[0] = '\0';
	if (hook != NULL && hook(gdb_sess.ctx, tid, thr.text, sizeof(thr.text)) != 0)
		thr.text[0] = '\0';
	thr.text[sizeof(thr.text) - 1] = '\0';
	return thr.text;
}

static int list_threads(void)
{
	struct gdb_sbuf *sb = rsp_reply();
	bool any = false;
	gdb_tid_t t;

	while (sb_room(sb) > 20 && next_thread(thr.cursor, &t) == 0) {
		sb_putc(sb, any ? ',' : 'm');
		sb_put_hex(sb, (uint64_t)t);
		thr.cursor = t;
		any = true;
	}
	if (!any)
		sb_putc(sb, 'l');
	return 0;
}

int gdb_cmd_thread_first(struct rsp_cur *args) /* qfThreadInfo */
{
	(void)args;
	thr.cursor = 0;
	return list_threads();
}

int gdb_cmd_thread_next(struct rsp_cur *args) /* qsThreadInfo */
{
	(void)args;
	return list_threads();
}

int gdb_cmd_current_thread(struct rsp_cur *args) /* qC */
{
	(void)args;
	sb_puts(rsp_reply(), "QC");
	sb_put_hex(rsp_reply(), (uint64_t)gdb_current_thread());
	return 0;
}

/* The packet's one argument, a thread that exists. */
static int parse_live_tid(struct rsp_cur *args, gdb_tid_t *tid)
{
	if (rsp_parse_tid(args, tid) != 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	return gdb_thread_check(*tid);
}

int gdb_cmd_thread_alive(struct rsp_cur *args) /* T thread-id */
{
	gdb_tid_t tid;
	int rc;

	rc = parse_live_tid(args, &tid);
	if (rc != 0)
		return rc;
	sb_puts(rsp_reply(), "OK");
	return 0;
}

/* qThreadStopInfo thread-id (lldb): the last stop for its thread, a stop the kernel kept pending
 * for another (two breakpoints hit at once: lldb shows both, as with lldb-server), else a stop
 * without a signal. */
int gdb_cmd_thread_stop_info(struct rsp_cur *args)
{
	struct gdb_stop s = { .reason = GDB_STOP_SIGNAL, .signal = 0 };
	gdb_tid_t tid;
	int rc;

	rc = parse_live_tid(args, &tid);
	if (rc != 0)
		return rc;
	if (tid == gdb_sess.last_stop.tid)
		s = gdb_sess.last_stop;
	else if (gdb_sess.ops->thread_stop == NULL || gdb_sess.ops->thread_stop(gdb_sess.ctx, tid, &s) != 0)
		s = (struct gdb_stop){ .reason = GDB_STOP_SIGNAL, .signal = 0 };
	s.tid = tid;
	if (s.signal == 0 && s.reason != GDB_STOP_SIGNAL)
		s.signal = GDB_SIGTRAP;
	gdb_format_stop(&s);
	return 0;
}

int gdb_cmd_set_thread(struct rsp_cur *args) /* H op thread-id: op c for c/s, else g/G/p/P */
{
	gdb_tid_t tid;
	char op;

	if (rsp_at_end(args))
		return GDB_EINVAL;
	op = *args->p++;
	if (rsp_parse_tid(args, &tid) != 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	if (tid > 0 && gdb_thread_check(tid) != 0)
		return GDB_ESRCH;
	if (op == 'c')
		gdb_sess.c_thread = tid;
	else
		gdb_sess.g_thread = tid > 0 ? tid : GDB_TID_ANY;
	sb_puts(rsp_reply(), "OK");
	return 0;
}

int gdb_cmd_thread_extra(struct rsp_cur *args) /* qThreadExtraInfo,thread-id */
{
	gdb_tid_t tid;

	if (!rsp_eat(args, ',') || rsp_parse_tid(args, &tid) != 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	if (gdb_thread_check(tid) != 0)
		return GDB_ESRCH;
	if (gdb_sess.ops->thread_extra == NULL)
		return GDB_ENOTSUP;
	thread_text(gdb_sess.ops->thread_extra, tid);
	sb_put_hex_bytes(rsp_reply(), thr.text, strlen(thr.text));
	return 0;
}

/* <thread id="1f" name="idle">ready</thread> */
static void put_thread(struct gdb_sbuf *sb, gdb_tid_t tid)
{
	sb_puts(sb, "<thread id=\"");
	sb_put_hex(sb, (uint64_t)tid);
	sb_putc(sb, '"');
	thread_text(gdb_sess.ops->thread_name, tid);
	if (thr.text[0] != '\0') {
		sb_puts(sb, " name=\"");
		sb_put_xml(sb, thr.text);
		sb_putc(sb, '"');
	}
	sb_putc(sb, '>');
	sb_put_xml(sb, thread_text(gdb_sess.ops->thread_extra, tid));
	sb_puts(sb, "</thread>\n");
}

static void build_threads_xml(void)
{
	static const char tail[] = "</threads>\n";
	struct gdb_sbuf sb;
	gdb_tid_t t = 0;

	sb_init(&sb, thr.xml, sizeof(thr.xml) - (sizeof(tail) - 1));
	sb_puts(&sb, "<?xml version=\"1.0\"?>\n<threads>\n");
	while (next_thread(t, &t) == 0) {
		size_t mark = sb.len;

		put_thread(&sb, t);
		if (sb.overflow) {
			sb.len = mark;
			break;
		}
	}
	sb.cap = sizeof(thr.xml);
	sb_puts(&sb, tail);
	thr.xml_len = sb.len;
}

int gdb_cmd_xfer_threads(struct rsp_cur *args) /* qXfer:threads:read::off,len */
{
	struct rsp_cur peek;
	uint64_t off;

	if (!rsp_eat(args, ':') || !rsp_eat(args, ':'))
		return GDB_EINVAL;
	peek = *args;
	if (rsp_parse_hex(&peek, &off) != 0)
		return GDB_EINVAL;
	if (off == 0 || thr.xml_len == 0)
		build_threads_xml();
	return gdb_xfer_reply(thr.xml, thr.xml_len, args);
}
