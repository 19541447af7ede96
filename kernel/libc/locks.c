/*
 * libc/locks.c: newlib's retargetable locks (stdio, malloc, atexit, environment, time zone) as
 * kernel mutexes. newlib requires all of these routines and static locks from one place.
 * Try-acquire returns 0 when it took the lock, as pthread_mutex_trylock does.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/lock.h>

#include "kernel/sync.h"

struct __lock {
	struct kmutex m;
};

#define STATIC_LOCK(name, kind) struct __lock name = { { .type = kind } }
STATIC_LOCK(__lock___sinit_recursive_mutex, KMUTEX_RECURSIVE);
STATIC_LOCK(__lock___sfp_recursive_mutex, KMUTEX_RECURSIVE);
STATIC_LOCK(__lock___atexit_recursive_mutex, KMUTEX_RECURSIVE);
STATIC_LOCK(__lock___at_quick_exit_mutex, KMUTEX_NORMAL);
STATIC_LOCK(__lock___malloc_recursive_mutex, KMUTEX_RECURSIVE);
STATIC_LOCK(__lock___env_recursive_mutex, KMUTEX_RECURSIVE);
STATIC_LOCK(__lock___tz_mutex, KMUTEX_NORMAL);
STATIC_LOCK(__lock___dd_hash_mutex, KMUTEX_NORMAL);
STATIC_LOCK(__lock___arc4random_mutex, KMUTEX_NORMAL);

static void lock_new(_LOCK_T *lock, int kind)
{
	struct __lock *l = malloc(sizeof(*l));
	if (l) {
		memset(l, 0, sizeof(*l));
		l->m.type = kind;
	}
	*lock = l;
}

void __retarget_lock_init(_LOCK_T *lock) { lock_new(lock, KMUTEX_NORMAL); }
void __retarget_lock_init_recursive(_LOCK_T *lock) { lock_new(lock, KMUTEX_RECURSIVE); }
void __retarget_lock_close(_LOCK_T lock) { free(lock); }
void __retarget_lock_close_recursive(_LOCK_T lock) { free(lock); }

/* A lock whose allocation failed is a no-op: stdio then works unlocked rather than not at all. */
void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock)
		kmutex_lock(&lock->m, 0);
}
void __retarget_lock_acquire_recursive(_LOCK_T lock) { __retarget_lock_acquire(lock); }
int __retarget_lock_try_acquire(_LOCK_T lock) { return lock ? kmutex_trylock(&lock->m) : 0; }
int __retarget_lock_try_acquire_recursive(_LOCK_T lock) { return __retarget_lock_try_acquire(lock); }
void __retarget_lock_release(_LOCK_T lock)
{
	if (lock)
		kmutex_unlock(&lock->m);
}
void __retarget_lock_release_recursive(_LOCK_T lock) { __retarget_lock_release(lock); }
