/*
 * libc/identity.c: who and what the app runs as. One process, pid 1, with no parent (ppid 0), run
 * by root: uid and gid 0, the one user and group the passwd and group calls know ("root", home
 * "/"). uname() says "Hermit"; its nodename is HERMIT_HOSTNAME from the environment, else
 * "hermit". The machine's limits: FD_MAX descriptors, the memory and CPUs it was given.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "hermit/abi.h"
#include "kernel/smp.h"
#include "kernel/clock.h"
#include "kernel/fd.h"
#include "kernel/mm.h"

#define HERMIT_PID 1
#define ROOT_ID 0
#define DEFAULT_HOSTNAME "hermit"
#define HOST_NAME_LEN 64
#define LOGIN_NAME_LEN 256
#define TZNAME_LEN 6
#define SYMLINK_HOPS 40 /* as Linux */
#define MAIN_STACK_BYTES (8ul * 1024 * 1024) /* libc/start.c */
#define STR(x) #x
#define XSTR(x) STR(x)

static int fail(int err)
{
	errno = err;
	return -1;
}

pid_t getpid(void) { return HERMIT_PID; }
pid_t getppid(void) { return 0; }
uid_t getuid(void) { return ROOT_ID; }
uid_t geteuid(void) { return ROOT_ID; }
gid_t getgid(void) { return ROOT_ID; }
gid_t getegid(void) { return ROOT_ID; }
pid_t getpgrp(void) { return HERMIT_PID; }
pid_t getsid(pid_t pid) { return pid == 0 || pid == HERMIT_PID ? HERMIT_PID : fail(ESRCH); }

/* Root may set its ids to what they are; there is no other user to become. */
static int set_id(int id) { return id == ROOT_ID ? 0 : fail(EPERM); }
int setuid(uid_t uid) { return set_id(uid); }
int seteuid(uid_t uid) { return set_id(uid); }
int setgid(gid_t gid) { return set_id(gid); }
int setegid(gid_t gid) { return set_id(gid); }

int getgroups(int size, gid_t list[])
{
	if (size == 0)
		return 1;
	if (size < 1)
		return fail(EINVAL);
	list[0] = ROOT_ID;
	return 1;
}

/* Root's group list is its own group: it may be set to that, or emptied. */
int setgroups(int size, const gid_t list[])
{
	if (size < 0 || size > NGROUPS_MAX)
		return fail(EINVAL);
	for (int i = 0; i < size; i++)
		if (list[i] != ROOT_ID)
			return fail(EPERM);
	return 0;
}

/* Copies s into *cursor within [.., end); NULL when it does not fit. */
static char *pack(char **cursor, const char *end, const char *s)
{
	size_t n = strlen(s) + 1;
	if ((size_t)(end - *cursor) < n)
		return NULL;
	char *out = memcpy(*cursor, s, n);
	*cursor += n;
	return out;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **result)
{
	*result = NULL;
	if (uid != ROOT_ID)
		return 0;
	char *c = buf, *end = buf + len;
	*pw = (struct passwd){ .pw_uid = ROOT_ID, .pw_gid = ROOT_ID };
	if (!(pw->pw_name = pack(&c, end, "root")) || !(pw->pw_passwd = pack(&c, end, "x")) ||
	    !(pw->pw_gecos = pack(&c, end, "root")) || !(pw->pw_dir = pack(&c, end, "/")) ||
	    !(pw->pw_shell = pack(&c, end, "/bin/sh")))
		return ERANGE;
	pw->pw_comment = pw->pw_gecos;
	*result = pw;
	return 0;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **result)
{
	*result = NULL;
	return strcmp(name, "root") == 0 ? getpwuid_r(ROOT_ID, pw, buf, len, result) : 0;
}

static struct passwd the_passwd;
static char passwd_strings[64];

struct passwd *getpwuid(uid_t uid)
{
	struct passwd *r;
	getpwuid_r(uid, &the_passwd, passwd_strings, sizeof(passwd_strings), &r);
	return r;
}

struct passwd *getpwnam(const char *name) { return strcmp(name, "root") == 0 ? getpwuid(ROOT_ID) : NULL; }

static char *root_members[] = { "root", NULL };
static struct group the_group = { .gr_name = "root", .gr_passwd = "x", .gr_gid = ROOT_ID, .gr_mem = root_members };

struct group *getgrgid(gid_t gid) { return gid == ROOT_ID ? &the_group : NULL; }
struct group *getgrnam(const char *name) { return strcmp(name, "root") == 0 ? &the_group : NULL; }

char *getlogin(void) { return "root"; }

int getlogin_r(char *buf, size_t len)
{
	if (len < sizeof("root"))
		return ERANGE;
	strcpy(buf, "root");
	return 0;
}

static const char *hostname(void)
{
	const char *h = getenv("HERMIT_HOSTNAME");
	return h && *h ? h : DEFAULT_HOSTNAME;
}

int gethostname(char *name, size_t len)
{
	const char *h = hostname();
	if (strlen(h) >= len)
		return fail(ENAMETOOLONG);
	strcpy(name, h);
	return 0;
}

/* The release is the kernel–proxy ABI version, the one version number the kernel has. */
int uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Hermit");
	snprintf(u->nodename, sizeof(u->nodename), "%s", hostname());
	strcpy(u->release, XSTR(HERMIT_ABI_VERSION));
	strcpy(u->version, "Hermit unikernel, ABI " XSTR(HERMIT_ABI_VERSION));
	strcpy(u->machine, "x86_64");
	return 0;
}

/* The app has the machine to itself: its CPU time is the time since boot. */
int getrusage(int who, struct rusage *r)
{
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return fail(EINVAL);
	memset(r, 0, sizeof(*r));
	if (who == RUSAGE_CHILDREN)
		return 0;
	uint64_t us = clock_ns() / 1000;
	r->ru_utime = (struct timeval){ .tv_sec = (time_t)(us / 1000000), .tv_usec = (suseconds_t)(us % 1000000) };
	r->ru_maxrss = (long)((page_total_count() - page_free_count()) * (PAGE_SIZE / 1024));
	return 0;
}

static rlim_t limit_of(int resource)
{
	switch (resource) {
	case RLIMIT_NOFILE:
		return FD_MAX;
	case RLIMIT_STACK:
		return MAIN_STACK_BYTES;
	case RLIMIT_NPROC:
		return 1;
	case RLIMIT_CORE:
		return 0;
	case RLIMIT_AS:
	case RLIMIT_DATA:
	case RLIMIT_RSS:
		return (rlim_t)page_total_count() * PAGE_SIZE;
	default:
		return RLIM_INFINITY;
	}
}

static struct rlimit lowered[RLIMIT_NLIMITS]; /* what setrlimit() set; zeros: never set */

int getrlimit(int resource, struct rlimit *r)
{
	if (resource < 0 || resource >= RLIMIT_NLIMITS)
		return fail(EINVAL);
	rlim_t machine = limit_of(resource);
	*r = lowered[resource].rlim_max ? lowered[resource] : (struct rlimit){ machine, machine };
	return 0;
}

/* Limits are what the machine has: raising one is refused; a lowered one is remembered and
 * reported, but nothing enforces it. */
int setrlimit(int resource, const struct rlimit *r)
{
	if (resource < 0 || resource >= RLIMIT_NLIMITS || r->rlim_cur > r->rlim_max)
		return fail(EINVAL);
	if (r->rlim_max > limit_of(resource))
		return fail(EPERM);
	lowered[resource] = *r;
	return 0;
}

int getpriority(int which, id_t who)
{
	(void)which, (void)who;
	errno = 0;
	return 0;
}

int setpriority(int which, id_t who, int prio)
{
	(void)which, (void)who;
	return prio < 0 ? fail(EACCES) : 0;
}

long sysconf(int name)
{
	switch (name) {
	case _SC_ARG_MAX:
		return HERMIT_ARGS_MAX;
	case _SC_CHILD_MAX:
		return 1;
	case _SC_CLK_TCK:
		return CLOCKS_PER_SEC; /* the unit of times() */
	case _SC_NGROUPS_MAX:
		return 1;
	case _SC_OPEN_MAX:
		return FD_MAX;
	case _SC_PAGESIZE:
		return PAGE_SIZE;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return (long)smp_cpus_online();
	case _SC_PHYS_PAGES:
		return (long)page_total_count();
	case _SC_AVPHYS_PAGES:
		return (long)page_free_count();
	case _SC_HOST_NAME_MAX:
		return HOST_NAME_LEN;
	case _SC_LOGIN_NAME_MAX:
		return LOGIN_NAME_LEN;
	case _SC_LINE_MAX:
		return LINE_MAX;
	case _SC_IOV_MAX:
		return IOV_MAX;
	case _SC_GETPW_R_SIZE_MAX:
	case _SC_GETGR_R_SIZE_MAX:
		return (long)sizeof(passwd_strings);
	case _SC_THREAD_KEYS_MAX:
		return PTHREAD_KEYS_MAX;
	case _SC_THREAD_STACK_MIN:
		return PTHREAD_STACK_MIN;
	case _SC_STREAM_MAX:
		return FOPEN_MAX;
	case _SC_TZNAME_MAX:
		return TZNAME_LEN;
	case _SC_SYMLOOP_MAX:
		return SYMLINK_HOPS;
	case _SC_VERSION:
	case _SC_THREADS:
	case _SC_TIMERS:
	case _SC_MONOTONIC_CLOCK:
	case _SC_CLOCK_SELECTION:
	case _SC_THREAD_SAFE_FUNCTIONS:
	case _SC_TIMEOUTS:
	case _SC_BARRIERS:
	case _SC_SPIN_LOCKS:
	case _SC_READER_WRITER_LOCKS:
		return 200809L;
	default:
		return fail(EINVAL);
	}
}

int getpagesize(void) { return PAGE_SIZE; }
int getdtablesize(void) { return FD_MAX; }
