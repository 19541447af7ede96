/*
 * relay_guest.c: the stub's side of the relay: the debug channel's two rings in guest memory
 * (hermit/abi.h, read and written through gdbstub/debug_ring.h) and the doorbell UART. Bytes for
 * the stub wait here while h2g is full; the stub's packets are cut out of g2h and go to gdb, or
 * to the script that asked for them.
 */
#include <stdio.h>
#include <unistd.h>

#include "gdbstub/debug_ring.h"
#include "relay.h"

struct hermit_debug_channel *relay_channel(struct relay *r)
{
	if (!r->chan && r->gm)
		r->chan = gv_debug_channel(&r->gv);
	return r->chan;
}

/* Moves queued bytes into h2g as room allows, then rings unless the stub polls anyway. */
void relay_flush_h2g(struct relay *r)
{
	size_t moved;

	if (!r->chan || r->h2g_len == 0)
		return;
	moved = debug_ring_put(&r->chan->h2g, r->h2g, r->h2g_len);
	memmove(r->h2g, r->h2g + moved, r->h2g_len - moved);
	r->h2g_len -= moved;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (moved && !__atomic_load_n(&r->chan->guest_polling, __ATOMIC_SEQ_CST) && r->doorbell_fd >= 0) {
		char bell = 1;
		if (write(r->doorbell_fd, &bell, 1) < 0) {
			/* full or gone: a byte is already waiting, or QEMU is ending */
		}
	}
}

void relay_to_guest_raw(struct relay *r, const char *p, size_t n)
{
	if (r->h2g_len + n > sizeof(r->h2g))
		return; /* cannot happen with gdb's packet size; never overflow */
	memcpy(r->h2g + r->h2g_len, p, n);
	r->h2g_len += n;
	relay_flush_h2g(r);
	relay_nmi_arm(r); /* a stub that runs takes them at its doorbell's interrupt, or else by NMI */
}

void relay_to_guest_packet(struct relay *r, const char *payload, size_t len)
{
	char buf[RSP_FRAME_MAX + 4];
	size_t n = relay_frame(buf, sizeof(buf), payload, len);

	relay_to_guest_raw(r, buf, n);
}

/* The stub's packet for gdb: an answer (timed, and learnt by relay_fast.c) or console text. */
static void reply_to_gdb(struct relay *r, const char *payload, size_t len, bool console)
{
	uint64_t in = relay_now_ns();
	bool stop;

	if (console) {
		relay_to_gdb_packet(r, payload, len);
		return;
	}
	relay_stats_guest_in(&r->fast.stats, in);
	stop = relay_fast_reply(r, payload, len);
	relay_to_gdb_packet(r, payload, len);
	relay_stats_to_gdb(&r->fast.stats, in);
	if (stop)
		relay_prefetch_start(r);
}

static void guest_packet(struct relay *r, const char *payload, size_t len)
{
	bool console = len > 0 && payload[0] == 'O' && !relay_is_word(payload, len, "OK");

	if (!console && r->fast.prefetching) {
		relay_prefetch_reply(r, payload, len); /* asked before anything still waiting */
		return;
	}
	/* A stop ends a run; so does any direct answer, which means the resume was refused. */
	if (!console)
		r->guest_running = false;
	if (relay_script_busy(r)) {
		/* Console output while ^C is on its way is not the step's answer. */
		if (!console)
			relay_script_reply(r, payload, len);
		return;
	}
	if (r->client_fd >= 0 && (r->linked || r->detaching))
		reply_to_gdb(r, payload, len, console);
	r->detaching = false;
}

void relay_drain_g2h(struct relay *r)
{
	uint8_t buf[4096];
	long n = 0;

	if (!relay_channel(r))
		return;
	while (r->chan && (n = debug_ring_get(&r->chan->g2h, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++)
			if (rsp_framer_byte(&r->from_guest, buf[i]) == RSP_FRAME_PACKET)
				guest_packet(r, r->from_guest_buf, r->from_guest.len);
	}
	if (n < 0) {
		fprintf(stderr, "hermit: the guest's debug channel is broken; gdb is cut off\n");
		r->chan = NULL;
		r->gm = NULL;
	}
}
