/*
 * Hermit's <sys/signal.h>: newlib's, with the POSIX struct sigaction and siginfo_t that its
 * generic targets lack (sa_sigaction, SA_SIGINFO, SA_RESTART ...). newlib declares its own
 * reduced versions unconditionally, so they are renamed out of the way while it is included.
 * Signal numbers are newlib's (the BSD ones): 1 to 15 as on Linux, SIGUSR1 30, SIGCHLD 20.
 * libc/signal.c says how signals are delivered in a single-process machine.
 */
#ifndef HERMIT_SYS_SIGNAL_H
#define HERMIT_SYS_SIGNAL_H

#define sigaction __newlib_sigaction
#define siginfo_t __newlib_siginfo_t
#define sigtimedwait __newlib_sigtimedwait
#define sigwaitinfo __newlib_sigwaitinfo
#include_next <sys/signal.h>
#undef sigaction
#undef siginfo_t
#undef sigtimedwait
#undef sigwaitinfo

#ifdef __cplusplus
extern "C" {
#endif

/* The set operations are functions that check the signal number (newlib has macros that do not). */
#undef sigaddset
#undef sigdelset
#undef sigemptyset
#undef sigfillset
#undef sigismember

typedef struct {
	int si_signo;
	int si_code;
	int si_errno;
	pid_t si_pid;
	uid_t si_uid;
	void *si_addr;
	int si_status;
#if __POSIX_VISIBLE >= 199309
	union sigval si_value;
#else /* newlib declares union sigval only from POSIX.1b on; the same layout */
	union {
		int sival_int;
		void *sival_ptr;
	} si_value;
#endif
} siginfo_t;

#define SI_KERNEL 0x80 /* sent by the kernel: timers (alarm, setitimer) */
#define SI_TKILL (-6)  /* sent to one thread: raise, pthread_kill */

/* si_code of the signals CPU exceptions raise (Linux's values) */
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define FPE_FLTINV 7
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1

#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_NOCLDWAIT 0x2

struct sigaction {
	union {
		_sig_func_ptr sa_handler;
		void (*sa_sigaction)(int, siginfo_t *, void *);
	} __sa_handlers;
	sigset_t sa_mask;
	int sa_flags;
};
#define sa_handler __sa_handlers.sa_handler
#define sa_sigaction __sa_handlers.sa_sigaction

int sigaction(int, const struct sigaction *__restrict, struct sigaction *__restrict);
int siginterrupt(int, int);
int sigwaitinfo(const sigset_t *__restrict, siginfo_t *__restrict);
int sigtimedwait(const sigset_t *__restrict, siginfo_t *__restrict, const struct timespec *__restrict);

#ifdef __cplusplus
}
#endif

#endif
