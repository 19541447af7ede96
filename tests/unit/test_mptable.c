/* Unit tests of the MP table parser (kernel/arch/x86_64/mptable.c), on tables laid out as QEMU's
 * microvm firmware writes them and broken in each way the parser must notice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86_64/mptable.h"

#define HEADER 44

struct table {
	uint8_t b[512];
	size_t len;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16)); }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void table_start(struct table *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, "PCMP", 4);
	t->b[6] = 4; /* revision 1.4; the entry count stays 0, as qboot leaves it */
	put32(t->b + 36, 0xfee00000);
	t->len = HEADER;
}

static void add_cpu(struct table *t, uint8_t apic, uint8_t flags)
{
	uint8_t *e = t->b + t->len;
	e[0] = 0, e[1] = apic, e[2] = 0x14, e[3] = flags;
	t->len += 20;
}

static void add_other(struct table *t, uint8_t type)
{
	t->b[t->len] = type;
	t->len += 8;
}

static const uint8_t *table_end(struct table *t)
{
	put16(t->b + 4, (uint16_t)t->len);
	t->b[7] = 0;
	t->b[7] = (uint8_t)-sum(t->b, t->len);
	return t->b;
}

/* Four CPUs as microvm lists them for -smp 4: the boot CPU (flags 3), then buses, I/O APIC and
 * interrupt entries. */
static void qboot_table(struct table *t, int cpus)
{
	table_start(t);
	for (int i = 0; i < cpus; i++)
		add_cpu(t, (uint8_t)i, i ? 1 : 3);
	add_other(t, 1);
	add_other(t, 2);
	for (int i = 0; i < 16; i++)
		add_other(t, 3);
	add_other(t, 4);
	add_other(t, 4);
}

static void test_cpus_walked_by_length(void **state)
{
	(void)state;
	struct table t;
	uint8_t ids[16];
	qboot_table(&t, 4);
	assert_int_equal(mptable_cpus(table_end(&t), ids, 16), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ids[i], i);
}

static void test_disabled_cpus_skipped(void **state)
{
	(void)state;
	struct table t;
	uint8_t ids[16];
	table_start(&t);
	add_cpu(&t, 0, 3);
	add_cpu(&t, 5, 0);
	add_cpu(&t, 7, 1);
	assert_int_equal(mptable_cpus(table_end(&t), ids, 16), 2);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 7);
}

static void test_more_than_max(void **state)
{
	(void)state;
	struct table t;
	uint8_t ids[4] = { 0, 0, 0, 0xaa }; /* room for 3, then a sentinel */
	qboot_table(&t, 6);
	assert_int_equal(mptable_cpus(table_end(&t), ids, 3), 6);
	assert_int_equal(ids[2], 2);
	assert_int_equal(ids[3], 0xaa);
}

static void test_broken_tables(void **state)
{
	(void)state;
	struct table t;
	uint8_t ids[16];

	qboot_table(&t, 2);
	table_end(&t);
	t.b[50] ^= 1; /* checksum */
	assert_int_equal(mptable_cpus(t.b, ids, 16), -1);

	qboot_table(&t, 2);
	add_other(&t, 9); /* unknown entry type */
	assert_int_equal(mptable_cpus(table_end(&t), ids, 16), -1);

	table_start(&t);
	add_cpu(&t, 0, 3);
	t.len -= 4; /* the last entry runs past the table */
	assert_int_equal(mptable_cpus(table_end(&t), ids, 16), -1);

	qboot_table(&t, 2);
	table_end(&t);
	memcpy(t.b, "PCMQ", 4);
	assert_int_equal(mptable_cpus(t.b, ids, 16), -1);

	table_start(&t);
	t.len = 20; /* shorter than a header */
	assert_int_equal(mptable_cpus(table_end(&t), ids, 16), -1);
}

static void floating_pointer(uint8_t *p, uint32_t table)
{
	memset(p, 0, 16);
	memcpy(p, "_MP_", 4);
	put32(p + 4, table);
	p[8] = 1;
	p[9] = 4;
	p[10] = (uint8_t)-sum(p, 16);
}

static void test_pointer(void **state)
{
	(void)state;
	uint8_t area[1024] __attribute__((aligned(16)));
	memset(area, 0, sizeof(area));
	assert_int_equal(mptable_pointer(area, sizeof(area)), 0);

	floating_pointer(area + 0x40, 0x9fc10);
	assert_int_equal(mptable_pointer(area, sizeof(area)), 0x9fc10);

	area[0x40 + 12] ^= 1; /* checksum */
	assert_int_equal(mptable_pointer(area, sizeof(area)), 0);

	memset(area, 0, sizeof(area));
	floating_pointer(area + 0x48, 0x9fc10); /* not on a 16-byte boundary */
	assert_int_equal(mptable_pointer(area, sizeof(area)), 0);

	memset(area, 0, sizeof(area));
	floating_pointer(area + 0x3f0, 0x1234); /* the last slot of the area */
	assert_int_equal(mptable_pointer(area, sizeof(area)), 0x1234);
	assert_int_equal(mptable_pointer(area, sizeof(area) - 1), 0);

	memset(area, 0, sizeof(area));
	floating_pointer(area, 0); /* a pointer without a table (default configurations) */
	assert_int_equal(mptable_pointer(area, sizeof(area)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpus_walked_by_length),
		cmocka_unit_test(test_disabled_cpus_skipped),
		cmocka_unit_test(test_more_than_max),
		cmocka_unit_test(test_broken_tables),
		cmocka_unit_test(test_pointer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
