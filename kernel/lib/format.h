/*
 * lib/format.h: printf-style formatting for the kernel, which cannot use the C library's (it may
 * run in interrupt handlers and before the library is set up). Supports %d %i %u %x %X %o %c %s %p
 * %% with flags '-' '0', a width, a precision for strings, and the l, ll, z length modifiers.
 * Always NUL-terminates when size > 0; returns the length the full output would have had.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
