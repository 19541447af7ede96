/*
 * libc/record_locks.c: fcntl's record locks and flock()'s whole-file locks on host files, held
 * by the proxy for the guest
 * (hermit/abi.h, FD_LOCK), so another guest or a host program sharing the file sees them. The
 * proxy never waits for a lock, since one waiting request would hold up every other one; F_SETLKW
 * waits here instead, trying again with a growing pause while other tasks run. A lock freed
 * meanwhile is taken within that pause (at most LOCK_PAUSE_MAX_MS); a signal's handler ends the
 * wait with EINTR, as on Linux; a deadlock between two guests is not detected (Linux would
 * answer EDEADLK): each waits until the other lets go.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hermit/abi.h"
#include "kernel/clock.h"
#include "libc/libc.h"

#define LOCK_PAUSE_MIN_NS 500000ull
#define LOCK_PAUSE_MAX_NS 50000000ull

/* newlib's F_RDLCK 1, F_WRLCK 2, F_UNLCK 3 against Linux's 0, 1, 2. */
static int type_to_host(short type)
{
	switch (type) {
	case F_RDLCK: return 0;
	case F_WRLCK: return 1;
	case F_UNLCK: return 2;
	}
	return -1;
}

static short type_from_host(int16_t type)
{
	return type == 0 ? F_RDLCK : type == 1 ? F_WRLCK : F_UNLCK;
}

static int lock_once(intptr_t host, int get, struct flock *fl)
{
	int type = type_to_host(fl->l_type);
	if (type < 0 || fl->l_whence < SEEK_SET || fl->l_whence > SEEK_END) {
		errno = EINVAL;
		return -1;
	}
	struct hermit_flock hl = { .type = (int16_t)type, .whence = fl->l_whence,
				   .start = fl->l_start, .len = fl->l_len };
	struct hc_fd req = { .op = HERMIT_FD_LOCK, .fd = (int32_t)host,
			     .arg = get ? HERMIT_LOCK_GET : HERMIT_LOCK_SET,
			     .buf = (hermit_gpa_t)(uintptr_t)&hl, .len = sizeof(hl) };
	if (libc_host_fd(&req) < 0)
		return -1;
	if (get) {
		fl->l_type = type_from_host(hl.type);
		fl->l_whence = hl.whence;
		fl->l_start = hl.start;
		fl->l_len = hl.len;
		fl->l_pid = (short)hl.pid; /* newlib's l_pid is a short */
	}
	return 0;
}

/* Tries take(host, arg) until it stops failing with EAGAIN/EACCES, pausing in between. */
static int wait_for(int (*take)(intptr_t host, void *arg), intptr_t host, void *arg)
{
	uint64_t pause = LOCK_PAUSE_MIN_NS;
	for (;;) {
		if (take(host, arg) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES)
			return -1;
		if (signal_sleep_until(clock_ns() + pause)) {
			errno = EINTR;
			return -1;
		}
		if (pause < LOCK_PAUSE_MAX_NS)
			pause *= 2;
	}
}

static int set_lock(intptr_t host, void *fl) { return lock_once(host, 0, fl); }

int libc_record_lock(intptr_t host, int cmd, struct flock *fl)
{
	if (cmd != F_SETLKW)
		return lock_once(host, cmd == F_GETLK, fl);
	return wait_for(set_lock, host, fl);
}

/* flock(2) locks belong to the open file (shared by dup() copies), as the proxy's descriptor. */
static int flock_once(intptr_t host, void *op)
{
	struct hc_fd req = { .op = HERMIT_FD_FLOCK, .fd = (int32_t)host, .arg = *(int *)op };
	return (int)libc_host_fd(&req);
}

int flock(int fd, int op)
{
	int32_t host;
	int kind = op & ~LOCK_NB;
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN) {
		errno = EINVAL;
		return -1;
	}
	if (libc_host_file(fd, EINVAL, &host) < 0)
		return -1;
	if ((op & LOCK_NB) || kind == LOCK_UN)
		return flock_once(host, &kind);
	return wait_for(flock_once, host, &kind);
}
