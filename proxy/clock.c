/*
 * clock.c: the host's TSC frequency, which the guest needs to turn TSC ticks into time.
 *
 * Measured rather than looked up: the ticks counted between proxy start and the guest's CONFIG
 * request, over CLOCK_MONOTONIC_RAW (not slewed by NTP) for the same span. Tens of milliseconds
 * of QEMU start-up give a few ppm of precision. Only worth it when the TSC ticks at a constant
 * rate in every power state (constant_tsc and nonstop_tsc); otherwise the guest is told 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "proxy.h"

static uint64_t monotonic_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool has_word(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i + n <= len; i++)
		if ((i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t') &&
		    memcmp(line + i, word, n) == 0 &&
		    (i + n == len || line[i + n] == ' ' || line[i + n] == '\n'))
			return true;
	return false;
}

bool cpuinfo_stable_tsc(const char *text)
{
	/* The first "flags" line speaks for all CPUs: the kernel keeps them consistent. */
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (strncmp(line, "flags", 5) == 0 && (line[5] == '\t' || line[5] == ' ' || line[5] == ':'))
			return has_word(line, len, "constant_tsc") && has_word(line, len, "nonstop_tsc");
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

static char *read_cpuinfo(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	/* The file has no NUL, so this reads all of it in one call. */
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(text);
		return NULL;
	}
	return text;
}

void tsc_clock_start(struct tsc_clock *c)
{
	char *info = read_cpuinfo();

	c->stable = info && cpuinfo_stable_tsc(info);
	free(info);
	c->ns0 = monotonic_raw_ns();
	c->tsc0 = __rdtsc();
}

uint64_t tsc_clock_khz(const struct tsc_clock *c)
{
	uint64_t ticks = __rdtsc() - c->tsc0;
	uint64_t ns = monotonic_raw_ns() - c->ns0;

	if (!c->stable || ns == 0)
		return 0;
	/* ticks per ns times 10^6 is kHz; 128 bits so that long runs cannot overflow. */
	return (uint64_t)(((unsigned __int128)ticks * 1000000 + ns / 2) / ns);
}
