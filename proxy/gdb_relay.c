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
 * runs). While a script runs, gdb's input waits in its socket.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbstub/debug_ring.h"
#include "proxy.h"

#define OUT_MAX (256 * MIB) /* bytes waiting for a gdb that does not read: then it is dropped */

static bool starts(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(p, word, n) == 0;
}

static bool is_word(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	return starts(p, len, word) && (len == n || p[n] == ';' || p[n] == ':' || p[n] == ',');
}

/* ---- the gdb side ---- */

static void close_client(struct relay *r)
{
	if (r->client_fd >= 0)
		close(r->client_fd);
	r->client_fd = -1;
	r->out_len = 0;
	r->gdb_noack = false;
	r->last_len = 0;
	rsp_framer_reset(&r->from_gdb);
}

static void flush_out(struct relay *r)
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

static void to_gdb_raw(struct relay *r, const char *p, size_t n)
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
	flush_out(r);
}

/* "$payload#cs" into out; the length, or 0 when it does not fit in cap. */
static size_t frame(char *out, size_t cap, const char *payload, size_t len)
{
	if (cap < len + 4)
		return 0;
	memcpy(out + 1, payload, len);
	return rsp_frame_wrap(out, len);
}

static void to_gdb_packet(struct relay *r, const char *payload, size_t len)
{
	size_t n = frame(r->last, sizeof(r->last), payload, len);

	r->last_len = n;
	to_gdb_raw(r, r->last, n);
}

static void reply(struct relay *r, const char *text)
{
	to_gdb_packet(r, text, strlen(text));
}

/* ---- the guest side ---- */

/* The guest's channel, once the kernel made it ready; NULL before and when it is broken. */
static struct hermit_debug_channel *channel(struct relay *r)
{
	if (!r->chan && r->gm)
		r->chan = gv_debug_channel(&r->gv);
	return r->chan;
}

/* Moves queued bytes into h2g as room allows, then rings unless the stub polls anyway. */
static void flush_h2g(struct relay *r)
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

static void to_guest_raw(struct relay *r, const char *p, size_t n)
{
	if (r->h2g_len + n > sizeof(r->h2g))
		return; /* cannot happen with gdb's packet size; never overflow */
	memcpy(r->h2g + r->h2g_len, p, n);
	r->h2g_len += n;
	flush_h2g(r);
}

static void to_guest_packet(struct relay *r, const char *payload, size_t len)
{
	char buf[RSP_FRAME_MAX + 4];
	size_t n = frame(buf, sizeof(buf), payload, len);

	to_guest_raw(r, buf, n);
}

/* ---- scripts: the proxy's own exchanges with the stub ---- */

static void script_add(struct relay *r, const char *packet, bool forward)
{
	if (r->script_len < RELAY_SCRIPT_MAX)
		r->script[r->script_len++] = (struct relay_step){ packet, forward };
}

static bool script_busy(const struct relay *r)
{
	return r->script_pos < r->script_len;
}

static void script_send(struct relay *r)
{
	const char *p;

	if (!script_busy(r) || !r->chan)
		return;
	p = r->script[r->script_pos].packet;
	if (p[0] == '\x03')
		to_guest_raw(r, p, 1);
	else
		to_guest_packet(r, p, strlen(p));
}

static void script_start(struct relay *r)
{
	r->script_pos = 0;
	script_send(r);
}

/* The guest's reply to the current step arrived. */
static void script_reply(struct relay *r, const char *payload, size_t len)
{
	if (r->script[r->script_pos].forward)
		to_gdb_packet(r, payload, len);
	r->script_pos++;
	if (!script_busy(r))
		r->script_len = r->script_pos = 0;
	else
		script_send(r);
}

/* gdb and a ready guest meet: no acks on the guest link, and vRun's answer if one is owed. */
static void connect_guest(struct relay *r)
{
	if (r->client_fd < 0 || !channel(r) || script_busy(r) || r->linked)
		return;
	r->linked = true;
	r->script_len = r->script_pos = 0;
	script_add(r, "QStartNoAckMode", false);
	if (r->run_answer_owed) {
		r->run_answer_owed = false;
		script_add(r, "?", true);
	}
	script_start(r);
}

static void guest_packet(struct relay *r, const char *payload, size_t len)
{
	bool console = len > 0 && payload[0] == 'O' && !is_word(payload, len, "OK");

	/* A stop ends a run; so does any direct answer, which means the resume was refused. */
	if (!console)
		r->guest_running = false;
	if (script_busy(r)) {
		/* Console output while ^C is on its way is not the step's answer. */
		if (!console)
			script_reply(r, payload, len);
		return;
	}
	if (r->client_fd >= 0 && (r->linked || r->detaching))
		to_gdb_packet(r, payload, len);
	r->detaching = false;
}

/* Takes what the stub wrote into g2h. */
static void drain_g2h(struct relay *r)
{
	uint8_t buf[4096];
	long n = 0;

	if (!channel(r))
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
			reply(r, r->exit_reply);
		else
			reply(r, "W00");
	} else if (is_word(p, len, "qSupported")) {
		reply(r, "PacketSize=4000;QStartNoAckMode+;vContSupported+");
	} else if (is_word(p, len, "qAttached")) {
		reply(r, "0");
	} else if (len > 0 && p[0] == 'D') {
		reply(r, "OK");
	} else if (is_word(p, len, "qfThreadInfo")) {
		reply(r, "l");
	} else if (starts(p, len, "qXfer:threads:read:")) {
		reply(r, "l<threads></threads>");
	} else if (starts(p, len, "qXfer:")) {
		reply(r, "E01");
	} else {
		reply(r, "");
	}
}

static void gdb_packet(struct relay *r, const char *p, size_t len)
{
	if (is_word(p, len, "QStartNoAckMode")) {
		reply(r, "OK");
		r->gdb_noack = true;
		return;
	}
	if (len == 1 && p[0] == '!') {
		r->extended = true;
		reply(r, "OK");
		return;
	}
	if (is_word(p, len, "vRun")) {
		decode_run_args(r, p + 4, len - 4);
		r->run_requested = true;
		r->run_answer_owed = true;
		if (r->guest)
			r->kill_requested = true;
		return;
	}
	if (is_word(p, len, "vKill") || (len == 1 && p[0] == 'k')) {
		if (r->guest)
			r->kill_requested = true;
		r->exit_reply[0] = '\0';
		snprintf(r->exit_reply, sizeof(r->exit_reply), "X09");
		reply(r, p[0] == 'v' ? "OK" : "X09"); /* gdb ignores an answer to k; lldb waits for one */
		return;
	}
	if (!r->guest || !r->chan) {
		local_packet(r, p, len);
		return;
	}
	bool resume = (len > 0 && strchr("cCsS", p[0])) || starts(p, len, "vCont;");
	if (resume)
		r->guest_running = true;
	if (len > 0 && p[0] == 'D') {
		r->linked = false; /* the stub goes back to ack mode; the next gdb sets it up again */
		r->detaching = true; /* but its OK still goes to gdb */
	}
	to_guest_packet(r, p, len);
}

static void read_client(struct relay *r)
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
				to_gdb_raw(r, "+", 1);
			gdb_packet(r, r->from_gdb_buf, r->from_gdb.len);
			break;
		case RSP_FRAME_BAD:
			if (!r->gdb_noack)
				to_gdb_raw(r, "-", 1);
			break;
		case RSP_FRAME_NAK:
			if (r->last_len)
				to_gdb_raw(r, r->last, r->last_len);
			break;
		case RSP_FRAME_INTERRUPT:
			if (r->guest && r->chan)
				to_guest_raw(r, "\x03", 1);
			break;
		default:
			break;
		}
	}
}

/* gdb went away without detaching: detach for it, so the guest runs on. */
static void client_gone(struct relay *r)
{
	bool was_linked = r->linked;

	close_client(r);
	r->client_gone = false;
	r->extended = false;
	r->linked = false;
	if (!r->guest || !r->chan || !was_linked)
		return;
	r->script_len = r->script_pos = 0;
	if (r->guest_running)
		script_add(r, "\x03", false);
	script_add(r, "D", false);
	r->guest_running = false;
	script_start(r);
}

static void accept_client(struct relay *r)
{
	int one = 1;
	int fd = accept4(r->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r->client_fd = fd;
	rsp_framer_reset(&r->from_gdb);
	connect_guest(r);
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
	if (r->listen_fd < 0 ||
	    setsockopt(r->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(r->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(r->listen_fd, 1) < 0) {
		fprintf(stderr, "hermit: cannot listen for gdb on 127.0.0.1:%u: %s\n", port,
			strerror(errno));
		return -1;
	}
	return 0;
}

void relay_guest_start(struct relay *r, const struct guestmem *gm, hermit_gpa_t anchor,
		       int doorbell_fd)
{
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
}

int relay_pollfds(struct relay *r, struct pollfd *p)
{
	bool can_read = r->client_fd >= 0 && !script_busy(r) && (!r->guest || r->linked);

	p[0] = (struct pollfd){ .fd = r->client_fd < 0 ? r->listen_fd : -1, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = r->client_fd,
				.events = (short)((can_read ? POLLIN : POLLRDHUP) | (r->out_len ? POLLOUT : 0)) };
	p[2] = (struct pollfd){ .fd = r->guest ? r->doorbell_fd : -1, .events = POLLIN };
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
		drain_g2h(r);
		connect_guest(r);
	}
	flush_h2g(r);
	if (p[0].revents)
		accept_client(r);
	if (p[1].revents & POLLOUT)
		flush_out(r);
	if (p[1].revents & POLLIN)
		read_client(r);
	else if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
		r->client_gone = true; /* gone before the guest could hear from it */
	if (r->client_gone)
		client_gone(r);
}

bool relay_kill_requested(const struct relay *r)
{
	return r->kill_requested;
}

void relay_guest_ended(struct relay *r, enum vm_end how, int status)
{
	if (r->guest && r->chan)
		drain_g2h(r); /* the stub's last words (a stop reply) before the exit */
	r->guest = false;
	r->chan = NULL;
	r->gm = NULL;
	r->doorbell_fd = -1;
	r->linked = false;
	r->script_len = r->script_pos = 0;
	r->h2g_len = 0;
	if (how == VM_KILLED)
		return; /* gdb asked for it and got its answer */
	if (how == VM_EXITED)
		snprintf(r->exit_reply, sizeof(r->exit_reply), "W%02x", status & 0xff);
	else
		snprintf(r->exit_reply, sizeof(r->exit_reply), "X%02x", how == VM_CRASHED && status == -1 ? 6 : how == VM_SIGNALED ? 9 : 11);
	if (r->guest_running && r->client_fd >= 0)
		reply(r, r->exit_reply);
	r->guest_running = false;
	flush_out(r);
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
	flush_out(r);
	close_client(r);
	if (r->listen_fd >= 0)
		close(r->listen_fd);
	r->listen_fd = -1;
	for (int k = 0; r->run_argv[k]; k++)
		free(r->run_argv[k]);
	free(r->out);
	r->out = NULL;
}
