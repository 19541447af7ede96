/*
 * scribble: a bug for reverse debugging (tests/integration/test_replay.py, docs/replay.md): a
 * worker task stores a count where the shared table keeps its pointer, and main crashes on that
 * pointer later, far from the write. Replayed under gdb: watch table.slots at the crash, then
 * reverse-continue to the write.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

struct table {
	int *slots;
	int used;
};

static int storage[8];
struct table table = { storage, 0 };

__attribute__((noinline)) static void record_item(struct table *t, int value)
{
	t->slots[t->used++] = value;
	if (t->used == 5)
		t->slots = (int *)(uintptr_t)t->used; /* the bug: the count where the pointer belongs */
}

static void *worker(void *arg)
{
	(void)arg;
	usleep(200000); /* a while into the run, after the recording's first snapshot */
	for (int i = 0; i < 5; i++)
		record_item(&table, i * 10);
	return NULL;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	printf("scribble: %d items\n", table.used);
	fflush(stdout);
	printf("scribble: the first is %d\n", table.slots[0]); /* faults: slots is 5 */
	return 0;
}
