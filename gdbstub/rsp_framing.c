/*
 * rsp_framing.c: the byte-level decoder of the remote serial protocol.
 *
 * gdb_session.c hands every received byte to rsp_decode_byte(), which returns an event when a
 * byte completes something: a packet "$payload#cs" with a good checksum (read it with
 * rsp_packet()), a ^C (0x03) outside a packet, or gdb's '-' asking for our last packet again.
 * In ack mode the decoder answers each packet itself: '+' when the checksum is right, '-' when it
 * is wrong, malformed or the payload does not fit GDB_PACKET_MAX (the rest is then discarded up to
 * its checksum). A '$' always starts a new packet, dropping any unfinished one: gdb escapes '$'
 * inside binary data, so a bare '$' means the previous packet was cut short. Bytes outside
 * packets other than '$', '+', '-' and 0x03 are line noise and ignored.
 *
 * The payload is kept as received; binary fields are unescaped by rsp_parse_binary() in the
 * packets that carry them (X), since '}' is an ordinary character elsewhere.
 *
 * No-ack mode: after QStartNoAckMode is answered, gdb sends one last '+' and then neither side
 * acknowledges; a packet with a bad checksum is then dropped silently. A '+' seen later can only
 * come from a new gdb connection, which always starts in ack mode: RSP_EV_CONNECT tells the
 * session to return to ack mode.
 */
#include <string.h>

#include "gdb_internal.h"

enum fr_state {
	FR_IDLE,        /* between packets */
	FR_PAYLOAD,     /* after '$' */
	FR_CSUM_HI,     /* after '#' */
	FR_CSUM_LO,
	FR_SKIP,        /* an overlong payload, up to its '#' */
	FR_SKIP_CSUM_HI,
	FR_SKIP_CSUM_LO,
};

static struct {
	enum fr_state state;
	char buf[GDB_PACKET_MAX];
	size_t len;
	uint8_t sum;       /* modulo-256 sum of the payload bytes as received */
	uint8_t want;      /* the checksum gdb sent */
	bool noack;
	bool noack_armed;  /* QStartNoAckMode answered; no-ack from gdb's next '+' or packet */
} fr;

void rsp_framing_reset(void)
{
	fr.state = FR_IDLE;
	fr.len = 0;
	fr.noack = false;
	fr.noack_armed = false;
}

void rsp_noack_arm(void)
{
	fr.noack_armed = true;
}

void rsp_set_ack_mode(void)
{
	fr.noack = false;
	fr.noack_armed = false;
}

const char *rsp_packet(size_t *len)
{
	*len = fr.len;
	return fr.buf;
}

static void ack(bool good)
{
	if (!fr.noack)
		rsp_send_raw(good ? "+" : "-", 1);
}

static void start_packet(void)
{
	if (fr.noack_armed) {
		fr.noack_armed = false;
		fr.noack = true;
	}
	fr.state = FR_PAYLOAD;
	fr.len = 0;
	fr.sum = 0;
}

/* Outside a packet. */
static enum rsp_event idle_byte(uint8_t byte)
{
	switch (byte) {
	case '$':
		start_packet();
		return RSP_EV_NONE;
	case 0x03:
		return RSP_EV_INTERRUPT;
	case '+':
		if (fr.noack_armed) {
			fr.noack_armed = false;
			fr.noack = true;
			return RSP_EV_NONE;
		}
		return fr.noack ? RSP_EV_CONNECT : RSP_EV_NONE;
	case '-':
		return fr.noack ? RSP_EV_NONE : RSP_EV_NAK;
	default:
		return RSP_EV_NONE;
	}
}

static enum rsp_event payload_byte(uint8_t byte)
{
	if (byte == '$') {
		start_packet();
	} else if (byte == '#') {
		fr.state = FR_CSUM_HI;
	} else if (fr.len < sizeof(fr.buf)) {
		fr.buf[fr.len++] = (char)byte;
		fr.sum = (uint8_t)(fr.sum + byte);
	} else {
		fr.state = FR_SKIP;
	}
	return RSP_EV_NONE;
}

/* A checksum digit; a bad one NAKs the packet, and a '$' also starts the next one. */
static enum rsp_event checksum_byte(uint8_t byte)
{
	int v = rsp_hex_value(byte);

	if (v < 0) {
		ack(false);
		if (byte == '$')
			start_packet();
		else
			fr.state = FR_IDLE;
		return RSP_EV_NONE;
	}
	if (fr.state == FR_CSUM_HI) {
		fr.want = (uint8_t)(v << 4);
		fr.state = FR_CSUM_LO;
		return RSP_EV_NONE;
	}
	fr.want |= (uint8_t)v;
	fr.state = FR_IDLE;
	ack(fr.want == fr.sum);
	return fr.want == fr.sum ? RSP_EV_PACKET : RSP_EV_NONE;
}

/* The tail of an overlong packet: dropped, then NAKed once its checksum has gone by. */
static enum rsp_event skip_byte(uint8_t byte)
{
	if (byte == '$') {
		start_packet();
		return RSP_EV_NONE;
	}
	if (fr.state == FR_SKIP) {
		if (byte == '#')
			fr.state = FR_SKIP_CSUM_HI;
	} else if (fr.state == FR_SKIP_CSUM_HI) {
		fr.state = FR_SKIP_CSUM_LO;
	} else {
		fr.state = FR_IDLE;
		ack(false);
	}
	return RSP_EV_NONE;
}

enum rsp_event rsp_decode_byte(uint8_t byte)
{
	switch (fr.state) {
	case FR_IDLE:
		return idle_byte(byte);
	case FR_PAYLOAD:
		return payload_byte(byte);
	case FR_CSUM_HI:
	case FR_CSUM_LO:
		return checksum_byte(byte);
	default:
		return skip_byte(byte);
	}
}
