/*
 * gdb_relay.c: HERMIT_DEBUG=1: gdb's TCP connection on one side, the kernel's gdb stub on the
 * other, through the debug channel's rings in guest memory (hermit/abi.h).
 *
 * The proxy holds the listening socket and the connection, so that gdb outlives the guest:
 * after `kill` (vKill) or the app's exit, `run ARGS` (vRun) boots a fresh guest in the same gdb
 * session. Packets pass through unchanged; the proxy answers only what concerns the connection
 * or the VM as a whole:
 *	QStartNoAckMode, !        the link to gdb (acks are handled here; the guest link never acks)
 *	vKill, k, vRun            the VM: the proxy ends QEMU, or asks main.c for a new guest
 *	W, X                      sent to a waiting gdb when the guest exits or crashes
 *	anything, with no guest   a short answer (qSupported, ?, D) or the empty reply
 * Talking to the guest's stub the proxy sometimes sends packets of its own ("scripts"): each
 * guest it meets is first put in no-ack mode; after vRun, '?' gets the new guest's first stop
 * as vRun's answer; a gdb that disconnects without detaching is detached (^C first if the guest
 * runs). relay.h lists the relay's files.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"

/* ---- gdb's packets ---- */

static void decode_run_args(struct relay *r, const char *p, size_t len)
{
	size_t i = 0;

	for (int k = 0; r->run_argv[k]; k++)
		free(r->run_argv[k]);
	memset(r->run_argv, 0, sizeof(r->run_argv));
	r->run_argc = 0;
	while (i < len && p[i] == ';' && r->run_argc < RELAY_RUN_ARGS_MAX) {
		size_t start = ++i, n = 0;
		while (i < len && p[i] != ';')
			i++;
		char *s = malloc((i - start) / 2 + 1);
		if (!s)
			return;
		for (size_t k = start; k + 1 < i; k += 2) {
			unsigned v;
			if (sscanf(p + k, "%2x", &v) != 1)
				break;
			s[n++] = (char)v;
		}
		s[n] = '\0';
		r->run_argv[r->run_argc++] = s;
	}
}

static void local_packet(struct relay *r, const char *p, size_t len)
{
	if (len > 0 && p[0] == '?') {
		if (r->exit_reply[0])
			relay_reply(r, r->exit_reply);
		else
			relay_reply(r, "W00");
	} else if (relay_is_word(p, len, "qSupported")) {
		relay_reply(r, "PacketSize=4000;QStartNoAckMode+;vContSupported+");
	} else if (relay_is_word(p, len, "qAttached")) {
		relay_reply(r, "0");
	} else if (len > 0 && p[0] == 'D') {
		relay_reply(r, "OK");
	} else if (relay_is_word(p, len, "qfThreadInfo")) {
		relay_reply(r, "l");
	} else if (relay_starts(p, len, "qXfer:threads:read:")) {
		relay_reply(r, "l<threads></threads>");
	} else if (relay_starts(p, len, "qXfer:")) {
		relay_reply(r, "E01");
	} else {
		relay_reply(r, "");
	}
}

void relay_gdb_packet(struct relay *r, const char *p, size_t len)
{
	if (relay_is_word(p, len, "QStartNoAckMode")) {
		relay_reply(r, "OK");
		r->gdb_noack = true;
		return;
	}
	if (len == 1 && p[0] == '!') {
		r->extended = true;
		relay_reply(r, "OK");
		return;
	}
	if (relay_is_word(p, len, "vRun")) {
		decode_run_args(r, p + 4, len - 4);
		r->run_requested = true;
		r->run_answer_owed = true;
		if (r->guest)
			r->kill_requested = true;
		return;
	}
	if (relay_is_word(p, len, "vKill") || (len == 1 && p[0] == 'k')) {
		if (r->guest)
			r->kill_requested = true;
		r->exit_reply[0] = '\0';
		snprintf(r->exit_reply, sizeof(r->exit_reply), "X09");
		relay_reply(r, p[0] == 'v' ? "OK" : "X09"); /* gdb ignores an answer to k; lldb waits for one */
		return;
	}
	if (!r->guest || !r->chan) {
		local_packet(r, p, len);
		return;
	}
	if (relay_fast_answer(r, p, len))
		return;
	relay_fast_forwarding(r, p, len);
	bool resume = (len > 0 && strchr("cCsS", p[0])) || relay_starts(p, len, "vCont;");
	if (resume)
		r->guest_running = true;
	if (len > 0 && p[0] == 'D') {
		r->linked = false; /* the stub goes back to ack mode; the next gdb sets it up again */
		r->detaching = true; /* but its OK still goes to gdb */
	}
	relay_to_guest_packet(r, p, len);
}

/* ---- the poll loop's interface ---- */

int relay_listen(struct relay *r, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;

	memset(r, 0, sizeof(*r));
	r->client_fd = r->doorbell_fd = -1;
	rsp_framer_init(&r->from_gdb, r->from_gdb_buf, sizeof(r->from_gdb_buf));
	rsp_framer_init(&r->from_guest, r->from_guest_buf, sizeof(r->from_guest_buf));
	r->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (relay_nmi_init(r) < 0 || r->listen_fd < 0 ||
	    setsockopt(r->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(r->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(r->listen_fd, 1) < 0) {
		fprintf(stderr, "hermit: cannot listen for gdb on 127.0.0.1:%u: %s\n", port,
			strerror(errno));
		return -1;
	}
	return 0;
}

void relay_guest_start(struct relay *r, const struct guestmem *gm, hermit_gpa_t anchor,
		       int doorbell_fd, int qmp_fd)
{
	qmp_init(&r->qmp, qmp_fd);
	r->unread_waiting = false;
	r->gm = gm;
	gv_init(&r->gv, gm, anchor);
	r->doorbell_fd = doorbell_fd;
	r->chan = NULL;
	r->guest = true;
	r->guest_running = false;
	r->kill_requested = false;
	r->run_requested = false;
	r->linked = false;
	r->h2g_len = 0;
	r->script_len = r->script_pos = 0;
	r->exit_reply[0] = '\0';
	rsp_framer_reset(&r->from_guest);
	relay_fast_reset(r, true);
}

int relay_pollfds(struct relay *r, struct pollfd *p)
{
	bool can_read = r->client_fd >= 0 && !relay_script_busy(r) && (!r->guest || r->linked);

	p[0] = (struct pollfd){ .fd = r->client_fd < 0 ? r->listen_fd : -1, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = r->client_fd,
				.events = (short)((can_read ? POLLIN : POLLRDHUP) | (r->out_len ? POLLOUT : 0)) };
	p[2] = (struct pollfd){ .fd = r->guest ? r->doorbell_fd : -1, .events = POLLIN };
	p[3] = (struct pollfd){ .fd = r->nmi_timer_fd, .events = POLLIN };
	return RELAY_POLLFDS;
}

void relay_handle(struct relay *r, const struct pollfd *p)
{
	if (p[2].revents) {
		char bell[256];
		ssize_t n;
		while ((n = read(r->doorbell_fd, bell, sizeof(bell))) > 0)
			;
		if (n == 0)
			r->doorbell_fd = -1; /* QEMU is gone; the loop finds out why */
		relay_drain_g2h(r);
		relay_connect_guest(r);
	}
	relay_flush_h2g(r);
	if (p[3].revents)
		relay_nmi_expired(r);
	if (p[0].revents)
		relay_accept_client(r);
	if (p[1].revents & POLLOUT)
		relay_flush_out(r);
	if (p[1].revents & POLLIN)
		relay_read_client(r);
	else if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
		r->client_gone = true; /* gone before the guest could hear from it */
	if (r->client_gone)
		relay_client_gone(r);
}

bool relay_kill_requested(const struct relay *r)
{
	return r->kill_requested;
}

void relay_guest_ended(struct relay *r, enum vm_end how, int status)
{
	if (r->guest && r->chan)
		relay_drain_g2h(r); /* the stub's last words (a stop reply) before the exit */
	r->guest = false;
	r->chan = NULL;
	r->gm = NULL;
	r->qmp.fd = -1; /* main.c closes it with the guest */
	r->doorbell_fd = -1;
	r->linked = false;
	r->script_len = r->script_pos = 0;
	r->h2g_len = 0;
	relay_fast_reset(r, true);
	if (how == VM_KILLED)
		return; /* gdb asked for it and got its answer */
	if (how == VM_EXITED)
		snprintf(r->exit_reply, sizeof(r->exit_reply), "W%02x", status & 0xff);
	else
		snprintf(r->exit_reply, sizeof(r->exit_reply), "X%02x", how == VM_CRASHED && status == -1 ? 6 : how == VM_SIGNALED ? 9 : 11);
	if (r->guest_running && r->client_fd >= 0)
		relay_reply(r, r->exit_reply);
	r->guest_running = false;
	relay_flush_out(r);
}

enum relay_next relay_idle(struct relay *r, int signal_fd)
{
	struct signalfd_siginfo si;

	while (!r->run_requested && r->client_fd >= 0) {
		struct pollfd p[RELAY_POLLFDS + 1];
		relay_pollfds(r, p);
		p[0].fd = -1; /* one gdb at a time */
		p[RELAY_POLLFDS] = (struct pollfd){ .fd = signal_fd, .events = POLLIN };
		if (poll(p, RELAY_POLLFDS + 1, -1) < 0 && errno != EINTR)
			return RELAY_QUIT;
		if (p[RELAY_POLLFDS].revents) {
			while (read(signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM)
					return RELAY_QUIT;
		}
		relay_handle(r, p);
	}
	if (r->run_requested) {
		r->run_requested = false;
		return RELAY_RUN;
	}
	return RELAY_QUIT;
}

void relay_close(struct relay *r)
{
	relay_flush_out(r);
	relay_close_client(r);
	if (r->listen_fd >= 0)
		close(r->listen_fd);
	r->listen_fd = -1;
	relay_nmi_close(r);
	for (int k = 0; r->run_argv[k]; k++)
		free(r->run_argv[k]);
	free(r->out);
	r->out = NULL;
	relay_fast_reset(r, true);
}
