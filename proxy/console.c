/*
 * console.c: the kernel's console (COM1), kept whole in memory.
 *
 * The kernel writes lines "[   SSSSS.UUUUUU] L text" with L one of D, I, W, E. loop.c feeds
 * every byte read from the console socket to console_feed, which keeps it and prints each
 * error line to stderr as soon as it is complete, since errors are crash reports that must be
 * seen even when the guest never exits. console_dump prints the whole log (HERMIT_VERBOSE=1).
 * Both replace each code address marker <pc:0x...> by its symbol (symbols.c).
 *
 * Memory: beyond CONSOLE_MAX the oldest lines are dropped, so that a chatty guest cannot eat
 * the host's memory; the dump says how much was lost.
 */
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#define CONSOLE_MIN_CAP (64 * 1024)

/* Length of a <pc:0x...> marker at p and its address, or 0 when p holds no marker. */
static size_t marker_at(const char *p, size_t left, uint64_t *addr)
{
	size_t pre = sizeof(CONSOLE_MARKER) - 1, i = pre;
	uint64_t v = 0;

	if (left < pre || memcmp(p, CONSOLE_MARKER, pre) != 0)
		return 0;
	for (; i < left && i - pre < 16; i++) {
		char c = p[i];
		int digit = c >= '0' && c <= '9' ? c - '0'
			  : c >= 'a' && c <= 'f' ? c - 'a' + 10
			  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (digit < 0)
			break;
		v = v << 4 | (uint64_t)digit;
	}
	if (i == pre || i >= left || p[i] != '>')
		return 0;
	*addr = v;
	return i + 1;
}

size_t console_markers(const char *text, size_t len, uint64_t *addrs, size_t max)
{
	size_t found = 0;

	for (size_t i = 0; i < len && found < max;) {
		size_t m = marker_at(text + i, len - i, &addrs[found]);
		if (m) {
			found++;
			i += m;
		} else {
			i++;
		}
	}
	return found;
}

void console_render(const struct symbolizer *s, const char *text, size_t len, FILE *out)
{
	size_t done = 0;

	for (size_t i = 0; i < len;) {
		uint64_t addr;
		size_t m = marker_at(text + i, len - i, &addr);
		if (!m) {
			i++;
			continue;
		}
		fwrite(text + done, 1, i - done, out);
		const char *sym = s ? sym_lookup(s, addr) : NULL;
		if (sym)
			fputs(sym, out);
		else
			fprintf(out, "0x%llx", (unsigned long long)addr);
		i += m;
		done = i;
	}
	fwrite(text + done, 1, len - done, out);
}

char console_level(const char *line, size_t len)
{
	const char *close;

	if (len < 4 || line[0] != '[')
		return 0;
	close = memchr(line, ']', len);
	if (!close || (size_t)(close - line) + 3 > len || close[1] != ' ')
		return 0;
	if (close[2] == '\0' || !strchr("DIWE", close[2]))
		return 0;
	if ((size_t)(close - line) + 3 < len && close[3] != ' ' && close[3] != '\n')
		return 0;
	return close[2];
}

/* Resolves every marker of text in one addr2line run. */
static void resolve_markers(struct symbolizer *s, const char *text, size_t len)
{
	size_t max = len / (sizeof(CONSOLE_MARKER) + 1) + 1;
	uint64_t *addrs;
	size_t n;

	if (!s || !memmem(text, len, CONSOLE_MARKER, sizeof(CONSOLE_MARKER) - 1))
		return;
	addrs = malloc(max * sizeof(*addrs));
	if (!addrs)
		return;
	n = console_markers(text, len, addrs, max);
	sym_resolve(s, addrs, n);
	free(addrs);
}

/* Length of the line at buf[from] that ends with a '\n' before to. */
static size_t line_len(const char *buf, size_t from, size_t to)
{
	const char *nl = memchr(buf + from, '\n', to - from);

	return nl ? (size_t)(nl - (buf + from)) + 1 : to - from;
}

static bool is_error_line(const char *buf, size_t from, size_t len)
{
	return console_level(buf + from, len) == 'E';
}

/* Prints the error lines of buf[from, to), resolving all their markers in one batch. */
static void print_errors(struct console *c, size_t from, size_t to)
{
	size_t n = 0, max = (to - from) / sizeof(CONSOLE_MARKER) + 1;
	uint64_t *addrs = malloc(max * sizeof(*addrs));

	for (size_t at = from, len; addrs && at < to; at += len) {
		len = line_len(c->buf, at, to);
		if (is_error_line(c->buf, at, len))
			n += console_markers(c->buf + at, len, addrs + n, max - n);
	}
	if (c->sym && n)
		sym_resolve(c->sym, addrs, n);
	free(addrs);
	for (size_t at = from, len; at < to; at += len) {
		len = line_len(c->buf, at, to);
		if (is_error_line(c->buf, at, len))
			console_render(c->sym, c->buf + at, len, c->err);
	}
	fflush(c->err);
}

/* Drops whole lines from the front until the log is at most 3/4 of CONSOLE_MAX. */
static void trim(struct console *c)
{
	size_t cut = c->len - CONSOLE_MAX / 4 * 3;
	const char *nl = memchr(c->buf + cut, '\n', c->len - cut);

	if (nl)
		cut = (size_t)(nl - c->buf) + 1;
	memmove(c->buf, c->buf + cut, c->len - cut);
	c->len -= cut;
	c->dropped += cut;
	c->pending = c->pending > cut ? c->pending - cut : 0;
}

static bool append(struct console *c, const char *data, size_t n)
{
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : CONSOLE_MIN_CAP;
		while (cap < c->len + n)
			cap *= 2;
		char *buf = realloc(c->buf, cap);
		if (!buf)
			return false;
		c->buf = buf;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, data, n);
	c->len += n;
	return true;
}

void console_feed(struct console *c, const char *data, size_t n)
{
	const char *last_nl;
	size_t end;

	if (!append(c, data, n))
		return;
	last_nl = memrchr(c->buf + c->pending, '\n', c->len - c->pending);
	if (last_nl) {
		end = (size_t)(last_nl - c->buf) + 1;
		print_errors(c, c->pending, end);
		c->pending = end;
	}
	if (c->len > CONSOLE_MAX)
		trim(c);
}

void console_finish(struct console *c)
{
	if (c->pending < c->len) {
		print_errors(c, c->pending, c->len);
		if (is_error_line(c->buf, c->pending, c->len - c->pending))
			fputc('\n', c->err);
		c->pending = c->len;
	}
}

void console_dump(struct console *c, FILE *out)
{
	if (c->dropped)
		fprintf(out, "hermit: (%llu bytes of older console output were dropped)\n",
			(unsigned long long)c->dropped);
	resolve_markers(c->sym, c->buf, c->len);
	console_render(c->sym, c->buf, c->len, out);
	if (c->len && c->buf[c->len - 1] != '\n')
		fputc('\n', out);
	fflush(out);
}

void console_free(struct console *c)
{
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = c->pending = 0;
}
