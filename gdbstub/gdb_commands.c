/*
 * gdb_commands.c: the packet dispatcher, and the packets about the session and running.
 *
 * gdb_dispatch() finds a packet's handler in `commands`, runs it with a cursor over the packet's
 * arguments and sends the reply. A handler builds its reply in rsp_reply() and returns 0, or
 * returns GDB_NOREPLY (c, s, k: the answer is a later stop, or nothing), or an error. Errors
 * become replies here and nowhere else: GDB_ENOTSUP (and unknown packets) -> the empty reply,
 * any other error -> "Exx".
 *
 * Handlers of the other packets live with their concept: gdb_registers.c, gdb_memory.c,
 * gdb_threads.c, gdb_monitor.c.
 */
#include <string.h>

#include "gdb_internal.h"

/* ---- session packets ---- */

static int cmd_stop_reason(struct rsp_cur *args) /* ? */
{
	(void)args;
	gdb_format_stop(&gdb_sess.last_stop);
	return 0;
}

static void note_gdb_feature(const char *f, size_t n)
{
	if (n == 8 && memcmp(f, "swbreak+", 8) == 0)
		gdb_sess.gdb_swbreak = true;
	if (n == 8 && memcmp(f, "hwbreak+", 8) == 0)
		gdb_sess.gdb_hwbreak = true;
}

static int cmd_supported(struct rsp_cur *args) /* qSupported[:feature;feature...] */
{
	gdb_sess.gdb_swbreak = false;
	gdb_sess.gdb_hwbreak = false;
	if (rsp_eat(args, ':')) {
		while (!rsp_at_end(args)) {
			const char *f = args->p;

			while (!rsp_at_end(args) && *args->p != ';')
				args->p++;
			note_gdb_feature(f, (size_t)(args->p - f));
			rsp_eat(args, ';');
		}
	}
	sb_puts(rsp_reply(), "PacketSize=");
	sb_put_hex(rsp_reply(), GDB_PACKET_MAX);
	sb_puts(rsp_reply(), ";QStartNoAckMode+;qXfer:features:read+;qXfer:threads:read+"
			     ";swbreak+;hwbreak+;vContSupported+;binary-upload+");
	return 0;
}

static int cmd_no_ack(struct rsp_cur *args) /* QStartNoAckMode */
{
	(void)args;
	rsp_noack_arm();
	sb_puts(rsp_reply(), "OK");
	return 0;
}

static int cmd_extended(struct rsp_cur *args) /* ! */
{
	(void)args;
	gdb_sess.extended = true;
	sb_puts(rsp_reply(), "OK");
	return 0;
}

static int cmd_attached(struct rsp_cur *args) /* qAttached: the kernel ran before gdb came */
{
	(void)args;
	sb_puts(rsp_reply(), "1");
	return 0;
}

static int resume_all(void)
{
	struct gdb_resume how = {.count = 1};

	how.action[0].kind = GDB_RESUME_CONTINUE;
	how.action[0].tid = GDB_TID_ALL;
	return gdb_sess.ops->resume(gdb_sess.ctx, &how);
}

/* Leave the target running on its own; the next gdb to connect starts in ack mode. */
static int detach(void)
{
	int rc = 0;

	if (gdb_sess.ops->detach != NULL)
		rc = gdb_sess.ops->detach(gdb_sess.ctx);
	if (rc != 0 && rc != GDB_ENOTSUP)
		return rc;
	rc = resume_all();
	if (rc != 0)
		return rc;
	gdb_sess.state = GDB_STATE_DETACHED;
	gdb_sess.range_active = false;
	gdb_sess.extended = false;
	rsp_set_ack_mode();
	return 0;
}

static int cmd_detach(struct rsp_cur *args) /* D or D;pid */
{
	int rc;

	(void)args;
	rc = detach();
	if (rc == 0)
		sb_puts(rsp_reply(), "OK");
	return rc;
}

static int cmd_kill(struct rsp_cur *args) /* k: no reply; gdb closes the connection */
{
	(void)args;
	if (gdb_sess.ops->kill == NULL || gdb_sess.ops->kill(gdb_sess.ctx) != 0) {
		detach(); /* the kernel cannot end the program: at least let it run */
		return GDB_NOREPLY;
	}
	gdb_session_killed();
	rsp_set_ack_mode();
	return GDB_NOREPLY;
}

static int cmd_vkill(struct rsp_cur *args) /* vKill;pid: extended mode, the connection stays */
{
	int rc;

	(void)args;
	if (gdb_sess.ops->kill == NULL)
		return GDB_ENOTSUP;
	rc = gdb_sess.ops->kill(gdb_sess.ctx);
	if (rc != 0)
		return rc;
	gdb_session_killed();
	sb_puts(rsp_reply(), "OK");
	return 0;
}

/* vRun;program;arg...: each field hex-encoded; decoded into NUL-terminated strings. */
static int cmd_run(struct rsp_cur *args)
{
	static char strings[GDB_PACKET_MAX / 2 + GDB_RUN_ARGS_MAX];
	static const char *argv[GDB_RUN_ARGS_MAX + 1];
	size_t used = 0;
	int argc = 0;
	int rc;

	if (gdb_sess.ops->run == NULL)
		return GDB_ENOTSUP;
	while (rsp_eat(args, ';')) {
		if (argc == GDB_RUN_ARGS_MAX)
			return GDB_EINVAL;
		argv[argc++] = &strings[used];
		while (!rsp_at_end(args) && *args->p != ';') {
			uint8_t c;

			if (rsp_parse_hex_bytes(args, &c, 1) != 0 || c == 0)
				return GDB_EINVAL;
			strings[used++] = (char)c; /* the packet holds at most PACKET_MAX / 2 bytes */
		}
		strings[used++] = '\0';
	}
	if (argc == 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	argv[argc] = NULL;
	rc = gdb_sess.ops->run(gdb_sess.ctx, argv, argc);
	if (rc != 0)
		return rc;
	gdb_sess.range_active = false;
	gdb_sess.state = GDB_STATE_RUNNING; /* the new program's first stop answers vRun */
	return GDB_NOREPLY;
}

/* ---- running ---- */

static int set_pc(gdb_tid_t tid, uint64_t pc)
{
	static struct gdb_regs regs;
	int rc;

	if (gdb_sess.ops->write_regs == NULL)
		return GDB_ENOTSUP;
	rc = gdb_sess.ops->read_regs(gdb_sess.ctx, tid, &regs);
	if (rc != 0)
		return rc;
	gdb_arch_set_pc(&regs, pc);
	return gdb_sess.ops->write_regs(gdb_sess.ctx, tid, &regs, GDB_ARCH_PC_REGNUM);
}

/*
 * c [addr], C sig[;addr], s [addr], S sig[;addr]. With a thread chosen by Hc only that thread
 * moves; otherwise the current thread does the step (or gets the signal) and the rest continue.
 */
static int legacy_resume(struct rsp_cur *args, enum gdb_resume_kind kind, bool with_signal)
{
	struct gdb_resume how = {0};
	gdb_tid_t tid = gdb_sess.c_thread > 0 ? gdb_sess.c_thread : gdb_current_thread();
	uint64_t sig = 0, addr;
	int rc;

	if (with_signal) {
		if (rsp_parse_hex(args, &sig) != 0 || sig > 0xff)
			return GDB_EINVAL;
		if (!rsp_at_end(args) && !rsp_eat(args, ';'))
			return GDB_EINVAL;
	}
	if (!rsp_at_end(args)) {
		if (rsp_parse_hex(args, &addr) != 0 || !rsp_at_end(args))
			return GDB_EINVAL;
		rc = set_pc(tid, addr);
		if (rc != 0)
			return rc;
	}
	how.action[how.count++] = (struct gdb_resume_action){kind, (int)sig, tid};
	if (gdb_sess.c_thread <= 0 && (kind == GDB_RESUME_STEP || sig != 0))
		how.action[how.count++] = (struct gdb_resume_action){GDB_RESUME_CONTINUE, 0, GDB_TID_ALL};
	else if (gdb_sess.c_thread <= 0)
		how.action[0].tid = GDB_TID_ALL;
	gdb_sess.range_active = false;
	return gdb_session_resume(&how);
}

static int cmd_continue(struct rsp_cur *a) { return legacy_resume(a, GDB_RESUME_CONTINUE, false); }
static int cmd_continue_sig(struct rsp_cur *a) { return legacy_resume(a, GDB_RESUME_CONTINUE, true); }
static int cmd_step(struct rsp_cur *a) { return legacy_resume(a, GDB_RESUME_STEP, false); }
static int cmd_step_sig(struct rsp_cur *a) { return legacy_resume(a, GDB_RESUME_STEP, true); }

static int cmd_vcont_query(struct rsp_cur *args) /* vCont? */
{
	(void)args;
	sb_puts(rsp_reply(), "vCont;c;C;s;S;t;r");
	return 0;
}

/* One vCont action: c, Csig, s, Ssig, t or rstart,end, then an optional :thread-id. */
static int parse_vcont_action(struct rsp_cur *args, struct gdb_resume_action *act)
{
	uint64_t sig = 0, start = 0, end = 0;
	bool range = false;
	char k = rsp_at_end(args) ? '\0' : *args->p++;

	if (k == 'c' || k == 'C')
		act->kind = GDB_RESUME_CONTINUE;
	else if (k == 's' || k == 'S' || k == 'r')
		act->kind = GDB_RESUME_STEP;
	else if (k == 't')
		act->kind = GDB_RESUME_STOP;
	else
		return GDB_EINVAL;
	if ((k == 'C' || k == 'S') && (rsp_parse_hex(args, &sig) != 0 || sig > 0xff))
		return GDB_EINVAL;
	if (k == 'r') {
		if (rsp_parse_hex(args, &start) != 0 || !rsp_eat(args, ',') ||
		    rsp_parse_hex(args, &end) != 0)
			return GDB_EINVAL;
		range = true;
	}
	act->signal = (int)sig;
	act->tid = GDB_TID_ALL;
	if (rsp_eat(args, ':') && rsp_parse_tid(args, &act->tid) != 0)
		return GDB_EINVAL;
	if (act->tid == GDB_TID_ANY)
		act->tid = gdb_current_thread();
	if (range && !gdb_sess.range_active) {
		gdb_sess.range_active = true;
		gdb_sess.range_tid = act->tid;
		gdb_sess.range_start = start;
		gdb_sess.range_end = end;
	}
	return 0;
}

static int cmd_vcont(struct rsp_cur *args) /* vCont;action[:tid]... */
{
	struct gdb_resume how = {0};

	gdb_sess.range_active = false;
	while (rsp_eat(args, ';')) {
		if (how.count == GDB_RESUME_MAX ||
		    parse_vcont_action(args, &how.action[how.count++]) != 0) {
			gdb_sess.range_active = false;
			return GDB_EINVAL;
		}
	}
	if (how.count == 0 || !rsp_at_end(args)) {
		gdb_sess.range_active = false;
		return GDB_EINVAL;
	}
	return gdb_session_resume(&how);
}

/* Z/z type,addr,kind[;cond...]: conditions are not offered in qSupported, so ignored. */
static int breakpoint(struct rsp_cur *args, bool insert)
{
	uint64_t type, addr, kind;
	int (*hook)(void *, enum gdb_bp_type, uint64_t, uint64_t);
	int rc;

	if (rsp_parse_hex(args, &type) != 0 || type > GDB_WATCH_ACCESS || !rsp_eat(args, ',') ||
	    rsp_parse_hex(args, &addr) != 0 || !rsp_eat(args, ',') ||
	    rsp_parse_hex(args, &kind) != 0 || (!rsp_at_end(args) && !rsp_eat(args, ';')))
		return GDB_EINVAL;
	if (type >= GDB_WATCH_WRITE && !gdb_arch_watch_len_ok(kind))
		return GDB_EINVAL;
	hook = insert ? gdb_sess.ops->insert_bp : gdb_sess.ops->remove_bp;
	if (hook == NULL)
		return GDB_ENOTSUP;
	rc = hook(gdb_sess.ctx, (enum gdb_bp_type)type, addr, kind);
	if (rc != 0)
		return rc;
	sb_puts(rsp_reply(), "OK");
	return 0;
}

static int cmd_insert_bp(struct rsp_cur *a) { return breakpoint(a, true); }
static int cmd_remove_bp(struct rsp_cur *a) { return breakpoint(a, false); }

/* ---- qXfer ---- */

int gdb_xfer_reply(const char *doc, size_t doc_len, struct rsp_cur *args)
{
	uint64_t off, len;

	if (rsp_parse_hex(args, &off) != 0 || !rsp_eat(args, ',') ||
	    rsp_parse_hex(args, &len) != 0 || !rsp_at_end(args))
		return GDB_EINVAL;
	rsp_put_xfer(rsp_reply(), doc, doc_len, off, len);
	return 0;
}

static int cmd_xfer_features(struct rsp_cur *args) /* qXfer:features:read:annex:off,len */
{
	const char *xml;
	size_t len;

	if (!rsp_eat(args, ':'))
		return GDB_EINVAL;
	if (!rsp_eat_str(args, "target.xml:"))
		return GDB_ENOENT;
	xml = gdb_arch_target_xml(&len);
	if (xml == NULL)
		return GDB_EIO;
	return gdb_xfer_reply(xml, len, args);
}

/* ---- dispatch ---- */

struct gdb_command {
	const char *name;  /* one letter, or a whole word for q, Q and v packets */
	int (*handler)(struct rsp_cur *args);
	bool needs_target; /* refused once the program has exited */
	bool glued;        /* its argument follows the word without a separator */
};

static const struct gdb_command commands[] = {
	{"?", cmd_stop_reason, false, false},
	{"!", cmd_extended, false, false},
	{"c", cmd_continue, true, false},
	{"C", cmd_continue_sig, true, false},
	{"s", cmd_step, true, false},
	{"S", cmd_step_sig, true, false},
	{"D", cmd_detach, false, false},
	{"k", cmd_kill, false, false},
	{"g", gdb_cmd_read_regs, true, false},
	{"G", gdb_cmd_write_regs, true, false},
	{"p", gdb_cmd_read_reg, true, false},
	{"P", gdb_cmd_write_reg, true, false},
	{"m", gdb_cmd_mem_read, true, false},
	{"M", gdb_cmd_mem_write, true, false},
	{"x", gdb_cmd_mem_read_bin, true, false},
	{"X", gdb_cmd_mem_write_bin, true, false},
	{"Z", cmd_insert_bp, true, false},
	{"z", cmd_remove_bp, true, false},
	{"H", gdb_cmd_set_thread, true, false},
	{"T", gdb_cmd_thread_alive, true, false},
	{"qSupported", cmd_supported, false, false},
	{"QStartNoAckMode", cmd_no_ack, false, false},
	{"qAttached", cmd_attached, false, false},
	{"qC", gdb_cmd_current_thread, false, false},
	{"qfThreadInfo", gdb_cmd_thread_first, false, false},
	{"qsThreadInfo", gdb_cmd_thread_next, false, false},
	{"qThreadExtraInfo", gdb_cmd_thread_extra, true, false},
	{"qThreadStopInfo", gdb_cmd_thread_stop_info, true, true},
	{"qXfer:features:read", cmd_xfer_features, false, false},
	{"qXfer:threads:read", gdb_cmd_xfer_threads, false, false},
	{"qRcmd", gdb_cmd_monitor, false, false},
	{"vCont?", cmd_vcont_query, false, false},
	{"vCont", cmd_vcont, true, false},
	{"vKill", cmd_vkill, false, false},
	{"vRun", cmd_run, false, false},
};

/* A word matches when the packet continues with a separator or ends there. */
static bool matches(const struct gdb_command *cmd, const char *p, size_t len)
{
	size_t n = strlen(cmd->name);
	bool word = p[0] == 'q' || p[0] == 'Q' || p[0] == 'v';

	if (!word)
		return n == 1 && p[0] == cmd->name[0];
	if (n == 1 || len < n || memcmp(p, cmd->name, n) != 0)
		return false;
	return len == n || p[n] == ':' || p[n] == ';' || p[n] == ',' || cmd->glued;
}

static const struct gdb_command *lookup(const char *p, size_t len)
{
	if (len == 0)
		return NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (matches(&commands[i], p, len))
			return &commands[i];
	}
	return NULL;
}

void gdb_dispatch(const char *payload, size_t len)
{
	const struct gdb_command *cmd = lookup(payload, len);
	struct rsp_cur args;
	int rc;

	rsp_reply_begin();
	if (cmd == NULL) {
		rc = GDB_ENOTSUP;
	} else if (cmd->needs_target && gdb_sess.state == GDB_STATE_EXITED) {
		rc = GDB_ESRCH;
	} else {
		args.p = payload + strlen(cmd->name);
		args.end = payload + len;
		rc = cmd->handler(&args);
	}
	if (rc == GDB_NOREPLY)
		return;
	if (rc > 0)
		rc = GDB_EIO; /* a hook broke its contract (0 or negative) */
	if (rc == 0 && rsp_reply()->overflow)
		rc = GDB_EIO; /* a handler outgrew the reply: a bug, but never a torn packet */
	if (rc != 0) {
		rsp_reply_begin();
		if (rc != GDB_ENOTSUP) {
			sb_putc(rsp_reply(), 'E');
			sb_put_hex8(rsp_reply(), (uint8_t)(0u - (unsigned int)rc));
		}
	}
	rsp_reply_send();
}
