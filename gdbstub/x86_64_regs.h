/*
 * x86_64_regs.h: the register file the gdb stub exchanges with the kernel on x86_64.
 *
 * The kernel fills a struct gdb_regs from a stopped task's saved trap frame and FPU area when the
 * stub calls its read_regs hook, and copies fields back in write_regs. The engine never reads a
 * field by name: it walks the register table of x86_64_regs.c (name, size, offset, gdb number),
 * which is also the source of the target.xml served to gdb, so the wire format and this struct
 * cannot drift apart. Included by gdbstub.h; do not include it alone.
 *
 * Values are stored as the CPU holds them (little-endian). The x87 registers are the 10-byte
 * extended format of FXSAVE's ST slots, without their 6 bytes of padding; ftag is the full 16-bit
 * tag word (gdb_fxsave_to_regs() in gdbstub.h rebuilds it from FXSAVE's abridged tag byte).
 */
#ifndef GDBSTUB_X86_64_REGS_H
#define GDBSTUB_X86_64_REGS_H

#include <stdint.h>

/* gdb's register numbers for x86_64: the order of the 'g' packet and of target.xml. */
enum gdb_x86_64_regnum {
	GDB_REG_RAX, GDB_REG_RBX, GDB_REG_RCX, GDB_REG_RDX,
	GDB_REG_RSI, GDB_REG_RDI, GDB_REG_RBP, GDB_REG_RSP,
	GDB_REG_R8, GDB_REG_R9, GDB_REG_R10, GDB_REG_R11,
	GDB_REG_R12, GDB_REG_R13, GDB_REG_R14, GDB_REG_R15,
	GDB_REG_RIP, GDB_REG_EFLAGS,
	GDB_REG_CS, GDB_REG_SS, GDB_REG_DS, GDB_REG_ES, GDB_REG_FS, GDB_REG_GS,
	GDB_REG_ST0, /* st0 .. st7 follow */
	GDB_REG_FCTRL = GDB_REG_ST0 + 8, GDB_REG_FSTAT, GDB_REG_FTAG, GDB_REG_FISEG,
	GDB_REG_FIOFF, GDB_REG_FOSEG, GDB_REG_FOOFF, GDB_REG_FOP,
	GDB_REG_XMM0, /* xmm0 .. xmm15 follow */
	GDB_REG_MXCSR = GDB_REG_XMM0 + 16,
	GDB_REG_FS_BASE, GDB_REG_GS_BASE,
	GDB_REG_COUNT /* 59 */
};

struct gdb_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip;
	uint32_t eflags;
	uint32_t cs, ss, ds, es, fs, gs;    /* selectors, zero-extended */
	uint8_t st[8][10];                  /* st0..st7, 80-bit extended */
	uint32_t fctrl, fstat, ftag;        /* x87 control, status, full tag word */
	uint32_t fiseg, fioff, foseg, fooff; /* last instruction / operand pointers */
	uint32_t fop;                        /* last opcode (11 bits) */
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint64_t fs_base, gs_base;
	/*
	 * Bit n set: register n (enum gdb_x86_64_regnum) is not known for this task, for example the
	 * FPU state of a task that never used it; gdb then shows it as <unavailable>. The kernel
	 * clears the mask when it knows every register.
	 */
	uint64_t unavailable;
};

_Static_assert(GDB_REG_COUNT == 59, "x86_64 register count");
_Static_assert(GDB_REG_COUNT <= 64, "the unavailable mask needs one bit per register");

#endif
