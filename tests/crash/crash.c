/*
 * crash: faults on purpose; the kernel's report must name the function and line.
 *   crash          dereferences NULL
 *   crash stack    recurses until the stack's guard page stops it
 *   crash text     writes into its own code, which is mapped read-only
 */
#include <stdio.h>
#include <string.h>

static int *volatile nowhere;

__attribute__((noinline)) static int read_through_null(void)
{
	return *nowhere; /* the faulting line */
}

static volatile int depth_limit = 1 << 30; /* never reached; keeps gcc from calling it endless */

__attribute__((noinline)) static int recurse(volatile char *previous, int depth)
{
	volatile char frame[512];
	frame[0] = previous ? previous[0] + 1 : 0;
	if (depth == depth_limit)
		return 0;
	return recurse(frame, depth + 1) + frame[1]; /* not a tail call: every level keeps its frame */
}

__attribute__((noinline)) static void write_code(void)
{
	*(volatile unsigned char *)(void *)write_code = 0xcc;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "null";
	printf("crash: %s\n", strcmp(mode, "null") == 0 ? "about to dereference NULL" : mode);
	fflush(stdout);
	if (strcmp(mode, "stack") == 0)
		return recurse(NULL, 0);
	if (strcmp(mode, "text") == 0)
		write_code();
	int value = read_through_null();
	printf("crash: read %d through NULL\n", value); /* not reached; keeps main's frame */
	return 1;
}
