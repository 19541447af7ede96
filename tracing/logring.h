/*
 * tracing/logring.h: the writer and the reader of the kernel log ring (hermit/abi.h, struct
 * hermit_log_ring). Portable, so that host tests exercise the kernel's own code; the caller
 * serializes writers (the kernel's log lock). Readers in C: log_ring_next (the proxy's log dump,
 * the stub's `monitor log`); gdb/hermit/dmesg.py follows the same checks and is tested against
 * the proxy's output (tests/integration/test_tracing.py).
 *
 *   struct hermit_log_record *rec = log_ring_reserve(r, data, len);
 *   ... fill rec's fields and the text (len bytes and a NUL) after it ...
 *   log_ring_commit(r, rec);
 */
#ifndef TRACING_LOGRING_H
#define TRACING_LOGRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hermit/abi.h"

static inline struct hermit_log_record *log_ring_at(const struct hermit_log_ring *r, uint8_t *data, uint64_t pos)
{
	return (struct hermit_log_record *)(data + (pos & (r->size - 1)));
}

/* Moves tail past the oldest records until [head, head + need) is free. */
static inline void log_ring_make_room(struct hermit_log_ring *r, uint8_t *data, uint64_t need)
{
	while (r->tail < r->head && r->head + need - r->tail > r->size)
		r->tail += log_ring_at(r, data, r->tail)->size;
}

/* Room for a record with text_len bytes of text: a filler first when the record would cross the
 * end of the buffer (a filler may be as short as 8 bytes: only its size and level count). */
static inline struct hermit_log_record *log_ring_reserve(struct hermit_log_ring *r, uint8_t *data, size_t text_len)
{
	uint64_t need = (sizeof(struct hermit_log_record) + text_len + 1 + 7) & ~(uint64_t)7;
	uint64_t left = r->size - (r->head & (r->size - 1));
	if (left < need) {
		log_ring_make_room(r, data, left);
		struct hermit_log_record *pad = log_ring_at(r, data, r->head);
		pad->size = (uint16_t)left;
		pad->level = HERMIT_LOG_PAD;
		__atomic_store_n(&r->head, r->head + left, __ATOMIC_RELEASE);
	}
	log_ring_make_room(r, data, need);
	struct hermit_log_record *rec = log_ring_at(r, data, r->head);
	rec->size = (uint16_t)need;
	return rec;
}

/* Publishes the filled record: head moves last. */
static inline void log_ring_commit(struct hermit_log_ring *r, const struct hermit_log_record *rec)
{
	__atomic_store_n(&r->head, r->head + rec->size, __ATOMIC_RELEASE);
}

/* The reader's view of a ring: its size and [tail, head) as read once, and its bytes. */
struct log_ring_view {
	const uint8_t *data;
	uint64_t size;  /* a power of two */
	uint64_t head, tail;
};

/* A ring header that can be walked: a power-of-two size and at most size bytes in use. */
static inline bool log_ring_sane(uint64_t size, uint64_t head, uint64_t tail)
{
	return size >= 64 && (size & (size - 1)) == 0 && tail <= head && head - tail <= size;
}

/*
 * The next real record at or after *pos (fillers are skipped): its header copied to *rec, its text
 * (up to its NUL, never past the record) in *text and *len; *pos moves past it. Returns 1, 0 at
 * head, or -1 when the record at *pos is torn or broken (every size is checked against the ring,
 * so a broken ring is never read outside data). Each step advances at least 8 bytes.
 */
static inline int log_ring_next(const struct log_ring_view *v, uint64_t *pos, struct hermit_log_record *rec,
				const char **text, size_t *len)
{
	while (*pos < v->head) {
		uint64_t off = *pos & (v->size - 1);
		/* a filler may be shorter than a record's header: its size and level come first */
		uint64_t have = off + sizeof(*rec) <= v->size ? sizeof(*rec) : 4;
		__builtin_memset(rec, 0, sizeof(*rec));
		__builtin_memcpy(rec, v->data + off, have);
		bool pad = rec->level == HERMIT_LOG_PAD;
		if (rec->size < (pad ? 8 : sizeof(*rec)) || rec->size % 8 || off + rec->size > v->size ||
		    rec->size > v->head - *pos)
			return -1;
		*pos += rec->size;
		if (pad)
			continue;
		const char *t = (const char *)v->data + off + sizeof(*rec);
		size_t n = 0, max = rec->size - sizeof(*rec);
		while (n < max && t[n])
			n++;
		*text = t;
		*len = n;
		return 1;
	}
	return 0;
}

#endif
