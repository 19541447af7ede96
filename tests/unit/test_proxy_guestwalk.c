/*
 * Unit tests of proxy/guestwalk.c: guest-virtual memory read as the kernel's stub reads it.
 * A 16 MiB guest gets page tables built here: 4 KiB and 2 MiB pages, a page mapped elsewhere
 * than its own address, holes, a page in the BIOS ROM and tables outside RAM; then hostile
 * tables (loops, garbage) that must give an answer and nothing worse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "proxy.h"

#define RAM (16 * MIB)
#define P 1ull       /* present */
#define PS 0x80ull   /* 2 MiB page */
#define PML4 0x100000ull
#define PDPT 0x101000ull
#define PD 0x102000ull
#define PT 0x103000ull

static struct guestmem gm;
static uint8_t *ram;

static void put(uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }

/* Every word of RAM holds its own address, so a read shows where it came from. va
 * 0x200000-0x3fffff: 4 KiB pages, identity but 0x201000 (-> 0x301000), 0x202000 (absent) and
 * 0x204000 (-> the BIOS ROM at 0xf0000); va 0x400000: a 2 MiB page -> 0x800000. */
static int build(void **state)
{
	(void)state;
	ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ram != MAP_FAILED);
	gm_init(&gm, ram, RAM);
	for (uint64_t i = 0; i < RAM; i += 8)
		put(i, i);
	memset(ram + PML4, 0, 4 * 4096);
	put(PML4, PDPT | P);
	put(PDPT, PD | P);
	put(PD + 8 * 1, PT | P);
	put(PD + 8 * 2, 0x800000 | PS | P);
	for (uint64_t i = 0; i < 512; i++)
		put(PT + 8 * i, (0x200000 + i * 4096) | P);
	put(PT + 8 * 1, 0x301000 | P);
	put(PT + 8 * 2, 0);
	put(PT + 8 * 4, 0xf0000 | P);
	return 0;
}

static int unbuild(void **state)
{
	(void)state;
	munmap(ram, RAM);
	return 0;
}

static void test_translates_small_large_and_moved_pages(void **state)
{
	hermit_gpa_t pa = 0;

	(void)state;
	assert_int_equal(gw_translate(&gm, PML4, 0x200123, &pa), GW_OK);
	assert_int_equal(pa, 0x200123);
	assert_int_equal(gw_translate(&gm, PML4, 0x201008, &pa), GW_OK);
	assert_int_equal(pa, 0x301008);
	assert_int_equal(gw_translate(&gm, PML4, 0x4abcde, &pa), GW_OK);
	assert_int_equal(pa, 0x8abcde);
	assert_int_equal(gw_translate(&gm, PML4 | 0xfff, 0x4abcde, &pa), GW_OK); /* CR3's low bits */
	assert_int_equal(gw_translate(&gm, PML4, 0x202000, &pa), GW_UNMAPPED);
	assert_int_equal(gw_translate(&gm, PML4, 0x600000, &pa), GW_UNMAPPED);
	assert_int_equal(gw_translate(&gm, PML4, 1ull << 39, &pa), GW_UNMAPPED);
}

static void test_reads_what_the_guest_sees_across_pages(void **state)
{
	uint64_t buf[4];
	enum gw_result why;

	(void)state;
	/* 0x200ff0..0x201010: the end of an identity page, then the start of the moved one */
	assert_int_equal(gw_read(&gm, PML4, 0x200ff0, buf, 32, &why), 32);
	assert_int_equal(why, GW_OK);
	assert_int_equal(buf[0], 0x200ff0);
	assert_int_equal(buf[1], 0x200ff8);
	assert_int_equal(buf[2], 0x301000);
	assert_int_equal(buf[3], 0x301008);
	/* across a 2 MiB page's end into the next (unmapped) one: the bytes before it */
	assert_int_equal(gw_read(&gm, PML4, 0x5ffff8, buf, 32, &why), 8);
	assert_int_equal(buf[0], 0x9ffff8);
}

static void test_stops_at_the_first_unreadable_page_as_the_stub(void **state)
{
	uint8_t buf[64];
	enum gw_result why;

	(void)state;
	assert_int_equal(gw_read(&gm, PML4, 0x201ff0, buf, 64, &why), 16); /* 0x202000 is absent */
	assert_int_equal(why, GW_OK);
	assert_int_equal(gw_read(&gm, PML4, 0x202000, buf, 64, &why), -1);
	assert_int_equal(why, GW_UNMAPPED);
	assert_int_equal(gw_read(&gm, PML4, 0, buf, 8, &why), -1);
	assert_int_equal(why, GW_UNMAPPED);
	/* beyond 2^47 and wrapping around: unreadable whatever the tables say */
	assert_int_equal(gw_read(&gm, PML4, (1ull << 47) - 8, buf, 16, &why), -1);
	assert_int_equal(gw_read(&gm, PML4, UINT64_MAX - 3, buf, 8, &why), -1);
	assert_int_equal(why, GW_UNMAPPED);
}

static void test_the_apic_window_is_never_read(void **state)
{
	uint8_t buf[8];
	enum gw_result why;

	(void)state;
	/* map va 0xfee00000 to RAM: still refused, as the stub refuses it */
	put(PDPT + 8 * 3, PD | P);
	put(PD + 8 * 0x1f7, 0x800000 | PS | P);
	assert_int_equal(gw_read(&gm, PML4, 0xfee00000, buf, 8, &why), -1);
	assert_int_equal(why, GW_UNMAPPED);
	assert_int_equal(gw_read(&gm, PML4, 0xfebffff8, buf, 8, &why), -1);
	put(PDPT + 8 * 3, 0);
}

static void test_what_is_not_ram_goes_to_the_stub(void **state)
{
	uint8_t buf[8];
	enum gw_result why;
	hermit_gpa_t pa;

	(void)state;
	/* a page in the BIOS ROM, where the guest reads ROM and the proxy has only RAM */
	assert_int_equal(gw_read(&gm, PML4, 0x204000, buf, 8, &why), -1);
	assert_int_equal(why, GW_NOT_RAM);
	/* the same after readable bytes: the stub would have gone on into it */
	assert_int_equal(gw_read(&gm, PML4, 0x203ff8, buf, 16, &why), -1);
	assert_int_equal(why, GW_NOT_RAM);
	/* tables outside guest RAM */
	assert_int_equal(gw_translate(&gm, 64 * GIB, 0x200000, &pa), GW_NOT_RAM);
	put(PD + 8 * 5, (32 * GIB) | P);
	assert_int_equal(gw_translate(&gm, PML4, 0xa00000, &pa), GW_NOT_RAM);
	put(PD + 8 * 5, 0);
}

static void test_hostile_tables_give_an_answer(void **state)
{
	uint8_t buf[4096];
	enum gw_result why;
	hermit_gpa_t pa;

	(void)state;
	/* every level pointing back at the root: four steps, then whatever the entry says */
	put(PML4 + 8 * 511, PML4 | P);
	assert_int_equal(gw_translate(&gm, PML4, 0xfffffffff008ull, &pa), GW_OK);
	assert_int_equal(pa, PML4 + 8);
	put(PML4 + 8 * 511, 0);
	/* garbage tables: no crash, no read outside guest RAM (ASan and the mmap's size say so) */
	srand(12);
	uint8_t *copy = malloc(4 * 4096);
	memcpy(copy, ram + PML4, 4 * 4096);
	for (int round = 0; round < 2000; round++) {
		for (int k = 0; k < 8; k++)
			put(PML4 + 8 * (uint64_t)(rand() % (4 * 512)),
			    ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 12) ^ (uint64_t)(rand() & 0x81));
		uint64_t va = ((uint64_t)rand() << 20) ^ (uint64_t)rand();
		long n = gw_read(&gm, PML4, va, buf, 1 + (size_t)(rand() % 4096), &why);
		assert_true(n == -1 || (n > 0 && why == GW_OK));
	}
	memcpy(ram + PML4, copy, 4 * 4096);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translates_small_large_and_moved_pages),
		cmocka_unit_test(test_reads_what_the_guest_sees_across_pages),
		cmocka_unit_test(test_stops_at_the_first_unreadable_page_as_the_stub),
		cmocka_unit_test(test_the_apic_window_is_never_read),
		cmocka_unit_test(test_what_is_not_ram_goes_to_the_stub),
		cmocka_unit_test(test_hostile_tables_give_an_answer),
	};

	return cmocka_run_group_tests(tests, build, unbuild);
}
