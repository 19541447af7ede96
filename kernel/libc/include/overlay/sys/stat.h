/*
 * Hermit's additions to newlib's <sys/stat.h>: newlib declares lstat() and the special times of
 * utimensat() and futimens() only for some targets; Hermit has them (kernel/libc/paths.c), with
 * Linux's values, which the host takes as they are.
 */
#ifndef HERMIT_SYS_STAT_H
#define HERMIT_SYS_STAT_H

#include_next <sys/stat.h>

#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

int lstat(const char *__restrict __path, struct stat *__restrict __buf);

#endif
