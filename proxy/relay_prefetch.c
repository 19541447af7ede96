/*
 * relay_prefetch.c: after every stop it reports, gdb digests the stop reply, reads the stack
 * around it and then asks for the thread list (qXfer:threads). The relay asks the stub for the
 * whole list as soon as it has passed the stop reply on, so that the stub builds it under TCG
 * while gdb works; gdb's own request is then answered from it, or waits for it when gdb is the
 * quicker. The list is one of the stop's kept replies (relay_cache.c), under a key no packet
 * has, and is served a piece at a time as the stub serves its snapshot.
 * The stub answers in order, so its next reply is the list: guest_packet() gives it here first.
 * A list that went stale on its way (a resume, a write) is dropped, as is one too long for one
 * reply; gdb's request then goes to the stub.
 */
#include "gdbstub/rsp_text.h"
#include "relay.h"

#define THREADS "qXfer:threads:read::"
#define ASK THREADS "0,3ffe" /* the longest the stub's reply holds: the whole list, usually */

void relay_prefetch_start(struct relay *r)
{
	struct relay_fast *f = &r->fast;

	if (f->off || !f->stopped || f->prefetching || !r->linked || relay_script_busy(r) || !r->chan)
		return;
	f->prefetching = true;
	f->prefetch_gen = f->gen;
	f->stats.prefetched++;
	relay_to_guest_packet(r, ASK, strlen(ASK));
}

/* qXfer:threads:read::off,len from the prefetched list; false when there is none. */
static bool answer(struct relay *r, const char *p, size_t len)
{
	static char reply[GDB_PACKET_MAX];
	const struct relay_cached *doc = relay_cache_get(&r->fast, THREADS, strlen(THREADS));
	struct rsp_cur c = { p + strlen(THREADS), p + len };
	struct gdb_sbuf sb;
	uint64_t off, n;

	if (!doc || !relay_fast_stopped(r) || rsp_parse_hex(&c, &off) != 0 || !rsp_eat(&c, ',') ||
	    rsp_parse_hex(&c, &n) != 0 || !rsp_at_end(&c))
		return false;
	sb_init(&sb, reply, sizeof(reply));
	rsp_put_xfer(&sb, doc->reply, doc->reply_len, off, n);
	relay_to_gdb_packet(r, reply, sb.len);
	return true;
}

bool relay_prefetch_answer(struct relay *r, const char *p, size_t len)
{
	struct relay_fast *f = &r->fast;

	if (!relay_starts(p, len, THREADS))
		return false;
	if (!f->prefetching)
		return answer(r, p, len);
	if (len > sizeof(f->held))
		return false;
	memcpy(f->held, p, len);
	f->held_len = len;
	f->stats.relayed = true; /* it waits on the stub: the guest's clock runs */
	return true;
}

void relay_prefetch_reply(struct relay *r, const char *p, size_t len)
{
	static char doc[GDB_PACKET_MAX];
	struct relay_fast *f = &r->fast;
	struct rsp_cur c = { p + 1, p + len };
	char held[RELAY_ASKED_MAX];
	size_t n = f->held_len;
	uint64_t in = relay_now_ns();
	int got;

	f->prefetching = false;
	if (len > 0 && p[0] == 'l' && f->stopped && f->gen == f->prefetch_gen &&
	    (got = rsp_parse_binary(&c, doc, sizeof(doc))) >= 0)
		relay_cache_put(f, THREADS, strlen(THREADS), doc, (size_t)got, false);
	if (!n)
		return;
	f->held_len = 0;
	memcpy(held, f->held, n);
	if (!answer(r, held, n)) {
		relay_fast_forwarding(r, held, n);
		relay_to_guest_packet(r, held, n);
		return;
	}
	relay_stats_guest_in(&f->stats, in);
	f->stats.answered++;
	relay_stats_to_gdb(&f->stats, in);
}
