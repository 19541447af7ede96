/*
 * now.h: the benchmarks' one clock, monotonic seconds as a double. A header of its own, included
 * as "../now.h", so that each benchmark still builds alone with the host's gcc (bench/smp.py).
 */
#ifndef BENCH_NOW_H
#define BENCH_NOW_H

#include <time.h>

static inline double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
