/*
 * libc/dirs.c: <dirent.h>. A DIR is a host directory opened through the proxy plus a buffer of
 * the entries the host handed over (FD_GETDENTS, Linux's getdents64 records); readdir() walks the
 * buffer and refills it when it runs out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hermit/abi.h"
#include "libc/libc.h"

#define DIR_BUF 32768

struct __hermit_dir {
	int fd;
	size_t pos, len;        /* the next record at buf[pos], valid bytes up to len */
	long next;              /* telldir(): the host's position of the next entry */
	struct dirent entry;
	_Alignas(8) char buf[DIR_BUF];
};

DIR *fdopendir(int fd)
{
	struct stat st;
	int32_t host;
	if (libc_host_file(fd, ENOTDIR, &host) < 0 || fstat(fd, &st) < 0)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	DIR *d = malloc(sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->fd = fd;
	d->pos = d->len = 0;
	d->next = 0;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return d;
}

int closedir(DIR *d)
{
	int r = close(d->fd);
	free(d);
	return r;
}

int dirfd(DIR *d) { return d->fd; }

/* Refills the buffer; 1 when it holds entries, 0 at the end, -1 on error. */
static int refill(DIR *d)
{
	int32_t host;
	if (libc_host_file(d->fd, EBADF, &host) < 0)
		return -1;
	struct hc_fd req = { .op = HERMIT_FD_GETDENTS, .fd = host,
			     .buf = (hermit_gpa_t)(uintptr_t)d->buf, .len = sizeof(d->buf) };
	int64_t n = libc_host_fd(&req);
	if (n <= 0)
		return (int)n;
	d->pos = 0;
	d->len = (size_t)n;
	return 1;
}

struct dirent *readdir(DIR *d)
{
	if (d->pos >= d->len) {
		int saved = errno;
		int r = refill(d);
		if (r <= 0) {
			if (r == 0)
				errno = saved; /* the end is no error */
			return NULL;
		}
	}
	const struct hermit_dirent *rec = (const struct hermit_dirent *)(d->buf + d->pos);
	d->pos += rec->reclen;
	d->next = rec->off;
	d->entry.d_ino = rec->ino;
	d->entry.d_off = rec->off;
	d->entry.d_reclen = sizeof(d->entry);
	d->entry.d_type = rec->type;
	strncpy(d->entry.d_name, rec->name, sizeof(d->entry.d_name) - 1);
	d->entry.d_name[sizeof(d->entry.d_name) - 1] = '\0';
	return &d->entry;
}

int readdir_r(DIR *d, struct dirent *entry, struct dirent **result)
{
	int saved = errno;
	errno = 0;
	struct dirent *e = readdir(d);
	int err = errno;
	errno = saved;
	if (!e) {
		*result = NULL;
		return err;
	}
	*entry = *e;
	*result = entry;
	return 0;
}

void seekdir(DIR *d, long pos)
{
	if (lseek(d->fd, pos, SEEK_SET) >= 0) {
		d->pos = d->len = 0;
		d->next = pos;
	}
}

void rewinddir(DIR *d) { seekdir(d, 0); }

long telldir(DIR *d) { return d->next; }

int alphasort(const struct dirent **a, const struct dirent **b) { return strcoll((*a)->d_name, (*b)->d_name); }

int scandir(const char *path, struct dirent ***list, int (*keep)(const struct dirent *),
	    int (*compare)(const struct dirent **, const struct dirent **))
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent **v = NULL, *e;
	size_t n = 0, cap = 0;
	int err = 0;
	for (;;) {
		errno = 0;
		if (!(e = readdir(d))) {
			err = errno;
			break;
		}
		if (keep && !keep(e))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			struct dirent **bigger = realloc(v, cap * sizeof(*v));
			if (!bigger) {
				err = ENOMEM;
				break;
			}
			v = bigger;
		}
		if (!(v[n] = malloc(sizeof(*e)))) {
			err = ENOMEM;
			break;
		}
		*v[n++] = *e;
	}
	closedir(d);
	if (err) {
		while (n)
			free(v[--n]);
		free(v);
		errno = err;
		return -1;
	}
	if (compare)
		qsort(v, n, sizeof(*v), (int (*)(const void *, const void *))compare);
	*list = v;
	return (int)n;
}
