/*
 * deadlock: a guest that hangs, for the attach tests (tests/integration/test_attach.py), where
 * `hermit tasks` must say what each task waits for and who holds it.
 *   "left" takes lock_a then lock_b, "right" takes lock_b then lock_a: each waits for the mutex
 *   the other holds. "waiter" waits on the condition variable wakeup, "reader" in a read of an
 *   empty pipe; main joins "left", forever. Prints "deadlock: stuck" once all are in place.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t wakeup_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t wakeup = PTHREAD_COND_INITIALIZER;
static int pipe_fds[2];

static void take_both(pthread_mutex_t *first, pthread_mutex_t *second)
{
	pthread_mutex_lock(first);
	usleep(100000); /* the other thread takes its first meanwhile */
	pthread_mutex_lock(second);
}

static void *left(void *arg) { (void)arg; take_both(&lock_a, &lock_b); return NULL; }
static void *right(void *arg) { (void)arg; take_both(&lock_b, &lock_a); return NULL; }

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wakeup_lock);
	pthread_cond_wait(&wakeup, &wakeup_lock); /* nobody signals */
	return NULL;
}

static void *reader(void *arg)
{
	char c;
	(void)arg;
	return read(pipe_fds[0], &c, 1) < 0 ? NULL : arg; /* nobody writes */
}

static pthread_t start(void *(*fn)(void *), const char *name)
{
	pthread_t t;
	pthread_create(&t, NULL, fn, NULL);
	pthread_setname_np(t, name);
	return t;
}

int main(void)
{
	if (pipe(pipe_fds) < 0)
		return 1;
	pthread_t l = start(left, "left");
	start(right, "right");
	start(waiter, "waiter");
	start(reader, "reader");
	usleep(300000);
	printf("deadlock: stuck\n");
	fflush(stdout);
	pthread_join(l, NULL);
	return 0;
}
