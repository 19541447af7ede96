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
#define _POSIX_CLOCK_SELECTION 200809L
#define _POSIX_CPUTIME 200809L
#define _POSIX_THREAD_CPUTIME 200809L
#define _POSIX_TIMEOUTS 200809L
#define _POSIX_BARRIERS 200809L
#define _POSIX_SPIN_LOCKS 200809L
#define _POSIX_SEMAPHORES 200809L
#define _POSIX_READER_WRITER_LOCKS 200809L
#define _UNIX98_THREAD_MUTEX_ATTRIBUTES 1

/* Functions that always fail with ENOSYS here (libc/process.c: no other program can run), marked
 * as glibc marks its own, so that configure scripts (AC_CHECK_FUNCS) find them missing. */
#define __stub_fork
#define __stub_vfork
#define __stub_execl
#define __stub_execle
#define __stub_execlp
#define __stub_execv
#define __stub_execve
#define __stub_execvp
#define __stub_execvpe
#define __stub_fexecve
#define __stub_posix_spawn
#define __stub_posix_spawnp
#define __stub_popen

#endif
