/*
 * tracer: does known things, so that tests can compare the trace and the log with them.
 *   tracer marks N        N app_mark events with tag 7 and values 0..N-1
 *   tracer work           3 threads, 5 writes of "line\n" to stdout, 10 marks, a 1 ms sleep
 *   tracer triple         loads an empty IDT and traps: a triple fault
 *   tracer panic          calls the kernel's panic()
 *   tracer logs N         makes the kernel log N warnings (a pattern that matches no event)
 *   tracer toggle         turns events on and off itself and prints what the tracer says
 *   tracer toggle-busy N  the same N times while a thread per CPU runs through tracepoints
 *                         (marks, yields) without pause; prints what the tracer says at the end
 *   tracer hang           prints "waiting" and sleeps for ever (HERMIT_TIMEOUT, SIGUSR1)
 */
#include <hermit/trace.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern void panic(const char *fmt, ...) __attribute__((noreturn));

static void *worker(void *arg)
{
	hermit_trace_mark(1000, (uint64_t)(uintptr_t)arg);
	return NULL;
}

static void work(void)
{
	pthread_t t[3];
	for (uintptr_t i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 5; i++)
		if (write(1, "line\n", 5) != 5)
			exit(1);
	for (uint64_t i = 0; i < 10; i++)
		hermit_trace_mark(7, i);
	struct timespec ms = { 0, 1000000 };
	nanosleep(&ms, NULL);
}

static volatile int busy_stop;

static void *busy(void *arg)
{
	uint64_t n = 0;
	while (!busy_stop) {
		hermit_trace_mark(2000 + (uint64_t)(uintptr_t)arg, n++);
		if (n % 64 == 0)
			sched_yield();
	}
	return (void *)(uintptr_t)n;
}

/* Patching tracepoints while other CPUs run through them: every CPU must be parked meanwhile. */
static void toggle_busy(int rounds)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t t[16];
	uint64_t marks = 0;
	for (long i = 0; i < cpus && i < 16; i++)
		pthread_create(&t[i], NULL, busy, (void *)(uintptr_t)i);
	for (int r = 0; r < rounds; r++) {
		hermit_trace_enable("app_mark,sched_*");
		hermit_trace_disable("sched_*");
		hermit_trace_disable("");
	}
	hermit_trace_enable("app_mark");
	struct timespec ms = { 0, 20000000 };
	nanosleep(&ms, NULL);
	busy_stop = 1;
	for (long i = 0; i < cpus && i < 16; i++) {
		void *n;
		pthread_join(t[i], &n);
		marks += (uint64_t)(uintptr_t)n;
	}
	char line[1024];
	hermit_trace_describe(line, sizeof(line));
	printf("toggled %d times beside %ld busy threads (%llu marks)\n%s\n", rounds, cpus,
	       (unsigned long long)marks, line);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "work";
	if (!strcmp(mode, "marks")) {
		uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 100;
		for (uint64_t i = 0; i < n; i++)
			hermit_trace_mark(7, i);
	} else if (!strcmp(mode, "work")) {
		work();
	} else if (!strcmp(mode, "triple")) {
		struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };
		printf("tracer: about to triple fault\n");
		fflush(stdout);
		__asm__ volatile("lidt %0; int3" : : "m"(none));
	} else if (!strcmp(mode, "toggle")) {
		char line[512];
		printf("on: %d\n", hermit_trace_enable("app_mark,sched_*"));
		hermit_trace_mark(1, 1);
		hermit_trace_describe(line, sizeof(line));
		printf("%s\n", line);
		printf("on: %d\n", hermit_trace_disable("sched_*"));
		hermit_trace_mark(1, 2);
		printf("on: %d\n", hermit_trace_disable(""));
		hermit_trace_mark(1, 3); /* not recorded */
		hermit_trace_describe(line, sizeof(line));
		printf("%s\n", line);
	} else if (!strcmp(mode, "toggle-busy")) {
		toggle_busy(argc > 2 ? atoi(argv[2]) : 100);
	} else if (!strcmp(mode, "logs")) {
		uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 100;
		for (uint64_t i = 0; i < n; i++)
			hermit_trace_enable("no_such_event_*");
	} else if (!strcmp(mode, "panic")) {
		panic("tracer: on purpose, after %d marks", 0);
	} else if (!strcmp(mode, "hang")) {
		printf("waiting\n");
		fflush(stdout);
		for (;;)
			sleep(1);
	}
	printf("tracer: done\n");
	return 0;
}
