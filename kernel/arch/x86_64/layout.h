/*
 * arch/x86_64/layout.h: the memory map and fixed numbers, written once. Shared by C and assembly.
 * Guest memory is identity-mapped: a kernel address is the guest-physical address, so the host
 * finds any symbol of the image in guest memory at its ELF address.
 */
#ifndef ARCH_X86_64_LAYOUT_H
#define ARCH_X86_64_LAYOUT_H

#define PAGE_SIZE 4096
#define LARGE_PAGE_SIZE (2 * 1024 * 1024)
#define KERNEL_LOAD_ADDR 0x200000 /* the image starts at 2 MiB; below it only page 0 is special */

#define BOOT_CS 0x08
#define BOOT_DS 0x10
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define KERNEL_TSS 0x18

#define BOOT_STACK_SIZE (64 * 1024)
#define IST_STACK_SIZE (16 * 1024)

/* Where the other CPUs start, in real mode (ap_boot.S): a page of base memory below the image. */
#define AP_TRAMPOLINE_ADDR 0x8000
#define AP_STACK_SIZE (64 * 1024)

#define LAPIC_BASE 0xfee00000
#define IOAPIC_BASE 0xfec00000

/* Bytes per trap entry stub (entry.S). */
#define TRAP_STUB_SIZE 16

/* Interrupt vectors. */
#define VEC_TIMER 0x20
#define VEC_IRQ_BASE 0x30 /* ISA/GSI n arrives at VEC_IRQ_BASE + n */
#define VEC_RESCHED 0x81  /* int $VEC_RESCHED: a task gives up the CPU */
#define VEC_IPI_RESCHED 0xc0 /* another CPU made a task ready here (kernel/ipi.h) */
#define VEC_IPI_CALL 0xc1    /* another CPU waits for a function to run here */
#define VEC_DEBUG_DOORBELL 0xe0 /* gdb's bytes: above every other source (see TPR_DEBUG_ONLY) */
/* Task priority that holds back every interrupt but VEC_DEBUG_DOORBELL (and NMI). */
#define TPR_DEBUG_ONLY 0xd0
#define VEC_SPURIOUS 0xff

/* Interrupt stack table slots (TSS.IST1..7). */
#define IST_TRAP 1  /* every vector enters here, then moves to the task's stack (entry.S) */
#define IST_NMI 2
#define IST_DOUBLE_FAULT 3
#define IST_MACHINE_CHECK 4

/* struct cpu fields used from assembly; checked against the C layout in percpu.h. */
#define CPU_STACK_LO 8
#define CPU_STACK_HI 16
#define CPU_PREV 24
/* struct task's on_cpu (task.h), cleared by entry.S. */
#define TASK_ON_CPU 24
/* Room a trap needs on a task stack (the frame plus the handler's calls). */
#define TRAP_STACK_MARGIN 3072

#endif
