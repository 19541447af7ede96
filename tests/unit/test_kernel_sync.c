/*
 * Host unit tests of kernel/core/sync.c (semaphores, mutexes, condition variables) over a fake
 * scheduler: sched_block() queues the current task, then runs what the test says happens while
 * it sleeps (another task's post or unlock), and reports a timeout when nobody woke it. Each
 * block also keeps the wait record the sleeper had (kernel/wait.h, core/wait.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/task.h"
#include "kernel/wait.h"
#include "kernel_host.h"

static struct task a, b;
static struct task *current = &a;
static void (*while_blocked)(void); /* what other tasks do while the current one sleeps */
static int blocks;
static struct hermit_wait seen; /* the sleeper's wait record while it slept */

struct task *task_current(void) { return current; }

int sched_block(struct runqueue *q, struct spinlock *lock, uint64_t flags, uint64_t deadline)
{
	struct task *self = current;

	(void)deadline;
	blocks++;
	seen = self->wait;
	runqueue_push(q, self);
	spin_unlock_irqrestore(lock, flags);
	if (while_blocked)
		while_blocked();
	current = self;
	return runqueue_remove(q, self); /* still queued: nobody woke it, the deadline passed */
}

/* The owner runs on another CPU while running_elsewhere_left > 0; at 1 it unlocks there. */
static int running_elsewhere_left;
static void a_unlocks(void);

bool sched_running_elsewhere(const struct task *t)
{
	(void)t;
	if (running_elsewhere_left == 1)
		a_unlocks();
	return running_elsewhere_left-- > 0;
}

static uint64_t now_ns;
uint64_t clock_ns(void) { return now_ns += 1000; }

struct task *sched_wake_one(struct runqueue *q) { return runqueue_pop(q); }
void sched_wake(struct task *t) { (void)t; } /* the waker took it off its queue already */

void sched_wake_all(struct runqueue *q)
{
	while (runqueue_pop(q))
		;
}

static struct ksem sem;
static struct kmutex mutex;
static struct kcond cond;

static void b_posts(void) { current = &b; ksem_post(&sem); }
static void a_unlocks(void)
{
	struct task *was = current;
	current = &a;
	assert_int_equal(kmutex_unlock(&mutex), 0);
	current = was;
}
static void a_unlocks_and_relocks(void)
{
	a_unlocks();
	current = &a;
	assert_int_equal(kmutex_lock(&mutex, 0), 0); /* faster than the waiter it woke */
}
static void first_a_relocks_then_unlocks(void)
{
	if (blocks == 1)
		a_unlocks_and_relocks();
	else
		a_unlocks();
}
static void b_signals(void) { current = &b; kcond_signal(&cond); }

static int reset(void **state)
{
	(void)state;
	current = &a;
	while_blocked = NULL;
	blocks = 0;
	running_elsewhere_left = 0;
	ksem_init(&sem, 0);
	mutex = (struct kmutex){ 0 };
	cond = (struct kcond){ 0 };
	return 0;
}

static void test_semaphore_counts_and_hands_over(void **state)
{
	(void)state;
	ksem_init(&sem, 2);
	assert_int_equal(ksem_trywait(&sem), 0);
	assert_int_equal(ksem_wait(&sem, 0), 0);
	assert_int_equal(ksem_trywait(&sem), -1);
	assert_int_equal(blocks, 0);
	while_blocked = b_posts; /* the unit goes straight to the sleeper, not to the count */
	assert_int_equal(ksem_wait(&sem, 0), 0);
	assert_int_equal(blocks, 1);
	assert_int_equal(sem.count, 0);
	while_blocked = NULL; /* nobody posts: the deadline passes */
	assert_int_equal(ksem_wait(&sem, 1000), -1);
	assert_true(runqueue_empty(&sem.waiters));
	ksem_post(&sem);
	assert_int_equal(sem.count, 1);
}

static void test_mutex_owner_handover_and_types(void **state)
{
	(void)state;
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	current = &b;
	assert_int_equal(kmutex_trylock(&mutex), -1);
	assert_int_equal(kmutex_unlock(&mutex), -1); /* b does not own it */
	while_blocked = a_unlocks;                   /* a's unlock makes b the owner */
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_ptr_equal(mutex.owner, &b);
	assert_int_equal(mutex.depth, 1);
	assert_int_equal(kmutex_unlock(&mutex), 0);
	assert_null(mutex.owner);

	mutex = (struct kmutex){ .type = KMUTEX_RECURSIVE };
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_int_equal(kmutex_trylock(&mutex), 0);
	assert_int_equal(mutex.depth, 2);
	assert_int_equal(kmutex_unlock(&mutex), 0);
	assert_ptr_equal(mutex.owner, &b);
	assert_int_equal(kmutex_unlock(&mutex), 0);
	assert_null(mutex.owner);

	mutex = (struct kmutex){ .type = KMUTEX_ERRORCHECK };
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_int_equal(kmutex_lock(&mutex, 0), -1); /* its owner again: an error, no deadlock */
}

static void test_mutex_waiter_that_lost_gets_the_next_unlock(void **state)
{
	(void)state;
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	current = &b;
	while_blocked = first_a_relocks_then_unlocks;
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_int_equal(blocks, 2);     /* woken once, lost to a, slept again */
	assert_ptr_equal(mutex.owner, &b); /* a's next unlock handed it over */
	assert_int_equal(mutex.handoff, 0);
	assert_int_equal(kmutex_unlock(&mutex), 0);
	assert_null(mutex.owner);
}

static void test_mutex_spins_while_its_owner_runs_elsewhere(void **state)
{
	(void)state;
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	current = &b;
	running_elsewhere_left = 3; /* a runs on another CPU and unlocks while b spins */
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_int_equal(blocks, 0); /* no sleep */
	assert_ptr_equal(mutex.owner, &b);
	assert_int_equal(kmutex_unlock(&mutex), 0);

	current = &a;
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	current = &b;
	running_elsewhere_left = 1000000; /* it runs on and on: b gives up spinning and sleeps */
	while_blocked = a_unlocks;
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_int_equal(blocks, 1);
}

static void test_semaphore_refuses_to_overflow(void **state)
{
	(void)state;
	ksem_init(&sem, INT_MAX);
	assert_int_equal(ksem_post(&sem), -1);
	assert_int_equal(sem.count, INT_MAX);
	assert_int_equal(ksem_trywait(&sem), 0);
	assert_int_equal(ksem_post(&sem), 0);
}

static void test_condition_releases_and_retakes_the_mutex(void **state)
{
	(void)state;
	mutex.type = KMUTEX_RECURSIVE;
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	while_blocked = b_signals;
	assert_int_equal(kcond_wait(&cond, &mutex, 0), 0);
	assert_ptr_equal(mutex.owner, &a); /* retaken, at the depth it had */
	assert_int_equal(mutex.depth, 2);
	while_blocked = NULL;
	assert_int_equal(kcond_wait(&cond, &mutex, 1000), -1);
	assert_ptr_equal(mutex.owner, &a);
	runqueue_push(&cond.waiters, &b);
	kcond_broadcast(&cond);
	assert_true(runqueue_empty(&cond.waiters));
}

static void test_a_sleeper_records_what_it_waits_for(void **state)
{
	(void)state;
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	current = &b;
	while_blocked = a_unlocks;
	wait_fd_call(7);
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_int_equal(seen.kind, HERMIT_WAIT_MUTEX);
	assert_int_equal(seen.object, (uintptr_t)&mutex);
	assert_int_equal(seen.owner, (uintptr_t)&mutex.owner); /* read when looked at: a then b */
	assert_int_equal(seen.fd, 8);
	assert_int_equal(b.wait.kind, HERMIT_WAIT_NONE); /* awake: no longer waiting */
	wait_fd_call(-1);
	assert_int_equal(b.wait.fd, 0);

	while_blocked = b_signals;
	current = &a;
	assert_int_equal(kmutex_lock(&mutex, 1000), -1); /* b holds it */
	mutex = (struct kmutex){ 0 };
	assert_int_equal(kmutex_lock(&mutex, 0), 0);
	assert_int_equal(kcond_wait(&cond, &mutex, 0), 0);
	assert_int_equal(seen.kind, HERMIT_WAIT_COND);
	assert_int_equal(seen.object, (uintptr_t)&cond);
	assert_int_equal(seen.owner, 0);

	while_blocked = b_posts;
	current = &a;
	assert_int_equal(ksem_wait(&sem, 0), 0);
	assert_int_equal(seen.kind, HERMIT_WAIT_SEM);
	assert_int_equal(seen.object, (uintptr_t)&sem);
	current = &a;
	assert_int_equal(ksem_wait_as(&sem, 0, HERMIT_WAIT_NET, &cond), 0);
	assert_int_equal(seen.kind, HERMIT_WAIT_NET);
	assert_int_equal(seen.object, (uintptr_t)&cond);
	assert_int_equal(a.wait.kind, HERMIT_WAIT_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_semaphore_counts_and_hands_over, reset),
		cmocka_unit_test_setup(test_mutex_owner_handover_and_types, reset),
		cmocka_unit_test_setup(test_mutex_waiter_that_lost_gets_the_next_unlock, reset),
		cmocka_unit_test_setup(test_mutex_spins_while_its_owner_runs_elsewhere, reset),
		cmocka_unit_test_setup(test_semaphore_refuses_to_overflow, reset),
		cmocka_unit_test_setup(test_condition_releases_and_retakes_the_mutex, reset),
		cmocka_unit_test_setup(test_a_sleeper_records_what_it_waits_for, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
