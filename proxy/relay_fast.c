/*
 * relay_fast.c: what the relay answers itself while the kernel's stub holds the guest stopped,
 * without a round trip through the guest (TCG runs the stub's code some ten times slower than
 * the host would, and every packet costs a doorbell each way).
 *
 * Memory reads (m, x) come straight from guest RAM, which the proxy shares with QEMU: the range is
 * walked through the guest's page tables as the stub walks it (guestwalk.c), so the same pages
 * are readable and the same error comes back for the rest, and the stub's int3s are shown as the
 * bytes they replaced, read from the stub's own breakpoint table (hermit/abi.h) as bp_hide() does.
 * The table rather than the Z and z packets the relay sees: the stub may refuse a Z, drops every
 * breakpoint when gdb goes away, and knows the saved bytes; its table is the one truth. While it
 * holds the guest stopped, the int3s are lifted anyway; hiding them still matters for the same
 * answer in every case the stub gives it.
 * Writes (M, X) always go to the stub: text is written with CR0.WP off, an int3 in the way keeps
 * the new byte as its saved one, and TCG must see code change under it (it retranslates when the
 * guest's CPU writes, not when the proxy does).
 * Packets whose answer cannot change while the guest stays stopped are answered from the replies
 * of the stub that the relay kept (relay_cache.c).
 *
 * "Stopped" is two things that must agree: the relay forwarded a stop reply (T, S) to gdb and
 * no resume since, and the stub says so in the channel (stopped, with the same stop_seq). No
 * packet of gdb's may be with the stub either, so that replies reach gdb in order.
 */
#include "gdbstub/rsp_text.h"
#include "relay.h"

static bool is_resume(const char *p, size_t len)
{
	return (len > 0 && strchr("cCsS", p[0])) || relay_starts(p, len, "vCont;");
}

static bool is_stop_reply(const char *p, size_t len)
{
	return len >= 3 && (p[0] == 'T' || p[0] == 'S') && rsp_hex_value(p[1]) >= 0 &&
	       rsp_hex_value(p[2]) >= 0;
}

/* Nothing of gdb's is under way with the stub, and the guest is still there. */
static bool relay_idle_link(const struct relay *r)
{
	return r->guest && r->chan && r->linked && !r->fast.awaiting && !relay_script_busy(r) &&
	       r->h2g_len == 0;
}

bool relay_fast_stopped(const struct relay *r)
{
	return relay_idle_link(r) && r->fast.stopped &&
	       __atomic_load_n(&r->chan->stopped, __ATOMIC_ACQUIRE) == 1 &&
	       __atomic_load_n(&r->chan->stop_seq, __ATOMIC_RELAXED) == r->fast.seq;
}

/* The stub's clamp (gdb_memory.c): to the top of the address space and to GDB_MEM_READ_MAX. */
static uint64_t clamp_read(uint64_t addr, uint64_t len)
{
	uint64_t to_top = addr == 0 ? UINT64_MAX : 0 - addr;

	if (len > to_top)
		len = to_top;
	return len > GDB_MEM_READ_MAX ? GDB_MEM_READ_MAX : len;
}

/* The stub's bp_hide(): the bytes the int3s replaced, in place of the int3s. */
static void hide_int3s(const struct hermit_debug_breaks *t, uint64_t addr, uint8_t *buf, size_t len)
{
	for (unsigned i = 0; i < HERMIT_DEBUG_BREAKS_MAX; i++)
		if (t->bp[i].used && t->bp[i].addr >= addr && t->bp[i].addr - addr < len)
			buf[t->bp[i].addr - addr] = t->bp[i].saved;
}

/* m addr,len or x addr,len from guest memory; false leaves it to the stub (odd requests, memory
 * the proxy cannot read as the guest's CPU would, a broken breakpoint table). */
static bool answer_read(struct relay *r, const char *p, size_t len)
{
	static uint8_t data[GDB_MEM_READ_MAX];
	static char reply[GDB_PACKET_MAX], text[GDB_PACKET_MAX];
	struct rsp_cur c = { p + 1, p + len };
	struct hermit_debug_breaks bps;
	struct gdb_sbuf sb, hex;
	enum gw_result why;
	uint64_t addr, want;
	long n;

	if (rsp_parse_hex(&c, &addr) != 0 || !rsp_eat(&c, ',') || rsp_parse_hex(&c, &want) != 0 ||
	    !rsp_at_end(&c))
		return false;
	want = clamp_read(addr, want);
	if (want == 0 || !gv_debug_breaks(&r->gv, r->chan, &bps))
		return false;
	n = gw_read(r->gm, __atomic_load_n(&r->chan->page_table, __ATOMIC_RELAXED), addr, data,
		    (size_t)want, &why);
	if (why == GW_NOT_RAM)
		return false;
	sb_init(&sb, reply, sizeof(reply));
	if (n < 0) {
		sb_puts(&sb, "E0e"); /* GDB_EFAULT, as the stub answers */
	} else if (p[0] == 'm') {
		hide_int3s(&bps, addr, data, (size_t)n);
		sb_init(&hex, text, sizeof(text));
		sb_put_hex_bytes(&hex, data, (size_t)n);
		sb_put_rle(&sb, text, hex.len); /* gdb's time goes into reading each character */
	} else {
		hide_int3s(&bps, addr, data, (size_t)n);
		sb_putc(&sb, 'b');
		sb_put_binary(&sb, data, (size_t)n);
	}
	relay_to_gdb_packet(r, reply, sb.len);
	return true;
}

bool relay_fast_answer(struct relay *r, const char *p, size_t len)
{
	const struct relay_cached *c;

	if (relay_starts(p, len, "qRcmd,"))
		return relay_monitor(r, p, len);
	if (r->fast.off || !relay_idle_link(r))
		return false;
	if (len > 0 && (p[0] == 'm' || p[0] == 'x'))
		return relay_fast_stopped(r) && answer_read(r, p, len);
	if (relay_prefetch_answer(r, p, len))
		return true;
	c = relay_cache_find(&r->fast, p, len);
	if (!c || (!c->per_guest && !relay_fast_stopped(r)))
		return false;
	relay_to_gdb_packet(r, c->reply, c->reply_len);
	return true;
}

void relay_fast_forwarding(struct relay *r, const char *p, size_t len)
{
	struct relay_fast *f = &r->fast;

	f->awaiting = true;
	f->stats.to_guest++;
	f->stats.relayed = true;
	if (is_resume(p, len) || (len > 0 && p[0] == 'D')) {
		f->stopped = false;
		f->hg[0] = '\0'; /* the stop that ends the run makes its thread gdb's again */
	}
	relay_cache_asking(f, p, len);
}

bool relay_fast_reply(struct relay *r, const char *p, size_t len)
{
	struct relay_fast *f = &r->fast;

	f->awaiting = false;
	if (is_stop_reply(p, len) || (len > 0 && (p[0] == 'W' || p[0] == 'X')))
		f->asked_len = 0;
	if (is_stop_reply(p, len)) {
		f->stopped = true;
		f->seq = r->chan ? __atomic_load_n(&r->chan->stop_seq, __ATOMIC_ACQUIRE) : 0;
		relay_cache_clear(f, false);
		relay_cache_put(f, "?", 1, p, len, false);
	} else if (len > 0 && (p[0] == 'W' || p[0] == 'X')) {
		f->stopped = false;
		relay_cache_clear(f, false);
	} else {
		relay_cache_answered(f, p, len);
	}
	return f->stopped && is_stop_reply(p, len);
}

void relay_fast_reset(struct relay *r, bool new_guest)
{
	struct relay_fast *f = &r->fast;

	f->stopped = false;
	f->awaiting = false;
	f->asked_len = 0;
	f->held_len = 0;
	f->hg[0] = '\0';
	if (new_guest)
		f->prefetching = false; /* else the stub's reply is still to come, and not gdb's */
	relay_cache_clear(f, new_guest);
}
