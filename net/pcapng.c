/*
 * net/pcapng.c: see pcapng.h. A block is built front to back; its length, known only at the end,
 * is patched into its header. Writes past cap are counted but not made, so the caller learns the
 * size it needs. gdb/hermit/pcap.py writes the same bytes for the same input (tested).
 */
#include "pcapng.h"

#include <string.h>

#define BLOCK_SECTION 0x0a0d0d0au
#define BLOCK_INTERFACE 1u
#define BLOCK_STATISTICS 5u
#define BLOCK_PACKET 6u
#define BYTE_ORDER_MAGIC 0x1a2b3c4du

enum { OPT_END = 0, OPT_COMMENT = 1 };
enum { SHB_USERAPPL = 4 };
enum { IF_NAME = 2, IF_DESCRIPTION = 3, IF_IPV4 = 4, IF_IPV6 = 5, IF_MAC = 6, IF_TSRESOL = 9 };
enum { EPB_FLAGS = 2, EPB_DROPCOUNT = 4 };
enum { ISB_IFRECV = 4, ISB_IFDROP = 5 };

struct block {
	uint8_t *out;
	size_t cap, len;
};

static void put(struct block *b, const void *bytes, size_t n)
{
	if (b->len <= b->cap && n <= b->cap - b->len)
		memcpy(b->out + b->len, bytes, n);
	b->len += n;
}

static void put16(struct block *b, uint16_t v)
{
	uint8_t le[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(b, le, 2);
}

static void put32(struct block *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b, (uint16_t)(v >> 16));
}

static void put64(struct block *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void pad4(struct block *b, size_t n)
{
	static const uint8_t zeros[3];
	put(b, zeros, (4 - n % 4) % 4);
}

static void option(struct block *b, uint16_t code, const void *value, size_t n)
{
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, value, n);
	pad4(b, n);
}

static void option_text(struct block *b, uint16_t code, const char *text)
{
	if (text && *text)
		option(b, code, text, strnlen(text, 0xffff));
}

static void option64(struct block *b, uint16_t code, uint64_t v)
{
	put16(b, code);
	put16(b, 8);
	put64(b, v);
}

static void option32(struct block *b, uint16_t code, uint32_t v)
{
	put16(b, code);
	put16(b, 4);
	put32(b, v);
}

static struct block begin(uint8_t *out, size_t cap, uint32_t type)
{
	struct block b = { .out = out, .cap = cap };
	put32(&b, type);
	put32(&b, 0); /* the length, patched by end() */
	return b;
}

/* Closes the options (when there were any, from options_at on) and the block. */
static size_t end(struct block *b, size_t options_at)
{
	if (b->len > options_at) {
		put16(b, OPT_END);
		put16(b, 0);
	}
	uint32_t total = (uint32_t)(b->len + 4);
	put32(b, total);
	if (b->len <= b->cap) {
		struct block len = { .out = b->out + 4, .cap = 4 };
		put32(&len, total);
	}
	return b->len;
}

size_t pcapng_section(uint8_t *out, size_t cap)
{
	struct block b = begin(out, cap, BLOCK_SECTION);
	put32(&b, BYTE_ORDER_MAGIC);
	put16(&b, 1); /* version 1.0 */
	put16(&b, 0);
	put64(&b, UINT64_MAX); /* section length: not given */
	size_t options = b.len;
	option_text(&b, SHB_USERAPPL, "Hermit");
	return end(&b, options);
}

size_t pcapng_interface(uint8_t *out, size_t cap, const struct pcapng_interface *ifc)
{
	struct block b = begin(out, cap, BLOCK_INTERFACE);
	put16(&b, ifc->linktype);
	put16(&b, 0);
	put32(&b, ifc->snaplen);
	size_t options = b.len;
	option_text(&b, IF_NAME, ifc->name);
	option_text(&b, IF_DESCRIPTION, ifc->description);
	if (ifc->ipv4) {
		uint8_t v4[8];
		memcpy(v4, &ifc->ipv4, 4); /* network byte order stays as it is */
		memcpy(v4 + 4, &ifc->ipv4_mask, 4);
		option(&b, IF_IPV4, v4, sizeof(v4));
	}
	for (unsigned i = 0; i < ifc->nipv6 && i < PCAPNG_IPV6_MAX; i++) {
		uint8_t v6[17];
		memcpy(v6, ifc->ipv6[i], 16);
		v6[16] = ifc->ipv6_prefix[i];
		option(&b, IF_IPV6, v6, sizeof(v6));
	}
	if (ifc->mac)
		option(&b, IF_MAC, ifc->mac, 6);
	uint8_t nanoseconds = 9;
	option(&b, IF_TSRESOL, &nanoseconds, 1);
	return end(&b, options);
}

size_t pcapng_packet(uint8_t *out, size_t cap, const struct pcapng_packet *p)
{
	struct block b = begin(out, cap, BLOCK_PACKET);
	put32(&b, p->interface);
	put32(&b, (uint32_t)(p->time_ns >> 32));
	put32(&b, (uint32_t)p->time_ns);
	put32(&b, p->cap_len);
	put32(&b, p->orig_len);
	put(&b, p->data, p->cap_len);
	pad4(&b, p->cap_len);
	size_t options = b.len;
	option_text(&b, OPT_COMMENT, p->comment);
	if (p->direction)
		option32(&b, EPB_FLAGS, p->direction);
	if (p->dropcount)
		option64(&b, EPB_DROPCOUNT, p->dropcount);
	return end(&b, options);
}

size_t pcapng_statistics(uint8_t *out, size_t cap, uint32_t interface, uint64_t time_ns,
			 uint64_t received, uint64_t dropped)
{
	struct block b = begin(out, cap, BLOCK_STATISTICS);
	put32(&b, interface);
	put32(&b, (uint32_t)(time_ns >> 32));
	put32(&b, (uint32_t)time_ns);
	size_t options = b.len;
	option64(&b, ISB_IFRECV, received);
	option64(&b, ISB_IFDROP, dropped);
	return end(&b, options);
}

size_t pcap_header(uint8_t *out, size_t cap, uint16_t linktype, uint32_t snaplen)
{
	struct block b = { .out = out, .cap = cap };
	put32(&b, 0xa1b23c4du); /* nanosecond timestamps */
	put16(&b, 2);
	put16(&b, 4);
	put32(&b, 0); /* thiszone */
	put32(&b, 0); /* sigfigs */
	put32(&b, snaplen);
	put32(&b, linktype);
	return b.len;
}

size_t pcap_packet(uint8_t *out, size_t cap, const struct pcapng_packet *p)
{
	struct block b = { .out = out, .cap = cap };
	put32(&b, (uint32_t)(p->time_ns / 1000000000u));
	put32(&b, (uint32_t)(p->time_ns % 1000000000u));
	put32(&b, p->cap_len);
	put32(&b, p->orig_len);
	put(&b, p->data, p->cap_len);
	return b.len;
}
