/*
 * Hermit's addition to newlib's <sys/utime.h> (which <utime.h> includes): newlib defines struct
 * utimbuf but declares no utime(); Hermit has it (kernel/libc/paths.c).
 */
#ifndef HERMIT_SYS_UTIME_H
#define HERMIT_SYS_UTIME_H

#include_next <sys/utime.h>

int utime(const char *__path, const struct utimbuf *__times);

#endif
