/*
 * libc/sigjmp.c: the signal-mask half of sigsetjmp (arch/x86_64/setjmp.S) and siglongjmp.
 */
#include <setjmp.h>
#include <signal.h>

enum { SAVED = _JBLEN, MASK = _JBLEN + 1 };

void sigjmp_save(sigjmp_buf env, int savemask);

void sigjmp_save(sigjmp_buf env, int savemask)
{
	env[SAVED] = savemask;
	if (savemask) {
		sigset_t mask;
		sigprocmask(SIG_BLOCK, NULL, &mask);
		env[MASK] = (long long)mask;
	}
}

void siglongjmp(sigjmp_buf env, int value)
{
	if (env[SAVED]) {
		sigset_t mask = (sigset_t)env[MASK];
		sigprocmask(SIG_SETMASK, &mask, NULL);
	}
	longjmp(env, value);
}
