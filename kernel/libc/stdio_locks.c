/*
 * libc/stdio_locks.c: POSIX's explicit stream locks over the recursive lock newlib's stdio takes
 * inside every call (locks.c), so a flockfile() section excludes other threads' stdio calls on the
 * stream. String streams (sprintf's) have no lock, as in newlib.
 */
#include <stdio.h>
#include <sys/lock.h>
#include <sys/reent.h>

void __sinit(struct _reent *);

/* The standard streams get their locks on a thread's first stdio call; this may be one. */
static _LOCK_RECURSIVE_T *lock_of(FILE *fp)
{
	struct _reent *r = _REENT;
	if (!r->__sdidinit)
		__sinit(r);
	return (fp->_flags & __SSTR) ? NULL : &fp->_lock;
}

void flockfile(FILE *fp)
{
	_LOCK_RECURSIVE_T *l = lock_of(fp);
	if (l)
		__lock_acquire_recursive(*l);
}

int ftrylockfile(FILE *fp)
{
	_LOCK_RECURSIVE_T *l = lock_of(fp);
	return l ? __lock_try_acquire_recursive(*l) : 0;
}

void funlockfile(FILE *fp)
{
	_LOCK_RECURSIVE_T *l = lock_of(fp);
	if (l)
		__lock_release_recursive(*l);
}
