/*
 * tests/unit/hostarch/arch.h: the architecture interface (kernel/arch/x86_64/arch.h) for host
 * unit tests of the kernel's portable code: the same frame and layout, and interrupt masking and
 * pause that do nothing (a test is one thread; cli would fault in user mode).
 */
#ifndef ARCH_H
#define ARCH_H

#include <stdint.h>

#include "arch/x86_64/frame.h"
#include "arch/x86_64/layout.h"

static inline uint64_t irq_save(void) { return 0; }
static inline void irq_restore(uint64_t flags) { (void)flags; }
static inline void cpu_relax(void) {}

#endif
