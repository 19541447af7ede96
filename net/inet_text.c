/*
 * net/inet_text.c: address text for inet_pton and inet_ntop (see inet_text.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "inet_text.h"

int inet_text4_parse(const char *text, uint8_t addr[4])
{
	uint8_t out[4];
	int parts = 0;
	const char *p = text;
	while (parts < 4) {
		if (*p < '0' || *p > '9')
			return 0;
		unsigned v = 0;
		const char *start = p;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p++ - '0');
			if (v > 255 || (p - start > 1 && *start == '0'))
				return 0;
		}
		out[parts++] = (uint8_t)v;
		if (parts < 4 && *p++ != '.')
			return 0;
	}
	if (*p)
		return 0;
	memcpy(addr, out, 4);
	return 1;
}

static int hex_value(char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *d = c ? strchr(digits, tolower((unsigned char)c)) : NULL;
	return d ? (int)(d - digits) : -1;
}

/* One group of 1-4 hex digits at *p: its value, or -1; *p moves past it. */
static long hex_group(const char **p)
{
	long v = 0;
	int digits = 0;
	for (int d; (d = hex_value(**p)) >= 0; (*p)++) {
		if (++digits > 4)
			return -1;
		v = v * 16 + d;
	}
	return digits ? v : -1;
}

/* The groups before or after "::", into out[*n...]; stops at the end or at "::". 1, or 0. */
static int parse_groups(const char **p, uint8_t out[16], int *n)
{
	for (;;) {
		const char *group = *p;
		long v = hex_group(p);
		if (v >= 0 && **p == '.') { /* a dotted IPv4 tail ends the address */
			if (*n > 12 || !inet_text4_parse(group, out + *n))
				return 0;
			*n += 4;
			*p += strlen(*p);
			return 1;
		}
		if (v < 0 || *n > 14)
			return 0;
		out[(*n)++] = (uint8_t)(v >> 8);
		out[(*n)++] = (uint8_t)v;
		if (**p == '\0' || (**p == ':' && (*p)[1] == ':'))
			return 1;
		if (*(*p)++ != ':')
			return 0;
	}
}

int inet_text6_parse(const char *text, uint8_t addr[16])
{
	uint8_t head[16] = { 0 }, tail[16] = { 0 };
	int nhead = 0, ntail = 0, gap = 0;
	const char *p = text;
	if (!(p[0] == ':' && p[1] == ':') && !parse_groups(&p, head, &nhead))
		return 0;
	if (p[0] == ':' && p[1] == ':') {
		gap = 1;
		p += 2;
		if (*p && !parse_groups(&p, tail, &ntail))
			return 0;
	}
	if (*p || (gap ? nhead + ntail > 14 : nhead != 16))
		return 0;
	memset(addr, 0, 16);
	memcpy(addr, head, (size_t)nhead);
	memcpy(addr + 16 - ntail, tail, (size_t)ntail);
	return 1;
}

int inet_text4_format(const uint8_t addr[4], char *out, size_t len)
{
	char text[INET_TEXT4_MAX];
	int n = snprintf(text, sizeof(text), "%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
	if ((size_t)n >= len)
		return -1;
	memcpy(out, text, (size_t)n + 1);
	return n;
}

/* The first longest run of two or more zero groups: *base, or -1 when there is none. */
static int longest_zero_run(const unsigned words[8], int *len)
{
	int best = -1, best_len = 0;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && words[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	*len = best_len;
	return best;
}

int inet_text6_format(const uint8_t addr[16], char *out, size_t len)
{
	unsigned words[8];
	for (int i = 0; i < 8; i++)
		words[i] = (unsigned)addr[2 * i] << 8 | addr[2 * i + 1];
	int run_len, run = longest_zero_run(words, &run_len);
	char text[INET_TEXT6_MAX];
	int n = 0;
	for (int i = 0; i < 8; i++) {
		if (run >= 0 && i >= run && i < run + run_len) {
			if (i == run)
				text[n++] = ':';
			continue;
		}
		if (i)
			text[n++] = ':';
		if (i == 6 && run == 0 && (run_len == 6 || (run_len == 5 && words[5] == 0xffff))) {
			n += inet_text4_format(addr + 12, text + n, sizeof(text) - (size_t)n);
			break;
		}
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%x", words[i]);
	}
	if (run >= 0 && run + run_len == 8)
		text[n++] = ':';
	text[n] = '\0';
	if ((size_t)n >= len)
		return -1;
	memcpy(out, text, (size_t)n + 1);
	return n;
}
