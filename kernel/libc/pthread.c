/*
 * libc/pthread.c: POSIX threads on kernel tasks and kernel synchronization objects. A pthread_t
 * points at a struct __hermit_pthread that lives until the thread is joined (or, detached, ends).
 * threads_lock guards joining/detaching and the key table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/smp.h"
#include "kernel/clock.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/task.h"
#include "libc/libc.h"

struct __hermit_pthread {
	struct task *task;
	void *(*start)(void *);
	void *arg;
	void *retval;
	int detached;
	const void *specific[PTHREAD_KEYS_MAX];
};

static struct kmutex threads_lock;
static struct __hermit_pthread main_thread;
static void (*key_destructors[PTHREAD_KEYS_MAX])(void *);
static unsigned char key_used[PTHREAD_KEYS_MAX];
static unsigned live_threads = 1; /* main */

static struct __hermit_pthread *self(void)
{
	struct task *t = task_current();
	if (!t->user) {
		main_thread.task = t;
		t->user = &main_thread;
	}
	return t->user;
}

static void run_key_destructors(struct __hermit_pthread *p)
{
	for (int round = 0; round < 4; round++)
		for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
			void *v = (void *)p->specific[k];
			if (v && key_destructors[k]) {
				p->specific[k] = NULL;
				key_destructors[k](v);
			}
		}
}

void pthread_exit(void *retval)
{
	struct __hermit_pthread *p = self();
	run_key_destructors(p);
	kmutex_lock(&threads_lock, 0);
	int last = --live_threads == 0;
	p->retval = retval;
	int detached = p->detached;
	kmutex_unlock(&threads_lock);
	if (last)
		exit(0);
	void *libc_state = p->task->libc;
	p->task->libc = NULL; /* from here on the global state, which outlives this one */
	libc_task_state_free(libc_state);
	if (detached && p != &main_thread)
		free(p);
	task_exit();
}

static void thread_start(void *arg)
{
	struct __hermit_pthread *p = arg;
	pthread_exit(p->start(p->arg));
}

static void live_threads_add(int n)
{
	kmutex_lock(&threads_lock, 0);
	live_threads += (unsigned)n;
	kmutex_unlock(&threads_lock);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	struct __hermit_pthread *p = calloc(1, sizeof(*p));
	void *libc_state = libc_task_state_new();
	if (!p || !libc_state) {
		free(p);
		libc_task_state_free(libc_state);
		return EAGAIN;
	}
	p->start = start;
	p->arg = arg;
	p->detached = attr && attr->detachstate == PTHREAD_CREATE_DETACHED;
	size_t stack = attr && attr->stacksize ? attr->stacksize : TASK_DEFAULT_STACK;
	live_threads_add(1);
	/* Started only once complete: it may run on another CPU at once. */
	struct task *t = task_new("pthread", thread_start, p, stack);
	if (t) {
		p->task = t;
		t->user = p;
		t->libc = libc_state;
		t->detached = p->detached;
		t->sig_blocked = task_current()->sig_blocked; /* POSIX: a new thread inherits the mask */
		t->affinity = attr && attr->affinity ? attr->affinity : task_current()->affinity;
		task_start(t);
	}
	if (!t) {
		live_threads_add(-1);
		libc_task_state_free(libc_state);
		free(p);
		return EAGAIN;
	}
	*thread = p;
	return 0;
}

int pthread_join(pthread_t p, void **retval)
{
	if (!p || p == self())
		return p ? EDEADLK : ESRCH;
	if (p->detached)
		return EINVAL;
	task_wait_dead(p->task);
	if (retval)
		*retval = p->retval;
	task_release(p->task);
	free(p);
	return 0;
}

int pthread_detach(pthread_t p)
{
	if (!p)
		return ESRCH;
	kmutex_lock(&threads_lock, 0);
	int already = p->detached;
	p->detached = 1;
	kmutex_unlock(&threads_lock);
	if (already)
		return EINVAL;
	if (p == &main_thread)
		return 0;
	int dead = p->task->state == TASK_DEAD;
	task_detach(p->task);
	if (dead)
		free(p);
	return 0;
}

pthread_t pthread_self(void) { return self(); }

struct task *libc_thread_task(pthread_t p) { return !p ? NULL : p == self() ? task_current() : p->task; }
struct task *libc_main_thread_task(void) { return main_thread.task; }
int pthread_equal(pthread_t a, pthread_t b) { return a == b; }

int pthread_setname_np(pthread_t p, const char *name)
{
	task_set_name(p->task, name);
	return 0;
}

int pthread_getname_np(pthread_t p, char *name, size_t len)
{
	if (strlen(p->task->name) >= len)
		return ERANGE;
	strcpy(name, p->task->name);
	return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	kmutex_lock(&threads_lock, 0);
	unsigned k = 0;
	while (k < PTHREAD_KEYS_MAX && key_used[k])
		k++;
	if (k < PTHREAD_KEYS_MAX) {
		key_used[k] = 1;
		key_destructors[k] = destructor;
	}
	kmutex_unlock(&threads_lock);
	if (k == PTHREAD_KEYS_MAX)
		return EAGAIN;
	*key = k;
	return 0;
}
int pthread_key_delete(pthread_key_t key)
{
	if (key >= PTHREAD_KEYS_MAX || !key_used[key])
		return EINVAL;
	key_used[key] = 0;
	key_destructors[key] = NULL;
	return 0;
}
void *pthread_getspecific(pthread_key_t key) { return key < PTHREAD_KEYS_MAX ? (void *)self()->specific[key] : NULL; }
int pthread_setspecific(pthread_key_t key, const void *value)
{
	if (key >= PTHREAD_KEYS_MAX || !key_used[key])
		return EINVAL;
	self()->specific[key] = value;
	return 0;
}

int pthread_once(pthread_once_t *once, void (*init)(void))
{
	static struct kmutex once_lock = { .type = KMUTEX_RECURSIVE };
	if (__atomic_load_n(&once->init_executed, __ATOMIC_ACQUIRE))
		return 0;
	kmutex_lock(&once_lock, 0);
	if (!once->init_executed) {
		init();
		__atomic_store_n(&once->init_executed, 1, __ATOMIC_RELEASE);
	}
	kmutex_unlock(&once_lock);
	return 0;
}

int sched_getcpu(void) { return (int)smp_cpu_index(); }

int sched_yield(void)
{
	sched_yield_task();
	return 0;
}

int pthread_kill(pthread_t p, int sig)
{
	if (!p || p->task->state == TASK_DEAD)
		return ESRCH;
	return signal_send_now(p == self() ? task_current() : p->task, sig, SI_TKILL);
}
