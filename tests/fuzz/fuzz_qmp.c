/*
 * fuzz_qmp.c: the reader of QEMU's machine protocol (qmp.c) on what QEMU may send, bytes from
 * another process: greetings, answers, events, lines of any length, any bytes.
 *
 *	input := u8 pending, u8 piece, bytes
 *
 * pending commands await an answer; the bytes reach the reader in pieces of piece + 1 bytes, each
 * read as it comes, so that lines are split across reads as a socket splits them.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"

static int qemu_end = -1, proxy_end = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sv[2];

	(void)argc;
	(void)argv;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0)
		abort();
	proxy_end = sv[0];
	qemu_end = sv[1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qmp q = { .fd = proxy_end };
	size_t piece, lines = 0;

	if (size < 2)
		return 0;
	q.pending = data[0];
	piece = (size_t)data[1] + 1;
	for (size_t at = 2; at < size; at += piece) {
		size_t n = size - at < piece ? size - at : piece;
		if (write(qemu_end, data + at, n) != (ssize_t)n || !qmp_drain(&q))
			abort(); /* the socket is ours: it cannot fail */
		for (size_t i = at; i < at + n; i++)
			lines += data[i] == '\n';
		/* What the reader keeps stays within its buffer; answers only count down, one a line
		 * at most, and only once the line has ended. */
		if (q.len >= sizeof(q.buf) || q.pending > data[0] || data[0] - q.pending > lines ||
		    !memchr(q.error, '\0', sizeof(q.error)))
			abort();
		if (q.failed && !q.error[0])
			abort(); /* an error always says what it was */
	}
	return 0;
}
