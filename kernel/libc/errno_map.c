/*
 * libc/errno_map.c: the host speaks Linux errno numbers and open(2) flags (hermit/abi.h); newlib
 * numbers some differently. Numbers 1-34 agree; the rest are mapped here.
 */
#include <errno.h>
#include <fcntl.h>

#include "libc/libc.h"

struct errno_pair {
	int linux_errno, libc_errno;
};

static const struct errno_pair pairs[] = {
	{ 35, EDEADLK }, { 36, ENAMETOOLONG }, { 37, ENOLCK }, { 38, ENOSYS }, { 39, ENOTEMPTY },
	{ 40, ELOOP }, { 61, ENODATA }, { 75, EOVERFLOW }, { 84, EILSEQ }, { 95, EOPNOTSUPP },
	{ 98, EADDRINUSE }, { 99, EADDRNOTAVAIL }, { 104, ECONNRESET }, { 110, ETIMEDOUT },
	{ 111, ECONNREFUSED }, { 122, EDQUOT },
};

int libc_errno_from_host(int64_t host_errno)
{
	if (host_errno >= 1 && host_errno <= 34)
		return (int)host_errno;
	for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (pairs[i].linux_errno == host_errno)
			return pairs[i].libc_errno;
	return EIO;
}

/* Linux's values for the flags a file open may carry. */
#define LINUX_O_CREAT 0100
#define LINUX_O_EXCL 0200
#define LINUX_O_NOCTTY 0400
#define LINUX_O_TRUNC 01000
#define LINUX_O_APPEND 02000
#define LINUX_O_NONBLOCK 04000
#define LINUX_O_SYNC 04010000
#define LINUX_O_DIRECTORY 0200000
#define LINUX_O_NOFOLLOW 0400000
#define LINUX_O_CLOEXEC 02000000

static const struct {
	int libc, linux_flag;
} open_flags[] = {
	{ O_CREAT, LINUX_O_CREAT },   { O_EXCL, LINUX_O_EXCL },         { O_NOCTTY, LINUX_O_NOCTTY },
	{ O_TRUNC, LINUX_O_TRUNC },   { O_APPEND, LINUX_O_APPEND },     { O_NONBLOCK, LINUX_O_NONBLOCK },
	{ O_SYNC, LINUX_O_SYNC },     { O_DIRECTORY, LINUX_O_DIRECTORY }, { O_NOFOLLOW, LINUX_O_NOFOLLOW },
	{ O_CLOEXEC, LINUX_O_CLOEXEC },
};

int32_t libc_open_flags_to_host(int flags)
{
	int32_t out = flags & O_ACCMODE; /* 0, 1, 2 in both */
	for (unsigned i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
		if (flags & open_flags[i].libc)
			out |= open_flags[i].linux_flag;
	return out;
}

int libc_open_flags_from_host(int32_t flags)
{
	int out = flags & O_ACCMODE;
	for (unsigned i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
		if ((flags & open_flags[i].linux_flag) == open_flags[i].linux_flag)
			out |= open_flags[i].libc;
	return out;
}
