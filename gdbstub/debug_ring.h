/*
 * debug_ring.h: the one writer and reader of the debug channel's byte rings (hermit/abi.h, struct
 * hermit_debug_ring: one producer, one consumer, free-running head and tail). The kernel's
 * transport (kernel/debug/gdb_transport.c) and the proxy's relay (proxy/gdb_relay.c) both use
 * these, each on its own side of each ring. Neither trusts the other's counter: a ring whose
 * used count exceeds its size is broken, and no index ever leaves data[].
 */
#ifndef GDBSTUB_DEBUG_RING_H
#define GDBSTUB_DEBUG_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hermit/abi.h"

#define DEBUG_RING_MASK (HERMIT_DEBUG_RING_SIZE - 1u)

/* Producer: copies as much of buf[0..len) as there is room for, publishing head after each
 * contiguous piece. Returns the bytes written (0: full, or broken). */
static inline size_t debug_ring_put(struct hermit_debug_ring *r, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		uint32_t head = r->head;
		uint32_t used = head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (used >= HERMIT_DEBUG_RING_SIZE)
			break;
		uint32_t at = head & DEBUG_RING_MASK;
		size_t n = HERMIT_DEBUG_RING_SIZE - used;
		if (n > HERMIT_DEBUG_RING_SIZE - at)
			n = HERMIT_DEBUG_RING_SIZE - at;
		if (n > len - done)
			n = len - done;
		memcpy(&r->data[at], p + done, n);
		__atomic_store_n(&r->head, head + (uint32_t)n, __ATOMIC_RELEASE);
		done += n;
	}
	return done;
}

/* Consumer: copies up to cap bytes out and frees their room. Returns the bytes read, or -1 when
 * the ring is broken (more used than it holds); nothing is read then. */
static inline long debug_ring_get(struct hermit_debug_ring *r, void *buf, size_t cap)
{
	uint32_t tail = r->tail;
	uint32_t used = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - tail;
	uint8_t *p = buf;
	size_t got = 0;

	if (used > HERMIT_DEBUG_RING_SIZE)
		return -1;
	while (got < cap && used > 0) {
		uint32_t at = tail & DEBUG_RING_MASK, n = used;
		if (n > cap - got)
			n = (uint32_t)(cap - got);
		if (n > HERMIT_DEBUG_RING_SIZE - at)
			n = HERMIT_DEBUG_RING_SIZE - at;
		memcpy(p + got, &r->data[at], n);
		got += n;
		tail += n;
		used -= n;
	}
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return (long)got;
}

/* Whether the consumer has nothing to read. */
static inline bool debug_ring_empty(const struct hermit_debug_ring *r)
{
	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == r->tail;
}

#endif
