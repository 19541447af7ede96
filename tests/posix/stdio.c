/*
 * stdio and libc gaps: stream locks between threads, getline, temporary files, timegm, strptime,
 * the C11 headers.
 */
#define _GNU_SOURCE /* strptime is XSI, timegm BSD: as with glibc */
#include <fcntl.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "posix.h"

static atomic_int trylock_result = -1;

static void *try_lock(void *fp)
{
	atomic_store(&trylock_result, ftrylockfile(fp));
	if (atomic_load(&trylock_result) == 0)
		funlockfile(fp);
	return NULL;
}

static int other_thread_trylock(FILE *fp)
{
	pthread_t t;
	pthread_create(&t, NULL, try_lock, fp);
	pthread_join(t, NULL);
	return atomic_load(&trylock_result);
}

static void check_locks(void)
{
	flockfile(stdout);
	flockfile(stdout); /* recursive, as POSIX requires */
	CHECK(other_thread_trylock(stdout) != 0);
	putc_unlocked('#', stdout);
	putchar_unlocked('\n');
	funlockfile(stdout);
	CHECK(other_thread_trylock(stdout) != 0);
	funlockfile(stdout);
	CHECK(other_thread_trylock(stdout) == 0);
	CHECK(ftrylockfile(stderr) == 0);
	funlockfile(stderr);
}

static void check_files(void)
{
	char name[] = "posix-tmp-XXXXXX";
	int fd = mkstemp(name);
	CHECK(fd >= 0 && strcmp(name, "posix-tmp-XXXXXX") != 0);
	CHECK(write(fd, "one\ntwo\nlast", 12) == 12);
	close(fd);
	FILE *f = fopen(name, "r");
	CHECK(f != NULL);
	char *line = NULL;
	size_t cap = 0;
	CHECK(getline(&line, &cap, f) == 4 && strcmp(line, "one\n") == 0);
	CHECK(getdelim(&line, &cap, 'w', f) == 2 && strcmp(line, "tw") == 0);
	CHECK(getline(&line, &cap, f) == 2);
	CHECK(getline(&line, &cap, f) == 4 && strcmp(line, "last") == 0);
	CHECK(getline(&line, &cap, f) == -1 && feof(f));
	free(line);
	fclose(f);
	CHECK(unlink(name) == 0);
	char bad[] = "no-x";
	CHECK_ERRNO(mkstemp(bad), EINVAL);

	char oname[] = "posix-o-XXXXXX";
	fd = mkostemp(oname, O_CLOEXEC);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
	close(fd);
	CHECK(unlink(oname) == 0);
	char dname[] = "posix-d-XXXXXX";
	CHECK(mkdtemp(dname) == dname && strcmp(dname, "posix-d-XXXXXX") != 0);
	struct stat st;
	CHECK(stat(dname, &st) == 0 && S_ISDIR(st.st_mode) && rmdir(dname) == 0);
	char n1[L_tmpnam], n2[L_tmpnam];
	CHECK(tmpnam(n1) == n1 && tmpnam(n2) == n2 && strcmp(n1, n2) != 0);
	char *n3 = tempnam(".", "pfx");
	CHECK(n3 && strstr(n3, "pfx") != NULL);
	free(n3);

	FILE *t = tmpfile();
	CHECK(t != NULL);
	if (t) {
		fputs("scratch", t);
		rewind(t);
		char buf[16] = "";
		CHECK(fgets(buf, sizeof(buf), t) && strcmp(buf, "scratch") == 0);
		fclose(t);
	}
}

static void check_time(void)
{
	struct tm tm = { .tm_year = 2000 - 1900, .tm_mon = 1, .tm_mday = 29, .tm_hour = 12 };
	CHECK(timegm(&tm) == 951825600 && tm.tm_wday == 2 && tm.tm_yday == 59);
	struct tm over = { .tm_year = 69, .tm_mon = 12, .tm_mday = 1, .tm_sec = -1 };
	CHECK(timegm(&over) == -1 && over.tm_year == 69 && over.tm_mon == 11 && over.tm_mday == 31);
	struct tm parsed = { 0 };
	CHECK(strptime("2024-03-05 06:07:08", "%Y-%m-%d %H:%M:%S", &parsed) != NULL);
	CHECK(timegm(&parsed) == 1709618828);
	alignas(32) static char aligned[8];
	CHECK(((unsigned long)aligned & 31) == 0);
}

void check_stdio(void)
{
	check_locks();
	check_files();
	check_time();
}

/* ---- a thread that waits for stdin holds up no other: posix wait-stdin ---- */

static void *read_a_byte(void *result)
{
	char c;
	*(ssize_t *)result = read(STDIN_FILENO, &c, 1);
	return NULL;
}

int wait_for_stdin(void)
{
	ssize_t got = -2;
	pthread_t reader;
	pthread_create(&reader, NULL, read_a_byte, &got);
	usleep(200000); /* long enough for the read to wait in the host */
	/* Hypercalls of this thread while the reader waits: a file, then the console. */
	char path[] = "/tmp/hermit-wait-stdin-XXXXXX";
	int fd = mkstemp(path);
	int wrote = fd >= 0 ? (int)write(fd, "x", 1) : -1;
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	printf("posix: wrote %d byte to a file while a read of stdin waited\n", wrote);
	fflush(stdout);
	pthread_join(reader, NULL);
	printf("posix: the read of stdin returned %zd\n", got);
	return wrote == 1 && got == 1 ? 0 : 1;
}
