/*
 * libc/sigtimer.c: the "signals" kernel task. It raises SIGALRM when the real-time interval timer
 * (alarm, ualarm, setitimer(ITIMER_REAL)) expires, and it is what makes asynchronous delivery
 * happen: each time it blocks, the scheduler resumes an app task, and a task resumed in the app's
 * own code runs its pending handlers first (kernel/signal.h). While a pending signal has a taker
 * that has not run it yet (one busy in kernel code), the task looks again every RETRY_NS.
 * Started by the first signal or timer.
 */
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "arch.h"
#include "kernel/clock.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/spinlock.h"
#include "kernel/task.h"
#include "kernel/wait.h"
#include "libc/libc.h"

#define NS_PER_US 1000ull
#define NS_PER_S 1000000000ull
#define RETRY_NS (SCHED_SLICE_NS)

static struct spinlock lock; /* guards the timer, kicked and sleeping */
static uint64_t expiry;      /* clock ns; 0: disarmed */
static uint64_t interval;    /* ns between expiries; 0: one-shot */
static int kicked;
static struct runqueue sleeping;
static int started;

static bool waits_for_delivery(const struct task *t) { return t->state != TASK_DEAD && signal_ready(t); }

/* True when a pending signal waits for an app task that takes it. */
static bool undelivered(void) { return task_any(waits_for_delivery); }

/* Takes the expiry off the timer if it is due (then re-arms an interval timer); 1 if it was. */
static int timer_due(uint64_t now)
{
	if (!expiry || now < expiry)
		return 0;
	expiry = interval ? expiry + interval * ((now - expiry) / interval + 1) : 0;
	return 1;
}

static void signal_task(void *unused)
{
	(void)unused;
	for (;;) {
		uint64_t f = spin_lock_irqsave(&lock);
		int fire = timer_due(clock_ns());
		kicked = 0;
		spin_unlock_irqrestore(&lock, f);
		if (fire)
			signal_send(NULL, SIGALRM, SI_KERNEL);
		uint64_t retry = undelivered() ? clock_ns() + RETRY_NS : 0;
		f = spin_lock_irqsave(&lock);
		if (kicked) {
			spin_unlock_irqrestore(&lock, f);
			continue;
		}
		uint64_t deadline = expiry && (!retry || expiry < retry) ? expiry : retry;
		wait_block(HERMIT_WAIT_TIMER, NULL, NULL, &sleeping, &lock, f, deadline);
	}
}

void signal_task_kick(void)
{
	if (!__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL) && !task_create("signals", signal_task, NULL, TASK_DEFAULT_STACK))
		panic("signals: no memory for the signal task");
	uint64_t f = spin_lock_irqsave(&lock);
	kicked = 1;
	sched_wake_all(&sleeping);
	spin_unlock_irqrestore(&lock, f);
}

static uint64_t timeval_ns(const struct timeval *tv) { return (uint64_t)tv->tv_sec * NS_PER_S + (uint64_t)tv->tv_usec * NS_PER_US; }

static struct timeval ns_timeval(uint64_t ns)
{
	ns = (ns + NS_PER_US - 1) / NS_PER_US * NS_PER_US; /* an armed timer never reads as 0 */
	return (struct timeval){ .tv_sec = (time_t)(ns / NS_PER_S), .tv_usec = (suseconds_t)(ns % NS_PER_S / NS_PER_US) };
}

static int valid_timeval(const struct timeval *tv) { return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000; }

static void timer_read(uint64_t now, struct itimerval *v)
{
	v->it_value = ns_timeval(expiry > now ? expiry - now : 0);
	v->it_interval = ns_timeval(interval);
}

/* ITIMER_VIRTUAL and ITIMER_PROF count CPU time of a process, which this machine does not keep. */
int getitimer(int which, struct itimerval *v)
{
	if (which != ITIMER_REAL) {
		errno = EINVAL;
		return -1;
	}
	uint64_t f = spin_lock_irqsave(&lock);
	timer_read(clock_ns(), v);
	spin_unlock_irqrestore(&lock, f);
	return 0;
}

int setitimer(int which, const struct itimerval *__restrict v, struct itimerval *__restrict old)
{
	if (which != ITIMER_REAL || !valid_timeval(&v->it_value) || !valid_timeval(&v->it_interval)) {
		errno = EINVAL;
		return -1;
	}
	uint64_t f = spin_lock_irqsave(&lock);
	uint64_t now = clock_ns();
	if (old)
		timer_read(now, old);
	uint64_t value = timeval_ns(&v->it_value);
	expiry = value ? now + value : 0;
	interval = value ? timeval_ns(&v->it_interval) : 0;
	spin_unlock_irqrestore(&lock, f);
	signal_task_kick();
	return 0;
}

unsigned alarm(unsigned seconds)
{
	struct itimerval v = { .it_value = { .tv_sec = seconds } }, old;
	setitimer(ITIMER_REAL, &v, &old);
	/* as glibc: rounded to the nearest second, but a pending alarm never reads as 0 */
	unsigned left = (unsigned)old.it_value.tv_sec + (old.it_value.tv_usec >= 500000);
	return left || !old.it_value.tv_usec ? left : 1;
}

useconds_t ualarm(useconds_t usecs, useconds_t every)
{
	struct itimerval v = { .it_value = { usecs / 1000000, usecs % 1000000 },
			       .it_interval = { every / 1000000, every % 1000000 } },
			 old;
	if (setitimer(ITIMER_REAL, &v, &old) < 0)
		return (useconds_t)-1;
	return (useconds_t)(old.it_value.tv_sec * 1000000 + old.it_value.tv_usec);
}
