/*
 * posix: the POSIX surface of Hermit's C library.
 *   posix [part...]     runs the checks of each part (all of them without arguments) and prints
 *                       "posix: <part> ok" for each passed part; exit status 1 if any failed
 *   posix die HOW       ends the app by the signal HOW names, for the exit-status checks
 *   posix fault HOW     touches a protected page (write-readonly, read-none)
 *   posix wait-stdin    writes a file and the console while another thread waits to read stdin
 */
#include <stdlib.h>

#include "posix.h"

int failures;

static const struct {
	const char *name;
	void (*check)(void);
} parts[] = {
	{ "identity", check_identity }, { "process", check_process }, { "signals", check_signals },
	{ "timers", check_timers },     { "jumps", check_jumps },     { "stdio", check_stdio },
	{ "mman", check_mman },         { "affinity", check_affinity }, { "semaphores", check_semaphores },
};

static int run(const char *name)
{
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (name && strcmp(name, parts[i].name) != 0)
			continue;
		int before = failures;
		parts[i].check();
		if (failures == before)
			printf("posix: %s ok\n", parts[i].name);
		if (name)
			return 0;
	}
	if (name) {
		printf("posix: no part %s\n", name);
		failures++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "die") == 0)
		return die_by(argv[2]);
	if (argc > 2 && strcmp(argv[1], "fault") == 0)
		return die_by_fault(argv[2]);
	if (argc > 1 && strcmp(argv[1], "wait-stdin") == 0)
		return wait_for_stdin();
	if (argc == 1)
		run(NULL);
	for (int i = 1; i < argc; i++)
		run(argv[i]);
	fflush(stdout);
	return failures ? 1 : 0;
}
