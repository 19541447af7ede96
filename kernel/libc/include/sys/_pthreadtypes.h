/*
 * Hermit's POSIX thread types. Synchronization objects hold the kernel object itself (checked in
 * libc/pthread.c), so all-zero is the static initializer and no handle table is needed.
 */
#ifndef _SYS__PTHREADTYPES_H_
#define _SYS__PTHREADTYPES_H_

#include <sys/_types.h>

typedef struct __hermit_pthread *pthread_t;

typedef struct {
	int is_initialized;
	int detachstate;
	__SIZE_TYPE__ stacksize;
	void *stackaddr;
	unsigned long long affinity; /* CPUs, bit i for CPU i; 0: the creator's (libc/affinity.c) */
} pthread_attr_t;

typedef struct {
	long __opaque[6];
} pthread_mutex_t;

typedef struct {
	int is_initialized;
	int type;
} pthread_mutexattr_t;

typedef struct {
	long __opaque[3];
} pthread_cond_t;

typedef struct {
	int is_initialized;
	int clock;
} pthread_condattr_t;

typedef unsigned int pthread_key_t;

typedef struct {
	int is_initialized;
	int init_executed;
} pthread_once_t;

typedef struct {
	long __opaque[14];
} pthread_rwlock_t;

typedef struct {
	int is_initialized;
} pthread_rwlockattr_t;

typedef struct {
	long __opaque[12];
} pthread_barrier_t;

typedef struct {
	int is_initialized;
} pthread_barrierattr_t;

typedef volatile int pthread_spinlock_t;

#define PTHREAD_CREATE_DETACHED 0
#define PTHREAD_CREATE_JOINABLE 1
#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_RECURSIVE 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT 3
#define PTHREAD_PROCESS_PRIVATE 0
#define PTHREAD_PROCESS_SHARED 1
#define PTHREAD_SCOPE_PROCESS 0
#define PTHREAD_SCOPE_SYSTEM 1
#define PTHREAD_INHERIT_SCHED 1
#define PTHREAD_EXPLICIT_SCHED 2
#define PTHREAD_STACK_MIN 16384

#define _PTHREAD_MUTEX_INITIALIZER { { 0 } }
#define _PTHREAD_COND_INITIALIZER { { 0 } }
#define _PTHREAD_RWLOCK_INITIALIZER { { 0 } }
#define _PTHREAD_ONCE_INIT { 1, 0 }

#endif
