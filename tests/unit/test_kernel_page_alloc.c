/*
 * Host unit tests of kernel/mm/page_alloc.c. Frames are identity-mapped addresses; the allocator
 * only touches its bitmap, which sits right after the "image", so the test maps a few pages at a
 * fixed low address for it and describes RAM up to 64 MiB above it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "kernel/boot.h"
#include "kernel/mm.h"
#include "kernel_host.h"

#define IMAGE_END 0x10000000ul /* where the bitmap goes */
#define RAM_END (IMAGE_END + 64 * 1024 * 1024)

static int setup(void **state)
{
	struct boot_info bi = { .nr_ram = 2 };
	void *p = mmap((void *)IMAGE_END, 64 * 1024, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	(void)state;
	if (p != (void *)IMAGE_END)
		return -1;
	bi.ram[0] = (struct boot_region){ .base = 0, .size = 0x9f000 };
	bi.ram[1] = (struct boot_region){ .base = 0x100000, .size = RAM_END - 0x100000 };
	page_alloc_init(&bi, IMAGE_END);
	return 0;
}

static void test_counts_and_top_down(void **state)
{
	size_t total = page_total_count();

	(void)state;
	assert_int_equal(page_free_count(), total);
	assert_true(page_first_free() > IMAGE_END);
	assert_int_equal(page_ram_end(), RAM_END);
	uint8_t *a = page_alloc(1), *b = page_alloc(4);
	assert_ptr_equal(a, (void *)(RAM_END - 4096));     /* from the top */
	assert_ptr_equal(b, (void *)(RAM_END - 5 * 4096));
	assert_int_equal(page_free_count(), total - 5);
	page_free(a, 1);
	page_free(b, 4);
	assert_int_equal(page_free_count(), total);
	assert_ptr_equal(page_alloc(1), (void *)(RAM_END - 4096)); /* the hint came back up */
	page_free((void *)(RAM_END - 4096), 1);
}

static void test_below_a_limit_and_claims(void **state)
{
	(void)state;
	uintptr_t limit = page_first_free() + 16 * 4096;
	uint8_t *low = page_alloc_below(2, limit);
	assert_non_null(low);
	assert_true((uintptr_t)low >= page_first_free() && (uintptr_t)low + 2 * 4096 <= limit);
	assert_int_equal(page_claim((uintptr_t)low, 1), -1);    /* taken */
	assert_int_equal(page_claim(page_first_free(), 3), 0); /* the program break's way, below it */
	assert_int_equal(page_claim(page_first_free(), 1), -1);
	assert_int_equal(page_claim(page_first_free() + 1, 1), -1); /* not a frame boundary */
	assert_int_equal(page_claim(RAM_END, 1), -1);               /* past RAM */
	page_free(low, 2);
	page_free((void *)page_first_free(), 3);
}

static void test_exhaustion_and_zero(void **state)
{
	(void)state;
	assert_null(page_alloc(0));
	assert_null(page_alloc(page_total_count() + 1));
	assert_null(page_alloc_below(1, page_first_free())); /* nothing free below the image */
}

static void test_double_free_and_stray_free_panic(void **state)
{
	(void)state;
	void *p = page_alloc(2);
	page_free(p, 2);
	EXPECT_PANIC(page_free(p, 1));
	EXPECT_PANIC(page_free((void *)(RAM_END - 100), 1)); /* not a frame */
	EXPECT_PANIC(page_free((void *)RAM_END, 1));         /* past RAM */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_top_down),
		cmocka_unit_test(test_below_a_limit_and_claims),
		cmocka_unit_test(test_exhaustion_and_zero),
		cmocka_unit_test(test_double_free_and_stray_free_panic),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
