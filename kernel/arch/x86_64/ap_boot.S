/*
 * arch/x86_64/ap_boot.S: how the other CPUs (application processors) enter the kernel.
 *
 * A start-up IPI starts a CPU in real mode at AP_TRAMPOLINE_ADDR, below 1 MiB, where smp_boot.c
 * copied ap_trampoline. It loads its own small GDT, enters protected mode, then long mode on the
 * boot page tables (boot_pvh.S: 4 GiB identity-mapped, executable; the kernel's tables map low
 * memory no-execute) and jumps straight into the image's text at ap_entry64, which switches to
 * the kernel's page tables and the stack smp_boot.c left in ap_boot_args, and calls ap_main().
 * The trampoline is position-dependent on AP_TRAMPOLINE_ADDR: TRAMPOLINE(x) is x's copy.
 */
#include "arch/x86_64/layout.h"
#include "arch/x86_64/long_mode.h"

#define TRAMPOLINE(sym) (AP_TRAMPOLINE_ADDR + ((sym) - ap_trampoline))
#define AP_CS32 0x08
#define AP_DS 0x10
#define AP_CS64 0x18

	.section .rodata
	.globl ap_trampoline, ap_trampoline_end
	.code16
ap_trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl ap_gdt_desc - ap_trampoline
	movl %cr0, %eax
	orl $1, %eax			/* protected mode */
	movl %eax, %cr0
	ljmpl $AP_CS32, $TRAMPOLINE(ap_protected)

	.code32
ap_protected:
	movl $AP_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	ENTER_LONG_MODE
	ljmp $AP_CS64, $ap_entry64

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* AP_CS32: 32-bit code */
	.quad 0x00cf93000000ffff	/* AP_DS: data */
	.quad 0x00af9b000000ffff	/* AP_CS64: 64-bit code */
ap_gdt_end:
ap_gdt_desc:
	.word ap_gdt_end - ap_gdt - 1
	.long TRAMPOLINE(ap_gdt)
ap_trampoline_end:

	.text
	.code64
ap_entry64:
	LOAD_FLAT_SEGMENTS AP_DS
	movq ap_boot_args + 0(%rip), %rax	/* the kernel's page tables */
	movq %rax, %cr3
	movq ap_boot_args + 8(%rip), %rsp	/* the top of this CPU's idle stack */
	xorl %ebp, %ebp
	movq ap_boot_args + 16(%rip), %rdi	/* its struct cpu */
	call ap_main
	ud2

	.section .note.GNU-stack, "", @progbits
