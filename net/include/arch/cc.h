/*
 * arch/cc.h: lwIP's compiler and platform hooks for Hermit (x86_64, gcc, newlib).
 */
#ifndef HERMIT_LWIP_ARCH_CC_H
#define HERMIT_LWIP_ARCH_CC_H

#include <stdint.h>

#include "kernel/log.h"
#include "kernel/panic.h"

#include <sys/types.h> /* newlib: BYTE_ORDER, ssize_t */
#define SSIZE_MAX 0x7fffffffffffffffL
#define LWIP_NO_UNISTD_H 0

#define LWIP_PLATFORM_DIAG(x) net_diag x
#define LWIP_PLATFORM_ASSERT(x) panic("lwip: %s at %s:%d", x, __FILE__, __LINE__)

/* lwIP's debug output, one log line per message (LWIP_DEBUGF). */
void net_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
