/*
 * smp-debuggee: the target of the gdb tests on several CPUs (tests/integration/test_smp_gdb.py),
 * run with HERMIT_CPUS=2 or 4. main is pinned to CPU 0 and each thread to a CPU of its own
 * (affinity), so the tests know where each stands.
 *   smp-debuggee spin [cli|idle]  a thread per other CPU spins, main too; with cli, interrupts
 *                            off everywhere; with idle, main sleeps (its CPU halts)
 *   smp-debuggee hits N      two threads call hit() N times each, at the same moment (both spin
 *                            on a barrier each round, so both CPUs reach hit() together)
 *   smp-debuggee watch       a thread on another CPU writes `shared` once
 *   smp-debuggee step        main counts in count_steps() and burns time twice, a thread
 *                            `runner` counts on another CPU
 *   smp-debuggee block       main calls wait_for_flag(), which blocks until a thread sets the flag
 *   smp-debuggee crash       a thread on another CPU reads through NULL while main spins
 * Each thread says which CPU it runs on before it starts its work.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile long spins[16];
volatile long ran;
volatile int shared;
volatile int steps;
volatile long burnt;
static volatile int arrived[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int flag;
static int rounds;
static volatile int named; /* main named the thread it started */

static void say_cpu(const char *who)
{
	printf("smp-debuggee: %s on CPU %d\n", who, sched_getcpu());
	fflush(stdout);
}

__attribute__((noinline)) static void spin(int slot, int no_interrupts)
{
	if (no_interrupts)
		__asm__ volatile("cli"); /* the app runs in ring 0: only an NMI stops this loop */
	for (;;)
		spins[slot]++;
}

static void *spinner(void *arg)
{
	int how = (int)(long)arg; /* the slot, and 0x100 for interrupts off */
	say_cpu("spinner");
	spin(how & 0xff, how & 0x100 ? 1 : 0);
	return NULL;
}

__attribute__((noinline)) void hit(int id, int round)
{
	__asm__ volatile("" : : "r"(id), "r"(round) : "memory");
}

static void *hitter(void *arg)
{
	int id = (int)(long)arg;
	say_cpu("hitter");
	for (int r = 0; r < rounds; r++) {
		/* A spinning barrier: both leave it within a few instructions of each other. */
		__atomic_store_n(&arrived[id - 1], r + 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&arrived[2 - id], __ATOMIC_ACQUIRE) < r + 1)
			;
		hit(id, r);
	}
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	say_cpu("writer");
	while (!named) /* busy, not asleep: a task woken from a sleep may come back on another CPU */
		;
	shared = 7;
	return NULL;
}

static void *runner(void *arg)
{
	(void)arg;
	say_cpu("runner");
	for (;;)
		ran++;
	return NULL;
}

__attribute__((noinline)) static void burn(void)
{
	for (int i = 0; i < 5000000; i++)
		burnt++;
}

__attribute__((noinline)) void count_steps(void)
{
	for (int i = 0; i < 1000; i++)
		steps++;
	burn(); /* next over it: the runner runs only if scheduler-locking lets it */
	burn();
	steps++; /* no tail call: `next` comes back here */
}

__attribute__((noinline)) int wait_for_flag(void)
{
	pthread_mutex_lock(&lock);
	while (!flag)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return flag;
}

static void *flagger(void *arg)
{
	(void)arg;
	say_cpu("flagger");
	usleep(300000);
	pthread_mutex_lock(&lock);
	flag = 5;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void *crasher(void *arg)
{
	(void)arg;
	say_cpu("crasher");
	while (!spins[0]) /* main spins on CPU 0 (busy: a sleeper may wake on another CPU) */
		;
	return (void *)(long)*(volatile int *)0;
}

static void pin(cpu_set_t *set, int cpu, long cpus)
{
	CPU_ZERO(set);
	CPU_SET(cpu % cpus, set);
}

static long ncpus;

/* A thread pinned to CPU cpu (modulo the CPUs there are). */
static pthread_t start(void *(*fn)(void *), void *arg, const char *name, int cpu)
{
	pthread_attr_t attr;
	cpu_set_t set;
	pthread_t t;

	pin(&set, cpu, ncpus);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	pthread_create(&t, &attr, fn, arg);
	pthread_setname_np(t, name);
	named = 1;
	return t;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	pthread_t a, b;

	ncpus = cpus;
	pin(&set, 0, cpus);
	sched_setaffinity(0, sizeof(set), &set);
	say_cpu("main");
	if (!strcmp(mode, "spin")) {
		int cli = argc > 2 && !strcmp(argv[2], "cli") ? 0x100 : 0;
		for (long i = 1; i < cpus && i < 16; i++)
			start(spinner, (void *)(i | cli), "spinner", (int)i);
		while (argc > 2 && !strcmp(argv[2], "idle"))
			sleep(1);
		/* Every spinner spins before main turns interrupts off: a spinner still printing
		 * would wait for the doorbell's interrupt, which CPU 0 takes. */
		for (long i = 1; i < cpus && i < 16; i++)
			while (!spins[i])
				usleep(1000);
		spin(0, cli != 0);
	}
	if (!strcmp(mode, "hits")) {
		rounds = argc > 2 ? atoi(argv[2]) : 10;
		a = start(hitter, (void *)1L, "hitter1", 1);
		b = start(hitter, (void *)2L, "hitter2", 0);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
	} else if (!strcmp(mode, "watch")) {
		a = start(writer, NULL, "writer", 1);
		pthread_join(a, NULL);
		printf("smp-debuggee: shared is %d\n", shared);
	} else if (!strcmp(mode, "step")) {
		start(runner, NULL, "runner", 1);
		usleep(100000);
		count_steps();
	} else if (!strcmp(mode, "block")) {
		start(flagger, NULL, "flagger", 1);
		int got = wait_for_flag(); /* next over it */
		printf("smp-debuggee: flag %d\n", got);
	} else if (!strcmp(mode, "crash")) {
		start(crasher, NULL, "crasher", 1);
		spin(0, 0);
	} else {
		fprintf(stderr, "usage: smp-debuggee spin [cli|idle] | hits N | watch | step | block | crash\n");
		return 2;
	}
	return 0;
}
