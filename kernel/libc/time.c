/*
 * libc/time.c: the clocks and sleeping, over the kernel's TSC clock (kernel/clock.h).
 */
#define _GNU_SOURCE /* the Linux clock ids */
#include <errno.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "kernel/clock.h"
#include "kernel/sched.h"
#include "kernel/trace.h"
#include "libc/libc.h"

#define NS_PER_S 1000000000ll

static void ns_to_timespec(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = ns / NS_PER_S;
	ts->tv_nsec = ns % NS_PER_S;
}

/* The clock id reads (0), or -1 for an unknown id. There is no suspend, so boot time is
 * monotonic time; the app has the machine to itself, so its CPU time is monotonic time too. */
static int clock_read(clockid_t id, int64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = (int64_t)clock_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = (int64_t)sched_process_cpu_ns();
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = (int64_t)sched_thread_cpu_ns();
		return 0;
	default:
		return -1;
	}
}

uint64_t libc_deadline(clockid_t clock, const struct timespec *abstime)
{
	int64_t now;
	if (clock_read(clock, &now) < 0)
		clock_read(CLOCK_REALTIME, &now);
	int64_t delta = (int64_t)abstime->tv_sec * (int64_t)NS_PER_S + abstime->tv_nsec - now;
	return clock_ns() + (delta > 0 ? (uint64_t)delta : 0) + 1;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int64_t ns;
	if (clock_read(id, &ns) < 0) {
		errno = EINVAL;
		return -1;
	}
	ns_to_timespec(ns, ts);
	trace(SYS_CLOCK_GETTIME, id, ns);
	return 0;
}

int clock_getres(clockid_t id, struct timespec *res)
{
	int64_t ns;
	if (clock_read(id, &ns) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (res)
		*res = (struct timespec){ 0, 1 };
	return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	int64_t ns = clock_realtime_ns();
	tv->tv_sec = ns / NS_PER_S;
	tv->tv_usec = ns % NS_PER_S / 1000;
	return 0;
}

clock_t times(struct tms *t)
{
	clock_t ticks = (clock_t)(clock_ns() / (NS_PER_S / CLOCKS_PER_SEC));
	if (t)
		*t = (struct tms){ .tms_utime = ticks };
	return ticks;
}

/* The sleeps end early, with EINTR, when a signal's handler ran (libc/signal.c). */
int clock_nanosleep(clockid_t id, int flags, const struct timespec *req, struct timespec *rem)
{
	int64_t now;
	if (id == CLOCK_THREAD_CPUTIME_ID) /* as on Linux */
		return EINVAL;
	if (clock_read(id, &now) < 0 || req->tv_nsec < 0 || req->tv_nsec >= NS_PER_S || req->tv_sec < 0)
		return EINVAL;
	int64_t want = req->tv_sec * NS_PER_S + req->tv_nsec;
	if (flags & TIMER_ABSTIME)
		want = want > now ? want - now : 0;
	trace(SYS_NANOSLEEP_ENTRY, (uint64_t)want, 0);
	uint64_t deadline = clock_ns() + (uint64_t)want;
	int interrupted = signal_sleep_until(deadline);
	if (rem && interrupted && !(flags & TIMER_ABSTIME)) {
		uint64_t after = clock_ns();
		ns_to_timespec(deadline > after ? (int64_t)(deadline - after) : 0, rem);
	}
	trace(SYS_NANOSLEEP_EXIT, (uint64_t)(interrupted ? -EINTR : 0), 0);
	return interrupted ? EINTR : 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int err = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int usleep(useconds_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };
	return nanosleep(&ts, NULL);
}

unsigned sleep(unsigned s)
{
	struct timespec ts = { .tv_sec = s }, rem;
	if (nanosleep(&ts, &rem) == 0)
		return 0;
	return (unsigned)rem.tv_sec + (rem.tv_nsec > 0); /* the seconds left, rounded up */
}
