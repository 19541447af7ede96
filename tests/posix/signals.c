/*
 * Signals: handlers run by raise/kill, masks, SA_SIGINFO, SA_RESETHAND, ignoring; SIGALRM from
 * alarm and setitimer interrupting busy loops and sleeps; longjmp out of a handler.
 */
#define _GNU_SOURCE /* CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "posix.h"

static volatile sig_atomic_t caught, last_sig, last_code, mask_inside;

static void check_thread_signals(void);

static void count(int sig)
{
	caught++;
	last_sig = sig;
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	mask_inside = sigismember(&now, sig);
}

static void info(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	caught++;
	last_sig = si->si_signo == sig ? sig : -1;
	last_code = si->si_code;
}

static volatile sig_atomic_t last_value;

static void queued(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	last_sig = sig;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void check_signals(void)
{
	handle(SIGUSR1, count, 0);
	caught = 0;
	CHECK(raise(SIGUSR1) == 0 && caught == 1 && last_sig == SIGUSR1 && mask_inside == 1);
	CHECK(kill(getpid(), SIGUSR1) == 0 && caught == 2);
	CHECK(kill(0, 0) == 0);
	CHECK_ERRNO(kill(42, SIGUSR1), ESRCH);
	CHECK_ERRNO(kill(getpid(), 99), EINVAL);

	/* blocked: pending, then run before sigprocmask returns */
	sigset_t block, old, pend;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &block, &old) == 0 && !sigismember(&old, SIGUSR1));
	caught = 0;
	raise(SIGUSR1);
	CHECK(caught == 0);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 1);
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0 && caught == 1);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	CHECK_ERRNO(sigprocmask(77, &block, NULL), EINVAL);

	/* SA_SIGINFO, SA_RESETHAND, SIG_IGN, signal() */
	struct sigaction sa = { .sa_sigaction = info, .sa_flags = SA_SIGINFO | SA_RESETHAND }, cur;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	caught = 0;
	raise(SIGUSR2);
	CHECK(caught == 1 && last_sig == SIGUSR2 && last_code == SI_TKILL); /* raise: this thread */
	CHECK(sigaction(SIGUSR2, NULL, &cur) == 0 && cur.sa_handler == SIG_DFL);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0 && kill(getpid(), SIGUSR2) == 0);
	CHECK(caught == 2 && last_code == SI_USER); /* kill: the process */
	CHECK(signal(SIGUSR2, SIG_IGN) == SIG_DFL);
	CHECK(raise(SIGUSR2) == 0); /* ignored: the app goes on */
	CHECK(signal(SIGUSR2, count) == SIG_IGN);
	CHECK(signal(SIGKILL, count) == SIG_ERR && errno == EINVAL);
	CHECK_ERRNO(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK_ERRNO(sigaction(0, NULL, &cur), EINVAL);
	CHECK(raise(SIGCHLD) == 0 && raise(SIGWINCH) == 0); /* ignored by default */

	/* sigqueue carries a value to an SA_SIGINFO handler and to sigtimedwait */
	struct sigaction qa = { .sa_sigaction = queued, .sa_flags = SA_SIGINFO };
	sigemptyset(&qa.sa_mask);
	CHECK(sigaction(SIGUSR1, &qa, NULL) == 0);
	CHECK(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 }) == 0);
	CHECK(last_sig == SIGUSR1 && last_code == SI_QUEUE && last_value == 42);
	CHECK_ERRNO(sigqueue(7, SIGUSR1, (union sigval){ 0 }), ESRCH);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 7 });
	siginfo_t si;
	CHECK(sigwaitinfo(&usr1, &si) == SIGUSR1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 7);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	CHECK(siginterrupt(SIGUSR1, 0) == 0 && sigaction(SIGUSR1, NULL, &cur) == 0 && (cur.sa_flags & SA_RESTART));
	CHECK(siginterrupt(SIGUSR1, 1) == 0 && sigaction(SIGUSR1, NULL, &cur) == 0 && !(cur.sa_flags & SA_RESTART));
	handle(SIGUSR1, count, 0);

	sigset_t set;
	CHECK(sigfillset(&set) == 0 && sigismember(&set, SIGTERM) == 1);
	CHECK(sigemptyset(&set) == 0 && sigismember(&set, SIGTERM) == 0);
	CHECK_ERRNO(sigaddset(&set, 99), EINVAL);
	CHECK_ERRNO(sigismember(&set, 0), EINVAL);

	/* sigwait takes a blocked pending signal without running its handler */
	sigprocmask(SIG_BLOCK, &block, &old);
	caught = 0;
	raise(SIGUSR1);
	int sig = 0;
	CHECK(sigwait(&block, &sig) == 0 && sig == SIGUSR1 && caught == 0);
	struct timespec zero = { 0, 0 };
	CHECK_ERRNO(sigtimedwait(&block, NULL, &zero), EAGAIN);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK(caught == 0);
	check_thread_signals();
}

static pthread_t worker;
static volatile sig_atomic_t in_worker, worker_ready, release;

static void note_thread(int sig)
{
	(void)sig;
	in_worker = pthread_equal(pthread_self(), worker) ? 1 : -1;
}

/* Spins in the app's code with SIGUSR1 blocked (inherited) until released, then unblocked. */
static void *spin(void *unused)
{
	(void)unused;
	worker_ready = 1;
	while (!release)
		;
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	while (!in_worker)
		;
	return NULL;
}

/* pthread_kill reaches that thread, busy in its own code, once it unblocks the signal; the
 * main thread, which does not block it, never runs the handler. */
static void check_thread_signals(void)
{
	handle(SIGUSR1, note_thread, 0);
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	in_worker = worker_ready = release = 0;
	CHECK(pthread_create(&worker, NULL, spin, NULL) == 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	while (!worker_ready)
		sched_yield();
	CHECK(pthread_kill(worker, SIGUSR1) == 0);
	double t0 = now_s();
	while (now_s() - t0 < 0.1)
		;
	sigset_t pend;
	CHECK(in_worker == 0 && sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	CHECK(pthread_kill(worker, 0) == 0 && pthread_kill(worker, 99) == EINVAL);
	release = 1;
	while (!in_worker && now_s() - t0 < 5)
		;
	CHECK(in_worker == 1);
	pthread_join(worker, NULL);
	CHECK(pthread_kill(pthread_self(), SIGUSR1) == 0 && in_worker == -1); /* at once, here */
	signal(SIGUSR1, SIG_DFL);
}

static volatile sig_atomic_t alarms;
static const struct timespec zero_time;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

void check_timers(void)
{
	handle(SIGALRM, on_alarm, 0);
	/* a busy loop in the app's own code is interrupted */
	alarms = 0;
	double t0 = now_s();
	CHECK(alarm(1) == 0);
	while (!alarms && now_s() - t0 < 30)
		;
	double took = now_s() - t0;
	CHECK(alarms == 1 && took > 0.9); /* how late depends on the host's load under TCG */
	printf("alarm: handler ran after %.3f s\n", took);

	/* sleep, nanosleep and pause end early with EINTR */
	alarms = 0;
	alarm(1);
	CHECK(alarm(1) == 1); /* the previous one had about a second left */
	unsigned left = sleep(30);
	CHECK(alarms == 1 && left >= 1 && left <= 29);
	struct itimerval it = { .it_value = { 0, 200000 } }, cur;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 200000);
	struct timespec req = { 30, 0 }, rem = { 0, 0 };
	alarms = 0;
	CHECK_ERRNO(nanosleep(&req, &rem), EINTR);
	CHECK(alarms == 1 && rem.tv_sec >= 1 && rem.tv_sec < 30);
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERRNO(pause(), EINTR);
	CHECK(alarms == 1);

	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL) == EINTR && alarms == 1);
	struct timespec short_sleep = { 0, 20000000 }, res;
	t0 = now_s();
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &short_sleep, NULL) == 0 && now_s() - t0 >= 0.02);
	CHECK(clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, &zero_time, NULL) == 0); /* in the past */
	CHECK(clock_nanosleep((clockid_t)99, 0, &short_sleep, NULL) == EINVAL);
	CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
	CHECK_ERRNO(clock_getres((clockid_t)99, &res), EINVAL);
	CHECK(clock_gettime(CLOCK_MONOTONIC_RAW, &res) == 0);

	/* sigsuspend: blocked until then, delivered inside */
	sigset_t alrm, old, waitmask;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, &old);
	alarms = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = now_s();
	while (now_s() - t0 < 0.4)
		;
	CHECK(alarms == 0);
	sigemptyset(&waitmask);
	CHECK_ERRNO(sigsuspend(&waitmask), EINTR);
	CHECK(alarms == 1);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* an interval timer keeps firing */
	struct itimerval every = { .it_interval = { 0, 50000 }, .it_value = { 0, 50000 } };
	alarms = 0;
	CHECK(setitimer(ITIMER_REAL, &every, NULL) == 0);
	t0 = now_s();
	while (alarms < 5 && now_s() - t0 < 30)
		;
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	CHECK(setitimer(ITIMER_REAL, &off, &cur) == 0 && cur.it_interval.tv_usec == 50000);
	CHECK(alarms >= 5);
	printf("itimer: 5 expiries of 50 ms in %.3f s\n", now_s() - t0);
	CHECK_ERRNO(setitimer(ITIMER_VIRTUAL, &every, NULL), EINVAL);
	struct itimerval bad = { .it_value = { 0, 1000000 } };
	CHECK_ERRNO(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
}

static sigjmp_buf jump;
static jmp_buf plain;

static void jump_out(int sig) { siglongjmp(jump, sig); }

void check_jumps(void)
{
	volatile int passes = 0;
	if (_setjmp(plain) == 0) {
		passes++;
		_longjmp(plain, 3);
	}
	CHECK(passes == 1);

	/* out of an asynchronous SIGALRM handler, mask restored by siglongjmp */
	handle(SIGALRM, jump_out, 0);
	int got = sigsetjmp(jump, 1);
	if (got == 0) {
		alarm(1);
		for (;;)
			;
	}
	CHECK(got == SIGALRM);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(!sigismember(&now, SIGALRM));
	/* without the mask saved it stays blocked, as on Linux */
	got = sigsetjmp(jump, 0);
	if (got == 0)
		raise(SIGALRM);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(got == SIGALRM && sigismember(&now, SIGALRM));
	sigprocmask(SIG_UNBLOCK, &now, NULL);
	signal(SIGALRM, SIG_DFL);
}

/* Endings by signal, for the exit status checks. */
int die_by(const char *how)
{
	if (strcmp(how, "term") == 0)
		kill(getpid(), SIGTERM);
	else if (strcmp(how, "segv") == 0)
		raise(SIGSEGV);
	else if (strcmp(how, "alarm") == 0) {
		alarm(1);
		for (;;)
			;
	} else if (strcmp(how, "abort-handled") == 0) {
		signal(SIGABRT, on_alarm);
		abort();
	}
	printf("posix: still alive after die %s\n", how);
	return 3;
}
