/*
 * posix: the POSIX surface of Hermit's C library, checked in the guest (tests/integration/
 * test_posix.py). Each part checks its calls and their errno paths and returns its failures.
 */
#ifndef POSIX_TEST_H
#define POSIX_TEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

extern int failures;

#define CHECK(cond)                                                                                 \
	do {                                                                                        \
		if (!(cond)) {                                                                      \
			printf("FAIL %s:%d: %s (errno %d %s)\n", __FILE__, __LINE__, #cond, errno,  \
			       strerror(errno));                                                    \
			failures++;                                                                 \
		}                                                                                   \
	} while (0)

/* The call fails with -1 and the errno. */
#define CHECK_ERRNO(call, err)                                                                      \
	do {                                                                                        \
		errno = 0;                                                                          \
		long r_ = (long)(call);                                                             \
		if (r_ != -1 || errno != (err)) {                                                   \
			printf("FAIL %s:%d: %s gave %ld errno %d, expected -1 errno %d\n", __FILE__,  \
			       __LINE__, #call, r_, errno, err);                                    \
			failures++;                                                                 \
		}                                                                                   \
	} while (0)

void check_identity(void);
void check_process(void);
void check_signals(void);
void check_timers(void);
void check_jumps(void);
void check_stdio(void);
void check_mman(void);
void check_affinity(void);
void check_semaphores(void);
int die_by(const char *how);
int wait_for_stdin(void);
int die_by_fault(const char *how);

#endif
