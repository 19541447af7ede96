/*
 * relay_stats.c: where the time of gdb's commands goes, for `monitor relay-stats` and
 * `make bench-gdb`'s breakdown of a stepi. Three clocks, one running at a time:
 *	guest   a packet went into the stub's ring .. the stub's reply came out (the doorbell, QEMU,
 *	        the stub under TCG, the proxy's wake-up);
 *	relay   gdb's packet read .. answered or passed on, and the stub's reply in .. sent to gdb;
 *	gdb     a reply sent to gdb .. gdb's next packet read (gdb's own work and the socket).
 */
#include <stdio.h>
#include <time.h>

#include "relay.h"

uint64_t relay_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

void relay_stats_gdb_in(struct relay_stats *s, uint64_t now)
{
	if (s->gdb_clock)
		s->gdb_ns += now - s->mark_ns;
	s->gdb_clock = false;
}

/* The relay's part ends now; the guest's clock or gdb's starts. */
static void relay_part(struct relay_stats *s, uint64_t since, bool guest_next)
{
	uint64_t now = relay_now_ns();

	s->relay_ns += now - since;
	s->mark_ns = now;
	s->guest_clock = guest_next;
	s->gdb_clock = !guest_next;
}

void relay_stats_handled(struct relay_stats *s, uint64_t since, bool to_guest)
{
	if (!to_guest)
		s->answered++;
	relay_part(s, since, to_guest);
}

void relay_stats_guest_in(struct relay_stats *s, uint64_t now)
{
	if (s->guest_clock)
		s->guest_ns += now - s->mark_ns;
	s->guest_clock = false;
}

void relay_stats_to_gdb(struct relay_stats *s, uint64_t since)
{
	relay_part(s, since, false);
}

size_t relay_stats_text(const struct relay_stats *s, char *out, size_t cap)
{
	int n = snprintf(out, cap,
			 "packets relayed to the stub: %llu\n"
			 "packets answered by the proxy: %llu\n"
			 "thread lists the proxy asked for ahead: %llu\n"
			 "us in the guest (stub, QEMU, doorbell): %llu\n"
			 "us in the relay: %llu\n"
			 "us in gdb (and the socket): %llu\n",
			 (unsigned long long)s->to_guest, (unsigned long long)s->answered,
			 (unsigned long long)s->prefetched,
			 (unsigned long long)(s->guest_ns / 1000), (unsigned long long)(s->relay_ns / 1000),
			 (unsigned long long)(s->gdb_ns / 1000));
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
