/*
 * rsp_parse.c: reading the fields of a received packet.
 *
 * A handler gets a struct rsp_cur over the bytes after the packet's name and takes fields off its
 * front: rsp_parse_hex() for addresses and lengths, rsp_eat() for separators, rsp_parse_tid() for
 * thread ids, rsp_parse_hex_bytes() and rsp_parse_binary() for data. Each returns 0 (or a count)
 * and advances, or returns GDB_EINVAL; the cursor never moves past its end, so no input can make
 * a parser read outside the packet. Numbers must fit 64 bits; gdb's numbers always do.
 */
#include <string.h>

#include "rsp_framing.h"
#include "rsp_text.h"

bool rsp_at_end(const struct rsp_cur *c)
{
	return c->p >= c->end;
}

size_t rsp_remaining(const struct rsp_cur *c)
{
	return rsp_at_end(c) ? 0 : (size_t)(c->end - c->p);
}

bool rsp_eat(struct rsp_cur *c, char ch)
{
	if (rsp_at_end(c) || *c->p != ch)
		return false;
	c->p++;
	return true;
}

bool rsp_eat_str(struct rsp_cur *c, const char *s)
{
	size_t n = strlen(s);

	if (rsp_remaining(c) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

int rsp_parse_hex(struct rsp_cur *c, uint64_t *value)
{
	uint64_t v = 0;
	size_t digits = 0;
	int d;

	while (!rsp_at_end(c) && (d = rsp_hex_value((unsigned char)*c->p)) >= 0) {
		if (v >> 60)
			return GDB_EINVAL; /* a 17th significant digit */
		v = (v << 4) | (uint64_t)d;
		c->p++;
		digits++;
	}
	if (digits == 0)
		return GDB_EINVAL;
	*value = v;
	return 0;
}

/* thread-id: "-1" (all), "0" (any), a positive hex id, or "pPID.TID" when multiprocess is on. */
int rsp_parse_tid(struct rsp_cur *c, gdb_tid_t *tid)
{
	uint64_t v;

	if (rsp_eat(c, 'p')) {
		if (rsp_eat_str(c, "-1")) {
			v = 1;
		} else if (rsp_parse_hex(c, &v) != 0) {
			return GDB_EINVAL;
		}
		if (!rsp_eat(c, '.')) {
			*tid = GDB_TID_ALL; /* "pPID" alone: all threads of the process */
			return 0;
		}
	}
	if (rsp_eat_str(c, "-1")) {
		*tid = GDB_TID_ALL;
		return 0;
	}
	if (rsp_parse_hex(c, &v) != 0 || v > (uint64_t)INT64_MAX)
		return GDB_EINVAL;
	*tid = (gdb_tid_t)v;
	return 0;
}

int rsp_parse_hex_bytes(struct rsp_cur *c, void *out, size_t n)
{
	uint8_t *o = out;

	if (rsp_remaining(c) < 2 * n)
		return GDB_EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = rsp_hex_value((unsigned char)c->p[2 * i]);
		int lo = rsp_hex_value((unsigned char)c->p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return GDB_EINVAL;
		o[i] = (uint8_t)(hi << 4 | lo);
	}
	c->p += 2 * n;
	return 0;
}

int rsp_parse_binary(struct rsp_cur *c, void *out, size_t cap)
{
	uint8_t *o = out;
	size_t n = 0;

	while (!rsp_at_end(c)) {
		uint8_t b = (uint8_t)*c->p++;

		if (b == '}') {
			if (rsp_at_end(c))
				return GDB_EINVAL; /* an escape with nothing after it */
			b = (uint8_t)(*c->p++ ^ 0x20);
		}
		if (n == cap)
			return GDB_EINVAL;
		o[n++] = b;
	}
	return (int)n;
}
