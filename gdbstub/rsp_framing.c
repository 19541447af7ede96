/*
 * rsp_framing.c: the byte-level decoder of the remote serial protocol (rsp_framing.h), and the
 * framing of outgoing packets. The payload is kept as received; binary fields are unescaped by
 * the packets that carry them (X), since '}' is an ordinary character elsewhere.
 */
#include "rsp_framing.h"

enum fr_state {
	FR_IDLE,    /* between packets */
	FR_PAYLOAD, /* after '$' */
	FR_CSUM_HI, /* after '#' */
	FR_CSUM_LO,
};

int rsp_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void rsp_framer_init(struct rsp_framer *f, char *buf, size_t cap)
{
	f->buf = buf;
	f->cap = cap;
	rsp_framer_reset(f);
}

void rsp_framer_reset(struct rsp_framer *f)
{
	f->state = FR_IDLE;
	f->len = 0;
	f->overflow = false;
}

static void start_packet(struct rsp_framer *f)
{
	f->state = FR_PAYLOAD;
	f->len = 0;
	f->sum = 0;
	f->overflow = false;
}

static enum rsp_frame_event idle_byte(struct rsp_framer *f, uint8_t byte)
{
	switch (byte) {
	case '$':
		start_packet(f);
		return RSP_FRAME_NONE;
	case '+':
		return RSP_FRAME_ACK;
	case '-':
		return RSP_FRAME_NAK;
	case 0x03:
		return RSP_FRAME_INTERRUPT;
	default:
		return RSP_FRAME_NONE;
	}
}

static enum rsp_frame_event payload_byte(struct rsp_framer *f, uint8_t byte)
{
	if (byte == '$') {
		start_packet(f);
	} else if (byte == '#') {
		f->state = FR_CSUM_HI;
	} else {
		if (f->len < f->cap)
			f->buf[f->len++] = (char)byte;
		else
			f->overflow = true;
		f->sum = (uint8_t)(f->sum + byte);
	}
	return RSP_FRAME_NONE;
}

/* A checksum digit; a bad one makes the packet bad, and a '$' also starts the next one. */
static enum rsp_frame_event checksum_byte(struct rsp_framer *f, uint8_t byte)
{
	int v = rsp_hex_value(byte);

	if (v < 0) {
		if (byte == '$')
			start_packet(f);
		else
			f->state = FR_IDLE;
		return RSP_FRAME_BAD;
	}
	if (f->state == FR_CSUM_HI) {
		f->want = (uint8_t)(v << 4);
		f->state = FR_CSUM_LO;
		return RSP_FRAME_NONE;
	}
	f->want |= (uint8_t)v;
	f->state = FR_IDLE;
	return f->want == f->sum && !f->overflow ? RSP_FRAME_PACKET : RSP_FRAME_BAD;
}

enum rsp_frame_event rsp_framer_byte(struct rsp_framer *f, uint8_t byte)
{
	switch (f->state) {
	case FR_IDLE:
		return idle_byte(f, byte);
	case FR_PAYLOAD:
		return payload_byte(f, byte);
	default:
		return checksum_byte(f, byte);
	}
}

size_t rsp_frame_wrap(char *buf, size_t n)
{
	static const char hexdigits[] = "0123456789abcdef";
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + (uint8_t)buf[1 + i]);
	buf[0] = '$';
	buf[1 + n] = '#';
	buf[2 + n] = hexdigits[sum >> 4];
	buf[3 + n] = hexdigits[sum & 0xf];
	return n + 4;
}
