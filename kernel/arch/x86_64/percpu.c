/*
 * arch/x86_64/percpu.c: each CPU's descriptor tables. The GDT holds flat 64-bit code and data and
 * the CPU's TSS, whose IST slots give the trap entry, NMI, double fault and machine check their
 * own stacks (layout.h).
 */
#include "kernel/percpu.h"

#include "arch/x86_64/cpu.h"

struct cpu cpus[HERMIT_MAX_CPUS];

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void tss_descriptor(uint64_t slot[2], const struct tss *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

static void load_tables(struct cpu *c)
{
	struct descriptor_pointer gdtr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"((uint64_t)KERNEL_CS), "i"(KERNEL_DS), "r"(KERNEL_TSS)
			 : "rax", "memory");
}

void percpu_init(struct cpu *c, uint32_t id)
{
	c->self = c;
	c->id = id;
	c->gdt[0] = 0;
	c->gdt[1] = 0x00af9b000000ffffull;
	c->gdt[2] = 0x00cf93000000ffffull;
	tss_descriptor(&c->gdt[3], &c->tss);
	for (int i = 0; i < 4; i++)
		c->tss.ist[i] = (uint64_t)&c->ist_stacks[i][IST_STACK_SIZE];
	c->tss.iomap_base = sizeof(c->tss);
	load_tables(c);
	wrmsr(MSR_GS_BASE, (uint64_t)c);
}
