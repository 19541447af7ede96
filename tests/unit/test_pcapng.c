/* Unit tests of the capture file writer (net/pcapng.c): each block's bytes as the pcapng
 * specification lays them out, checked field by field, and the size-only answer of a short buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/pcapng.h"

static uint32_t u32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* The framing every block shares: type, the length at both ends, a multiple of 4. */
static void expect_block(const uint8_t *b, size_t n, uint32_t type)
{
	assert_int_equal(u32(b), type);
	assert_int_equal(u32(b + 4), n);
	assert_int_equal(u32(b + n - 4), n);
	assert_int_equal(n % 4, 0);
}

/* The option code's value in options [p, end), NULL when absent. */
static const uint8_t *find_option(const uint8_t *p, const uint8_t *end, uint16_t code, uint16_t *len)
{
	while (p + 4 <= end && u16(p)) {
		uint16_t n = u16(p + 2);
		if (u16(p) == code) {
			*len = n;
			return p + 4;
		}
		p += 4 + ((n + 3u) & ~3u);
	}
	return NULL;
}

static void test_section_header(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = pcapng_section(b, sizeof(b));
	expect_block(b, n, 0x0a0d0d0a);
	assert_int_equal(u32(b + 8), 0x1a2b3c4d);
	assert_int_equal(u16(b + 12), 1);
	assert_int_equal(u16(b + 14), 0);
	assert_memory_equal(b + 16, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	uint16_t len;
	const uint8_t *app = find_option(b + 24, b + n - 4, 4, &len);
	assert_non_null(app);
	assert_int_equal(len, 6);
	assert_memory_equal(app, "Hermit", 6);
}

static void test_interface_description(void **state)
{
	(void)state;
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	struct pcapng_interface ifc = {
		.linktype = 1, .snaplen = 65535, .name = "en1", .description = "virtio-net", .mac = mac,
		.ipv4 = 0x0205000a, .ipv4_mask = 0x00ffffff, .nipv6 = 1, .ipv6_prefix = { 64 },
	};
	ifc.ipv6[0][0] = 0xfe;
	ifc.ipv6[0][1] = 0x80;
	uint8_t b[256];
	size_t n = pcapng_interface(b, sizeof(b), &ifc);
	expect_block(b, n, 1);
	assert_int_equal(u16(b + 8), 1);
	assert_int_equal(u32(b + 12), 65535);
	const uint8_t *o = b + 16, *end = b + n - 4;
	uint16_t len;
	const uint8_t *v = find_option(o, end, 2, &len);
	assert_true(v && len == 3 && !memcmp(v, "en1", 3));
	v = find_option(o, end, 3, &len);
	assert_true(v && len == 10 && !memcmp(v, "virtio-net", 10));
	v = find_option(o, end, 4, &len);
	assert_true(v && len == 8 && !memcmp(v, "\x0a\x00\x05\x02\xff\xff\xff\x00", 8));
	v = find_option(o, end, 5, &len);
	assert_true(v && len == 17 && v[0] == 0xfe && v[1] == 0x80 && v[16] == 64);
	v = find_option(o, end, 6, &len);
	assert_true(v && len == 6 && !memcmp(v, mac, 6));
	v = find_option(o, end, 9, &len);
	assert_true(v && len == 1 && v[0] == 9);
	assert_int_equal(u32(end - 4), 0); /* opt_endofopt */
}

static void test_enhanced_packet(void **state)
{
	(void)state;
	static const uint8_t frame[5] = { 1, 2, 3, 4, 5 };
	struct pcapng_packet p = {
		.interface = 1, .time_ns = 0x123456789abcdefull, .cap_len = 5, .orig_len = 60, .data = frame,
		.direction = PCAPNG_OUT, .dropcount = 7, .comment = "sent by task 2 (main)",
	};
	uint8_t b[256];
	size_t n = pcapng_packet(b, sizeof(b), &p);
	expect_block(b, n, 6);
	assert_int_equal(u32(b + 8), 1);
	assert_int_equal(u32(b + 12), 0x01234567);
	assert_int_equal(u32(b + 16), 0x89abcdef);
	assert_int_equal(u32(b + 20), 5);
	assert_int_equal(u32(b + 24), 60);
	assert_memory_equal(b + 28, frame, 5);
	assert_memory_equal(b + 33, "\0\0\0", 3); /* padded to 4 */
	const uint8_t *o = b + 36, *end = b + n - 4;
	uint16_t len;
	const uint8_t *v = find_option(o, end, 1, &len);
	assert_true(v && len == strlen(p.comment) && !memcmp(v, p.comment, len));
	v = find_option(o, end, 2, &len);
	assert_true(v && len == 4 && u32(v) == 2);
	v = find_option(o, end, 4, &len);
	assert_true(v && len == 8 && u32(v) == 7 && u32(v + 4) == 0);

	/* no comment, no drops, no direction: no options at all, not even their end */
	p = (struct pcapng_packet){ .cap_len = 4, .orig_len = 4, .data = frame };
	assert_int_equal(pcapng_packet(b, sizeof(b), &p), 28 + 4 + 4);
}

static void test_statistics(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = pcapng_statistics(b, sizeof(b), 0, 5ull << 32 | 6, 100, 3);
	expect_block(b, n, 5);
	assert_int_equal(u32(b + 12), 5);
	assert_int_equal(u32(b + 16), 6);
	uint16_t len;
	const uint8_t *v = find_option(b + 20, b + n - 4, 4, &len);
	assert_true(v && len == 8 && u32(v) == 100);
	v = find_option(b + 20, b + n - 4, 5, &len);
	assert_true(v && len == 8 && u32(v) == 3);
}

static void test_a_short_buffer_gets_the_size_and_nothing_past_it(void **state)
{
	(void)state;
	uint8_t full[128], b[128];
	struct pcapng_packet p = { .cap_len = 0, .orig_len = 0, .comment = "c" };
	size_t need = pcapng_packet(full, sizeof(full), &p);
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(pcapng_packet(b, 10, &p), need);
	for (size_t i = 10; i < sizeof(b); i++)
		assert_int_equal(b[i], 0xaa);
	assert_int_equal(pcapng_packet(b, need, &p), need);
	assert_memory_equal(b, full, need);
}

static void test_classic_pcap(void **state)
{
	(void)state;
	static const uint8_t frame[3] = { 9, 8, 7 };
	uint8_t b[64];
	assert_int_equal(pcap_header(b, sizeof(b), 1, 65535), 24);
	assert_int_equal(u32(b), 0xa1b23c4d);
	assert_int_equal(u16(b + 4), 2);
	assert_int_equal(u16(b + 6), 4);
	assert_int_equal(u32(b + 16), 65535);
	assert_int_equal(u32(b + 20), 1);
	struct pcapng_packet p = { .time_ns = 3000000004ull, .cap_len = 3, .orig_len = 9, .data = frame };
	assert_int_equal(pcap_packet(b, sizeof(b), &p), 19);
	assert_int_equal(u32(b), 3);
	assert_int_equal(u32(b + 4), 4);
	assert_int_equal(u32(b + 8), 3);
	assert_int_equal(u32(b + 12), 9);
	assert_memory_equal(b + 16, frame, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_section_header),
		cmocka_unit_test(test_interface_description),
		cmocka_unit_test(test_enhanced_packet),
		cmocka_unit_test(test_statistics),
		cmocka_unit_test(test_a_short_buffer_gets_the_size_and_nothing_past_it),
		cmocka_unit_test(test_classic_pcap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
