/*
 * Identity and limits: pid, users, uname, sysconf, rlimits, usage; and the process calls that
 * fail because there is no other program to run.
 */
#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "posix.h"

void check_identity(void)
{
	CHECK(getpid() == 1 && getppid() == 0);
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	struct passwd *pw = getpwuid(0);
	CHECK(pw && strcmp(pw->pw_name, "root") == 0 && pw->pw_uid == 0 && strcmp(pw->pw_dir, "/") == 0);
	CHECK(getpwuid(1000) == NULL && getpwnam("nobody") == NULL);
	CHECK(getpwnam("root") && getpwnam("root")->pw_gid == 0);
	struct passwd pwbuf, *res;
	char small[4], big[256];
	CHECK(getpwuid_r(0, &pwbuf, small, sizeof(small), &res) == ERANGE && res == NULL);
	CHECK(getpwuid_r(0, &pwbuf, big, sizeof(big), &res) == 0 && res == &pwbuf && strcmp(res->pw_name, "root") == 0);
	gid_t groups[2] = { 0, 5 };
	CHECK(setgroups(1, groups) == 0 && setgroups(0, NULL) == 0);
	CHECK_ERRNO(setgroups(2, groups), EPERM);
	CHECK_ERRNO(setgroups(-1, groups), EINVAL);
	struct group *gr = getgrgid(0);
	CHECK(gr && strcmp(gr->gr_name, "root") == 0 && getgrgid(5) == NULL);

	struct utsname u;
	CHECK(uname(&u) == 0);
	CHECK(strcmp(u.sysname, "Hermit") == 0 && strcmp(u.machine, "x86_64") == 0 && u.release[0]);
	const char *want = getenv("HERMIT_HOSTNAME") ? getenv("HERMIT_HOSTNAME") : "hermit";
	CHECK(strcmp(u.nodename, want) == 0);
	char host[64], tiny[2];
	CHECK(gethostname(host, sizeof(host)) == 0 && strcmp(host, want) == 0);
	CHECK_ERRNO(gethostname(tiny, sizeof(tiny)), ENAMETOOLONG);
	printf("uname: %s %s %s %s\n", u.sysname, u.nodename, u.release, u.machine);

	CHECK(sysconf(_SC_OPEN_MAX) == 1024);
	CHECK(sysconf(_SC_PAGESIZE) == 4096 && getpagesize() == 4096);
	/* as many as HERMIT_CPUS says (test_smp.py checks the number) */
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1 && sysconf(_SC_NPROCESSORS_ONLN) == sysconf(_SC_NPROCESSORS_CONF));
	CHECK(sysconf(_SC_CLK_TCK) == CLOCKS_PER_SEC);
	CHECK(sysconf(_SC_PHYS_PAGES) > 0 && sysconf(_SC_AVPHYS_PAGES) <= sysconf(_SC_PHYS_PAGES));
	CHECK_ERRNO(sysconf(-5), EINVAL);

	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 1024 && rl.rlim_max == 1024);
	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur == 8 * 1024 * 1024);
	rl.rlim_cur = rl.rlim_max = 4096;
	CHECK_ERRNO(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
	rl.rlim_cur = 256, rl.rlim_max = 1024;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 256);
	CHECK_ERRNO(getrlimit(99, &rl), EINVAL);

	struct rusage ru;
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0);
	CHECK_ERRNO(getrusage(7, &ru), EINVAL);
	struct tms t;
	clock_t c1 = times(&t);
	for (volatile long i = 0; i < 3000000; i++)
		;
	CHECK(times(&t) > c1 && clock() > 0);
}

void check_process(void)
{
	CHECK(system(NULL) == 0); /* no shell */
	CHECK_ERRNO(system("true"), ENOSYS);
	errno = 0;
	CHECK(popen("ls", "r") == NULL && errno == ENOSYS);
	CHECK_ERRNO(pclose(stdout), ECHILD);
	CHECK_ERRNO(fork(), ENOSYS);
	char *argv[] = { "ls", NULL };
	CHECK_ERRNO(execvp("ls", argv), ENOSYS);
	CHECK_ERRNO(execl("/bin/ls", "ls", (char *)NULL), ENOSYS);
	CHECK_ERRNO(waitpid(-1, NULL, 0), ECHILD);
	CHECK_ERRNO(wait(NULL), ECHILD);
	pid_t pid;
	CHECK(posix_spawn(&pid, "/bin/ls", NULL, NULL, argv, NULL) == ENOSYS);
}
