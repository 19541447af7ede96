/*
 * tracecost: what tracing costs, measured in the guest.
 *   tracecost cost [N]       one kernel tracepoint off and on, N times (default 1000000)
 *   tracecost syscalls [N]   a system-call-heavy loop of N rounds (default 20000): clocks, the
 *                            heap, yields and small writes to a host file; prints its time
 * Run the second with and without HERMIT_TRACE=all to get the overhead (bench/tracing.py).
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

static void syscalls(uint64_t n)
{
	int fd = open("tracecost.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("open");
		exit(1);
	}
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
		if (i % 64 == 0 && write(fd, "0123456789abcdef", 16) != 16)
			exit(1);
	}
	uint64_t t = now_ns() - t0;
	close(fd);
	unlink("tracecost.out");
	printf("syscalls: %llu rounds in %llu ns (%.1f ns per round) [%llu]\n", (unsigned long long)n,
	       (unsigned long long)t, (double)t / (double)n, (unsigned long long)(sum & 1));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "cost";
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
	if (!strcmp(mode, "cost"))
		cost(n ? n : 1000000);
	else
		syscalls(n ? n : 20000);
	return 0;
}
