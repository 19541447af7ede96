/*
 * fuzz_relay.c: the proxy's gdb relay (gdb_relay.c) between a hostile gdb and a hostile guest.
 * The input's first byte n says how many of the next bytes gdb sends over its TCP connection;
 * the rest patches the guest image, whose debug channel's g2h ring holds the stub's bytes (the
 * template has a stop reply in it). The relay then serves a few rounds of its poll loop with the
 * doorbell and gdb's socket ready.
 */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_guest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* A gdb connected to the relay's listening socket, accepted by the relay; -1 when the host has
 * no connection to give (its ports in TIME_WAIT after a long run: not the relay's doing). */
static int connect_gdb(struct relay *r)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	struct pollfd p[RELAY_POLLFDS];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || getsockname(r->listen_fd, (struct sockaddr *)&a, &len) < 0 ||
	    connect(fd, (struct sockaddr *)&a, len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	relay_pollfds(r, p);
	p[0].revents = POLLIN;
	relay_handle(r, p);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct relay r;
	size_t n = size ? data[0] : 0;
	int doorbell[2], gdb;
	struct pollfd p[RELAY_POLLFDS];

	if (n > size - (size ? 1 : 0))
		n = size - 1;
	fuzz_guest_load(data + (size ? 1 : 0) + n, size - (size ? 1 : 0) - n);
	if (relay_listen(&r, 0) < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, doorbell) < 0)
		abort();
	if ((gdb = connect_gdb(&r)) < 0) {
		relay_close(&r);
		close(doorbell[0]);
		close(doorbell[1]);
		return 0;
	}
	relay_guest_start(&r, &fuzz_gm, FUZZ_ANCHOR, doorbell[0], -1);
	if (n && write(gdb, data + 1, n) < 0)
		abort();
	for (int round = 0; round < 4; round++) {
		relay_pollfds(&r, p);
		for (int i = 1; i < RELAY_POLLFDS; i++)
			p[i].revents = p[i].fd >= 0 ? POLLIN : 0;
		relay_handle(&r, p);
	}
	relay_guest_ended(&r, VM_EXITED, 0);
	/* a reset rather than a close: no TIME_WAIT, so a long run does not use up the ports */
	setsockopt(gdb, SOL_SOCKET, SO_LINGER, &(struct linger){ .l_onoff = 1, .l_linger = 0 },
		   sizeof(struct linger));
	close(gdb);
	relay_close(&r);
	close(doorbell[0]);
	close(doorbell[1]);
	return 0;
}
