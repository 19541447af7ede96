/*
 * contend: what contention costs. THREADS threads (argv[1], default 4) each take one shared
 * mutex OPS times (argv[2], default 20000) around a counter, then each malloc and free OPS
 * blocks of 16 to 1024 bytes; prints the wall time per operation of all threads together, so
 * with no contention cost the figure would fall as CPUs are added. Builds unchanged for Linux.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../now.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;
static long counter;
static int ops;
static char *volatile last; /* keeps the compiler from pairing malloc with free away */

static void *lock_loop(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < ops; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void *malloc_loop(void *arg)
{
	unsigned seed = (unsigned)(long)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < ops; i++) {
		seed = seed * 1103515245u + 12345u;
		char *p = malloc(16 + (seed >> 16) % 1009);
		if (!p)
			abort();
		p[0] = (char)i;
		last = p;
		free(last);
	}
	return NULL;
}

/* Wall time per operation, from the barrier to the last thread's end. */
static double per_op_ns(void *(*fn)(void *), int n)
{
	pthread_t t[64];
	pthread_barrier_init(&start, NULL, (unsigned)n + 1);
	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, fn, (void *)(i + 1));
	pthread_barrier_wait(&start);
	double t0 = now();
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	double took = now() - t0;
	pthread_barrier_destroy(&start);
	return took / ((double)n * ops) * 1e9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	ops = argc > 2 ? atoi(argv[2]) : 20000;
	if (n < 1 || n > 64 || ops < 1) {
		fprintf(stderr, "usage: contend [threads 1-64] [operations per thread]\n");
		return 2;
	}
	double mutex_ns = per_op_ns(lock_loop, n);
	double malloc_ns = per_op_ns(malloc_loop, n);
	printf("contend: %d threads, mutex %.0f ns per lock+unlock, malloc %.0f ns per malloc+free, counter %s\n", n,
	       mutex_ns, malloc_ns, counter == (long)n * ops ? "exact" : "WRONG");
	return counter == (long)n * ops ? 0 : 1;
}
