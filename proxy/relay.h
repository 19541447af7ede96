/*
 * relay.h: what the gdb relay's files share (HERMIT_DEBUG=1; the interface the poll loop sees is
 * gdb_relay.c's section of proxy.h). One concept a file:
 *	gdb_relay.c     gdb's packets: which the proxy answers, which go to the stub; the poll loop
 *	relay_gdb.c     gdb's TCP connection: accepting, reading, acks, the output buffer, hang-ups
 *	relay_guest.c   the stub's side: the debug channel's rings in guest memory and the doorbell
 *	relay_script.c  the proxy's own exchanges with the stub (no-ack set-up, vRun's stop, detach)
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

/* ---- relay_script.c ---- */

void relay_script_add(struct relay *r, const char *packet, bool forward);
bool relay_script_busy(const struct relay *r);
void relay_script_start(struct relay *r);
/* The stub's reply to the current step arrived. */
void relay_script_reply(struct relay *r, const char *payload, size_t len);
/* gdb and a ready guest meet: no acks on the guest link, and vRun's answer if one is owed. */
void relay_connect_guest(struct relay *r);

#endif
