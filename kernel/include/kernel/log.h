/*
 * kernel/log.h: the kernel log. Each message becomes a record of the log ring in guest memory
 * (hermit/abi.h, anchor.log), which the host reads directly, and, at or above the console level,
 * one console line
 *   [SSSSS.UUUUUU] L text
 * with L one of D I W E (hermit/abi.h's levels); the proxy relies on this shape. Messages logged
 * before the level is known are replayed from the ring when it is set.
 * Any context, including interrupt handlers and the crash path; a message longer than
 * LOG_LINE_MAX is cut.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stdarg.h>

#include <stdint.h>

#include "hermit/abi.h"

#define LOG_LINE_MAX 256

void log_printf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vprintf(int level, const char *fmt, va_list ap);
/* Sets the console threshold and prints the held early messages that pass it. */
void log_set_console_level(int level);
/* The crash path: makes sure what follows reaches the console. */
void log_ensure_console(void);
/* HERMIT_LOGSIZE: shrinks the ring to at most bytes (a power of two, at least 4 KiB). Boot. */
void log_limit_size(uint64_t bytes);

#define log_debug(...) log_printf(HERMIT_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_printf(HERMIT_LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_printf(HERMIT_LOG_WARN, __VA_ARGS__)
#define log_error(...) log_printf(HERMIT_LOG_ERROR, __VA_ARGS__)

#endif
