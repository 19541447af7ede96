/*
 * libc/pthread_sync.c: reader-writer locks, barriers and spin locks, built from kernel mutexes and
 * condition variables (the structures are checked against the public types in pthread.c).
 * Writers have priority over new readers, so a steady stream of readers cannot starve them.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "kernel/sync.h"

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

_Static_assert(sizeof(struct rwlock) <= sizeof(pthread_rwlock_t), "pthread_rwlock_t holds a rwlock");
_Static_assert(sizeof(struct barrier) <= sizeof(pthread_barrier_t), "pthread_barrier_t holds a barrier");

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
	/* On one CPU the holder may be preempted: yield instead of spinning out a time slice. */
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
	return 0;
}
int pthread_spin_unlock(pthread_spinlock_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
	return 0;
}
