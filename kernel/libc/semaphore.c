/*
 * libc/semaphore.c: POSIX semaphores on the kernel's (core/sync.c), which hand a posted unit
 * straight to the waiter they wake, so no waiter starves and no unit is lost across CPUs. A
 * wait is interruptible: a signal the waiter takes ends it (core/sched.c), its handler runs and
 * the call fails with EINTR; a waiter whose signal another thread took waits again.
 * Named semaphores: a table of names (one process, so no files): sem_open finds or creates an
 * entry and counts its opens, sem_unlink removes the name, and the semaphore goes once it is
 * unlinked and closed as often as opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/signal.h"
#include "kernel/sync.h"
#include "kernel/task.h"
#include "libc/libc.h"

_Static_assert(sizeof(struct ksem) <= sizeof(sem_t), "sem_t holds a ksem");
_Static_assert(SEM_VALUE_MAX == INT_MAX, "ksem_post refuses to count past INT_MAX");

#define AS_KSEM(s) ((struct ksem *)(s))

static int fail(int err)
{
	errno = err;
	return -1;
}

int sem_init(sem_t *sem, int pshared, unsigned int value)
{
	(void)pshared; /* one process: shared or not is the same */
	if (value > SEM_VALUE_MAX)
		return fail(EINVAL);
	ksem_init(AS_KSEM(sem), (int)value);
	return 0;
}

int sem_destroy(sem_t *sem)
{
	(void)sem;
	return 0;
}

int sem_post(sem_t *sem) { return ksem_post(AS_KSEM(sem)) ? fail(EOVERFLOW) : 0; }

int sem_trywait(sem_t *sem) { return ksem_trywait(AS_KSEM(sem)) ? fail(EAGAIN) : 0; }

int sem_getvalue(sem_t *sem, int *value)
{
	*value = __atomic_load_n(&AS_KSEM(sem)->count, __ATOMIC_RELAXED);
	return 0;
}

static int wait_until(sem_t *sem, uint64_t deadline)
{
	struct task *self = task_current();
	for (;;) {
		self->interruptible = true;
		int r = ksem_wait(AS_KSEM(sem), deadline);
		self->interruptible = false;
		if (r == 0)
			return 0;
		if (r == -TASK_TIMED_OUT)
			return fail(ETIMEDOUT);
		if (signal_deliver())
			return fail(EINTR);
	}
}

int sem_wait(sem_t *sem) { return wait_until(sem, 0); }

int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return fail(EINVAL);
	if (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000)
		return fail(EINVAL);
	if (ksem_trywait(AS_KSEM(sem)) == 0)
		return 0;
	return wait_until(sem, libc_deadline(clock, abstime));
}

int sem_timedwait(sem_t *sem, const struct timespec *abstime) { return sem_clockwait(sem, CLOCK_REALTIME, abstime); }

/* ---- named semaphores ---- */

struct named {
	sem_t sem; /* first: sem_open's result is the entry */
	struct named *next;
	unsigned opens;
	int linked; /* still found under its name; else it lives until its last sem_close */
	char name[];
};

static struct kmutex names_lock; /* guards the entries */
static struct named *entries;    /* linked, or unlinked and still open */

/* glibc's rule: leading slashes do not count; what remains is a non-empty file name. */
static const char *name_of(const char *name, int *err)
{
	while (*name == '/')
		name++;
	size_t len = strlen(name);
	*err = !len || strchr(name, '/') ? EINVAL : len > NAME_MAX ? ENAMETOOLONG : 0;
	return name;
}

static struct named *find_name(const char *name)
{
	struct named *n = entries;
	while (n && !(n->linked && !strcmp(n->name, name)))
		n = n->next;
	return n;
}

static struct named *create(const char *name, unsigned value, int *err)
{
	struct named *n = value > SEM_VALUE_MAX ? NULL : calloc(1, sizeof(*n) + strlen(name) + 1);
	if (!n) {
		*err = value > SEM_VALUE_MAX ? EINVAL : ENOMEM;
		return NULL;
	}
	ksem_init(AS_KSEM(&n->sem), (int)value);
	strcpy(n->name, name);
	n->linked = 1;
	n->next = entries;
	entries = n;
	return n;
}

/* Frees n once it is neither linked nor open. */
static void drop_if_unused(struct named *n)
{
	if (n->linked || n->opens)
		return;
	for (struct named **p = &entries; *p; p = &(*p)->next)
		if (*p == n) {
			*p = n->next;
			break;
		}
	free(n);
}

sem_t *sem_open(const char *path, int oflag, ...)
{
	int err;
	const char *name = name_of(path, &err);
	if (err) {
		errno = err;
		return SEM_FAILED;
	}
	unsigned value = 0;
	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		(void)va_arg(ap, int); /* mode: one user, nothing to check */
		value = va_arg(ap, unsigned);
		va_end(ap);
	}
	kmutex_lock(&names_lock, 0);
	struct named *n = find_name(name);
	if (n && (oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		n = NULL, err = EEXIST;
	else if (!n && !(oflag & O_CREAT))
		err = ENOENT;
	else if (!n)
		n = create(name, value, &err);
	if (n)
		n->opens++;
	kmutex_unlock(&names_lock);
	if (!n)
		errno = err;
	return n ? &n->sem : SEM_FAILED;
}

int sem_close(sem_t *sem)
{
	kmutex_lock(&names_lock, 0);
	struct named *n = entries;
	while (n && &n->sem != sem)
		n = n->next;
	if (n && n->opens) {
		n->opens--;
		drop_if_unused(n);
	}
	kmutex_unlock(&names_lock);
	return n ? 0 : fail(EINVAL);
}

int sem_unlink(const char *path)
{
	int err;
	const char *name = name_of(path, &err);
	if (err)
		return fail(err == EINVAL ? ENOENT : err);
	kmutex_lock(&names_lock, 0);
	struct named *n = find_name(name);
	if (n) {
		n->linked = 0;
		drop_if_unused(n);
	}
	kmutex_unlock(&names_lock);
	return n ? 0 : fail(ENOENT);
}
