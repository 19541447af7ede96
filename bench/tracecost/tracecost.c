/*
 * tracecost: what tracing costs, measured in the guest.
 *   tracecost cost [N]       one kernel tracepoint off and on, N times (default 1000000)
 *   tracecost files [N]      a system-call-heavy loop of N rounds (default 2000), each an lseek,
 *                            a write, an lseek and a read of 16 bytes on a host file: four calls
 *                            that go to the host (hypercalls), as newlib's file calls do
 *   tracecost fast [N]       N rounds (default 20000) of calls the kernel serves itself: four
 *                            clock_gettime, a malloc and free, a sched_yield
 * Run the last two with and without HERMIT_TRACE=all to get the overhead (bench/tracing.py).
 */
#include <fcntl.h>
#include <hermit/trace.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cost(uint64_t n)
{
	struct hermit_trace_cost c;
	hermit_trace_measure(n, &c);
	double khz = (double)c.tsc_khz;
	printf("tracepoint disabled: %.3f cycles %.3f ns\n", c.cycles_disabled_x1000 / 1000.0,
	       c.cycles_disabled_x1000 / 1000.0 / khz * 1e6);
	printf("tracepoint enabled: %.3f cycles %.3f ns\n", c.cycles_enabled_x1000 / 1000.0,
	       c.cycles_enabled_x1000 / 1000.0 / khz * 1e6);
	printf("tsc: %llu kHz, %llu iterations\n", (unsigned long long)c.tsc_khz, (unsigned long long)c.iterations);
}

static void files(uint64_t n)
{
	char buf[16];
	int fd = open("tracecost.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("open");
		exit(1);
	}
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		if (lseek(fd, 0, SEEK_SET) != 0 || write(fd, "0123456789abcdef", 16) != 16 ||
		    lseek(fd, 0, SEEK_SET) != 0 || read(fd, buf, 16) != 16)
			exit(1);
	}
	uint64_t t = now_ns() - t0;
	close(fd);
	unlink("tracecost.out");
	printf("files: %llu rounds in %llu ns (%.1f ns per round)\n", (unsigned long long)n,
	       (unsigned long long)t, (double)t / (double)n);
}

static void fast(uint64_t n)
{
	uint64_t t0 = now_ns(), sum = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct timespec ts;
		for (int k = 0; k < 4; k++) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			sum += (uint64_t)ts.tv_nsec;
		}
		char *p = malloc(64 + (i % 8) * 512);
		p[0] = (char)i;
		sum += (uint64_t)p[0];
		free(p);
		sched_yield();
	}
	uint64_t t = now_ns() - t0;
	printf("fast: %llu rounds in %llu ns (%.1f ns per round) [%llu]\n", (unsigned long long)n,
	       (unsigned long long)t, (double)t / (double)n, (unsigned long long)(sum & 1));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "cost";
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
	if (!strcmp(mode, "cost"))
		cost(n ? n : 1000000);
	else if (!strcmp(mode, "files"))
		files(n ? n : 2000);
	else
		fast(n ? n : 20000);
	return 0;
}
