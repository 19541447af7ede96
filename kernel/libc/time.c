/*
 * libc/time.c: the clocks and sleeping, over the kernel's TSC clock (kernel/clock.h).
 */
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

int clock_gettime(clockid_t id, struct timespec *ts)
{
	switch (id) {
	case CLOCK_REALTIME:
		ns_to_timespec(clock_realtime_ns(), ts);
		trace(SYS_CLOCK_GETTIME, id, ts->tv_sec * NS_PER_S + ts->tv_nsec);
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		ns_to_timespec((int64_t)clock_ns(), ts);
		trace(SYS_CLOCK_GETTIME, id, ts->tv_sec * NS_PER_S + ts->tv_nsec);
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}

int clock_getres(clockid_t id, struct timespec *res)
{
	(void)id;
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
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_nsec < 0 || req->tv_nsec >= NS_PER_S || req->tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	trace(SYS_NANOSLEEP_ENTRY, (uint64_t)req->tv_sec * NS_PER_S + (uint64_t)req->tv_nsec, 0);
	uint64_t deadline = clock_ns() + (uint64_t)req->tv_sec * NS_PER_S + (uint64_t)req->tv_nsec;
	int interrupted = signal_sleep_until(deadline);
	if (rem) {
		uint64_t now = clock_ns();
		ns_to_timespec(interrupted && deadline > now ? (int64_t)(deadline - now) : 0, rem);
	}
	trace(SYS_NANOSLEEP_EXIT, (uint64_t)(interrupted ? -EINTR : 0), 0);
	if (interrupted) {
		errno = EINTR;
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
