/*
 * arch/x86_64/setjmp.S: the setjmp variants beside newlib's setjmp/longjmp (overlay <setjmp.h>).
 * Signal masks never change in setjmp/longjmp themselves, so _setjmp and _longjmp are those.
 * sigsetjmp records the mask in its buffer (sigjmp_save in libc/sigjmp.c), then becomes setjmp with
 * the caller's own return address and stack, so that a later longjmp returns to the caller.
 */
	.text
	.globl _setjmp
_setjmp:
	jmp setjmp

	.globl _longjmp
_longjmp:
	jmp longjmp

/* int sigsetjmp(sigjmp_buf env, int savemask) */
	.globl sigsetjmp
sigsetjmp:
	pushq %rdi			/* rsp is now 16-byte aligned, as a call needs */
	call sigjmp_save		/* (env, savemask): records the mask */
	popq %rdi
	jmp setjmp

	.section .note.GNU-stack, "", @progbits
