/* files: writes, reads back and removes a host file through the proxy. Exits 0 when all held. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "files: check failed: %s (errno %d: %s)\n", #cond, errno, \
				strerror(errno));                                        \
			return 1;                                                        \
		}                                                                        \
	} while (0)

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "hermit-files-test.txt";
	const char text[] = "written by a Hermit guest\n";
	char buf[64] = { 0 };

	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	CHECK(fputs(text, f) >= 0);
	CHECK(fclose(f) == 0);

	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)strlen(text));
	CHECK(read(fd, buf, sizeof(buf)) == (ssize_t)strlen(text));
	CHECK(strcmp(buf, text) == 0);
	CHECK(lseek(fd, 8, SEEK_SET) == 8);
	CHECK(read(fd, buf, 2) == 2 && memcmp(buf, "by", 2) == 0);
	CHECK(close(fd) == 0);
	CHECK(close(fd) == -1 && errno == EBADF);

	/* gathered writes and scattered reads on a host file */
	fd = open(path, O_RDWR | O_TRUNC);
	CHECK(fd >= 0);
	struct iovec out[2] = { { (void *)"scatter", 7 }, { (void *)"-gather", 7 } };
	CHECK(writev(fd, out, 2) == 14);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	char first[4] = { 0 }, rest[16] = { 0 };
	struct iovec in[2] = { { first, 3 }, { rest, sizeof(rest) } };
	CHECK(readv(fd, in, 2) == 14);
	CHECK(memcmp(first, "sca", 3) == 0 && strcmp(rest, "tter-gather") == 0);
	CHECK(close(fd) == 0);

	CHECK(unlink(path) == 0);
	CHECK(open(path, O_RDONLY) == -1 && errno == ENOENT);
	printf("files: ok\n");
	return 0;
}
