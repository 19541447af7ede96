/*
 * pingpong: the cost of a wake-up across CPUs. Two threads, pinned to CPUs 0 and 1 when there
 * are two, pass a turn back and forth through one mutex and two condition variables; each round
 * trip is two wake-ups of a sleeping thread by the other. Builds unchanged for Linux:
 *   pingpong [round trips]     (default 2000); prints microseconds per round trip.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../now.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed[2] = { PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER };
static int turn, rounds, pinned;

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pinned += pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

static void play(int me)
{
	for (int i = 0; i < rounds; i++) {
		pthread_mutex_lock(&lock);
		while (turn != me)
			pthread_cond_wait(&turn_changed[me], &lock);
		turn = !me;
		pthread_cond_signal(&turn_changed[!me]);
		pthread_mutex_unlock(&lock);
	}
}

static void *other(void *arg)
{
	(void)arg;
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		pin(1);
	play(1);
	return NULL;
}

int main(int argc, char **argv)
{
	rounds = argc > 1 ? atoi(argv[1]) : 2000;
	if (rounds < 1) {
		fprintf(stderr, "usage: pingpong [round trips >= 1]\n");
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		pin(0);
	pthread_t t;
	double start = now();
	pthread_create(&t, NULL, other, NULL);
	play(0);
	pthread_join(t, NULL);
	double took = now() - start;
	printf("pingpong: %d round trips in %.3f s, %.1f us each, %d threads pinned\n", rounds, took,
	       took / rounds * 1e6, pinned);
	return 0;
}
