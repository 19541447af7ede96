/*
 * relay_gdb.c: gdb's side of the relay: the TCP connection (one gdb at a time), gdb's acks (the
 * guest link never acks), the bytes waiting for a gdb that reads slowly, and a gdb that hangs up.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"

#define OUT_MAX (256 * MIB) /* bytes waiting for a gdb that does not read: then it is dropped */

void relay_close_client(struct relay *r)
{
	if (r->client_fd >= 0)
		close(r->client_fd);
	r->client_fd = -1;
	r->out_len = 0;
	r->gdb_noack = false;
	r->last_len = 0;
	rsp_framer_reset(&r->from_gdb);
}

void relay_flush_out(struct relay *r)
{
	while (r->client_fd >= 0 && r->out_len > 0) {
		ssize_t n = send(r->client_fd, r->out, r->out_len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			r->client_gone = true;
			return;
		}
		memmove(r->out, r->out + n, r->out_len - (size_t)n);
		r->out_len -= (size_t)n;
	}
}

void relay_to_gdb_raw(struct relay *r, const char *p, size_t n)
{
	if (r->client_fd < 0)
		return;
	if (r->out_len + n > r->out_cap) {
		size_t cap = r->out_cap ? r->out_cap : 65536;
		while (cap < r->out_len + n)
			cap *= 2;
		char *b = cap <= OUT_MAX ? realloc(r->out, cap) : NULL;
		if (!b) {
			r->client_gone = true;
			return;
		}
		r->out = b;
		r->out_cap = cap;
	}
	memcpy(r->out + r->out_len, p, n);
	r->out_len += n;
	relay_flush_out(r);
}

void relay_to_gdb_packet(struct relay *r, const char *payload, size_t len)
{
	size_t n = relay_frame(r->last, sizeof(r->last), payload, len);

	r->last_len = n;
	relay_to_gdb_raw(r, r->last, n);
}

void relay_reply(struct relay *r, const char *text)
{
	relay_to_gdb_packet(r, text, strlen(text));
}

/* A whole packet from gdb, timed for relay_stats.c. */
static void gdb_packet(struct relay *r)
{
	struct relay_stats *s = &r->fast.stats;
	uint64_t in = relay_now_ns();

	relay_stats_gdb_in(s, in);
	s->relayed = false;
	relay_gdb_packet(r, r->from_gdb_buf, r->from_gdb.len);
	relay_stats_handled(s, in, s->relayed);
}

void relay_read_client(struct relay *r)
{
	char buf[65536];
	ssize_t n = recv(r->client_fd, buf, sizeof(buf), 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		r->client_gone = true;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		switch (rsp_framer_byte(&r->from_gdb, (uint8_t)buf[i])) {
		case RSP_FRAME_PACKET:
			if (!r->gdb_noack)
				relay_to_gdb_raw(r, "+", 1);
			gdb_packet(r);
			break;
		case RSP_FRAME_BAD:
			if (!r->gdb_noack)
				relay_to_gdb_raw(r, "-", 1);
			break;
		case RSP_FRAME_NAK:
			if (r->last_len)
				relay_to_gdb_raw(r, r->last, r->last_len);
			break;
		case RSP_FRAME_INTERRUPT:
			if (r->guest && r->chan)
				relay_to_guest_raw(r, "\x03", 1);
			break;
		default:
			break;
		}
	}
}

void relay_client_gone(struct relay *r)
{
	bool was_linked = r->linked;

	relay_close_client(r);
	relay_fast_reset(r, false);
	r->client_gone = false;
	r->extended = false;
	r->linked = false;
	if (!r->guest || !r->chan || !was_linked)
		return;
	r->script_len = r->script_pos = 0;
	if (r->guest_running)
		relay_script_add(r, "\x03", false);
	relay_script_add(r, "D", false);
	r->guest_running = false;
	relay_script_start(r);
}

void relay_accept_client(struct relay *r)
{
	int one = 1;
	int fd = accept4(r->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r->client_fd = fd;
	rsp_framer_reset(&r->from_gdb);
	relay_connect_guest(r);
}
