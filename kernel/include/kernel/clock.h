/*
 * kernel/clock.h: time from the TSC. clock_ns() is monotonic nanoseconds since boot; the wall
 * clock is the host's realtime at boot plus clock_ns(). Any context once clock_init() ran.
 */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <stdint.h>

/* tsc_khz: from the host, or 0 to measure it here. */
void clock_init(uint64_t tsc_khz);
void clock_set_realtime(int64_t realtime_ns);
uint64_t clock_ns(void);
/* One reading of the clock for several records of the same moment (a frame in the capture and
 * its trace event): the raw TSC, and clock_ns() at that reading. clock_tsc() reads once the
 * instructions before it are done, so a reading taken under a lock orders as the lock does. */
uint64_t clock_tsc(void);
uint64_t clock_ns_at(uint64_t tsc);
uint64_t clock_tsc_to_ns(uint64_t tsc_delta);
uint64_t clock_ns_to_tsc(uint64_t ns);
int64_t clock_realtime_ns(void);
uint64_t clock_tsc_khz(void);
/* The TSC value at which clock_ns() is 0: the kernel's first instruction. */
uint64_t clock_tsc_base(void);

#endif
