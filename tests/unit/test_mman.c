/*
 * Unit tests of the mapping table of kernel/libc/mman.c, built on the host over a fake frame
 * allocator and fake page tables: random mmap/munmap/mprotect/MAP_FIXED sequences checked page by
 * page against a model, and every page given back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "arch/x86_64/layout.h"
#include "kernel/mm.h"
#include "kernel/sync.h"

void *hermit_mmap(void *, size_t, int, int, int, off_t);
int hermit_munmap(void *, size_t);
int hermit_mprotect(void *, size_t, int);
int hermit_madvise(void *, size_t, int);

#define FRAMES 256
static unsigned char arena[FRAMES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static bool frame_used[FRAMES];
static unsigned page_access[FRAMES]; /* what mmu_protect set; MMU_RAM by default */
static size_t used;

static size_t frame_of(uintptr_t a) { return (a - (uintptr_t)arena) / PAGE_SIZE; }

/* The allocator and page tables mman.c uses, over the arena. */
void *page_alloc(size_t n)
{
	for (size_t first = FRAMES - n + 1; first-- > 0;) {
		size_t i = 0;
		while (i < n && !frame_used[first + i])
			i++;
		if (i == n) {
			for (i = 0; i < n; i++)
				frame_used[first + i] = true;
			used += n;
			return arena + first * PAGE_SIZE;
		}
	}
	return NULL;
}

int page_claim(uintptr_t base, size_t n)
{
	if (base < (uintptr_t)arena || frame_of(base) + n > FRAMES)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (frame_used[frame_of(base) + i])
			return -1;
	for (size_t i = 0; i < n; i++)
		frame_used[frame_of(base) + i] = true;
	used += n;
	return 0;
}

void page_free(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_true(frame_used[frame_of((uintptr_t)p) + i]);
		frame_used[frame_of((uintptr_t)p) + i] = false;
	}
	used -= n;
}

uintptr_t page_ram_end(void) { return (uintptr_t)arena + sizeof(arena); }

void mmu_protect(uintptr_t va, size_t len, unsigned access)
{
	for (uintptr_t a = va; a < va + len; a += PAGE_SIZE)
		page_access[frame_of(a)] = access;
}

int kmutex_lock(struct kmutex *m, uint64_t deadline)
{
	(void)m, (void)deadline;
	return 0;
}
int kmutex_unlock(struct kmutex *m)
{
	(void)m;
	return 0;
}

/* The model: per frame, mapped or not and with which protection. */
static int model_prot[FRAMES]; /* -1: not mapped */

static unsigned expected_access(int prot)
{
	if (prot < 0 || prot == PROT_READ + PROT_WRITE)
		return MMU_RAM;
	if (prot == PROT_NONE)
		return 0;
	return MMU_READ | (prot & PROT_WRITE ? MMU_WRITE : 0) | (prot & PROT_EXEC ? MMU_EXEC : 0);
}

static void check_model(void)
{
	size_t mapped = 0;
	for (size_t i = 0; i < FRAMES; i++) {
		assert_int_equal(frame_used[i], model_prot[i] >= 0);
		assert_int_equal(page_access[i], expected_access(model_prot[i]));
		mapped += model_prot[i] >= 0;
	}
	assert_int_equal(used, mapped);
}

static void reset(void)
{
	for (size_t i = 0; i < FRAMES; i++)
		model_prot[i] = -1, page_access[i] = MMU_RAM;
}

static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC };

static void test_random_operations_match_the_model(void **state)
{
	(void)state;
	reset();
	srandom(7);
	for (int step = 0; step < 20000; step++) {
		size_t first = (size_t)random() % FRAMES, n = 1 + (size_t)random() % 12;
		if (first + n > FRAMES)
			n = FRAMES - first;
		uintptr_t addr = (uintptr_t)arena + first * PAGE_SIZE;
		int prot = prots[random() % 4];
		switch (random() % 4) {
		case 0: { /* anywhere */
			char *p = hermit_mmap(NULL, n * PAGE_SIZE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED)
				for (size_t i = 0; i < n; i++)
					model_prot[frame_of((uintptr_t)p) + i] = prot;
			break;
		}
		case 1: { /* fixed: replaces what is ours, fails on frames someone else... none here */
			char *p = hermit_mmap((void *)addr, n * PAGE_SIZE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			assert_ptr_equal(p, (void *)addr);
			for (size_t i = 0; i < n; i++)
				model_prot[first + i] = prot;
			break;
		}
		case 2:
			assert_int_equal(hermit_munmap((void *)addr, n * PAGE_SIZE), 0);
			for (size_t i = 0; i < n; i++)
				model_prot[first + i] = -1;
			break;
		default: {
			bool all = true;
			for (size_t i = 0; i < n; i++)
				all &= model_prot[first + i] >= 0;
			int r = hermit_mprotect((void *)addr, n * PAGE_SIZE, prot);
			assert_int_equal(r, all ? 0 : -1);
			if (all)
				for (size_t i = 0; i < n; i++)
					model_prot[first + i] = prot;
			else
				assert_int_equal(errno, ENOMEM);
		}
		}
		check_model();
	}
	assert_int_equal(hermit_munmap(arena, sizeof(arena)), 0);
	reset();
	check_model();
}

static void test_mappings_are_zeroed_and_dontneed_zeroes(void **state)
{
	(void)state;
	reset();
	memset(arena, 0xee, sizeof(arena));
	char *p = hermit_mmap(NULL, 3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_ptr_not_equal(p, MAP_FAILED);
	for (size_t i = 0; i < 3 * PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	memset(p, 1, 3 * PAGE_SIZE); /* the fake tables do not protect */
	assert_int_equal(hermit_madvise(p + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[PAGE_SIZE], 0);
	assert_int_equal(p[2 * PAGE_SIZE], 1);
	assert_int_equal(page_access[frame_of((uintptr_t)p + PAGE_SIZE)], MMU_READ); /* restored */
	assert_int_equal(hermit_munmap(p, 3 * PAGE_SIZE), 0);
}

static void test_refusals(void **state)
{
	(void)state;
	reset();
	errno = 0;
	assert_ptr_equal(hermit_mmap(NULL, sizeof(arena) + PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			 MAP_FAILED);
	assert_int_equal(errno, ENOMEM);
	char *p = hermit_mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_ptr_equal(hermit_mmap(p, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
			 MAP_FAILED);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(hermit_mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_READ), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(hermit_munmap(p, PAGE_SIZE), 0);
	assert_int_equal(used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_operations_match_the_model),
		cmocka_unit_test(test_mappings_are_zeroed_and_dontneed_zeroes),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
