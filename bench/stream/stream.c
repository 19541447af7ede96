/*
 * stream: the STREAM memory bandwidth kernels (copy, scale, add, triad), written for Hermit.
 * Prints the best rate of each kernel in MB/s over several repetitions, then validates the
 * arrays. Builds unchanged for Linux, so the same source measures the host:
 *   stream [elements [threads]]   (default 8,000,000 doubles per array, 3 arrays)
 * The threads (else OMP_NUM_THREADS, else one per CPU online, i.e. HERMIT_CPUS in the guest)
 * each take a slice of every array; a kernel's time runs from a barrier all threads pass
 * before it to one they pass after it.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../now.h"

#define REPEATS 10
#define SCALAR 3.0

enum { COPY, SCALE, ADD, TRIAD, KERNELS };
static const char *const names[KERNELS] = { "Copy", "Scale", "Add", "Triad" };

static void run_kernel(int k, double *a, double *b, double *c, size_t n)
{
	switch (k) {
	case COPY:
		for (size_t i = 0; i < n; i++)
			c[i] = a[i];
		break;
	case SCALE:
		for (size_t i = 0; i < n; i++)
			b[i] = SCALAR * c[i];
		break;
	case ADD:
		for (size_t i = 0; i < n; i++)
			c[i] = a[i] + b[i];
		break;
	default:
		for (size_t i = 0; i < n; i++)
			a[i] = b[i] + SCALAR * c[i];
	}
}

static double *a, *b, *c;
static size_t elements;
static int nthreads;
static pthread_barrier_t step;
static double best[KERNELS];

/* Thread id's share: its slices of the arrays, set up, doubled once, then every kernel. */
static void *worker(void *arg)
{
	long id = (long)arg;
	size_t lo = elements * (size_t)id / (size_t)nthreads, hi = elements * (size_t)(id + 1) / (size_t)nthreads;
	size_t n = hi - lo;
	for (size_t i = lo; i < hi; i++) {
		a[i] = 1.0;
		b[i] = 2.0;
		c[i] = 0.0;
	}
	for (size_t i = lo; i < hi; i++)
		a[i] = 2.0 * a[i];
	for (int r = 0; r < REPEATS; r++)
		for (int k = 0; k < KERNELS; k++) {
			pthread_barrier_wait(&step);
			double t = now();
			run_kernel(k, a + lo, b + lo, c + lo, n);
			pthread_barrier_wait(&step);
			t = now() - t;
			if (id == 0 && t < best[k])
				best[k] = t;
		}
	return NULL;
}

static int thread_count(int argc, char **argv)
{
	const char *omp = getenv("OMP_NUM_THREADS");
	if (argc > 2)
		return atoi(argv[2]);
	if (omp && *omp)
		return atoi(omp);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* Replays the kernels on scalars and compares with the arrays' contents. */
static int validate(const double *a, const double *b, const double *c, size_t n)
{
	double ea = 1.0, eb = 2.0, ec = 0.0;
	ea *= 2.0; /* the warm-up pass: a = 2a */
	for (int r = 0; r < REPEATS; r++) {
		ec = ea;
		eb = SCALAR * ec;
		ec = ea + eb;
		ea = eb + SCALAR * ec;
	}
	double err = 0;
	for (size_t i = 0; i < n; i++)
		err += fabs(a[i] - ea) + fabs(b[i] - eb) + fabs(c[i] - ec);
	return err / (3.0 * (double)n) < 1e-13 * ea;
}

int main(int argc, char **argv)
{
	elements = argc > 1 ? strtoul(argv[1], NULL, 10) : 8000000;
	nthreads = thread_count(argc, argv);
	if (nthreads < 1 || nthreads > 256 || elements < (size_t)nthreads) {
		fprintf(stderr, "stream: usage: stream [elements [threads 1-256]]\n");
		return 2;
	}
	a = malloc(elements * sizeof(double)), b = malloc(elements * sizeof(double)), c = malloc(elements * sizeof(double));
	if (!a || !b || !c) {
		fprintf(stderr, "stream: cannot allocate 3 x %zu doubles\n", elements);
		return 1;
	}
	for (int k = 0; k < KERNELS; k++)
		best[k] = 1e30;
	pthread_barrier_init(&step, NULL, (unsigned)nthreads);
	pthread_t t[256];
	for (long i = 1; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i)) {
			fprintf(stderr, "stream: cannot start %d threads\n", nthreads);
			return 1;
		}
	worker((void *)0);
	for (long i = 1; i < nthreads; i++)
		pthread_join(t[i], NULL);
	static const double words[KERNELS] = { 2, 2, 3, 3 };
	printf("STREAM: %zu elements per array, %d threads, %d repetitions, best rates:\n", elements, nthreads, REPEATS);
	for (int k = 0; k < KERNELS; k++)
		printf("%-6s %12.1f MB/s\n", names[k], words[k] * sizeof(double) * (double)elements / best[k] / 1e6);
	int ok = validate(a, b, c, elements);
	printf("STREAM: results %s\n", ok ? "validate" : "DO NOT VALIDATE");
	free(a), free(b), free(c);
	return ok ? 0 : 1;
}
