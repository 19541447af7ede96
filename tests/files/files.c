/* files: writes, reads back and removes a host file through the proxy. Exits 0 when all held. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

	CHECK(unlink(path) == 0);
	CHECK(open(path, O_RDONLY) == -1 && errno == ENOENT);
	printf("files: ok\n");
	return 0;
}
