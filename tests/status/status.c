/*
 * status: a test app for the proxy's process handling.
 *   status N       exits with status N
 *   status wait    prints "waiting" and sleeps until the guest is stopped from outside
 *   status abort   calls abort()
 *   status sleep N sleeps N seconds in one call, prints "slept", exits 0 (long halts in a replay)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "wait") == 0) {
		printf("waiting\n");
		fflush(stdout);
		for (;;)
			sleep(1);
	}
	if (argc > 2 && strcmp(argv[1], "sleep") == 0) {
		sleep((unsigned)atoi(argv[2]));
		printf("slept\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "abort") == 0)
		abort();
	return argc > 1 ? atoi(argv[1]) : 0;
}
