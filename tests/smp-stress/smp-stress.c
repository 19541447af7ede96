/*
 * smp-stress: threads on every CPU hammering what they share: a mutex-guarded counter, a bounded
 * buffer on condition variables, atomics (C11 and __atomic), a barrier, a rwlock, a spinlock,
 * semaphores (a binary one as a lock, counting ones as a buffer), thread creation and exit,
 * timed sleeps and waits, file and socket calls from every thread at once, and threads pinned
 * to one CPU (affinity) that must come back there from every kind of wait, and a joiner woken
 * on one CPU as another frees a stack. Each part checks an exact total; the whole runs ROUNDS
 * times (argv[1]), only the parts named after it if any (`smp-stress 1 join-as-stack-freed`). It
 * also reports how many CPUs its threads ran on (sched_getcpu). Exits 0 when every check held.
 * `smp-stress share N SECONDS` instead runs N compute threads for SECONDS and prints the CPU
 * time each got (its CPU-time clock) and the process's, for the balancing test.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8
#define ITERS 4000
#define SLOTS 4
#define ITEMS 1000 /* per producer: every item crosses CPUs through the mutex and a condition */
#define MAX_CPUS 16

static int failures;
static long ncpus;

static void check(int ok, const char *what, long long got, long long want)
{
	if (!ok) {
		printf("smp-stress: FAIL %s: %lld, expected %lld\n", what, got, want);
		failures++;
	}
}

static atomic_int cpus_seen[MAX_CPUS];

static void note_cpu(void)
{
	int cpu = sched_getcpu();
	if (cpu >= 0 && cpu < MAX_CPUS)
		atomic_store(&cpus_seen[cpu], 1);
}

/* ---- mutex, atomics, spinlock, rwlock ---- */
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long long counter, spin_counter, rw_counter;
static atomic_llong atomic_counter;
static long long builtin_counter;
static pthread_spinlock_t spin;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t barrier;
static atomic_int rw_readers_saw_odd;

static void *hammer(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&barrier); /* all start together */
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
		atomic_fetch_add(&atomic_counter, 1);
		__atomic_fetch_add(&builtin_counter, 2, __ATOMIC_SEQ_CST);
		pthread_spin_lock(&spin);
		spin_counter++;
		pthread_spin_unlock(&spin);
		if (i % 8 == 0) {
			/* writers keep rw_counter even; readers must never see the odd middle */
			pthread_rwlock_wrlock(&rw);
			rw_counter++;
			rw_counter++;
			pthread_rwlock_unlock(&rw);
		} else if (i % 8 == 1) {
			pthread_rwlock_rdlock(&rw);
			if (rw_counter % 2)
				atomic_store(&rw_readers_saw_odd, 1);
			pthread_rwlock_unlock(&rw);
		}
		if (i % 256 == 0)
			note_cpu();
	}
	pthread_barrier_wait(&barrier);
	return NULL;
}

static void run_threads(void *(*fn)(void *), int n)
{
	pthread_t t[THREADS * 2];
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, fn, (void *)(long)i))
			check(0, "pthread_create", errno, 0);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static void test_counters(void)
{
	counter = spin_counter = rw_counter = builtin_counter = 0;
	atomic_store(&atomic_counter, 0);
	atomic_store(&rw_readers_saw_odd, 0);
	pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
	pthread_barrier_init(&barrier, NULL, THREADS);
	run_threads(hammer, THREADS);
	pthread_barrier_destroy(&barrier);
	long long want = (long long)THREADS * ITERS;
	check(counter == want, "mutex counter", counter, want);
	check(atomic_load(&atomic_counter) == want, "atomic counter", atomic_load(&atomic_counter), want);
	check(builtin_counter == 2 * want, "__atomic counter", builtin_counter, 2 * want);
	check(spin_counter == want, "spinlock counter", spin_counter, want);
	check(rw_counter == 2 * (want / 8), "rwlock writes", rw_counter, 2 * (want / 8));
	check(!atomic_load(&rw_readers_saw_odd), "rwlock readers saw a half-done write", 1, 0);
}

/* ---- bounded buffer on condition variables ---- */
static pthread_mutex_t buf_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static int buffer[SLOTS], head, count, producers_left;
static long long consumed_sum, consumed_items;

static void *produce(void *arg)
{
	(void)arg;
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&buf_lock);
		while (count == SLOTS)
			pthread_cond_wait(&not_full, &buf_lock);
		buffer[(head + count++) % SLOTS] = i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&buf_lock);
	}
	note_cpu();
	pthread_mutex_lock(&buf_lock);
	if (--producers_left == 0)
		pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&buf_lock);
	return NULL;
}

static void *consume(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&buf_lock);
		while (count == 0 && producers_left > 0)
			pthread_cond_wait(&not_empty, &buf_lock);
		if (count == 0) {
			pthread_mutex_unlock(&buf_lock);
			note_cpu();
			return NULL;
		}
		int v = buffer[head];
		head = (head + 1) % SLOTS;
		count--;
		consumed_sum += v;
		consumed_items++;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&buf_lock);
	}
}

static void *buffer_role(void *arg) { return (long)arg % 2 ? consume(arg) : produce(arg); }

static void test_buffer(void)
{
	head = count = 0;
	consumed_sum = consumed_items = 0;
	producers_left = THREADS / 2;
	run_threads(buffer_role, THREADS);
	long long producers = THREADS / 2;
	long long want_sum = producers * ITEMS * (ITEMS + 1LL) / 2;
	check(consumed_items == producers * ITEMS, "buffer items", consumed_items, producers * ITEMS);
	check(consumed_sum == want_sum, "buffer sum", consumed_sum, want_sum);
}

/* ---- thread churn: create, exit, join, detach ---- */
static atomic_int detached_done;

static void *short_life(void *arg)
{
	note_cpu();
	return (void *)((long)arg * 3);
}

static void *detached_life(void *arg)
{
	(void)arg;
	atomic_fetch_add(&detached_done, 1);
	return NULL;
}

static void test_churn(void)
{
	long long sum = 0, want = 0;
	atomic_store(&detached_done, 0);
	pthread_attr_t detached;
	pthread_attr_init(&detached);
	pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
	for (int round = 0; round < 40; round++) {
		pthread_t t[THREADS], d;
		for (long i = 0; i < THREADS; i++) {
			pthread_create(&t[i], NULL, short_life, (void *)i);
			want += i * 3;
		}
		pthread_create(&d, &detached, detached_life, NULL);
		for (int i = 0; i < THREADS; i++) {
			void *r;
			pthread_join(t[i], &r);
			sum += (long)r;
		}
	}
	for (int i = 0; i < 1000 && atomic_load(&detached_done) < 40; i++)
		usleep(1000);
	check(sum == want, "joined results", sum, want);
	check(atomic_load(&detached_done) == 40, "detached threads that ran", atomic_load(&detached_done), 40);
}

/* ---- a joiner woken as it blocks, while its CPU frees a stack ----
 * A detached thread ends on the joiner's CPU, which frees its stack at its next switch: the
 * joiner's, as it blocks to join a thread that ends on the other CPU after a varying spin. The
 * free is a TLB shootdown (an IPI call that waits for every CPU); the other thread's end wakes the
 * joiner and leaves its CPU idle, which may steal the joiner before its CPU has left its stack
 * (the idle loop, waiting for that stack with interrupts masked, never took the call: a hang). */
enum { JOINS = 200 };
static atomic_int detached_ended;

static pthread_t start_on(int cpu, int detach, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t set;
	pthread_t t;
	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	pthread_attr_setdetachstate(&attr, detach ? PTHREAD_CREATE_DETACHED : PTHREAD_CREATE_JOINABLE);
	if (pthread_create(&t, &attr, fn, arg))
		check(0, "pthread_create", errno, 0);
	pthread_attr_destroy(&attr);
	return t;
}

static void *end_detached(void *arg)
{
	atomic_store(&detached_ended, 1);
	return arg;
}

static void *end_after_spin(void *arg)
{
	for (volatile long i = 0; i < (long)arg; i++)
		;
	return arg;
}

static void test_join_as_stack_freed(void)
{
	long long sum = 0, want = 0;
	for (long i = 0; i < JOINS; i++) {
		int self = sched_getcpu();
		void *r;
		atomic_store(&detached_ended, 0);
		start_on(self, 1, end_detached, NULL);
		pthread_t there = start_on(self + 1, 0, end_after_spin, (void *)(i % 50 * 40));
		while (!atomic_load(&detached_ended))
			sched_yield();
		pthread_join(there, &r);
		sum += (long)r;
		want += i % 50 * 40;
	}
	check(sum == want, "joined results", sum, want);
}

/* ---- sleeping and timed waits wake on time, and early on a signal ---- */
static pthread_mutex_t nap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nap_cond = PTHREAD_COND_INITIALIZER;
static atomic_int timeouts, signalled;
static int nap_go;

static void *nap(void *arg)
{
	long i = (long)arg;
	struct timespec d = { 0, 1000000 * (i % 3 + 1) };
	nanosleep(&d, NULL);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 5000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&nap_lock);
	int r = 0;
	while (!nap_go && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&nap_cond, &nap_lock, &until);
	pthread_mutex_unlock(&nap_lock);
	atomic_fetch_add(r == ETIMEDOUT ? &timeouts : &signalled, 1);
	return NULL;
}

static void test_sleep_wake(void)
{
	atomic_store(&timeouts, 0);
	atomic_store(&signalled, 0);
	nap_go = 0;
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, nap, (void *)i);
	usleep(20000); /* the first half times out ... */
	pthread_mutex_lock(&nap_lock);
	nap_go = 1;
	pthread_cond_broadcast(&nap_cond);
	pthread_mutex_unlock(&nap_lock);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	int total = atomic_load(&timeouts) + atomic_load(&signalled);
	check(total == THREADS, "sleepers that came back", total, THREADS);
}

/* ---- semaphores: a binary one as a lock, counting ones as a bounded buffer ---- */
static sem_t sem_lock, sem_items, sem_slots;
static long long sem_counter, sem_moved;
static atomic_llong sem_sum;

static void *sem_worker(void *arg)
{
	long i = (long)arg;
	for (int k = 0; k < ITERS / 4; k++) {
		sem_wait(&sem_lock);
		sem_counter++;
		sem_post(&sem_lock);
		if (i % 2) { /* producer: a unit and its value */
			sem_wait(&sem_slots);
			atomic_fetch_add(&sem_sum, k);
			sem_post(&sem_items);
		} else if (sem_trywait(&sem_items) == 0 || sem_wait(&sem_items) == 0) {
			sem_wait(&sem_lock);
			sem_moved++;
			sem_post(&sem_lock);
			sem_post(&sem_slots);
		}
	}
	note_cpu();
	return NULL;
}

static void test_semaphores(void)
{
	sem_counter = sem_moved = 0;
	atomic_store(&sem_sum, 0);
	sem_init(&sem_lock, 0, 1);
	sem_init(&sem_items, 0, 0);
	sem_init(&sem_slots, 0, SLOTS);
	run_threads(sem_worker, THREADS);
	long long want = (long long)THREADS * (ITERS / 4);
	int left;
	sem_getvalue(&sem_items, &left);
	check(sem_counter == want, "semaphore-locked counter", sem_counter, want);
	check(sem_moved == want / 2, "units through the semaphores", sem_moved, want / 2);
	check(left == 0, "units left", left, 0);
	long long sum_want = (long long)(THREADS / 2) * (ITERS / 4) * (ITERS / 4 - 1) / 2;
	check(atomic_load(&sem_sum) == sum_want, "producers' sum", atomic_load(&sem_sum), sum_want);
}

/* ---- files and sockets from every thread at once ---- */
#define IO_ROUNDS 20
#define IO_BYTES 512

static atomic_int io_bytes_ok, io_datagrams_ok;

static void file_round(int fd, long i, int round)
{
	char out[IO_BYTES], in[IO_BYTES];
	memset(out, 'a' + (int)((i + round) % 26), sizeof(out));
	if (lseek(fd, 0, SEEK_SET) != 0 || write(fd, out, sizeof(out)) != (ssize_t)sizeof(out) ||
	    pread(fd, in, sizeof(in), 0) != (ssize_t)sizeof(in))
		return;
	if (!memcmp(in, out, sizeof(in)))
		atomic_fetch_add(&io_bytes_ok, IO_BYTES);
}

static void datagram_round(int s, const struct sockaddr_in *self, long i, int round)
{
	long sent[2] = { i, round }, got[2] = { -1, -1 };
	if (sendto(s, sent, sizeof(sent), 0, (const struct sockaddr *)self, sizeof(*self)) != sizeof(sent))
		return;
	if (recv(s, got, sizeof(got), 0) == sizeof(got) && got[0] == i && got[1] == round)
		atomic_fetch_add(&io_datagrams_ok, 1);
}

static void *io_worker(void *arg)
{
	long i = (long)arg;
	char path[] = "/tmp/smp-stress-XXXXXX";
	int fd = mkstemp(path);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in self = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(self);
	if (fd < 0 || s < 0 || bind(s, (struct sockaddr *)&self, sizeof(self)) ||
	    getsockname(s, (struct sockaddr *)&self, &len)) {
		check(0, "file or socket set-up", errno, 0);
	} else {
		for (int round = 0; round < IO_ROUNDS; round++) {
			file_round(fd, i, round);
			datagram_round(s, &self, i, round);
		}
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	if (s >= 0)
		close(s);
	note_cpu();
	return NULL;
}

static void test_io(void)
{
	atomic_store(&io_bytes_ok, 0);
	atomic_store(&io_datagrams_ok, 0);
	run_threads(io_worker, THREADS);
	check(atomic_load(&io_bytes_ok) == THREADS * IO_ROUNDS * IO_BYTES, "file bytes read back",
	      atomic_load(&io_bytes_ok), THREADS * IO_ROUNDS * IO_BYTES);
	check(atomic_load(&io_datagrams_ok) == THREADS * IO_ROUNDS, "datagrams to self",
	      atomic_load(&io_datagrams_ok), THREADS * IO_ROUNDS);
}

/* ---- pinned threads come back on their CPU from every kind of wait ---- */
#define PIN_ROUNDS 120

static pthread_mutex_t pin_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pin_cond = PTHREAD_COND_INITIALIZER;
static sem_t pin_sem;
static atomic_int strays, pinned_left;
static long long pin_counter;

static void wait_a_little(long i, int r)
{
	struct timespec until;
	switch (r % 5) {
	case 0: /* a timed sleep: the timer wakes it */
		usleep((useconds_t)(50 + (i * 37 + r * 11) % 400));
		break;
	case 1: /* a condition wait that times out, or a broadcast ends */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&pin_lock);
		if (pthread_cond_timedwait(&pin_cond, &pin_lock, &until) == 0)
			pin_counter++;
		pthread_mutex_unlock(&pin_lock);
		break;
	case 2: /* a contended mutex, and a broadcast waking the waiters above on every CPU */
		pthread_mutex_lock(&pin_lock);
		pin_counter++;
		pthread_cond_broadcast(&pin_cond);
		pthread_mutex_unlock(&pin_lock);
		break;
	case 3: /* a semaphore: posted by another pinned thread, often on another CPU */
		sem_post(&pin_sem);
		sem_wait(&pin_sem);
		break;
	default: /* preempted by, or yielding to, the unpinned busy threads */
		for (volatile int k = 0; k < 20000; k++)
			;
		sched_yield();
	}
}

static void *pinned(void *arg)
{
	long i = (long)arg;
	int cpu = (int)(i % ncpus);
	for (int r = 0; r < PIN_ROUNDS; r++) {
		wait_a_little(i, r);
		int now = sched_getcpu();
		if (now != cpu && atomic_fetch_add(&strays, 1) < 4)
			printf("smp-stress: thread pinned to CPU %d ran on CPU %d after wait %d\n", cpu, now, r % 5);
	}
	atomic_fetch_sub(&pinned_left, 1);
	return NULL;
}

/* Unpinned threads keep the CPUs busy, so pushes and stealing move tasks around the pinned ones. */
static void *busy(void *arg)
{
	(void)arg;
	while (atomic_load(&pinned_left)) {
		for (volatile int k = 0; k < 50000; k++)
			;
		if (rand() % 4 == 0)
			usleep(100);
	}
	note_cpu();
	return NULL;
}

static void test_pinned(void)
{
	pthread_t t[THREADS + THREADS / 2];
	atomic_store(&strays, 0);
	atomic_store(&pinned_left, THREADS);
	sem_init(&pin_sem, 0, 0);
	for (long i = 0; i < THREADS; i++)
		t[i] = start_on((int)i, 0, pinned, (void *)i);
	for (long i = THREADS; i < THREADS + THREADS / 2; i++)
		if (pthread_create(&t[i], NULL, busy, NULL))
			check(0, "pthread_create", errno, 0);
	for (int i = 0; i < THREADS + THREADS / 2; i++)
		pthread_join(t[i], NULL);
	check(atomic_load(&strays) == 0, "wake-ups of pinned threads on another CPU", atomic_load(&strays), 0);
}

/* ---- how compute-bound threads share the CPUs ---- */
static atomic_int share_stop;

static double seconds_of(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *compute(void *arg)
{
	double *got = arg;
	for (volatile unsigned long x = 0; !atomic_load_explicit(&share_stop, memory_order_relaxed); x++)
		;
	*got = seconds_of(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

static int share(int n, int seconds)
{
	pthread_t t[MAX_CPUS];
	double got[MAX_CPUS];
	if (n < 1 || n > MAX_CPUS || seconds < 1) {
		fprintf(stderr, "smp-stress: share takes 1 to %d threads and 1 or more seconds\n", MAX_CPUS);
		return 2;
	}
	double start = seconds_of(CLOCK_MONOTONIC);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, compute, &got[i]);
	sleep((unsigned)seconds);
	atomic_store(&share_stop, 1);
	double took = seconds_of(CLOCK_MONOTONIC) - start;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		printf("smp-stress: share: thread %d ran %.3f s\n", i, got[i]);
	}
	printf("smp-stress: share: process ran %.3f s in %.3f s\n", seconds_of(CLOCK_PROCESS_CPUTIME_ID), took);
	return 0;
}

/* Phases named after the rounds, or all of them. */
static int chosen(const char *name, int n, char **names)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 3 && !strcmp(argv[1], "share"))
		return share(atoi(argv[2]), atoi(argv[3]));
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	long cpus = ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("smp-stress: %ld CPUs online, %d rounds of %d threads\n", cpus, rounds, THREADS);
	static const struct {
		const char *name;
		void (*run)(void);
	} tests[] = { { "counters", test_counters },     { "buffer", test_buffer },         { "churn", test_churn },
		      { "sleep-wake", test_sleep_wake }, { "semaphores", test_semaphores }, { "io", test_io },
		      { "pinned", test_pinned },         { "join-as-stack-freed", test_join_as_stack_freed } };
	enum { NTESTS = sizeof(tests) / sizeof(tests[0]) };
	double spent[NTESTS] = { 0 };
	for (int r = 0; r < rounds && !failures; r++)
		for (int i = 0; i < NTESTS; i++) {
			if (argc > 2 && !chosen(tests[i].name, argc - 2, argv + 2))
				continue;
			struct timespec a, b;
			clock_gettime(CLOCK_MONOTONIC, &a);
			tests[i].run();
			clock_gettime(CLOCK_MONOTONIC, &b);
			spent[i] += (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		}
	for (int i = 0; i < NTESTS; i++)
		printf("smp-stress: %s took %.3f s\n", tests[i].name, spent[i]);
	int used = 0;
	for (int i = 0; i < MAX_CPUS; i++)
		used += atomic_load(&cpus_seen[i]);
	printf("smp-stress: threads ran on %d of %ld CPUs\n", used, cpus);
	printf("smp-stress: %s\n", failures ? "FAILED" : "all checks held");
	return failures ? 1 : 0;
}
