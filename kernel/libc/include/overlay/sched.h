/*
 * Hermit's <sched.h>: newlib's, which declares sched_getaffinity and sched_setaffinity when
 * cpu_set_t is defined first: with _GNU_SOURCE, as glibc, <sys/cpuset.h> defines it.
 */
#ifndef HERMIT_SCHED_H
#define HERMIT_SCHED_H

#include <sys/features.h>
#if __GNU_VISIBLE
#include <sys/cpuset.h>
#endif

#include_next <sched.h>

#endif
