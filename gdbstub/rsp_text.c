/*
 * rsp_text.c: building the text inside packets (rsp_text.h). struct gdb_sbuf appends to a fixed
 * buffer and never writes past it: what does not fit is dropped and sets `overflow`. Binary data
 * (x, qXfer) is escaped with '}' and the byte XOR 0x20 for '$', '#', '}' and '*' (the last so that
 * gdb never mistakes data for run-length encoding).
 */
#include <string.h>

#include "rsp_text.h"

static const char hexdigits[] = "0123456789abcdef";

void sb_init(struct gdb_sbuf *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->len = 0;
	sb->cap = cap;
	sb->overflow = false;
}

size_t sb_room(const struct gdb_sbuf *sb)
{
	return sb->cap - sb->len;
}

void sb_putc(struct gdb_sbuf *sb, char c)
{
	if (sb->len < sb->cap)
		sb->buf[sb->len++] = c;
	else
		sb->overflow = true;
}

void sb_put(struct gdb_sbuf *sb, const void *s, size_t n)
{
	if (n > sb_room(sb)) {
		n = sb_room(sb);
		sb->overflow = true;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
}

void sb_puts(struct gdb_sbuf *sb, const char *s)
{
	sb_put(sb, s, strlen(s));
}

void sb_put_dec(struct gdb_sbuf *sb, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		sb_putc(sb, digits[--n]);
}

void sb_put_hex(struct gdb_sbuf *sb, uint64_t v)
{
	int shift = 60;

	while (shift > 0 && (v >> shift) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		sb_putc(sb, hexdigits[(v >> shift) & 0xf]);
}

void sb_put_hex8(struct gdb_sbuf *sb, uint8_t v)
{
	sb_putc(sb, hexdigits[v >> 4]);
	sb_putc(sb, hexdigits[v & 0xf]);
}

void sb_put_hex_bytes(struct gdb_sbuf *sb, const void *p, size_t n)
{
	const uint8_t *b = p;

	if (n <= sb_room(sb) / 2) { /* the usual case (m replies): no check per digit */
		char *out = sb->buf + sb->len;
		for (size_t i = 0; i < n; i++) {
			out[2 * i] = hexdigits[b[i] >> 4];
			out[2 * i + 1] = hexdigits[b[i] & 0xf];
		}
		sb->len += 2 * n;
		return;
	}
	for (size_t i = 0; i < n; i++)
		sb_put_hex8(sb, b[i]);
}

void sb_put_xml(struct gdb_sbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': sb_puts(sb, "&amp;"); break;
		case '<': sb_puts(sb, "&lt;"); break;
		case '>': sb_puts(sb, "&gt;"); break;
		case '"': sb_puts(sb, "&quot;"); break;
		case '\'': sb_puts(sb, "&apos;"); break;
		default:
			/* Control characters are not allowed in XML 1.0 text. */
			sb_putc(sb, (unsigned char)*s < 0x20 ? '?' : *s);
		}
	}
}

static bool needs_escape(uint8_t b)
{
	return b == '$' || b == '#' || b == '}' || b == '*';
}

size_t sb_put_binary(struct gdb_sbuf *sb, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (needs_escape(b[i])) {
			if (sb_room(sb) < 2)
				break;
			sb->buf[sb->len++] = '}';
			sb->buf[sb->len++] = (char)(b[i] ^ 0x20);
		} else {
			if (sb_room(sb) < 1)
				break;
			sb->buf[sb->len++] = (char)b[i];
		}
	}
	return i;
}

void rsp_put_xfer(struct gdb_sbuf *sb, const char *doc, size_t doc_len, uint64_t off, uint64_t len)
{
	size_t mark = sb->len, want, put;

	if (off >= doc_len) {
		sb_putc(sb, 'l');
		return;
	}
	want = doc_len - (size_t)off;
	if (len < want)
		want = (size_t)len;
	sb_putc(sb, 'm');
	put = sb_put_binary(sb, doc + off, want);
	if (off + put == doc_len && mark < sb->len)
		sb->buf[mark] = 'l';
}

/* gdb reads a repeat count c as c - 29 more copies; '#' and '$' may not be counts, nor past '~'. */
#define RLE_MIN 3
#define RLE_MAX (126 - 29)

void sb_put_rle(struct gdb_sbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t more = 0;

		while (i + 1 + more < n && s[i + 1 + more] == s[i] && more < RLE_MAX)
			more++;
		while (more + 29 == '#' || more + 29 == '$')
			more--;
		sb_putc(sb, s[i]);
		if (more >= RLE_MIN) {
			sb_putc(sb, '*');
			sb_putc(sb, (char)(more + 29));
			i += more;
		}
		i++;
	}
}
