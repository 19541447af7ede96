/*
 * primes: a compute-bound parallel workload for the SMP speed-up figure. THREADS threads
 * (argv[1], default the CPUs online) count the primes below LIMIT (argv[2]) by trial division,
 * each taking every THREADS-th odd number; prints the count, the wall time and the CPUs its
 * threads ran on (each looks every 4096 numbers: a thread that moves counts both CPUs).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../now.h"

#define MAX_THREADS 64

static long limit = 2000000;
static int nthreads;
static long counts[MAX_THREADS];
static unsigned cpus_of[MAX_THREADS]; /* bit i: the thread ran on CPU i */

static int is_prime(long n)
{
	for (long d = 3; d * d <= n; d += 2)
		if (n % d == 0)
			return 0;
	return 1;
}

static void *count(void *arg)
{
	int id = (int)(long)arg;
	long c = 0, k = 0;
	unsigned seen = 0;
	for (long n = 3 + 2L * id; n < limit; n += 2L * nthreads) {
		c += is_prime(n);
		int cpu = k++ % 4096 ? -1 : sched_getcpu();
		if (cpu >= 0 && cpu < 32)
			seen |= 1u << cpu;
	}
	counts[id] = c;
	cpus_of[id] = seen;
	return NULL;
}

int main(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	nthreads = argc > 1 ? atoi(argv[1]) : (int)cpus;
	if (argc > 2)
		limit = atol(argv[2]);
	if (nthreads < 1 || nthreads > MAX_THREADS || limit < 3) {
		fprintf(stderr, "usage: primes [threads 1-%d] [limit >= 3]\n", MAX_THREADS);
		return 2;
	}
	pthread_t t[MAX_THREADS];
	double start = now();
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, count, (void *)(long)i);
	long total = 1; /* 2 */
	unsigned used = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		total += counts[i];
		used |= cpus_of[i];
	}
	double took = now() - start;
	printf("primes: %ld below %ld with %d threads on %d of %ld CPUs in %.3f s\n", total, limit, nthreads,
	       __builtin_popcount(used), cpus, took);
	return 0;
}
