/*
 * fsbench: file figures for bench/files.py, built both for Hermit (the guest's calls go through
 * the proxy) and for the host (the same calls straight to Linux), so both run the same code.
 *   fsbench DIR MIB CHUNK_KIB OPS
 * writes DIR/fsbench.dat (MIB MiB in CHUNK_KIB pieces, each of its own byte, then fsync), reads
 * it back and checks every byte, then stat()s it and open()s/close()s it OPS times each; prints
 * one "name value unit" line per figure. Each piece differs from the one before, so what a read
 * brings is never what the buffer held already (a recorded run sends all of it: docs/replay.md).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../now.h"

static char piece_byte(size_t offset, size_t chunk) { return (char)('a' + offset / chunk % 26); }

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: fsbench DIR MIB CHUNK_KIB OPS\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/fsbench.dat", argv[1]);
	size_t total = (size_t)atol(argv[2]) << 20, chunk = (size_t)atol(argv[3]) << 10;
	long ops = atol(argv[4]);
	char *buf = malloc(chunk);
	if (!buf || !chunk || !total || ops <= 0)
		die("arguments");

	double t0 = now();
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("open for writing");
	for (size_t done = 0; done < total; done += chunk) {
		memset(buf, piece_byte(done, chunk), chunk);
		if (write(fd, buf, chunk) != (ssize_t)chunk)
			die("write");
	}
	if (fsync(fd) < 0 || close(fd) < 0)
		die("fsync");
	double t1 = now();
	printf("write %.1f MB/s\n", (double)total / 1e6 / (t1 - t0));

	fd = open(path, O_RDONLY);
	if (fd < 0)
		die("open for reading");
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, buf, chunk)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != piece_byte(got + (size_t)i, chunk))
				die("read back other bytes than written");
		got += (size_t)n;
	}
	close(fd);
	double t2 = now();
	if (got != total)
		die("short read");
	printf("read %.1f MB/s\n", (double)total / 1e6 / (t2 - t1));

	struct stat st;
	for (long i = 0; i < ops; i++)
		if (stat(path, &st) < 0)
			die("stat");
	double t3 = now();
	printf("stat %.0f ops/s\n", (double)ops / (t3 - t2));
	for (long i = 0; i < ops; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0 || close(fd) < 0)
			die("open/close");
	}
	double t4 = now();
	printf("open-close %.0f ops/s\n", (double)ops / (t4 - t3));
	unlink(path);
	return 0;
}
