/*
 * arch/x86_64/long_mode.h: from 32-bit protected mode into long mode on the boot page tables
 * (boot_pvh.S's boot_pml4: 4 GiB identity-mapped, executable), for the boot CPU (boot_pvh.S) and
 * every other CPU (ap_boot.S). A far jump to 64-bit code must follow, which then loads the flat
 * data segments. Assembly only.
 */
#ifndef ARCH_X86_64_LONG_MODE_H
#define ARCH_X86_64_LONG_MODE_H

.macro ENTER_LONG_MODE
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 9) | (1 << 10)), %eax	/* PAE, SSE (the compiler uses it), SSE exceptions */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: long mode, no-execute */
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax	/* paging, write protect, protected mode */
	movl %eax, %cr0
.endm

.macro LOAD_FLAT_SEGMENTS data_selector
	movl $\data_selector, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
.endm

#endif
