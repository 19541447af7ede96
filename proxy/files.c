/*
 * files.c: the guest's descriptor table.
 *
 * A guest descriptor is an index into this table, never a host descriptor, so the guest can
 * reach only what it opened itself plus the proxy's stdio, and never the memfd, the sockets
 * or anything else the proxy holds. Guest 0, 1, 2 are the proxy's own stdio; the guest may
 * close them (later use gets -EBADF) but the proxy keeps them for itself.
 */
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "proxy.h"

void files_init(struct files *f)
{
	for (int i = 0; i < FILES_MAX; i++) {
		f->host[i] = i <= STDERR_FILENO ? i : -1;
		f->owned[i] = false;
		f->nonblock[i] = false;
	}
}

void files_make_room(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_cur >= FILES_MAX + FILES_SPARE)
		return;
	r.rlim_cur = r.rlim_max < FILES_MAX + FILES_SPARE ? r.rlim_max : FILES_MAX + FILES_SPARE;
	setrlimit(RLIMIT_NOFILE, &r);
}

static bool valid(const struct files *f, int64_t gfd)
{
	return gfd >= 0 && gfd < FILES_MAX && f->host[gfd] >= 0;
}

int files_host(const struct files *f, int64_t gfd)
{
	return valid(f, gfd) ? f->host[gfd] : -1;
}

int files_add(struct files *f, int host_fd)
{
	/* Lowest free slot, as POSIX open(2) does: guest code may rely on it. */
	for (int i = 0; i < FILES_MAX; i++) {
		if (f->host[i] < 0) {
			f->host[i] = host_fd;
			f->owned[i] = true;
			f->nonblock[i] = false;
			return i;
		}
	}
	close(host_fd);
	return -EMFILE;
}

int files_close(struct files *f, int64_t gfd)
{
	int rc = 0;

	if (!valid(f, gfd))
		return -EBADF;
	/* As on Linux, the slot is free even when close(2) reports an error. */
	if (f->owned[gfd] && close(f->host[gfd]) < 0 && errno != EINTR)
		rc = -errno;
	f->host[gfd] = -1;
	f->owned[gfd] = false;
	return rc;
}

bool files_nonblock(const struct files *f, int64_t gfd)
{
	return valid(f, gfd) && f->nonblock[gfd];
}

void files_set_nonblock(struct files *f, int64_t gfd, bool on)
{
	if (valid(f, gfd))
		f->nonblock[gfd] = on;
}

void files_close_all(struct files *f)
{
	for (int i = 0; i < FILES_MAX; i++)
		if (f->host[i] >= 0)
			files_close(f, i);
}
