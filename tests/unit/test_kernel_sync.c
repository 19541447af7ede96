/*
 * Host unit tests of kernel/core/sync.c (semaphores, mutexes, condition variables) over a fake
 * scheduler: sched_block() queues the current task, then runs what the test says happens while
 * it sleeps (another task's post or unlock), and reports a timeout when nobody woke it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/task.h"
#include "kernel_host.h"

static struct task a, b;
static struct task *current = &a;
static void (*while_blocked)(void); /* what other tasks do while the current one sleeps */
static int blocks;

struct task *task_current(void) { return current; }

int sched_block(struct runqueue *q, struct spinlock *lock, uint64_t flags, uint64_t deadline)
{
	struct task *self = current;

	(void)deadline;
	blocks++;
	runqueue_push(q, self);
	spin_unlock_irqrestore(lock, flags);
	if (while_blocked)
		while_blocked();
	current = self;
	return runqueue_remove(q, self); /* still queued: nobody woke it, the deadline passed */
}

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
static void a_unlocks(void) { current = &a; assert_int_equal(kmutex_unlock(&mutex), 0); }
static void b_signals(void) { current = &b; kcond_signal(&cond); }

static int reset(void **state)
{
	(void)state;
	current = &a;
	while_blocked = NULL;
	blocks = 0;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_semaphore_counts_and_hands_over, reset),
		cmocka_unit_test_setup(test_mutex_owner_handover_and_types, reset),
		cmocka_unit_test_setup(test_condition_releases_and_retakes_the_mutex, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
