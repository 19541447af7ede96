/*
 * libc/signal.c: POSIX signals in a single-process machine.
 *
 * There is one process, so a signal is pending for the process (one set, one bit per signal), or
 * for one thread (raise, pthread_kill), and each task (thread) has its own blocked mask. A handler runs on a task that does not block the
 * signal: at once in the task that raises it (kill, raise, an unblocking sigprocmask), in a task
 * sleeping in sleep/nanosleep/pause/sigsuspend/sigwait (which then returns EINTR), or on an app
 * task the moment it is resumed in the app's own code (kernel/signal.h), as Linux runs handlers
 * on the way back to user mode. Kernel code is never interrupted by a handler. A CPU exception in
 * the app's code (a page fault, a division by zero) runs the app's SIGSEGV/SIGFPE/SIGILL/SIGBUS
 * handler if it has one; returning from it retries the instruction, as on Linux.
 * Default actions are Linux's: terminate with status 128+sig (with a crash report for the
 * signals that dump core there), or ignore (SIGCHLD, SIGURG, SIGWINCH). There is no job control:
 * the stop signals and SIGCONT are ignored. Linked into every image (crt0.o), so that these win
 * over newlib's signal() and raise(), which know no masks.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/spinlock.h"
#include "kernel/task.h"
#include "kernel/wait.h"
#include "libc/libc.h"

#define BIT(sig) (1ull << (sig))
#define UNCATCHABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define DEFAULT_IGNORE                                                                              \
	(BIT(SIGCHLD) | BIT(SIGURG) | BIT(SIGWINCH) | BIT(SIGCONT) | BIT(SIGSTOP) | BIT(SIGTSTP) |  \
	 BIT(SIGTTIN) | BIT(SIGTTOU))
#define DUMPS_CORE                                                                                  \
	(BIT(SIGQUIT) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGABRT) | BIT(SIGEMT) | BIT(SIGFPE) |     \
	 BIT(SIGBUS) | BIT(SIGSEGV) | BIT(SIGSYS) | BIT(SIGXCPU) | BIT(SIGXFSZ))

static struct spinlock lock; /* guards actions, origins and waiters */
static struct sigaction actions[NSIG];
static struct {
	int code;               /* si_code */
	union sigval value;     /* sigqueue's */
	void *addr;             /* a fault's */
} origins[NSIG];            /* of the pending instance */
static uint64_t pending;    /* atomic */
static struct runqueue waiters;

static int valid(int sig) { return sig > 0 && sig < NSIG; }

static int fail(int err)
{
	errno = err;
	return -1;
}

/* What t could take: the process's pending signals and its own (pthread_kill, raise). */
static uint64_t pending_for(const struct task *t)
{
	return __atomic_load_n(&pending, __ATOMIC_ACQUIRE) | __atomic_load_n(&t->sig_pending, __ATOMIC_ACQUIRE);
}

bool signal_ready(const struct task *t) { return pending_for(t) & ~t->sig_blocked; }

static bool ignored(const struct sigaction *a, int sig)
{
	return a->sa_handler == SIG_IGN || (a->sa_handler == SIG_DFL && (BIT(sig) & DEFAULT_IGNORE));
}

static void send_value(struct task *t, int sig, int code, union sigval value)
{
	uint64_t f = spin_lock_irqsave(&lock);
	if (!ignored(&actions[sig], sig)) {
		origins[sig].code = code;
		origins[sig].value = value;
		origins[sig].addr = NULL;
		__atomic_or_fetch(t ? &t->sig_pending : &pending, BIT(sig), __ATOMIC_RELEASE);
		sched_wake_all(&waiters);
	}
	spin_unlock_irqrestore(&lock, f);
	task_interrupt_waits(); /* ends interruptible waits (sem_wait) of tasks that take it */
	sched_kick_others();    /* a task running on another CPU takes it at its next trap */
	signal_task_kick();
}

void signal_send(struct task *t, int sig, int code) { send_value(t, sig, code, (union sigval){ 0 }); }

/* Sleeps until a signal in want is pending (1) or the deadline (clock ns, 0: none) passes (0);
 * debuggers see a wait of kind (a sleep, or a wait for a signal). */
static int signal_wait(uint64_t want, uint64_t deadline, enum hermit_wait_kind kind)
{
	uint64_t f = spin_lock_irqsave(&lock);
	while (!(pending_for(task_current()) & want)) {
		if (deadline && clock_ns() >= deadline) {
			spin_unlock_irqrestore(&lock, f);
			return 0;
		}
		wait_block(kind, NULL, NULL, &waiters, &lock, f, deadline);
		f = spin_lock_irqsave(&lock);
	}
	spin_unlock_irqrestore(&lock, f);
	return 1;
}

int signal_sleep_until(uint64_t deadline)
{
	if (!signal_wait(~task_current()->sig_blocked, deadline, HERMIT_WAIT_SLEEP))
		return 0;
	signal_deliver();
	return 1;
}

bool signal_take_fault(struct task *t, int sig, int code, void *addr)
{
	_sig_func_ptr h = actions[sig].sa_handler;
	if (h == SIG_DFL || h == SIG_IGN || (t->sig_blocked & BIT(sig)))
		return false;
	origins[sig].code = code;
	origins[sig].value = (union sigval){ 0 };
	origins[sig].addr = addr;
	__atomic_or_fetch(&t->sig_pending, BIT(sig), __ATOMIC_RELEASE);
	return true;
}

/* Takes the lowest pending signal in want, the calling task's own first; 0 when there is none
 * or another task was faster. */
static int take(uint64_t want)
{
	struct task *t = task_current();
	uint64_t *sets[] = { &t->sig_pending, &pending };
	for (int i = 0; i < 2; i++) {
		uint64_t ready = __atomic_load_n(sets[i], __ATOMIC_ACQUIRE) & want;
		if (!ready)
			continue;
		int sig = __builtin_ctzll(ready);
		if (__atomic_fetch_and(sets[i], ~BIT(sig), __ATOMIC_ACQ_REL) & BIT(sig))
			return sig;
	}
	return 0;
}

/* The end of the app by a signal, as Linux reports it to the shell: status 128+sig. */
static void __attribute__((noreturn)) die_by(int sig)
{
	if (BIT(sig) & DUMPS_CORE) {
		log_error("app: killed by signal %d (%s)", sig, sig == SIGABRT ? "abort" : strsignal(sig));
		crash_backtrace((uint64_t)__builtin_return_address(0) - 1,
				*(uint64_t *)__builtin_frame_address(0), 0);
	}
	libc_terminate(128 + sig);
}

static void run_action(struct task *t, int sig)
{
	uint64_t f = spin_lock_irqsave(&lock);
	struct sigaction a = actions[sig];
	int code = origins[sig].code;
	union sigval value = origins[sig].value;
	void *addr = origins[sig].addr;
	if ((a.sa_flags & SA_RESETHAND) && a.sa_handler != SIG_IGN && a.sa_handler != SIG_DFL)
		actions[sig] = (struct sigaction){ .sa_handler = SIG_DFL };
	spin_unlock_irqrestore(&lock, f);
	if (a.sa_handler == SIG_IGN || (a.sa_handler == SIG_DFL && (BIT(sig) & DEFAULT_IGNORE)))
		return;
	if (a.sa_handler == SIG_DFL)
		die_by(sig);
	uint64_t saved = t->sig_blocked;
	t->sig_blocked = (saved | a.sa_mask | ((a.sa_flags & SA_NODEFER) ? 0 : BIT(sig))) & ~UNCATCHABLE;
	if (a.sa_flags & SA_SIGINFO) {
		siginfo_t info = { .si_signo = sig, .si_code = code, .si_pid = getpid(), .si_uid = getuid(), .si_value = value,
				   .si_addr = addr };
		a.sa_sigaction(sig, &info, NULL);
	} else {
		a.sa_handler(sig);
	}
	t->sig_blocked = saved;
}

bool signal_deliver(void)
{
	struct task *t = task_current();
	bool ran = false;
	for (;;) {
		if (!signal_ready(t))
			return ran;
		int sig = take(~t->sig_blocked);
		if (sig)
			run_action(t, sig);
		ran |= sig != 0;
	}
}

/* Sends sig to t (NULL: the process) and runs what the caller takes at once; an errno. */
int signal_send_now(struct task *t, int sig, int code)
{
	if (sig < 0 || sig >= NSIG)
		return EINVAL;
	if (sig == 0)
		return 0;
	if (sig == SIGKILL)
		die_by(sig);
	signal_send(t, sig, code);
	signal_deliver();
	return 0;
}

int kill(pid_t pid, int sig)
{
	if (pid != getpid() && pid != 0 && pid != -1)
		return fail(ESRCH);
	int err = signal_send_now(NULL, sig, SI_USER);
	return err ? fail(err) : 0;
}

/* A queue of one: a second sigqueue() of a pending signal replaces its value, as for kill(). */
int sigqueue(pid_t pid, int sig, const union sigval value)
{
	if (pid != getpid() && pid != 0)
		return fail(ESRCH);
	if (sig < 0 || sig >= NSIG)
		return fail(EINVAL);
	if (sig == 0)
		return 0;
	send_value(NULL, sig, SI_QUEUE, value);
	signal_deliver();
	return 0;
}

/* Only the sleeps are interrupted here, and Linux never restarts those either: this only records
 * SA_RESTART for sigaction() to report. */
int siginterrupt(int sig, int interrupt)
{
	struct sigaction sa;
	if (sigaction(sig, NULL, &sa) < 0)
		return -1;
	sa.sa_flags = interrupt ? sa.sa_flags & ~SA_RESTART : sa.sa_flags | SA_RESTART;
	return sigaction(sig, &sa, NULL);
}

int killpg(pid_t group, int sig) { return group < 0 ? fail(EINVAL) : kill(group, sig); }

/* As on Linux, raise() signals the calling thread. */
int raise(int sig)
{
	int err = signal_send_now(task_current(), sig, SI_TKILL);
	return err ? fail(err) : 0;
}

/* As glibc's: if a handler returns or the signal is blocked or ignored, abort still ends the app. */
void abort(void)
{
	raise(SIGABRT);
	die_by(SIGABRT);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!valid(sig) || (act && (BIT(sig) & UNCATCHABLE)))
		return fail(EINVAL);
	uint64_t f = spin_lock_irqsave(&lock);
	if (old)
		*old = actions[sig];
	if (act) {
		actions[sig] = *act;
		actions[sig].sa_mask &= ~UNCATCHABLE;
		if (ignored(act, sig)) /* POSIX: setting "ignore" discards a pending instance */
			__atomic_and_fetch(&pending, ~BIT(sig), __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&lock, f);
	return 0;
}

/* glibc's signal(): BSD semantics, the handler stays installed and interrupted calls restart. */
_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;
	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	struct task *t = task_current();
	uint64_t mask = t->sig_blocked;
	if (set) {
		switch (how) {
		case SIG_BLOCK:
			mask |= *set;
			break;
		case SIG_UNBLOCK:
			mask &= ~*set;
			break;
		case SIG_SETMASK:
			mask = *set;
			break;
		default:
			return EINVAL;
		}
	}
	if (old)
		*old = (sigset_t)t->sig_blocked;
	t->sig_blocked = mask & ~UNCATCHABLE;
	signal_deliver(); /* as on Linux, what was just unblocked runs before the call returns */
	return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int err = pthread_sigmask(how, set, old);
	return err ? fail(err) : 0;
}

int sigpending(sigset_t *set)
{
	struct task *t = task_current();
	*set = (sigset_t)(pending_for(t) & t->sig_blocked);
	return 0;
}

int sigsuspend(const sigset_t *mask)
{
	struct task *t = task_current();
	uint64_t saved = t->sig_blocked;
	t->sig_blocked = *mask & ~UNCATCHABLE;
	signal_wait(~t->sig_blocked, 0, HERMIT_WAIT_SIGNAL);
	signal_deliver();
	t->sig_blocked = saved;
	signal_deliver();
	return fail(EINTR);
}

int pause(void)
{
	sigset_t mask = (sigset_t)task_current()->sig_blocked;
	return sigsuspend(&mask);
}

int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
	uint64_t deadline = 0;
	if (timeout) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000)
			return fail(EINVAL);
		deadline = clock_ns() + (uint64_t)timeout->tv_sec * 1000000000ull + (uint64_t)timeout->tv_nsec;
	}
	uint64_t want = *set & ~UNCATCHABLE;
	for (;;) {
		int sig = take(want);
		if (sig) {
			if (info)
				*info = (siginfo_t){ .si_signo = sig, .si_code = origins[sig].code, .si_pid = getpid(),
						     .si_value = origins[sig].value };
			return sig;
		}
		if (!signal_wait(want, deadline, HERMIT_WAIT_SIGNAL) && timeout)
			return fail(EAGAIN);
	}
}

int sigwaitinfo(const sigset_t *set, siginfo_t *info) { return sigtimedwait(set, info, NULL); }

int sigwait(const sigset_t *set, int *sig)
{
	int got = sigtimedwait(set, NULL, NULL);
	if (got < 0)
		return errno;
	*sig = got;
	return 0;
}

int sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int sigfillset(sigset_t *set)
{
	*set = (sigset_t)(BIT(NSIG) - 2); /* signals 1 to NSIG-1 */
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (!valid(sig))
		return fail(EINVAL);
	*set |= BIT(sig);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (!valid(sig))
		return fail(EINVAL);
	*set &= ~BIT(sig);
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (!valid(sig))
		return fail(EINVAL);
	return (*set & BIT(sig)) != 0;
}
