/*
 * threads: a bounded buffer with producers and consumers on mutexes and condition variables,
 * plus a shared counter under a mutex, thread-specific data, a once-only initializer and
 * sleeping. Checks its own results; exits 0 when all held.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define PRODUCERS 4
#define CONSUMERS 3
#define ITEMS_PER_PRODUCER 2000
#define SLOTS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static int buffer[SLOTS], head, count, producers_left = PRODUCERS;
static long long consumed_sum;
static long consumed_items;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static pthread_key_t key;

static void count_once(void) { once_runs++; }

static void *produce(void *arg)
{
	int id = (int)(long)arg;
	pthread_once(&once, count_once);
	pthread_setspecific(key, arg);
	for (int i = 1; i <= ITEMS_PER_PRODUCER; i++) {
		pthread_mutex_lock(&lock);
		while (count == SLOTS)
			pthread_cond_wait(&not_full, &lock);
		buffer[(head + count++) % SLOTS] = i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	producers_left--;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&lock);
	return pthread_getspecific(key) == arg ? (void *)(long)id : NULL;
}

static void *consume(void *arg)
{
	(void)arg;
	long items = 0;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (count == 0 && producers_left > 0)
			pthread_cond_wait(&not_empty, &lock);
		if (count == 0) {
			pthread_mutex_unlock(&lock);
			break;
		}
		int v = buffer[head];
		head = (head + 1) % SLOTS;
		count--;
		consumed_sum += v;
		consumed_items++;
		items++;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&lock);
	}
	return (void *)items;
}

static int check_sleep(void)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	usleep(20000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	return ms >= 20 && ms < 2000;
}

int main(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	pthread_key_create(&key, NULL);
	for (long i = 0; i < PRODUCERS; i++)
		pthread_create(&p[i], NULL, produce, (void *)(i + 1));
	for (int i = 0; i < CONSUMERS; i++)
		pthread_create(&c[i], NULL, consume, NULL);
	int ok = 1;
	for (long i = 0; i < PRODUCERS; i++) {
		void *r;
		pthread_join(p[i], &r);
		ok &= (long)r == i + 1;
	}
	long items = 0;
	for (int i = 0; i < CONSUMERS; i++) {
		void *r;
		pthread_join(c[i], &r);
		items += (long)r;
	}
	long long expected = (long long)PRODUCERS * ITEMS_PER_PRODUCER * (ITEMS_PER_PRODUCER + 1) / 2;
	ok &= consumed_sum == expected && items == consumed_items && items == PRODUCERS * ITEMS_PER_PRODUCER;
	ok &= once_runs == 1;
	ok &= check_sleep();
	printf("threads: %ld items, sum %lld (expected %lld), once %d: %s\n", items, consumed_sum, expected,
	       once_runs, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
