/*
 * tracing/ring.c: reading a trace ring, and choosing events by name. Portable (kernel and host).
 */
#include "ring.h"

#include <string.h>

#include "events.h"

size_t trace_ring_collect(uint64_t head, const struct hermit_trace_event *slots, uint32_t nslots,
			  struct hermit_trace_event *out, struct trace_ring_stats *stats)
{
	uint64_t first = head > nslots ? head - nslots : 0;
	size_t n = 0;

	stats->lost = first;
	stats->torn = 0;
	if (!nslots || (nslots & (nslots - 1)))
		return 0;
	for (uint64_t pos = first; pos < head; pos++) {
		const struct hermit_trace_event *e = &slots[pos & (nslots - 1)];
		uint32_t commit = __atomic_load_n(&e->commit, __ATOMIC_ACQUIRE);
		if (commit != (uint32_t)(pos + 1)) {
			stats->torn++;
			continue;
		}
		out[n] = *e;
		/* a writer that lapped us while we copied: the copy may mix two events */
		if (__atomic_load_n(&e->commit, __ATOMIC_ACQUIRE) != commit) {
			stats->torn++;
			continue;
		}
		n++;
	}
	return n;
}

int trace_glob(const char *glob, size_t len, const char *name)
{
	/* iterative matcher with one backtrack point for the last '*' */
	size_t g = 0, star = (size_t)-1;
	const char *n = name, *star_n = NULL;

	while (*n) {
		if (g < len && (glob[g] == '?' || glob[g] == *n)) {
			g++;
			n++;
		} else if (g < len && glob[g] == '*') {
			star = g++;
			star_n = n;
		} else if (star != (size_t)-1) {
			g = star + 1;
			n = ++star_n;
		} else {
			return 0;
		}
	}
	while (g < len && glob[g] == '*')
		g++;
	return g == len;
}

int trace_select(const char *patterns, unsigned char *want, char *bad, size_t badlen)
{
	const char *p = patterns;
	int on = 0;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int remove = len && p[0] == '-';
		const char *g = p + remove;
		size_t glen = len - (size_t)remove;
		int matched = 0;
		if (glen == 3 && !memcmp(g, "all", 3)) {
			g = "*";
			glen = 1;
		}
		for (unsigned id = 0; glen && id < HERMIT_TRACE_NEVENTS; id++)
			if (trace_glob(g, glen, hermit_trace_catalogue[id].name)) {
				want[id] = !remove;
				matched = 1;
			}
		if (glen && !matched) {
			size_t k = glen < badlen - 1 ? glen : badlen - 1;
			memcpy(bad, g, k);
			bad[k] = '\0';
			return -1;
		}
		p += len + (end ? 1 : 0);
	}
	for (unsigned id = 0; id < HERMIT_TRACE_NEVENTS; id++)
		on += want[id] != 0;
	return on;
}
