/*
 * rsp_encode.c: reply packets. The reply is a struct gdb_sbuf (rsp_text.c) over the payload part
 * of the transmit buffer; what does not fit sets `overflow`, which the dispatcher turns into an
 * error reply:
 *
 *	rsp_reply_begin();  sb_puts(rsp_reply(), "OK");  rsp_reply_send();
 *
 * rsp_reply_send() adds the '$', the '#' and the checksum and hands the packet to the send hook.
 * The framed packet stays in the buffer until the next one is begun, so that a '-' from gdb can be
 * answered with rsp_retransmit(). Replies are never run-length encoded.
 */
#include <string.h>

#include "gdb_internal.h"

static struct {
	char buf[1 + GDB_PACKET_MAX + 3]; /* '$' payload '#' c c */
	size_t framed;                    /* length of the last packet sent, 0 if none */
	struct gdb_sbuf reply;
} tx;

static void transmit(const char *s, size_t n)
{
	gdb_sess.ops->send(gdb_sess.ctx, s, n);
}

void rsp_send_raw(const char *s, size_t n)
{
	transmit(s, n);
}

void rsp_reply_begin(void)
{
	tx.framed = 0;
	sb_init(&tx.reply, tx.buf + 1, GDB_PACKET_MAX);
}

struct gdb_sbuf *rsp_reply(void)
{
	return &tx.reply;
}

void rsp_reply_send(void)
{
	tx.framed = rsp_frame_wrap(tx.buf, tx.reply.len);
	transmit(tx.buf, tx.framed);
}

void rsp_retransmit(void)
{
	if (tx.framed != 0)
		transmit(tx.buf, tx.framed);
}

void rsp_encode_reset(void)
{
	tx.framed = 0;
	sb_init(&tx.reply, tx.buf + 1, GDB_PACKET_MAX);
}
