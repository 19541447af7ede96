/*
 * Hermit's additions to newlib's feature macros: the POSIX options this system implements, so
 * that <time.h>, <unistd.h> and <pthread.h> declare them.
 */
#ifndef HERMIT_SYS_FEATURES_H
#define HERMIT_SYS_FEATURES_H

#include_next <sys/features.h>

#define _POSIX_THREADS 200809L
#define _POSIX_TIMERS 200809L
#define _POSIX_MONOTONIC_CLOCK 200809L
#define _POSIX_CPUTIME 200809L
#define _POSIX_THREAD_CPUTIME 200809L
#define _POSIX_TIMEOUTS 200809L
#define _POSIX_BARRIERS 200809L
#define _POSIX_SPIN_LOCKS 200809L
#define _POSIX_READER_WRITER_LOCKS 200809L
#define _UNIX98_THREAD_MUTEX_ATTRIBUTES 1

#endif
