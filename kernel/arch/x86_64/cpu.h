/*
 * arch/x86_64/cpu.h: thin wrappers around x86_64 instructions and registers. Nothing else in the
 * kernel writes inline assembly for these.
 */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H

#include <stddef.h>
#include <stdint.h>

#define CR0_WP (1ul << 16)
#define CR4_PAE (1ul << 5)
#define CR4_OSFXSR (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define RFLAGS_IF (1ul << 9)
#define RFLAGS_TF (1ul << 8)
#define RFLAGS_RESERVED1 (1ul << 1)

#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_TSC_DEADLINE 0x6e0
#define EFER_NXE (1ul << 11)

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* rdtsc once every earlier instruction has completed (lfence): read under a lock, it is later
 * than the readings of the lock's earlier holders (a plain rdtsc may run before the lock is won). */
static inline uint64_t rdtsc_ordered(void)
{
	__asm__ volatile("lfence" ::: "memory");
	return rdtsc();
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#define DEFINE_CR_ACCESSORS(n)                                                                    \
	static inline uint64_t read_cr##n(void)                                                   \
	{                                                                                         \
		uint64_t v;                                                                       \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                 \
		return v;                                                                         \
	}                                                                                         \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

/* Interrupt masking: irq_save() returns the previous state for irq_restore(). */
static inline uint64_t irq_save(void)
{
	uint64_t f = read_rflags();
	__asm__ volatile("cli" ::: "memory");
	return f;
}
static inline void irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
/* Lets pending interrupts in, then masks them again. A nop fills sti's one-instruction shadow: a
 * pause there would close the window unseen under QEMU's TCG (it leaves the shadow set across
 * the pause, which ends its translation block early). */
static inline void irq_window(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }
/* Waits for the next interrupt; enabling and halting in one step so no wake-up is missed. */
static inline void cpu_idle(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void invlpg(uintptr_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * Code patching (tracepoints, gdb's int3s): writes n bytes into the read-only text with CR0.WP off
 * and interrupts masked. The copy calls nothing, since a memcpy could be the very code being
 * patched; writing CR0 back serializes, so the new bytes are what runs next.
 */
static inline __attribute__((always_inline)) void text_patch(void *dst, const void *src, size_t n)
{
	uint64_t flags = irq_save(), cr0 = read_cr0();
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	write_cr0(cr0 & ~CR0_WP);
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
	write_cr0(cr0);
	irq_restore(flags);
}

#endif
