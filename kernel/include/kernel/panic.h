/*
 * kernel/panic.h: the end of the line. panic() is for broken invariants only; failed requests
 * return errors. Both panic() and a fatal exception print a report (registers, backtrace with
 * <pc:0x...> markers the proxy symbolizes) and tell the host the guest crashed.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

#include "arch.h"

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Reports a fatal exception described by frame; never returns. */
void crash_exception(const struct trap_frame *frame) __attribute__((noreturn));
/* Logs the frame-pointer chain starting at rbp, at error level; rsp (or 0) lets it find the
 * caller of a function that set up no frame. */
void crash_backtrace(uint64_t rip, uint64_t rbp, uint64_t rsp);

/* An invariant whose breakage would corrupt memory silently: a panic that names it instead. */
#define KASSERT(cond, invariant)                                                                    \
	do {                                                                                        \
		if (!(cond))                                                                        \
			panic("broken invariant: %s (%s at %s:%d)", invariant, #cond, __FILE__,     \
			      __LINE__);                                                            \
	} while (0)

#endif
