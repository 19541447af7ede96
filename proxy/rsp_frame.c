/*
 * rsp_frame.c: cuts a GDB remote protocol byte stream into packets, for the gdb relay. The proxy
 * does not interpret packets (the kernel's stub does); it only needs to see where each begins and
 * ends, which ones it must answer itself, and whether a checksum is right.
 */
#include <string.h>

#include "proxy.h"

enum { FR_IDLE, FR_PAYLOAD, FR_CSUM_HI, FR_CSUM_LO };

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void rsp_frame_reset(struct rsp_frame *f)
{
	f->state = FR_IDLE;
	f->len = 0;
	f->overflow = false;
}

enum rsp_frame_event rsp_frame_byte(struct rsp_frame *f, uint8_t b)
{
	int v;

	switch (f->state) {
	case FR_IDLE:
		if (b == '$') {
			f->state = FR_PAYLOAD;
			f->len = 0;
			f->sum = 0;
			f->overflow = false;
			return RSP_FRAME_NONE;
		}
		return b == 0x03 ? RSP_FRAME_INTERRUPT : b == '+' ? RSP_FRAME_ACK
			: b == '-' ? RSP_FRAME_NAK : RSP_FRAME_NONE;
	case FR_PAYLOAD:
		if (b == '$') { /* the previous packet was cut short */
			f->len = 0;
			f->sum = 0;
			f->overflow = false;
		} else if (b == '#') {
			f->state = FR_CSUM_HI;
		} else {
			if (f->len < RSP_FRAME_MAX)
				f->payload[f->len++] = (char)b;
			else
				f->overflow = true;
			f->sum = (uint8_t)(f->sum + b);
		}
		return RSP_FRAME_NONE;
	case FR_CSUM_HI:
	case FR_CSUM_LO:
		v = hex_value(b);
		if (v < 0) {
			f->state = b == '$' ? FR_PAYLOAD : FR_IDLE;
			f->len = 0;
			f->sum = 0;
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
	f->state = FR_IDLE;
	return RSP_FRAME_NONE;
}

size_t rsp_frame_build(char *out, size_t cap, const char *payload, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t sum = 0;

	if (cap < len + 4)
		return 0;
	out[0] = '$';
	memcpy(out + 1, payload, len);
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + (uint8_t)payload[i]);
	out[len + 1] = '#';
	out[len + 2] = hex[sum >> 4];
	out[len + 3] = hex[sum & 0xf];
	return len + 4;
}
