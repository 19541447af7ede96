/*
 * CPUs and semaphores: affinity (sched_*affinity, pthread_*affinity_np, the thread attribute)
 * on however many CPUs run (HERMIT_CPUS), and POSIX semaphores: counting, timeouts, overflow,
 * EINTR by a handler, contention between threads, named semaphores' table.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "posix.h"

static int ncpus;

static cpu_set_t only(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return s;
}

static void spin_a_while(void)
{
	for (volatile int i = 0; i < 200000; i++)
		if (i % 50000 == 0)
			sched_yield();
}

static atomic_int spinner_cpu = -1, spinner_stop;

static void *spinner(void *arg)
{
	(void)arg;
	while (!atomic_load(&spinner_stop))
		atomic_store(&spinner_cpu, sched_getcpu());
	return NULL;
}

/* The spinner reports CPU cpu (it moved there) within seconds (a busy host is slow). */
static int spinner_reaches(int cpu)
{
	for (int i = 0; i < 2000; i++) {
		atomic_store(&spinner_cpu, -1);
		usleep(5000);
		if (atomic_load(&spinner_cpu) == cpu)
			return 1;
	}
	return 0;
}

static void *report_affinity(void *arg)
{
	cpu_set_t *out = arg;
	CHECK(pthread_getaffinity_np(pthread_self(), sizeof(*out), out) == 0);
	return (void *)(long)sched_getcpu();
}

static void check_thread_affinity(void)
{
	cpu_set_t set = only(ncpus - 1), got;
	pthread_attr_t attr;
	pthread_t t;
	void *cpu;

	CHECK(pthread_attr_init(&attr) == 0);
	CHECK(pthread_attr_getaffinity_np(&attr, sizeof(got), &got) == 0 && CPU_COUNT(&got) == ncpus);
	CHECK(pthread_attr_setaffinity_np(&attr, sizeof(set), &set) == 0);
	CHECK(pthread_create(&t, &attr, report_affinity, &got) == 0 && pthread_join(t, &cpu) == 0);
	CHECK((long)cpu == ncpus - 1 && CPU_EQUAL(&got, &set));
	cpu_set_t none = only(ncpus);
	CHECK(pthread_attr_setaffinity_np(&attr, sizeof(none), &none) == EINVAL);

	/* a new thread inherits its creator's affinity */
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
	CHECK(pthread_create(&t, NULL, report_affinity, &got) == 0 && pthread_join(t, &cpu) == 0);
	CHECK((long)cpu == ncpus - 1 && CPU_EQUAL(&got, &set));

	/* another thread, running: it moves when its set changes */
	atomic_store(&spinner_stop, 0);
	CHECK(pthread_create(&t, NULL, spinner, NULL) == 0);
	for (int cpu = 0; cpu < ncpus; cpu++) {
		set = only(cpu);
		CHECK(pthread_setaffinity_np(t, sizeof(set), &set) == 0);
		CHECK(spinner_reaches(cpu));
		CHECK(pthread_getaffinity_np(t, sizeof(got), &got) == 0 && CPU_EQUAL(&got, &set));
	}
	atomic_store(&spinner_stop, 1);
	CHECK(pthread_join(t, NULL) == 0);
}

void check_affinity(void)
{
	cpu_set_t set, got;

	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	CHECK(ncpus >= 1);
	CHECK(sched_getaffinity(0, sizeof(got), &got) == 0 && CPU_COUNT(&got) == ncpus);
	for (int cpu = 0; cpu < ncpus; cpu++) {
		set = only(cpu);
		CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
		CHECK(sched_getcpu() == cpu); /* moved before the call returned */
		spin_a_while();
		CHECK(sched_getcpu() == cpu);
		CHECK(sched_getaffinity(getpid(), sizeof(got), &got) == 0 && CPU_EQUAL(&got, &set));
	}
	set = only(ncpus); /* no such CPU */
	CHECK_ERRNO(sched_setaffinity(0, sizeof(set), &set), EINVAL);
	CHECK_ERRNO(sched_setaffinity(0, 0, &set), EINVAL);
	CHECK_ERRNO(sched_getaffinity(0, 4, &got), EINVAL);
	CHECK_ERRNO(sched_getaffinity(2, sizeof(got), &got), ESRCH);
	CHECK(pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == EINVAL);
	check_thread_affinity();
	CPU_ZERO(&set);
	for (int cpu = 0; cpu < ncpus; cpu++)
		CPU_SET(cpu, &set);
	CHECK(sched_setaffinity(0, sizeof(set), &set) == 0);
	printf("affinity: %d CPUs\n", ncpus);
}

/* ---- semaphores ---- */

static struct timespec in_ms(clockid_t clock, long ms)
{
	struct timespec t;
	clock_gettime(clock, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void check_counting(void)
{
	sem_t s;
	int v;

	CHECK_ERRNO(sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1), EINVAL);
	CHECK(sem_init(&s, 0, 0) == 0);
	CHECK_ERRNO(sem_trywait(&s), EAGAIN);
	CHECK(sem_post(&s) == 0 && sem_post(&s) == 0);
	CHECK(sem_getvalue(&s, &v) == 0 && v == 2);
	CHECK(sem_wait(&s) == 0 && sem_trywait(&s) == 0);
	CHECK(sem_getvalue(&s, &v) == 0 && v == 0);

	struct timespec past = { 1, 0 }, bad = { 0, 1000000000 };
	CHECK_ERRNO(sem_timedwait(&s, &past), ETIMEDOUT);
	CHECK_ERRNO(sem_timedwait(&s, &bad), EINVAL);
	double t0 = now_s();
	struct timespec soon = in_ms(CLOCK_REALTIME, 50);
	CHECK_ERRNO(sem_timedwait(&s, &soon), ETIMEDOUT);
	CHECK(now_s() - t0 >= 0.045);
	soon = in_ms(CLOCK_MONOTONIC, 30);
	CHECK_ERRNO(sem_clockwait(&s, CLOCK_MONOTONIC, &soon), ETIMEDOUT);
	CHECK_ERRNO(sem_clockwait(&s, (clockid_t)99, &soon), EINVAL);
	CHECK(sem_post(&s) == 0);
	CHECK(sem_timedwait(&s, &past) == 0); /* available: no timeout */
	CHECK(sem_destroy(&s) == 0);

	CHECK(sem_init(&s, 0, SEM_VALUE_MAX) == 0);
	CHECK_ERRNO(sem_post(&s), EOVERFLOW);
	CHECK(sem_getvalue(&s, &v) == 0 && v == SEM_VALUE_MAX);
}

#define PAIRS 4
#define UNITS 2000

static sem_t items, slots;
static atomic_long taken;

static void *post_units(void *arg)
{
	(void)arg;
	for (int i = 0; i < UNITS; i++) {
		sem_wait(&slots);
		sem_post(&items);
	}
	return NULL;
}

static void *take_units(void *arg)
{
	(void)arg;
	for (int i = 0; i < UNITS; i++) {
		if (i % 3 == 0) {
			struct timespec later = in_ms(CLOCK_REALTIME, 10000);
			CHECK(sem_timedwait(&items, &later) == 0);
		} else if (sem_trywait(&items) != 0) {
			sem_wait(&items);
		}
		atomic_fetch_add(&taken, 1);
		sem_post(&slots);
	}
	return NULL;
}

static void check_contention(void)
{
	pthread_t t[2 * PAIRS];
	int v;

	CHECK(sem_init(&items, 0, 0) == 0 && sem_init(&slots, 0, 3) == 0);
	for (int i = 0; i < PAIRS; i++) {
		CHECK(pthread_create(&t[2 * i], NULL, post_units, NULL) == 0);
		CHECK(pthread_create(&t[2 * i + 1], NULL, take_units, NULL) == 0);
	}
	for (int i = 0; i < 2 * PAIRS; i++)
		pthread_join(t[i], NULL);
	CHECK(atomic_load(&taken) == PAIRS * UNITS);
	CHECK(sem_getvalue(&items, &v) == 0 && v == 0);
	CHECK(sem_getvalue(&slots, &v) == 0 && v == 3);
}

static atomic_int handled, waiter_result;
static sem_t never;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

static void *wait_for_ever(void *arg)
{
	int timed = (int)(long)arg;
	struct timespec later = in_ms(CLOCK_REALTIME, 60000);
	errno = 0;
	int r = timed ? sem_timedwait(&never, &later) : sem_wait(&never);
	atomic_store(&waiter_result, r == -1 ? errno : 0);
	return NULL;
}

/* Signals the waiter until its wait ends: one sent before it began to wait only runs the
 * handler (a busy host may start the thread late); the wait itself must end with EINTR. */
static void check_interrupted(int flags, int timed, int whole_process)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };
	sigset_t usr1;
	pthread_t t;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	int before = atomic_load(&handled);
	atomic_store(&waiter_result, -1);
	CHECK(pthread_create(&t, NULL, wait_for_ever, (void *)(long)timed) == 0);
	if (whole_process) /* only the waiter takes it (it did not inherit this) */
		CHECK(pthread_sigmask(SIG_BLOCK, &usr1, NULL) == 0);
	for (int i = 0; i < 400 && atomic_load(&waiter_result) == -1; i++) {
		usleep(50000);
		if (atomic_load(&waiter_result) == -1)
			CHECK((whole_process ? kill(getpid(), SIGUSR1) : pthread_kill(t, SIGUSR1)) == 0);
	}
	CHECK(pthread_join(t, NULL) == 0);
	if (whole_process)
		CHECK(pthread_sigmask(SIG_UNBLOCK, &usr1, NULL) == 0);
	CHECK(atomic_load(&waiter_result) == EINTR); /* as on Linux, even with SA_RESTART */
	CHECK(atomic_load(&handled) > before);
}

/* sem_open fails with SEM_FAILED and the errno. */
#define CHECK_SEM_FAILED(call, err)                                                                 \
	do {                                                                                        \
		errno = 0;                                                                          \
		CHECK((call) == SEM_FAILED && errno == (err));                                      \
	} while (0)

static void check_named(void)
{
	sem_t *a = sem_open("/hermit-sem", O_CREAT | O_EXCL, 0600, 3);
	int v;

	CHECK(a != SEM_FAILED);
	CHECK_SEM_FAILED(sem_open("/hermit-sem", O_CREAT | O_EXCL, 0600, 1), EEXIST);
	sem_t *b = sem_open("hermit-sem", 0); /* leading slashes do not count */
	CHECK(b == a && sem_getvalue(b, &v) == 0 && v == 3);
	CHECK(sem_open("/hermit-sem", O_CREAT, 0600, 9) == a); /* O_CREAT alone opens it */
	CHECK(sem_wait(a) == 0 && sem_getvalue(b, &v) == 0 && v == 2);
	CHECK_SEM_FAILED(sem_open("/hermit-none", 0), ENOENT);
	CHECK_SEM_FAILED(sem_open("/", O_CREAT, 0600, 0), EINVAL);
	CHECK_SEM_FAILED(sem_open("/a/b", O_CREAT, 0600, 0), EINVAL);
	CHECK_SEM_FAILED(sem_open("/big", O_CREAT, 0600, (unsigned)SEM_VALUE_MAX + 1), EINVAL);
	char long_name[300];
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK_SEM_FAILED(sem_open(long_name, O_CREAT, 0600, 0), ENAMETOOLONG);

	CHECK(sem_unlink("/hermit-sem") == 0);
	CHECK_ERRNO(sem_unlink("/hermit-sem"), ENOENT);
	CHECK_SEM_FAILED(sem_open("/hermit-sem", 0), ENOENT);
	sem_t *c = sem_open("/hermit-sem", O_CREAT | O_EXCL, 0600, 0); /* a new one under the name */
	CHECK(c != SEM_FAILED && c != a && sem_getvalue(c, &v) == 0 && v == 0);
	CHECK(sem_post(a) == 0 && sem_getvalue(a, &v) == 0 && v == 3); /* the unlinked one lives on */
	CHECK(sem_close(a) == 0 && sem_close(a) == 0 && sem_close(a) == 0);
	CHECK_ERRNO(sem_close(a), EINVAL); /* closed as often as opened: gone */
	CHECK(sem_close(c) == 0 && sem_unlink("/hermit-sem") == 0);
	sem_t stray;
	CHECK_ERRNO(sem_close(&stray), EINVAL);
}

void check_semaphores(void)
{
	check_counting();
	check_contention();
	check_interrupted(0, 0, 0);
	check_interrupted(SA_RESTART, 1, 0);
	check_interrupted(0, 0, 1);
	check_named();
	CHECK(sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL) == 0);
}
