/*
 * Hermit's select sets cover the whole descriptor table (FD_MAX in kernel/fd.h: 1024, Linux's
 * default limit) instead of newlib's 64. A program may still define its own FD_SETSIZE first.
 */
#ifndef FD_SETSIZE
#define FD_SETSIZE 1024
#endif

#include_next <sys/select.h>
