/*
 * tracing/ring.h: the per-CPU flight-recorder ring of hermit/abi.h (struct hermit_trace_cpu),
 * writer and reader. Portable: the kernel writes with it, the host reads with it and unit tests
 * exercise both. Writers on one ring must be one CPU (interrupts may nest: reserving is one
 * instruction); readers may run at any time, also on the memory of a dead guest.
 */
#ifndef TRACING_RING_H
#define TRACING_RING_H

#include <stddef.h>
#include <stdint.h>

#include "hermit/abi.h"

/* Claims the next position. Not locked: only this CPU writes, and xadd is one instruction. */
static inline uint64_t trace_ring_reserve(struct hermit_trace_cpu *r)
{
#if defined(__x86_64__)
	uint64_t pos = 1;
	__asm__ volatile("xaddq %0, %1" : "+r"(pos), "+m"(r->head) : : "memory");
	return pos;
#else
	return __atomic_fetch_add(&r->head, 1, __ATOMIC_RELAXED);
#endif
}

/* Fills the reserved slot and commits it: the commit word is written last. */
static inline void trace_ring_commit(struct hermit_trace_event *slots, uint32_t nslots, uint64_t pos,
				     uint64_t tsc, uint16_t id, uint16_t task, uint64_t a0, uint64_t a1)
{
	struct hermit_trace_event *e = &slots[pos & (nslots - 1)];
	e->tsc = tsc;
	e->id = id;
	e->task = task;
	e->arg[0] = a0;
	e->arg[1] = a1;
	__atomic_store_n(&e->commit, (uint32_t)(pos + 1), __ATOMIC_RELEASE);
}

struct trace_ring_stats {
	uint64_t lost;  /* overwritten before they were read */
	uint64_t torn;  /* reserved but not committed (a writer was interrupted for good) */
};

/*
 * Copies the committed events of a ring, oldest first, into out (room for nslots events);
 * head is the ring's head as read once by the caller. Returns how many were copied.
 */
size_t trace_ring_collect(uint64_t head, const struct hermit_trace_event *slots, uint32_t nslots,
			  struct hermit_trace_event *out, struct trace_ring_stats *stats);

/* Pattern matching for HERMIT_TRACE and `monitor trace`: comma-separated globs ('*', '?'),
 * "all" meaning every event; a leading '-' removes the matches of that glob. */
int trace_glob(const char *glob, size_t glob_len, const char *name);
/* Sets want[id] (0/1) for each event of the catalogue per patterns; returns how many are on,
 * or -1 when a pattern matches nothing (the text of that pattern is left in bad). */
int trace_select(const char *patterns, unsigned char *want, char *bad, size_t badlen);

#endif
