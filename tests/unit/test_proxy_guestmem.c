/* Unit tests of proxy/guestmem.c: the microvm layout and the checks on guest addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "proxy.h"

#define BIOS_BASE 0xf0000ULL
#define BIOS_END 0x100000ULL
#define LOW_MAX (3 * GIB)
#define HIGH_BASE (4 * GIB)

/* Guest RAM of size bytes, reserved but never touched unless a test writes to it. */
struct ram {
	struct guestmem gm;
	uint8_t *host;
	uint64_t size;
};

static struct ram *map_ram(uint64_t size)
{
	static struct ram r;

	r.size = size;
	r.host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	assert_true(r.host != MAP_FAILED);
	gm_init(&r.gm, r.host, size);
	return &r;
}

static void unmap_ram(struct ram *r)
{
	munmap(r->host, r->size);
}

static void expect_region(const struct guestmem *gm, unsigned i, uint64_t gpa, uint64_t size,
			  uint64_t offset)
{
	assert_true(i < gm->nregions);
	assert_int_equal(gm->region[i].gpa, gpa);
	assert_int_equal(gm->region[i].size, size);
	assert_int_equal(gm->region[i].offset, offset);
}

static void test_layout_small(void **state)
{
	(void)state;
	struct ram *r = map_ram(32 * MIB);

	assert_int_equal(r->gm.nregions, 2);
	expect_region(&r->gm, 0, 0, BIOS_BASE, 0);
	expect_region(&r->gm, 1, BIOS_END, 32 * MIB - BIOS_END, BIOS_END);
	unmap_ram(r);
}

static void test_layout_3g_all_low(void **state)
{
	(void)state;
	struct ram *r = map_ram(LOW_MAX);

	assert_int_equal(r->gm.nregions, 2);
	expect_region(&r->gm, 1, BIOS_END, LOW_MAX - BIOS_END, BIOS_END);
	assert_null(gm_range(&r->gm, LOW_MAX, 1));
	assert_null(gm_range(&r->gm, HIGH_BASE, 1));
	unmap_ram(r);
}

static void test_layout_4g_split(void **state)
{
	(void)state;
	struct ram *r = map_ram(4 * GIB);

	/* As "info mtree" shows QEMU 7.2 microvm with -m 4G: 3 GiB low, 1 GiB at 4 GiB. */
	assert_int_equal(r->gm.nregions, 3);
	expect_region(&r->gm, 2, HIGH_BASE, GIB, LOW_MAX);
	assert_ptr_equal(gm_range(&r->gm, HIGH_BASE, 1), r->host + LOW_MAX);
	assert_ptr_equal(gm_range(&r->gm, HIGH_BASE + GIB - 1, 1), r->host + 4 * GIB - 1);
	assert_null(gm_range(&r->gm, HIGH_BASE + GIB, 1));
	assert_null(gm_range(&r->gm, HIGH_BASE + GIB - 1, 2));
	/* The gap between 3 and 4 GiB is not RAM, and nothing may straddle it. */
	assert_ptr_equal(gm_range(&r->gm, LOW_MAX - 1, 1), r->host + LOW_MAX - 1);
	assert_null(gm_range(&r->gm, LOW_MAX, 1));
	assert_null(gm_range(&r->gm, LOW_MAX - 1, 2));
	assert_null(gm_range(&r->gm, HIGH_BASE - 1, 2));
	assert_null(gm_range(&r->gm, LOW_MAX - 1, HIGH_BASE - LOW_MAX + 2));
	unmap_ram(r);
}

static void test_range_low(void **state)
{
	(void)state;
	struct ram *r = map_ram(32 * MIB);
	const struct guestmem *gm = &r->gm;

	assert_ptr_equal(gm_range(gm, 0, 1), r->host);
	assert_ptr_equal(gm_range(gm, 0, BIOS_BASE), r->host);
	assert_ptr_equal(gm_range(gm, 0x1234, 16), r->host + 0x1234);
	assert_ptr_equal(gm_range(gm, BIOS_END, 32 * MIB - BIOS_END), r->host + BIOS_END);
	assert_ptr_equal(gm_range(gm, 32 * MIB - 1, 1), r->host + 32 * MIB - 1);
	/* Empty ranges are fine inside or at the end of RAM. */
	assert_ptr_equal(gm_range(gm, 32 * MIB, 0), r->host + 32 * MIB);
	assert_ptr_equal(gm_range(gm, 0, 0), r->host);
	unmap_ram(r);
}

static void test_range_refused(void **state)
{
	(void)state;
	struct ram *r = map_ram(32 * MIB);
	const struct guestmem *gm = &r->gm;

	assert_null(gm_range(gm, 32 * MIB, 1));
	assert_null(gm_range(gm, 32 * MIB - 1, 2));
	assert_null(gm_range(gm, 32 * MIB + 1, 0));
	assert_null(gm_range(gm, 0, 32 * MIB + 1));
	assert_null(gm_range(gm, 0, UINT64_MAX));
	assert_null(gm_range(gm, UINT64_MAX, 1));
	assert_null(gm_range(gm, UINT64_MAX, 0));
	assert_null(gm_range(gm, UINT64_MAX - 15, 16));
	/* gpa + len wraps around to a small number: must not look in range. */
	assert_null(gm_range(gm, BIOS_END, UINT64_MAX - BIOS_END + 2));
	assert_null(gm_range(gm, 0x1000, UINT64_MAX - 0xfff));
	/* The BIOS ROM hides RAM below 1 MiB. */
	assert_null(gm_range(gm, BIOS_BASE, 1));
	assert_null(gm_range(gm, BIOS_END - 1, 1));
	assert_null(gm_range(gm, BIOS_BASE - 1, 2));
	assert_null(gm_range(gm, 0, BIOS_BASE + 1));
	assert_null(gm_range(gm, BIOS_BASE - 0x10, 0x20));
	unmap_ram(r);
}

static void test_read_write(void **state)
{
	(void)state;
	struct ram *r = map_ram(32 * MIB);
	const struct guestmem *gm = &r->gm;
	char buf[8] = "abcdefg";

	assert_true(gm_write(gm, 0x2000, buf, sizeof(buf)));
	assert_memory_equal(r->host + 0x2000, "abcdefg", 8);
	memset(buf, 0, sizeof(buf));
	assert_true(gm_read(gm, 0x2000, buf, sizeof(buf)));
	assert_string_equal(buf, "abcdefg");

	memset(r->host + 32 * MIB - 4, 'z', 4);
	memcpy(buf, "1234567", 8);
	assert_false(gm_write(gm, 32 * MIB - 4, buf, 8));
	assert_memory_equal(r->host + 32 * MIB - 4, "zzzz", 4); /* nothing half-written */
	assert_false(gm_read(gm, 32 * MIB - 4, buf, 8));
	assert_string_equal(buf, "1234567");                     /* nothing half-read */
	assert_false(gm_read(gm, UINT64_MAX - 3, buf, 8));
	unmap_ram(r);
}

static void test_string(void **state)
{
	(void)state;
	struct ram *r = map_ram(32 * MIB);
	const struct guestmem *gm = &r->gm;
	const char *s = NULL;

	strcpy((char *)r->host + 0x3000, "/etc/hostname");
	assert_int_equal(gm_string(gm, 0x3000, 4096, &s), GM_STRING_OK);
	assert_ptr_equal(s, r->host + 0x3000);
	assert_string_equal(s, "/etc/hostname");

	/* Exactly max bytes with the NUL is fine; one more is too long. */
	memset(r->host + 0x10000, 'a', 4095);
	r->host[0x10000 + 4095] = '\0';
	assert_int_equal(gm_string(gm, 0x10000, 4096, &s), GM_STRING_OK);
	r->host[0x10000 + 4095] = 'a';
	r->host[0x10000 + 4096] = '\0';
	assert_int_equal(gm_string(gm, 0x10000, 4096, &s), GM_STRING_TOO_LONG);
	assert_int_equal(gm_string(gm, 0x10000, 4097, &s), GM_STRING_OK);

	/* Running into the end of RAM or into the BIOS hole without a NUL is a fault. */
	memset(r->host + 32 * MIB - 16, 'b', 16);
	assert_int_equal(gm_string(gm, 32 * MIB - 16, 4096, &s), GM_STRING_FAULT);
	r->host[32 * MIB - 1] = '\0';
	assert_int_equal(gm_string(gm, 32 * MIB - 16, 4096, &s), GM_STRING_OK);
	memset(r->host + BIOS_BASE - 16, 'c', 16);
	assert_int_equal(gm_string(gm, BIOS_BASE - 16, 4096, &s), GM_STRING_FAULT);
	/* ...but not when max ends first. */
	assert_int_equal(gm_string(gm, BIOS_BASE - 16, 8, &s), GM_STRING_TOO_LONG);

	assert_int_equal(gm_string(gm, 32 * MIB, 4096, &s), GM_STRING_FAULT);
	assert_int_equal(gm_string(gm, BIOS_BASE, 4096, &s), GM_STRING_FAULT);
	assert_int_equal(gm_string(gm, UINT64_MAX, 4096, &s), GM_STRING_FAULT);
	assert_int_equal(gm_string(gm, 0x3000, 0, &s), GM_STRING_FAULT);
	unmap_ram(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_small),
		cmocka_unit_test(test_layout_3g_all_low),
		cmocka_unit_test(test_layout_4g_split),
		cmocka_unit_test(test_range_low),
		cmocka_unit_test(test_range_refused),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
