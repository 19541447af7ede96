/*
 * Hermit's <time.h>: newlib's, with timegm() (the inverse of gmtime, libc/timegm.c), declared
 * where glibc declares it.
 */
#ifndef HERMIT_TIME_H
#define HERMIT_TIME_H

#include_next <time.h>

#if __MISC_VISIBLE && !defined(__ASSEMBLER__)
#ifdef __cplusplus
extern "C" {
#endif
time_t timegm(struct tm *);
#ifdef __cplusplus
}
#endif
#endif

#endif
