/*
 * Hermit's <setjmp.h>: newlib's jmp_buf, setjmp and longjmp, and the POSIX rest that its generic
 * targets lack: sigsetjmp/siglongjmp (which may save and restore the signal mask) and the XSI
 * _setjmp/_longjmp (which never do). libc/sigjmp.c and arch/x86_64/setjmp.S implement them.
 */
#ifndef HERMIT_SETJMP_H
#define HERMIT_SETJMP_H

#include_next <setjmp.h>

#ifdef __cplusplus
extern "C" {
#endif

#if __POSIX_VISIBLE
/* A jmp_buf, whether the mask was saved, and the mask. */
typedef long long sigjmp_buf[_JBLEN + 2];

int sigsetjmp(sigjmp_buf, int) __attribute__((__returns_twice__));
void siglongjmp(sigjmp_buf, int) __attribute__((__noreturn__));
#endif

#if __XSI_VISIBLE || __BSD_VISIBLE
int _setjmp(jmp_buf) __attribute__((__returns_twice__));
void _longjmp(jmp_buf, int) __attribute__((__noreturn__));
#endif

#ifdef __cplusplus
}
#endif

#endif
