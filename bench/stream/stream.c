/*
 * stream: the STREAM memory bandwidth kernels (copy, scale, add, triad), written for Hermit.
 * Prints the best rate of each kernel in MB/s over several repetitions, then validates the
 * arrays. Builds unchanged for Linux, so the same source measures the host:
 *   stream [elements]     (default 8,000,000 doubles per array, 3 arrays)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPEATS 10
#define SCALAR 3.0

enum { COPY, SCALE, ADD, TRIAD, KERNELS };
static const char *const names[KERNELS] = { "Copy", "Scale", "Add", "Triad" };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double run_kernel(int k, double *a, double *b, double *c, size_t n)
{
	double t = now_s();
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
	return now_s() - t;
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
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 8000000;
	double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
	if (!a || !b || !c) {
		fprintf(stderr, "stream: cannot allocate 3 x %zu doubles\n", n);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		a[i] = 1.0;
		b[i] = 2.0;
		c[i] = 0.0;
	}
	for (size_t i = 0; i < n; i++)
		a[i] = 2.0 * a[i];
	static const double words[KERNELS] = { 2, 2, 3, 3 };
	double best[KERNELS];
	for (int k = 0; k < KERNELS; k++)
		best[k] = 1e30;
	for (int r = 0; r < REPEATS; r++)
		for (int k = 0; k < KERNELS; k++) {
			double t = run_kernel(k, a, b, c, n);
			if (t < best[k])
				best[k] = t;
		}
	printf("STREAM: %zu elements per array, %d repetitions, best rates:\n", n, REPEATS);
	for (int k = 0; k < KERNELS; k++)
		printf("%-6s %12.1f MB/s\n", names[k], words[k] * sizeof(double) * (double)n / best[k] / 1e6);
	int ok = validate(a, b, c, n);
	printf("STREAM: results %s\n", ok ? "validate" : "DO NOT VALIDATE");
	free(a), free(b), free(c);
	return ok ? 0 : 1;
}
