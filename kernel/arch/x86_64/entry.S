/*
 * arch/x86_64/entry.S: one way into the kernel for every interrupt and exception.
 *
 * Every vector arrives on an IST stack (so code compiled with a red zone, such as the host's
 * libgcc, is safe in ring 0). Unless the vector has a dedicated stack (NMI, double fault, machine
 * check) or the interrupted stack is nearly full, the hardware frame is copied below the
 * interrupted code's red zone on its own stack and the trap continues there; so each task's
 * saved state (struct trap_frame, frame.h) lives on its stack, and switching tasks is returning
 * a different frame from trap_dispatch().
 */
#include "arch/x86_64/layout.h"

/* 256 stubs of TRAP_STUB_SIZE bytes each, from trap_stubs: the stub of vector v is at
 * trap_stubs + v * TRAP_STUB_SIZE. Each pushes a zero when the CPU pushes no error code, then its
 * vector number. */
	.text
	.balign TRAP_STUB_SIZE
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.balign TRAP_STUB_SIZE
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	.if vec == 2 || vec == 8 || vec == 18
	jmp trap_common_fixed
	.else
	jmp trap_common
	.endif
	.set vec, vec + 1
	.endr

/* The frame of struct trap_frame (frame.h) on top of the hardware's and the stub's words. */
.macro save_frame
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $512, %rsp
	fxsave64 (%rsp)
.endm

	.text
/* Stack here: 0 vector, 8 error, 16 rip, 24 cs, 32 rflags, 40 rsp, 48 ss. */
trap_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	movq 64(%rsp), %rax		/* the interrupted rsp */
	movq %gs:CPU_STACK_LO, %rdx
	addq $TRAP_STACK_MARGIN, %rdx
	cmpq %rdx, %rax
	jb 2f				/* nearly full: stay here, the dispatcher reports it */
	cmpq %gs:CPU_STACK_HI, %rax
	ja 2f
	subq $128, %rax			/* keep the interrupted code's red zone */
	andq $-16, %rax
	subq $(7 * 8 + 3 * 8), %rax
	xorl %ecx, %ecx
1:	movq (%rsp,%rcx,8), %rdx	/* saved rdx, rcx, rax, then the hardware frame */
	movq %rdx, (%rax,%rcx,8)
	incl %ecx
	cmpl $10, %ecx
	jne 1b
	movq %rax, %rsp
2:	popq %rdx
	popq %rcx
	popq %rax
	save_frame
	movq %rsp, %rdi
	call trap_dispatch		/* returns the frame to resume, maybe another task's */
	movq %rax, %rsp
	/* Off the previous task's stack now: another CPU may run it (core/sched.c, on_cpu). No
	 * stack use here: below a frame may lie a signal-diverted copy of it (signal_divert.c). */
	movq %gs:CPU_PREV, %rcx
	testq %rcx, %rcx
	jz trap_return
	movb $0, TASK_ON_CPU(%rcx)	/* a release store on x86 */
	movq $0, %gs:CPU_PREV
	jmp trap_return

/* NMI, double fault, machine check, on their own stacks. They never switch tasks, and they may
 * come inside another trap between sched_switch() and that trap's change of stacks above: the
 * previous task it leaves in CPU_PREV is still under its feet, not theirs to release. */
trap_common_fixed:
	save_frame
	movq %rsp, %rdi
	call trap_dispatch
	movq %rax, %rsp
	.globl trap_return
trap_return:
	fxrstor64 (%rsp)
	addq $512, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector and error code */
	iretq

/* An NMI's work moved out of its handler (nmi_divert.c): the handler's iret lands here on the
 * CPU's divert stack, interrupts off, rdi the work; nmi_diverted returns the frame to resume. */
	.globl nmi_divert_trampoline
nmi_divert_trampoline:
	cld
	call nmi_diverted
	movq %rax, %rsp
	jmp trap_return

/* A task diverted to its signal handlers (signal_divert.c), interrupts off, rsp at its frame:
 * run them, then resume from the frame as it was. */
	.globl signal_trampoline
signal_trampoline:
	cld
	movq %rsp, %rbx
	sti
	call signal_deliver
	cli
	movq %rbx, %rdi
	call signal_undivert
	movq %rbx, %rsp
	jmp trap_return

/* A return into the app redirected here (signal_divert.c): the app's registers are those after a
 * call, so only the return values (rax, rdx, the FPU/SSE state) are kept while the handlers run;
 * the slot pushed first becomes the address the call really returns to. */
	.globl signal_return_trampoline
signal_return_trampoline:
	pushq $0
	pushq %rax
	pushq %rdx
	pushq %rbx
	movq %rsp, %rbx
	andq $-16, %rsp
	subq $512, %rsp
	fxsave64 (%rsp)
	cld
	call signal_returned
	movq %rax, 24(%rbx)
	fxrstor64 (%rsp)
	movq %rbx, %rsp
	popq %rbx
	popq %rdx
	popq %rax
	ret

	.section .note.GNU-stack, "", @progbits
