/*
 * tracing/logring.h: the writer of the kernel log ring (hermit/abi.h, struct hermit_log_ring).
 * Portable, so that host tests exercise the kernel's own code; the caller serializes writers
 * (the kernel's log lock). Readers: proxy/postmortem.c, gdb/hermit/dmesg.py.
 *
 *   struct hermit_log_record *rec = log_ring_reserve(r, data, len);
 *   ... fill rec's fields and the text (len bytes and a NUL) after it ...
 *   log_ring_commit(r, rec);
 */
#ifndef TRACING_LOGRING_H
#define TRACING_LOGRING_H

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

#endif
