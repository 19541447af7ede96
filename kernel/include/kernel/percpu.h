/*
 * kernel/percpu.h: what each CPU owns. this_cpu() is the running CPU's block, found through the
 * GS base, so nothing here assumes a single CPU. Fields are touched only by their own CPU with
 * interrupts off, unless a comment says otherwise; the scheduler's fields are under lock.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "hermit/abi.h"
#include "kernel/runqueue.h"
#include "kernel/spinlock.h"

struct task;

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct cpu {
	struct cpu *self;     /* %gs:0, so this_cpu() is one load */
	uintptr_t stack_lo;   /* bounds of the running task's stack (entry.S) */
	uintptr_t stack_hi;
	struct task *prev;    /* the task switched away from, until the stack switch (entry.S) */
	uint32_t id;          /* index in cpus[]; 0 is the boot CPU */
	uint32_t apic_id;     /* its local APIC's id, which IPIs address */
	bool online;          /* set by the CPU itself once it runs (smp_boot.c waits for it) */
	struct spinlock lock;  /* the run queue, sleepers and timer state (core/sched.c) */
	unsigned nr_queued;   /* tasks in runq (written under lock, read by balancing without) */
	struct task *current;
	struct task *idle;
	struct runqueue runq;
	int need_resched;     /* set when a switch should happen at the next trap exit */
	uint64_t slice_end;   /* when the running task's time slice ends (clock ns) */
	uint64_t timer_armed; /* the expiry the APIC timer is set for, 0 when idle */
	struct task *sleepers;/* blocked tasks with a deadline, soonest first */
	struct task *reap;    /* a dead detached task whose stack is freed at the next switch */
	struct runqueue outbox; /* tasks a switch moves to other CPUs once it dropped its lock */
	int64_t tsc_offset;   /* its TSC minus the boot CPU's, when bring-up measured one (smp_boot.c) */
	uint64_t run_start;   /* when current began to run (clock ns), under lock */
	uint64_t busy_ns;     /* how long it ran tasks other than its idle task, until run_start */
	uint64_t gdt[5];      /* null, code, data, TSS (two slots) */
	struct tss tss;
	uint8_t ist_stacks[4][IST_STACK_SIZE] __attribute__((aligned(16)));
};

_Static_assert(offsetof(struct cpu, stack_lo) == CPU_STACK_LO, "entry.S reads stack_lo");
_Static_assert(offsetof(struct cpu, stack_hi) == CPU_STACK_HI, "entry.S reads stack_hi");
_Static_assert(offsetof(struct cpu, prev) == CPU_PREV, "entry.S reads prev");

extern struct cpu cpus[HERMIT_MAX_CPUS];

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* Loads this CPU's GDT, TSS and GS base. Boot path, interrupts off. */
void percpu_init(struct cpu *c, uint32_t id);

#endif
