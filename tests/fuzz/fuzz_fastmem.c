/*
 * fuzz_fastmem.c: the relay's fast path (relay_fast.c, guestwalk.c, relay_cache.c) on a guest
 * the stub holds stopped, whose channel, page tables and breakpoint table the input corrupts.
 * The input's first byte n says how many of the next bytes are one packet of gdb's (without
 * its framing), sent after a fixed set of reads over the template's pages; the rest patches
 * the guest image (fuzz_guest.h). The stub's side is played here: its answer to the relay's
 * no-ack set-up, a stop reply, and the thread list the relay then asks for.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_guest.h"
#include "gdbstub/debug_ring.h"

/* In this order: the stub answers nothing more, so what goes to it (memory the proxy cannot
 * read, g) ends the fast path's part. */
static const char *const reads[] = {
	"m0,10", "m1ff0,40", "x1ff0,40", "m90000,20", "x90000,20", "mfffffffffffffff0,100",
	"m1000,3fff", "x1000,3fff", "qXfer:threads:read::0,1000", "qXfer:threads:read::10,8",
	"qXfer:threads:read::ffffffff,ffffffff", "?", "m1ffff8,10", "m200000,10", "g",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void round_of(struct relay *r)
{
	struct pollfd p[RELAY_POLLFDS];

	relay_pollfds(r, p);
	for (int i = 1; i < RELAY_POLLFDS; i++)
		p[i].revents = p[i].fd >= 0 ? POLLIN : 0;
	relay_handle(r, p);
}

static void send_packet(int fd, const char *payload, size_t len)
{
	char buf[1024];

	if (len > sizeof(buf) - 4)
		len = sizeof(buf) - 4;
	memcpy(buf + 1, payload, len);
	if (write(fd, buf, rsp_frame_wrap(buf, len)) < 0)
		abort();
}

/* The stub's side: a packet into g2h, as the kernel writes it. */
static void stub_says(const char *payload)
{
	struct hermit_debug_channel *c = gm_range(&fuzz_gm, FUZZ_DEBUG, sizeof(*c));
	char buf[256];
	size_t len = strlen(payload);

	memcpy(buf + 1, payload, len);
	debug_ring_put(&c->g2h, buf, rsp_frame_wrap(buf, len));
}

/* What gdb got for one packet. */
static size_t answer(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap - 1 && (n = recv(fd, buf + got, cap - 1 - got, MSG_DONTWAIT)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return got;
}

/* On the template itself the fast path must answer, the int3 hidden; a failure is a finding. */
static void check_pristine(size_t i, const char *got)
{
	/* 16 zero bytes, the int3's saved 0x55, 15 zero bytes: hex, run-length encoded */
	static const char hidden[] = "$0*<550*:#";

	if (strcmp(reads[i], "m90000,20") == 0 && !strstr(got, hidden))
		abort();
	if (strcmp(reads[i], "m0,10") == 0 && !strstr(got, "$E0e#"))
		abort();
	if (strcmp(reads[i], "?") == 0 && !strstr(got, "$T05thread:01;#"))
		abort();
	if (strcmp(reads[i], "qXfer:threads:read::10,8") == 0 && !strstr(got, "$m id=\"1\" #"))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct relay r;
	size_t n = size ? data[0] : 0;
	int doorbell[2], gdb[2];
	struct pollfd p[RELAY_POLLFDS];

	if (n > size - (size ? 1 : 0))
		n = size - 1;
	fuzz_guest_load(data + (size ? 1 : 0) + n, size - (size ? 1 : 0) - n);
	if (relay_listen(&r, 0) < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, doorbell) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, gdb) < 0)
		abort();
	relay_pollfds(&r, p);
	r.client_fd = gdb[0]; /* as relay_accept_client would take it */
	relay_guest_start(&r, &fuzz_gm, FUZZ_ANCHOR, doorbell[0], -1);
	round_of(&r);             /* the channel found, no-ack asked for */
	stub_says("OK");          /* the stub's answer, */
	stub_says("T05thread:01;"); /* its stop, */
	round_of(&r);
	stub_says("l<threads><thread id=\"1\" name=\"idle\">ready</thread></threads>"); /* the list */
	round_of(&r);
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		static char got[65536];
		send_packet(gdb[1], reads[i], strlen(reads[i]));
		round_of(&r);
		answer(gdb[1], got, sizeof(got));
		if (size <= 1 + n)
			check_pristine(i, got);
	}
	if (n) {
		send_packet(gdb[1], (const char *)data + 1, n);
		round_of(&r);
	}
	relay_guest_ended(&r, VM_EXITED, 0);
	relay_close(&r);
	close(gdb[1]);
	close(doorbell[0]);
	close(doorbell[1]);
	return 0;
}
