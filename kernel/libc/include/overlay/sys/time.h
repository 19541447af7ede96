/*
 * Hermit's <sys/time.h>: newlib's, with the interval timers declared in every mode, as glibc does
 * (newlib hides them from strict POSIX builds, where they are XSI).
 */
#ifndef HERMIT_SYS_TIME_H
#define HERMIT_SYS_TIME_H

#include_next <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif
int getitimer(int, struct itimerval *);
int setitimer(int, const struct itimerval *__restrict, struct itimerval *__restrict);
#ifdef __cplusplus
}
#endif

#endif
