/*
 * x86_64_regs.c: the x86_64 register table, and FXSAVE conversion for the kernel.
 *
 * One row per register, in gdb's amd64 numbering: the name, size and target.xml type gdb knows it
 * by, and where it lives in struct gdb_regs. The 'g' packet is these registers in this order;
 * x86_64_tdesc.c writes target.xml from the same rows, so the two always agree. The features are
 * gdb's standard ones, so stock gdb (and lldb) recognize the registers by name: i386.core,
 * i386.sse, and i386.segments for fs_base/gs_base.
 */
#include <stddef.h>
#include <string.h>

#include "gdb_internal.h"

enum { CORE, SSE, SEGMENTS };

const char *const gdb_arch_features[] = {
	[CORE] = "org.gnu.gdb.i386.core",
	[SSE] = "org.gnu.gdb.i386.sse",
	[SEGMENTS] = "org.gnu.gdb.i386.segments",
};
const size_t gdb_arch_nfeatures = sizeof(gdb_arch_features) / sizeof(gdb_arch_features[0]);

#define REG(name, bits, field, num, feature, type, group) \
	{name, bits, offsetof(struct gdb_regs, field), num, feature, type, group}
#define GPR(name, field, num, type) REG(name, 64, field, num, CORE, type, NULL)
#define SEG(name, field, num) REG(name, 32, field, num, CORE, "int32", NULL)
#define ST(i) REG("st" #i, 80, st[i], GDB_REG_ST0 + i, CORE, "i387_ext", NULL)
#define FPU(name, field, num) REG(name, 32, field, num, CORE, "int", "float")
#define XMM(i) REG("xmm" #i, 128, xmm[i], GDB_REG_XMM0 + i, SSE, "vec128", "vector")

const struct gdb_reg_desc gdb_arch_regs[] = {
	GPR("rax", rax, GDB_REG_RAX, "int64"),
	GPR("rbx", rbx, GDB_REG_RBX, "int64"),
	GPR("rcx", rcx, GDB_REG_RCX, "int64"),
	GPR("rdx", rdx, GDB_REG_RDX, "int64"),
	GPR("rsi", rsi, GDB_REG_RSI, "int64"),
	GPR("rdi", rdi, GDB_REG_RDI, "int64"),
	GPR("rbp", rbp, GDB_REG_RBP, "data_ptr"),
	GPR("rsp", rsp, GDB_REG_RSP, "data_ptr"),
	GPR("r8", r8, GDB_REG_R8, "int64"),
	GPR("r9", r9, GDB_REG_R9, "int64"),
	GPR("r10", r10, GDB_REG_R10, "int64"),
	GPR("r11", r11, GDB_REG_R11, "int64"),
	GPR("r12", r12, GDB_REG_R12, "int64"),
	GPR("r13", r13, GDB_REG_R13, "int64"),
	GPR("r14", r14, GDB_REG_R14, "int64"),
	GPR("r15", r15, GDB_REG_R15, "int64"),
	GPR("rip", rip, GDB_REG_RIP, "code_ptr"),
	REG("eflags", 32, eflags, GDB_REG_EFLAGS, CORE, "i386_eflags", NULL),
	SEG("cs", cs, GDB_REG_CS),
	SEG("ss", ss, GDB_REG_SS),
	SEG("ds", ds, GDB_REG_DS),
	SEG("es", es, GDB_REG_ES),
	SEG("fs", fs, GDB_REG_FS),
	SEG("gs", gs, GDB_REG_GS),
	ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7),
	FPU("fctrl", fctrl, GDB_REG_FCTRL),
	FPU("fstat", fstat, GDB_REG_FSTAT),
	FPU("ftag", ftag, GDB_REG_FTAG),
	FPU("fiseg", fiseg, GDB_REG_FISEG),
	FPU("fioff", fioff, GDB_REG_FIOFF),
	FPU("foseg", foseg, GDB_REG_FOSEG),
	FPU("fooff", fooff, GDB_REG_FOOFF),
	FPU("fop", fop, GDB_REG_FOP),
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	XMM(8), XMM(9), XMM(10), XMM(11), XMM(12), XMM(13), XMM(14), XMM(15),
	REG("mxcsr", 32, mxcsr, GDB_REG_MXCSR, SSE, "i386_mxcsr", "vector"),
	REG("fs_base", 64, fs_base, GDB_REG_FS_BASE, SEGMENTS, "int", NULL),
	REG("gs_base", 64, gs_base, GDB_REG_GS_BASE, SEGMENTS, "int", NULL),
};
const size_t gdb_arch_nregs = sizeof(gdb_arch_regs) / sizeof(gdb_arch_regs[0]);

_Static_assert(sizeof(gdb_arch_regs) / sizeof(gdb_arch_regs[0]) == GDB_REG_COUNT,
	       "one table row per register");

const uint16_t gdb_arch_expedite[] = {GDB_REG_RBP, GDB_REG_RSP, GDB_REG_RIP};
const size_t gdb_arch_nexpedite = sizeof(gdb_arch_expedite) / sizeof(gdb_arch_expedite[0]);

bool gdb_arch_reg_available(const struct gdb_regs *regs, unsigned regnum)
{
	return regnum < GDB_REG_COUNT && !(regs->unavailable >> regnum & 1);
}

uint64_t gdb_arch_pc(const struct gdb_regs *regs)
{
	return regs->rip;
}

void gdb_arch_set_pc(struct gdb_regs *regs, uint64_t pc)
{
	regs->rip = pc;
	regs->unavailable &= ~(UINT64_C(1) << GDB_REG_RIP);
}

/* Debug registers watch 1, 2, 4 or 8 aligned bytes; the kernel checks the alignment. */
bool gdb_arch_watch_len_ok(uint64_t len)
{
	return len == 1 || len == 2 || len == 4 || len == 8;
}

/* ---- FXSAVE (legacy 512-byte format) ---- */

enum {
	FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6,
	FX_FIP = 8, FX_FCS = 12, FX_FDP = 16, FX_FDS = 20,
	FX_MXCSR = 24, FX_ST = 32, FX_XMM = 160,
	FX_ST_STRIDE = 16,
};

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* The x87 tag of a non-empty register: 0 valid, 1 zero, 2 special (NaN, infinity, denormal). */
static uint32_t x87_tag(const uint8_t *ext)
{
	uint32_t exponent = get16(ext + 8) & 0x7fff;
	bool integer_bit = ext[7] & 0x80;
	bool mantissa_zero = true;

	for (int i = 0; i < 8; i++)
		mantissa_zero = mantissa_zero && ext[i] == 0;
	if (exponent == 0x7fff)
		return 2;
	if (exponent == 0)
		return mantissa_zero ? 1 : 2;
	return integer_bit ? 0 : 2;
}

void gdb_regs_from_fxsave(struct gdb_regs *regs, const void *fxsave)
{
	const uint8_t *fx = fxsave;
	uint32_t top, abridged = fx[FX_FTW], tag = 0;

	regs->fctrl = get16(fx + FX_FCW);
	regs->fstat = get16(fx + FX_FSW);
	regs->fop = get16(fx + FX_FOP) & 0x7ff;
	regs->fioff = get32(fx + FX_FIP);
	regs->fiseg = get16(fx + FX_FCS);
	regs->fooff = get32(fx + FX_FDP);
	regs->foseg = get16(fx + FX_FDS);
	regs->mxcsr = get32(fx + FX_MXCSR);
	for (int i = 0; i < 8; i++)
		memcpy(regs->st[i], fx + FX_ST + i * FX_ST_STRIDE, 10);
	for (int i = 0; i < 16; i++)
		memcpy(regs->xmm[i], fx + FX_XMM + i * 16, 16);
	/* Physical register p holds st((p - top) mod 8); FXSAVE keeps one "not empty" bit per p. */
	top = (regs->fstat >> 11) & 7;
	for (uint32_t p = 0; p < 8; p++) {
		uint32_t t = 3; /* empty */

		if (abridged >> p & 1)
			t = x87_tag(regs->st[(p - top) & 7]);
		tag |= t << (2 * p);
	}
	regs->ftag = tag;
}

void gdb_regs_to_fxsave(const struct gdb_regs *regs, void *fxsave)
{
	uint8_t *fx = fxsave;
	uint8_t abridged = 0;

	put16(fx + FX_FCW, regs->fctrl);
	put16(fx + FX_FSW, regs->fstat);
	put16(fx + FX_FOP, regs->fop & 0x7ff);
	put32(fx + FX_FIP, regs->fioff);
	put16(fx + FX_FCS, regs->fiseg);
	put32(fx + FX_FDP, regs->fooff);
	put16(fx + FX_FDS, regs->foseg);
	put32(fx + FX_MXCSR, regs->mxcsr);
	for (int i = 0; i < 8; i++)
		memcpy(fx + FX_ST + i * FX_ST_STRIDE, regs->st[i], 10);
	for (int i = 0; i < 16; i++)
		memcpy(fx + FX_XMM + i * 16, regs->xmm[i], 16);
	for (int p = 0; p < 8; p++) {
		if ((regs->ftag >> (2 * p) & 3) != 3)
			abridged |= (uint8_t)(1u << p);
	}
	fx[FX_FTW] = abridged;
}
