/*
 * libc/brk.c: the program break, where malloc() gets memory. It starts at the first free frame
 * after the image and grows by claiming the frames above it from the page allocator (mm.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kernel/mm.h"
#include "kernel/sync.h"
#include "kernel/trace.h"

static struct kmutex brk_lock;
static uintptr_t brk_start, brk_cur, brk_claimed; /* [brk_start, brk_claimed) is ours */
/* For the task table (core/debug_tables.c): where the heap is, for post-mortem tools. */
uintptr_t *const libc_brk_start_var = &brk_start, *const libc_brk_cur_var = &brk_cur;

static uintptr_t page_round_up(uintptr_t v) { return (v + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1); }

static int grow_to(uintptr_t end)
{
	uintptr_t want = page_round_up(end);
	if (want <= brk_claimed)
		return 0;
	if (page_claim(brk_claimed, (want - brk_claimed) / PAGE_SIZE) < 0)
		return -1;
	brk_claimed = want;
	return 0;
}

static void shrink_to(uintptr_t end)
{
	uintptr_t keep = page_round_up(end);
	if (keep < brk_claimed) {
		page_free((void *)keep, (brk_claimed - keep) / PAGE_SIZE);
		brk_claimed = keep;
	}
}

void *sbrk(ptrdiff_t increment)
{
	kmutex_lock(&brk_lock, 0);
	if (!brk_start)
		brk_start = brk_cur = brk_claimed = page_first_free();
	uintptr_t old = brk_cur, next = old + (uintptr_t)increment;
	int bad = (increment > 0 && (next < old || grow_to(next) < 0)) || (increment < 0 && next < brk_start);
	if (!bad) {
		if (increment < 0)
			shrink_to(next);
		brk_cur = next;
	}
	kmutex_unlock(&brk_lock);
	trace(HEAP_BRK, old, bad ? 0 : increment);
	if (bad) {
		errno = ENOMEM;
		return (void *)-1;
	}
	return (void *)old;
}
