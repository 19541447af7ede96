/*
 * arch/x86_64/frame.h: the saved state of an interrupted or switched-out task, as entry.S builds
 * it on the task's stack. The gdb stub, the crash report and the scheduler all read this one
 * layout.
 */
#ifndef ARCH_X86_64_FRAME_H
#define ARCH_X86_64_FRAME_H

#include <stddef.h>
#include <stdint.h>

struct fxsave_area {
	uint16_t fcw, fsw;
	uint8_t ftw, reserved0;
	uint16_t fop;
	uint64_t fip, fdp;
	uint32_t mxcsr, mxcsr_mask;
	uint8_t st[8][16];
	uint8_t xmm[16][16];
	uint8_t reserved1[96];
};

struct trap_frame {
	struct fxsave_area fx;
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct fxsave_area) == 512, "fxsave layout");
_Static_assert(sizeof(struct trap_frame) % 16 == 0, "frames keep the stack 16-byte aligned");
_Static_assert(offsetof(struct trap_frame, vector) == 512 + 15 * 8, "entry.S push order");

#endif
