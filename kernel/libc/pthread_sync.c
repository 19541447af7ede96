/*
 * libc/pthread_sync.c: POSIX mutexes and condition variables (the kernel's own objects, stored in
 * the public types), and reader-writer locks, barriers and spin locks built from them.
 * Writers have priority over new readers, so a steady stream of readers cannot starve them.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "arch.h"
#include "kernel/sync.h"
#include "libc/libc.h"

struct rwlock {
	struct kmutex lock;
	struct kcond readers_ok, writer_ok;
	int readers, writer, writers_waiting;
};

struct barrier {
	struct kmutex lock;
	struct kcond all_here;
	unsigned count, waiting, generation;
};

#define SPIN_READS 256 /* pthread_spin_lock's reads of a held lock between attempts */

#define AS_KMUTEX(m) ((struct kmutex *)(m))
#define AS_KCOND(c) ((struct kcond *)(c))

_Static_assert(sizeof(struct kmutex) <= sizeof(pthread_mutex_t), "pthread_mutex_t holds a kmutex");
_Static_assert(sizeof(struct kcond) <= sizeof(pthread_cond_t), "pthread_cond_t holds a kcond");
_Static_assert(sizeof(struct rwlock) <= sizeof(pthread_rwlock_t), "pthread_rwlock_t holds a rwlock");
_Static_assert(sizeof(struct barrier) <= sizeof(pthread_barrier_t), "pthread_barrier_t holds a barrier");

static uint64_t deadline_from(const struct timespec *abstime) { return libc_deadline(CLOCK_REALTIME, abstime); }

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	memset(m, 0, sizeof(*m));
	int type = a ? a->type : PTHREAD_MUTEX_DEFAULT;
	AS_KMUTEX(m)->type = type == PTHREAD_MUTEX_RECURSIVE ? KMUTEX_RECURSIVE
			     : type == PTHREAD_MUTEX_ERRORCHECK ? KMUTEX_ERRORCHECK
								: KMUTEX_NORMAL;
	return 0;
}
int pthread_mutex_destroy(pthread_mutex_t *m) { return AS_KMUTEX(m)->owner ? EBUSY : 0; }
int pthread_mutex_lock(pthread_mutex_t *m) { return kmutex_lock(AS_KMUTEX(m), 0) ? EDEADLK : 0; }
int pthread_mutex_trylock(pthread_mutex_t *m) { return kmutex_trylock(AS_KMUTEX(m)) ? EBUSY : 0; }
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t)
{
	return kmutex_lock(AS_KMUTEX(m), deadline_from(t)) ? ETIMEDOUT : 0;
}
int pthread_mutex_unlock(pthread_mutex_t *m) { return kmutex_unlock(AS_KMUTEX(m)) ? EPERM : 0; }

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	(void)a;
	memset(c, 0, sizeof(*c));
	return 0;
}
int pthread_cond_destroy(pthread_cond_t *c) { return runqueue_empty(&AS_KCOND(c)->waiters) ? 0 : EBUSY; }
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	kcond_wait(AS_KCOND(c), AS_KMUTEX(m), 0);
	return 0;
}
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t)
{
	return kcond_wait(AS_KCOND(c), AS_KMUTEX(m), deadline_from(t)) ? ETIMEDOUT : 0;
}
int pthread_cond_signal(pthread_cond_t *c)
{
	kcond_signal(AS_KCOND(c));
	return 0;
}
int pthread_cond_broadcast(pthread_cond_t *c)
{
	kcond_broadcast(AS_KCOND(c));
	return 0;
}

int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
	(void)attr;
	memset(rw, 0, sizeof(*rw));
	return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
	struct rwlock *l = (struct rwlock *)rw;
	return l->readers || l->writer ? EBUSY : 0;
}

static int rwlock_read(struct rwlock *l, int try)
{
	kmutex_lock(&l->lock, 0);
	while (l->writer || l->writers_waiting) {
		if (try) {
			kmutex_unlock(&l->lock);
			return EBUSY;
		}
		kcond_wait(&l->readers_ok, &l->lock, 0);
	}
	l->readers++;
	kmutex_unlock(&l->lock);
	return 0;
}

static int rwlock_write(struct rwlock *l, int try)
{
	kmutex_lock(&l->lock, 0);
	if (try && (l->writer || l->readers)) {
		kmutex_unlock(&l->lock);
		return EBUSY;
	}
	l->writers_waiting++;
	while (l->writer || l->readers)
		kcond_wait(&l->writer_ok, &l->lock, 0);
	l->writers_waiting--;
	l->writer = 1;
	kmutex_unlock(&l->lock);
	return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw) { return rwlock_read((struct rwlock *)rw, 0); }
int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw) { return rwlock_read((struct rwlock *)rw, 1); }
int pthread_rwlock_wrlock(pthread_rwlock_t *rw) { return rwlock_write((struct rwlock *)rw, 0); }
int pthread_rwlock_trywrlock(pthread_rwlock_t *rw) { return rwlock_write((struct rwlock *)rw, 1); }

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
	struct rwlock *l = (struct rwlock *)rw;
	kmutex_lock(&l->lock, 0);
	if (l->writer)
		l->writer = 0;
	else if (l->readers)
		l->readers--;
	if (!l->readers && l->writers_waiting)
		kcond_signal(&l->writer_ok);
	else if (!l->writers_waiting)
		kcond_broadcast(&l->readers_ok);
	kmutex_unlock(&l->lock);
	return 0;
}

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count)
{
	(void)attr;
	if (!count)
		return EINVAL;
	memset(b, 0, sizeof(*b));
	((struct barrier *)b)->count = count;
	return 0;
}

int pthread_barrier_destroy(pthread_barrier_t *b) { return ((struct barrier *)b)->waiting ? EBUSY : 0; }

int pthread_barrier_wait(pthread_barrier_t *pb)
{
	struct barrier *b = (struct barrier *)pb;
	kmutex_lock(&b->lock, 0);
	unsigned generation = b->generation;
	if (++b->waiting == b->count) {
		b->waiting = 0;
		b->generation++;
		kcond_broadcast(&b->all_here);
		kmutex_unlock(&b->lock);
		return PTHREAD_BARRIER_SERIAL_THREAD;
	}
	while (generation == b->generation)
		kcond_wait(&b->all_here, &b->lock, 0);
	kmutex_unlock(&b->lock);
	return 0;
}

int pthread_spin_init(pthread_spinlock_t *lock, int pshared)
{
	(void)pshared;
	*lock = 0;
	return 0;
}
int pthread_spin_destroy(pthread_spinlock_t *lock)
{
	(void)lock;
	return 0;
}
int pthread_spin_trylock(pthread_spinlock_t *lock) { return __atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE) ? EBUSY : 0; }
int pthread_spin_lock(pthread_spinlock_t *lock)
{
	/* The holder may run on another CPU (spin a little) or be preempted (then yield, rather
	 * than spin out a time slice). */
	for (unsigned tries = 0; __atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE); tries++) {
		for (unsigned i = 0; i < SPIN_READS && __atomic_load_n(lock, __ATOMIC_RELAXED); i++)
			cpu_relax();
		if (tries % 4 == 3)
			sched_yield();
	}
	return 0;
}
int pthread_spin_unlock(pthread_spinlock_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
	return 0;
}
