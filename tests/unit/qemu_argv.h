/*
 * qemu_argv.h: options looked up in the QEMU command lines qemu_argv() builds, for the proxy's
 * unit tests (test_proxy_qemu, test_proxy_debug, test_proxy_recording).
 */
#ifndef QEMU_ARGV_H
#define QEMU_ARGV_H

#include <stdbool.h>
#include <string.h>

/* The index of option opt followed by val (by anything when val is NULL), or -1. */
static inline int argv_find(char **argv, const char *opt, const char *val)
{
	for (int i = 0; argv[i]; i++)
		if (strcmp(argv[i], opt) == 0 && (!val || (argv[i + 1] && strcmp(argv[i + 1], val) == 0)))
			return i;
	return -1;
}

/* Whether option opt is followed by val somewhere in argv. */
static inline bool has_pair(char **argv, const char *opt, const char *val)
{
	return argv_find(argv, opt, val) >= 0;
}

#endif
