/*
 * arch/x86_64/arch.h: the architecture interface, everything portable kernel code needs from the
 * CPU in one header: the trap frame (frame.h), interrupt masking, pause, halt and the time stamp
 * counter (cpu.h), the page size and the memory layout (layout.h). Portable headers and core code
 * include "arch.h" and nothing under arch/; the build puts the architecture's folder on the
 * include path (kernel.mk: -Ikernel/arch/$(ARCH)), so a second architecture is a new folder with
 * its own arch.h, and host unit tests bring theirs (tests/unit/hostarch/arch.h).
 */
#ifndef ARCH_H
#define ARCH_H

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/frame.h"
#include "arch/x86_64/layout.h"

#endif
