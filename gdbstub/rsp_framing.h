/*
 * rsp_framing.h: the GDB remote protocol's byte-level framing, an object with its own state, so
 * that the kernel's stub (gdb_session.c) and the proxy's relay (proxy/gdb_relay.c, one framer per
 * direction) cut byte streams into packets with the same code.
 *
 * rsp_framer_byte() returns an event when a byte completes something: a packet "$payload#cs" with
 * a good checksum (payload in buf[0..len)), a bad one (wrong or malformed checksum, or a payload
 * longer than the buffer: the rest is counted but dropped up to its checksum), or, between
 * packets, a '+', a '-' or a ^C (0x03). A '$' always starts a new packet, dropping any unfinished
 * one: gdb escapes '$' inside binary data, so a bare '$' means the previous packet was cut short.
 * Other bytes between packets are line noise. Acks and no-ack mode are the user's business.
 *
 * Portable and freestanding: <stdint.h>, <stddef.h>, <stdbool.h> only.
 */
#ifndef GDBSTUB_RSP_FRAMING_H
#define GDBSTUB_RSP_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rsp_frame_event {
	RSP_FRAME_NONE,      /* nothing complete yet */
	RSP_FRAME_PACKET,    /* buf[0..len) with a good checksum; valid until the next byte */
	RSP_FRAME_BAD,       /* a packet with a bad checksum, or longer than the buffer */
	RSP_FRAME_ACK,       /* '+' between packets */
	RSP_FRAME_NAK,       /* '-' between packets */
	RSP_FRAME_INTERRUPT, /* 0x03 between packets */
};

struct rsp_framer {
	char *buf;       /* the payload of the packet being received */
	size_t cap;
	size_t len;
	uint8_t state;
	uint8_t sum;     /* modulo-256 sum of the payload bytes as received */
	uint8_t want;    /* the checksum that came with the packet */
	bool overflow;   /* the payload did not fit cap */
};

/* A framer between packets, collecting payloads of at most cap bytes into buf. */
void rsp_framer_init(struct rsp_framer *f, char *buf, size_t cap);
/* Back between packets, dropping any unfinished one. */
void rsp_framer_reset(struct rsp_framer *f);
enum rsp_frame_event rsp_framer_byte(struct rsp_framer *f, uint8_t byte);

/* Frames the n payload bytes already at buf + 1 in place: "$payload#cs" (buf holds n + 4 bytes).
 * Returns n + 4. */
size_t rsp_frame_wrap(char *buf, size_t n);

/* The value of a hex digit (either case), or -1. */
int rsp_hex_value(int c);

#endif
