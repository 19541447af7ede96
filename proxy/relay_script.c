/*
 * relay_script.c: the proxy's own exchanges with the stub ("scripts"). Each guest it meets is
 * first put in no-ack mode; after vRun, '?' gets the new guest's first stop as vRun's answer; a
 * gdb that disconnects without detaching is detached (^C first if the guest runs). While a script
 * runs, gdb's input waits in its socket (relay_pollfds does not ask for it).
 */
#include "relay.h"

void relay_script_add(struct relay *r, const char *packet, bool forward)
{
	if (r->script_len < RELAY_SCRIPT_MAX)
		r->script[r->script_len++] = (struct relay_step){ packet, forward };
}

bool relay_script_busy(const struct relay *r)
{
	return r->script_pos < r->script_len;
}

static void script_send(struct relay *r)
{
	const char *p;

	if (!relay_script_busy(r) || !r->chan)
		return;
	p = r->script[r->script_pos].packet;
	if (p[0] == '\x03')
		relay_to_guest_raw(r, p, 1);
	else
		relay_to_guest_packet(r, p, strlen(p));
}

void relay_script_start(struct relay *r)
{
	r->script_pos = 0;
	script_send(r);
}

void relay_script_reply(struct relay *r, const char *payload, size_t len)
{
	if (r->script[r->script_pos].forward) {
		(void)relay_fast_reply(r, payload, len);
		relay_to_gdb_packet(r, payload, len);
	}
	r->script_pos++;
	if (!relay_script_busy(r))
		r->script_len = r->script_pos = 0;
	else
		script_send(r);
}

void relay_connect_guest(struct relay *r)
{
	if (r->client_fd < 0 || !relay_channel(r) || relay_script_busy(r) || r->linked)
		return;
	r->linked = true;
	r->script_len = r->script_pos = 0;
	relay_script_add(r, "QStartNoAckMode", false);
	if (r->run_answer_owed) {
		r->run_answer_owed = false;
		relay_script_add(r, "?", true);
	}
	relay_script_start(r);
}
