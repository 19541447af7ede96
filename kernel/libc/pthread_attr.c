/*
 * libc/pthread_attr.c: attribute objects of threads, mutexes and condition variables. They only
 * carry settings that pthread_create() and the *_init() functions read.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "kernel/task.h"

int pthread_attr_init(pthread_attr_t *a)
{
	*a = (pthread_attr_t){ .is_initialized = 1, .detachstate = PTHREAD_CREATE_JOINABLE, .stacksize = TASK_DEFAULT_STACK };
	return 0;
}
int pthread_attr_destroy(pthread_attr_t *a)
{
	a->is_initialized = 0;
	return 0;
}
int pthread_attr_setdetachstate(pthread_attr_t *a, int s)
{
	if (s != PTHREAD_CREATE_DETACHED && s != PTHREAD_CREATE_JOINABLE)
		return EINVAL;
	a->detachstate = s;
	return 0;
}
int pthread_attr_getdetachstate(const pthread_attr_t *a, int *s)
{
	*s = a->detachstate;
	return 0;
}
int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	a->stacksize = size;
	return 0;
}
int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	*size = a->stacksize;
	return 0;
}

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	*a = (pthread_mutexattr_t){ 1, PTHREAD_MUTEX_DEFAULT };
	return 0;
}
int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	a->is_initialized = 0;
	return 0;
}
int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_DEFAULT)
		return EINVAL;
	a->type = type;
	return 0;
}
int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	*type = a->type;
	return 0;
}

int pthread_condattr_init(pthread_condattr_t *a)
{
	*a = (pthread_condattr_t){ 1, CLOCK_REALTIME };
	return 0;
}
int pthread_condattr_destroy(pthread_condattr_t *a)
{
	a->is_initialized = 0;
	return 0;
}
int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
	if (clock != CLOCK_REALTIME)
		return EINVAL; /* timed waits take CLOCK_REALTIME deadlines */
	a->clock = clock;
	return 0;
}
