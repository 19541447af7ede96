/*
 * arch/x86_64/boot_pvh.S: the first instructions. QEMU's -kernel loader finds the PVH entry in the
 * Xen ELF note and enters it in 32-bit protected mode with paging off and %ebx pointing at the
 * hvm_start_info block. We identity-map the first 4 GiB with 2 MiB pages, enter long mode and call
 * boot_pvh() in C, which turns the start info into the isle-neutral struct boot_info.
 */
#include "arch/x86_64/layout.h"
#include "arch/x86_64/long_mode.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_entry32

	.section .note.hermit, "a", @note
	.balign 4
	.long 7, 8, 1			/* HERMIT_NOTE_ANCHOR */
	.asciz "Hermit"
	.balign 4
	.quad hermit_anchor

	.section .boot.text, "ax"
	.code32
	.globl pvh_entry32
pvh_entry32:
	cli
	rdtsc				/* the first instruction's time, for the boot-to-main figure */
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4
	movl %ebx, %esi			/* start info, kept for boot_pvh() */
	movl $boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	movl $boot_pdpt, %eax
	orl $3, %eax
	movl %eax, boot_pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd, %eax
	orl $3, %eax
	movl %eax, boot_pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB */
	movl %eax, boot_pd(,%ecx,8)
	movl %ecx, %eax
	shrl $11, %eax			/* bits 32+ of the physical address */
	movl %eax, boot_pd + 4(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	ENTER_LONG_MODE
	lgdt boot_gdt_desc
	ljmp $BOOT_CS, $pvh_entry64

	.code64
pvh_entry64:
	LOAD_FLAT_SEGMENTS BOOT_DS
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl %esi, %edi
	call boot_pvh
	ud2

	.section .boot.data, "aw"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* BOOT_CS: 64-bit code, accessed (VMX rejects it otherwise) */
	.quad 0x00cf93000000ffff	/* BOOT_DS: data */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.globl boot_tsc
	.balign 8
boot_tsc:
	.quad 0

	.section .boot.bss, "aw", @nobits
	.balign 4096
	.globl boot_pml4		/* the other CPUs enter long mode on these tables too (ap_boot.S) */
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
