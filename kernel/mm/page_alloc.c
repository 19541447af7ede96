/*
 * mm/page_alloc.c: the physical frame allocator. A bitmap (1 = in use) covering every frame up to
 * the end of RAM sits right after the kernel image. page_alloc() searches from the top down, the
 * program break claims frames from the bottom up (mm.h). The lock guards the bitmap and hints.
 */
#include <string.h>

#include "arch.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/trace.h"

#define BITS_PER_WORD 64

static struct spinlock lock;
static uint64_t *bitmap;
static size_t nr_frames, nr_free, nr_total;
static size_t top_hint;          /* no free frame at or above this index */
static uintptr_t first_free_addr;

static int frame_used(size_t i) { return (bitmap[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1; }
static void frame_set(size_t i) { bitmap[i / BITS_PER_WORD] |= 1ull << (i % BITS_PER_WORD); }
static void frame_clear(size_t i) { bitmap[i / BITS_PER_WORD] &= ~(1ull << (i % BITS_PER_WORD)); }

static uintptr_t align_up(uintptr_t v, uintptr_t a) { return (v + a - 1) & ~(a - 1); }

/* Marks frames [first, end) free, a word at a time where it can (boot time matters). */
static void clear_frames(size_t first, size_t end)
{
	size_t i = first;
	for (; i < end && i % BITS_PER_WORD; i++)
		frame_clear(i);
	for (; i + BITS_PER_WORD <= end; i += BITS_PER_WORD)
		bitmap[i / BITS_PER_WORD] = 0;
	for (; i < end; i++)
		frame_clear(i);
}

static void free_region(uint64_t base, uint64_t size, uintptr_t reserved_end)
{
	uint64_t lo = align_up(base, PAGE_SIZE), hi = (base + size) & ~(uint64_t)(PAGE_SIZE - 1);
	if (lo < reserved_end)
		lo = reserved_end;
	if (lo >= hi)
		return;
	clear_frames(lo / PAGE_SIZE, hi / PAGE_SIZE);
	nr_free += (hi - lo) / PAGE_SIZE;
}

void page_alloc_init(const struct boot_info *bi, uintptr_t reserved_end)
{
	const struct boot_region *last = &bi->ram[bi->nr_ram - 1];
	nr_frames = (last->base + last->size) / PAGE_SIZE;
	bitmap = (uint64_t *)align_up(reserved_end, PAGE_SIZE);
	size_t words = (nr_frames + BITS_PER_WORD - 1) / BITS_PER_WORD;
	memset(bitmap, 0xff, words * sizeof(uint64_t));
	first_free_addr = align_up((uintptr_t)(bitmap + words), PAGE_SIZE);
	for (uint32_t i = 0; i < bi->nr_ram; i++)
		free_region(bi->ram[i].base, bi->ram[i].size, first_free_addr);
	nr_total = nr_free;
	top_hint = nr_frames;
}

static size_t find_run_below(size_t top, size_t n)
{
	size_t run = 0;
	for (size_t i = top; i-- > 0;) {
		if (frame_used(i)) {
			run = 0;
			/* skip whole used words quickly */
			while (i % BITS_PER_WORD == 0 && i >= BITS_PER_WORD && bitmap[i / BITS_PER_WORD - 1] == ~0ull)
				i -= BITS_PER_WORD;
			continue;
		}
		if (++run == n)
			return i;
	}
	return (size_t)-1;
}

void *page_alloc(size_t n) { return page_alloc_below(n, UINTPTR_MAX); }

void *page_alloc_below(size_t n, uintptr_t limit)
{
	if (!n)
		return NULL;
	uint64_t f = spin_lock_irqsave(&lock);
	size_t top = limit / PAGE_SIZE < top_hint ? limit / PAGE_SIZE : top_hint;
	size_t first = find_run_below(top, n);
	if (first != (size_t)-1) {
		for (size_t i = first; i < first + n; i++)
			frame_set(i);
		nr_free -= n;
		if (first + n == top_hint)
			top_hint = first;
	}
	spin_unlock_irqrestore(&lock, f);
	trace(PAGE_ALLOC, first == (size_t)-1 ? 0 : first * PAGE_SIZE, n);
	return first == (size_t)-1 ? NULL : (void *)(first * PAGE_SIZE);
}

void page_free(void *p, size_t n)
{
	size_t first = (uintptr_t)p / PAGE_SIZE;
	KASSERT((uintptr_t)p % PAGE_SIZE == 0 && first + n <= nr_frames && first + n >= first,
		"page_free gets whole frames of RAM");
	uint64_t f = spin_lock_irqsave(&lock);
	for (size_t i = first; i < first + n; i++) {
		KASSERT(frame_used(i), "a frame is freed once (page_free of a free frame)");
		frame_clear(i);
	}
	nr_free += n;
	if (first + n > top_hint)
		top_hint = first + n;
	spin_unlock_irqrestore(&lock, f);
	trace(PAGE_FREE, (uintptr_t)p, n);
}

int page_claim(uintptr_t base, size_t n)
{
	size_t first = base / PAGE_SIZE;
	if (base % PAGE_SIZE || first + n > nr_frames)
		return -1;
	uint64_t f = spin_lock_irqsave(&lock);
	size_t i = first;
	while (i < first + n && !frame_used(i))
		i++;
	int ok = i == first + n;
	if (ok) {
		for (i = first; i < first + n; i++)
			frame_set(i);
		nr_free -= n;
	}
	spin_unlock_irqrestore(&lock, f);
	return ok ? 0 : -1;
}

size_t page_free_count(void) { return nr_free; }
size_t page_total_count(void) { return nr_total; }
uintptr_t page_first_free(void) { return first_free_addr; }
uintptr_t page_ram_end(void) { return nr_frames * PAGE_SIZE; }
