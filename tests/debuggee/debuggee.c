/*
 * debuggee: the target of the gdb tests (tests/integration/test_gdb.py).
 *   debuggee [STATUS [ARGS...]]  a helper task "waiter" blocks on a condition variable; main
 *                                counts, reads and writes `watched`, releases the waiter, prints
 *                                its arguments and exits with STATUS (0 when none)
 *   debuggee busy                spins forever, for ^C
 *   debuggee read                reads a line from stdin and prints it
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile long counter;
volatile int watched;
volatile int sink;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int released;

__attribute__((noinline)) static void wait_for_release(void)
{
	pthread_mutex_lock(&lock);
	while (!released)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

static void *waiter(void *arg)
{
	(void)arg;
	wait_for_release();
	return NULL;
}

__attribute__((noinline)) void touch(void)
{
	sink = watched;     /* a read */
	watched = 42;       /* a write */
	sink = watched + 1; /* a read */
}

__attribute__((noinline)) void spin(void)
{
	for (;;)
		counter++;
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc > 1 && strcmp(argv[1], "busy") == 0)
		spin();
	if (argc > 1 && strcmp(argv[1], "read") == 0) {
		char line[64];
		if (fgets(line, sizeof(line), stdin))
			printf("debuggee: read %s", line);
		return 0;
	}
	pthread_create(&t, NULL, waiter, NULL);
	pthread_setname_np(t, "waiter");
	usleep(10000); /* the waiter blocks meanwhile */
	for (int i = 0; i < 3; i++)
		counter += i;
	touch();
	pthread_mutex_lock(&lock);
	released = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);
	printf("debuggee: done, args:");
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	return argc > 1 ? atoi(argv[1]) : 0;
}
