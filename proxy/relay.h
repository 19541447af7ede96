/*
 * relay.h: what the gdb relay's files share (HERMIT_DEBUG=1; the interface the poll loop sees is
 * gdb_relay.c's section of proxy.h). One concept a file:
 *	gdb_relay.c     gdb's packets: which the proxy answers, which go to the stub; the poll loop
 *	relay_gdb.c     gdb's TCP connection: accepting, reading, acks, the output buffer, hang-ups
 *	relay_guest.c   the stub's side: the debug channel's rings in guest memory and the doorbell
 *	relay_script.c  the proxy's own exchanges with the stub (no-ack set-up, vRun's stop, detach)
 *	relay_fast.c    what the proxy answers itself while the guest is stopped (memory reads)
 *	relay_cache.c   the stub's replies kept until they may have changed
 *	relay_prefetch.c the thread list asked for at each stop, while gdb digests it
 *	relay_monitor.c the proxy's own monitor commands (fastmem, relay-stats)
 *	relay_stats.c   where the time goes: guest, relay, gdb
 * All run on the proxy's one thread; struct relay (proxy.h) is their state.
 */
#ifndef PROXY_RELAY_H
#define PROXY_RELAY_H

#include <string.h>

#include "proxy.h"

static inline bool relay_starts(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(p, word, n) == 0;
}

/* The packet is word, alone or followed by one of gdb's separators. */
static inline bool relay_is_word(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	return relay_starts(p, len, word) && (len == n || p[n] == ';' || p[n] == ':' || p[n] == ',');
}

/* "$payload#cs" into out; the length, or 0 when it does not fit in cap. */
static inline size_t relay_frame(char *out, size_t cap, const char *payload, size_t len)
{
	if (cap < len + 4)
		return 0;
	memcpy(out + 1, payload, len);
	return rsp_frame_wrap(out, len);
}

/* ---- gdb_relay.c ---- */

/* A whole packet from gdb (already acked). */
void relay_gdb_packet(struct relay *r, const char *p, size_t len);

/* ---- relay_gdb.c ---- */

void relay_to_gdb_raw(struct relay *r, const char *p, size_t n);
/* A packet to gdb, kept for a retransmission after gdb's '-'. */
void relay_to_gdb_packet(struct relay *r, const char *payload, size_t len);
void relay_reply(struct relay *r, const char *text);
void relay_flush_out(struct relay *r);
void relay_read_client(struct relay *r);
void relay_accept_client(struct relay *r);
void relay_close_client(struct relay *r);
/* gdb went away without detaching: detach for it, so the guest runs on. */
void relay_client_gone(struct relay *r);

/* ---- relay_guest.c ---- */

/* The guest's channel, once the kernel made it ready; NULL before and when it is broken. */
struct hermit_debug_channel *relay_channel(struct relay *r);
void relay_flush_h2g(struct relay *r);
void relay_to_guest_raw(struct relay *r, const char *p, size_t n);
void relay_to_guest_packet(struct relay *r, const char *payload, size_t len);
/* Takes what the stub wrote into g2h and handles each packet in it. */
void relay_drain_g2h(struct relay *r);

/* ---- relay_nmi.c ---- */

int relay_nmi_init(struct relay *r);
void relay_nmi_close(struct relay *r);
/* Bytes went to a stub that runs: if they are still unread a moment later, every guest CPU gets an
 * NMI. Nothing when the stub holds the guest stopped (it reads the ring itself). */
void relay_nmi_arm(struct relay *r);
/* The timer fired (nmi_timer_fd readable). */
void relay_nmi_expired(struct relay *r);

/* ---- relay_script.c ---- */

void relay_script_add(struct relay *r, const char *packet, bool forward);
bool relay_script_busy(const struct relay *r);
void relay_script_start(struct relay *r);
/* The stub's reply to the current step arrived. */
void relay_script_reply(struct relay *r, const char *payload, size_t len);
/* gdb and a ready guest meet: no acks on the guest link, and vRun's answer if one is owed. */
void relay_connect_guest(struct relay *r);

/* ---- relay_fast.c ---- */

/* gdb's packet p was answered here (true), or must go to the stub. */
bool relay_fast_answer(struct relay *r, const char *p, size_t len);
/* The stub holds the guest stopped, as gdb knows it, and no packet of gdb's is under way. */
bool relay_fast_stopped(const struct relay *r);
/* p goes to the stub now / the stub's reply p goes to gdb now. */
void relay_fast_forwarding(struct relay *r, const char *p, size_t len);
/* True when p is a stop reply. */
bool relay_fast_reply(struct relay *r, const char *p, size_t len);
/* gdb or the guest is gone (new_guest: the guest, whose every cached reply goes). */
void relay_fast_reset(struct relay *r, bool new_guest);

/* ---- relay_cache.c ---- */

/* The reply kept for packet p / under key. */
const struct relay_cached *relay_cache_find(const struct relay_fast *f, const char *p, size_t len);
const struct relay_cached *relay_cache_get(const struct relay_fast *f, const char *key, size_t n);
void relay_cache_put(struct relay_fast *f, const char *key, size_t key_len, const char *reply,
		     size_t reply_len, bool guest_long);
/* Drops the stop's replies (and the guest's with guest_too). */
void relay_cache_clear(struct relay_fast *f, bool guest_too);
/* p goes to the stub: drops what it may change, remembers what its reply will answer. */
void relay_cache_asking(struct relay_fast *f, const char *p, size_t len);
/* The stub's reply to that packet. */
void relay_cache_answered(struct relay_fast *f, const char *p, size_t len);

/* ---- relay_prefetch.c ---- */

/* A stop reply went to gdb: ask the stub for the thread list gdb is going to ask for. */
void relay_prefetch_start(struct relay *r);
/* gdb's qXfer:threads: answered (or held until the list comes) when true. */
bool relay_prefetch_answer(struct relay *r, const char *p, size_t len);
/* The stub's reply to the prefetch. */
void relay_prefetch_reply(struct relay *r, const char *p, size_t len);

/* ---- relay_monitor.c ---- */

/* qRcmd: true when it was one of the proxy's commands, answered. */
bool relay_monitor(struct relay *r, const char *p, size_t len);

/* ---- relay_stats.c ---- */

uint64_t relay_now_ns(void);
/* gdb's packet came in at now / was handled (passed to the stub, or answered here). */
void relay_stats_gdb_in(struct relay_stats *s, uint64_t now);
void relay_stats_handled(struct relay_stats *s, uint64_t since, bool to_guest);
/* The stub's reply came in at now / went on to gdb. */
void relay_stats_guest_in(struct relay_stats *s, uint64_t now);
void relay_stats_to_gdb(struct relay_stats *s, uint64_t since);
/* The figures as lines of text; the length. */
size_t relay_stats_text(const struct relay_stats *s, char *out, size_t cap);

#endif
