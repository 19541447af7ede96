/*
 * rsp_text.h: the text inside GDB remote protocol packets: taking fields off a received payload
 * (rsp_parse.c) and building a payload (rsp_text.c): hex numbers and bytes, thread ids, XML text,
 * '}'-escaped binary. Shared by the stub's engine and the proxy's relay, which answers some of
 * gdb's packets itself (proxy/relay_fast.c).
 *
 * Portable and freestanding: <stdint.h>, <stddef.h>, <stdbool.h> and gdbstub.h's error codes.
 */
#ifndef GDBSTUB_RSP_TEXT_H
#define GDBSTUB_RSP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdbstub.h"

/* ---- payload parsing (rsp_parse.c) ---- */

/* A cursor over a received payload; parsing never reads at or past end. */
struct rsp_cur {
	const char *p;
	const char *end;
};
bool rsp_at_end(const struct rsp_cur *c);
bool rsp_eat(struct rsp_cur *c, char ch);
bool rsp_eat_str(struct rsp_cur *c, const char *s);
int rsp_parse_hex(struct rsp_cur *c, uint64_t *value);       /* 1+ digits, fits 64 bits */
int rsp_parse_tid(struct rsp_cur *c, gdb_tid_t *tid);        /* "-1", hex, or "pPID.TID" */
int rsp_parse_hex_bytes(struct rsp_cur *c, void *out, size_t n); /* exactly 2n hex digits */
/* The remaining binary data, '}'-escapes undone, into out; the byte count or GDB_EINVAL. */
int rsp_parse_binary(struct rsp_cur *c, void *out, size_t cap);
size_t rsp_remaining(const struct rsp_cur *c);

/* ---- text building (rsp_text.c) ---- */

/* Text built into a fixed buffer; writes past cap are dropped and set `overflow`. */
struct gdb_sbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool overflow;
};
void sb_init(struct gdb_sbuf *sb, char *buf, size_t cap);
void sb_putc(struct gdb_sbuf *sb, char c);
void sb_put(struct gdb_sbuf *sb, const void *s, size_t n);
void sb_puts(struct gdb_sbuf *sb, const char *s);
void sb_put_dec(struct gdb_sbuf *sb, uint64_t v);
void sb_put_hex(struct gdb_sbuf *sb, uint64_t v);             /* minimal digits */
void sb_put_hex8(struct gdb_sbuf *sb, uint8_t v);             /* two digits */
void sb_put_hex_bytes(struct gdb_sbuf *sb, const void *p, size_t n);
void sb_put_xml(struct gdb_sbuf *sb, const char *s);          /* escapes & < > " ' */
/* As many of the n bytes as fit, binary-escaped ($ # } *); returns how many were put. */
size_t sb_put_binary(struct gdb_sbuf *sb, const void *p, size_t n);
size_t sb_room(const struct gdb_sbuf *sb);
/* Text (never '*', '#' or '$') with its runs of a character run-length encoded: c '*' count, as
 * gdb and lldb decode every reply; a zeroed page's hex shrinks some thirtyfold. */
void sb_put_rle(struct gdb_sbuf *sb, const char *s, size_t n);
/* [off, off + len) of a qXfer document: 'm' and the bytes when more follow, 'l' and the bytes
 * at its end; binary-escaped, as many as fit. */
void rsp_put_xfer(struct gdb_sbuf *sb, const char *doc, size_t doc_len, uint64_t off, uint64_t len);

#endif
