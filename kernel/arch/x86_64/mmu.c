/*
 * arch/x86_64/mmu.c: the identity map. RAM is mapped with 2 MiB pages except where 4 KiB pages
 * give protection: page 0 stays unmapped (NULL dereferences fault), the image's text is read-only
 * and everything else is no-execute. Stack guard pages are cut out later with mmu_set_present().
 * Page-table pages come from page_alloc(); the lock guards changes to the tables. Every CPU shares
 * the tables: a change of protection is flushed from every CPU's TLB (an IPI each, after the
 * lock is released, as ipi.h requires) before mmu_protect() returns.
 */
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "kernel/ipi.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_MMIO (PTE_P | PTE_W | PTE_PWT | PTE_PCD | PTE_NX)

extern char __image_start[], __text_end[], __rodata_end[], __image_end[];

static struct spinlock lock;
static uint64_t *pml4;

static unsigned level_index(uintptr_t va, int level) { return (va >> (12 + 9 * level)) & 511; }

/* Boot maps only the first 4 GiB: tables must come from there until the new ones are loaded. */
#define BOOT_MAPPED_LIMIT (4ull << 30)

static uint64_t *table_alloc(void)
{
	uint64_t *t = page_alloc_below(1, BOOT_MAPPED_LIMIT);
	if (!t)
		panic("mmu: out of memory for page tables");
	memset(t, 0, PAGE_SIZE);
	return t;
}

/* The table that entry (table, idx) points to, created when absent. */
static uint64_t *next_table(uint64_t *table, unsigned idx)
{
	if (!(table[idx] & PTE_P))
		table[idx] = (uint64_t)table_alloc() | PTE_P | PTE_W;
	return (uint64_t *)(table[idx] & PTE_ADDR);
}

static uint64_t *page_directory(uintptr_t va)
{
	return next_table(next_table(pml4, level_index(va, 3)), level_index(va, 2));
}

static void split_large(uint64_t *pd, unsigned idx)
{
	uint64_t large = pd[idx], flags = large & ~PTE_ADDR & ~PTE_PS;
	uint64_t *pt = table_alloc();
	for (unsigned i = 0; i < 512; i++)
		pt[i] = ((large & PTE_ADDR) + (uint64_t)i * PAGE_SIZE) | flags;
	pd[idx] = (uint64_t)pt | PTE_P | PTE_W;
}

static void map_small(uintptr_t va, uint64_t flags)
{
	uint64_t *pd = page_directory(va);
	unsigned di = level_index(va, 1);
	if (pd[di] & PTE_PS)
		split_large(pd, di);
	uint64_t *pt = next_table(pd, di);
	pt[level_index(va, 0)] = flags ? (va | flags) : 0;
}

static void map_large(uintptr_t va, uint64_t flags) { page_directory(va)[level_index(va, 1)] = va | flags | PTE_PS; }

static uint64_t image_page_flags(uintptr_t a)
{
	if (a < PAGE_SIZE)
		return 0;
	if (a >= (uintptr_t)__image_start && a < (uintptr_t)__text_end)
		return PTE_P;
	if (a >= (uintptr_t)__text_end && a < (uintptr_t)__rodata_end)
		return PTE_P | PTE_NX;
	return PTE_P | PTE_W | PTE_NX;
}

static int block_needs_small_pages(uintptr_t block, const struct boot_region *r)
{
	uintptr_t end = block + LARGE_PAGE_SIZE;
	if (block < r->base || end > r->base + r->size || block == 0)
		return 1;
	return block < (uintptr_t)__rodata_end && end > (uintptr_t)__image_start;
}

static void map_region(const struct boot_region *r)
{
	uintptr_t lo = r->base & ~(uintptr_t)(PAGE_SIZE - 1);
	uintptr_t hi = r->base + r->size;
	for (uintptr_t block = lo & ~(uintptr_t)(LARGE_PAGE_SIZE - 1); block < hi; block += LARGE_PAGE_SIZE) {
		if (!block_needs_small_pages(block, r)) {
			map_large(block, PTE_P | PTE_W | PTE_NX);
			continue;
		}
		for (uintptr_t a = block; a < block + LARGE_PAGE_SIZE; a += PAGE_SIZE)
			if (a >= lo && a + PAGE_SIZE <= hi)
				map_small(a, image_page_flags(a));
	}
}

void mmu_init(const struct boot_info *bi)
{
	pml4 = table_alloc();
	for (uint32_t i = 0; i < bi->nr_ram; i++)
		map_region(&bi->ram[i]);
	map_small(LAPIC_BASE, PTE_MMIO);
	map_small(IOAPIC_BASE, PTE_MMIO);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr3((uint64_t)pml4);
}

void mmu_map_mmio(uintptr_t pa, size_t len)
{
	uint64_t f = spin_lock_irqsave(&lock);
	for (uintptr_t a = pa & ~(uintptr_t)(PAGE_SIZE - 1); a < pa + len; a += PAGE_SIZE) {
		map_small(a, PTE_MMIO);
		invlpg(a);
	}
	spin_unlock_irqrestore(&lock, f);
}

/* The entry mapping va at its lowest level, or NULL; *large tells whether it is a 2 MiB page. */
static uint64_t *leaf_entry(uintptr_t va, int *large)
{
	uint64_t *t = pml4;
	for (int level = 3; level > 0; level--) {
		uint64_t e = t[level_index(va, level)];
		if (!(e & PTE_P))
			return NULL;
		if (level == 1 && (e & PTE_PS)) {
			*large = 1;
			return &t[level_index(va, level)];
		}
		t = (uint64_t *)(e & PTE_ADDR);
	}
	*large = 0;
	return &t[level_index(va, 0)];
}

void mmu_set_present(uintptr_t va, bool present) { mmu_protect(va, PAGE_SIZE, present ? MMU_RAM : 0); }

struct tlb_range {
	uintptr_t start, end;
};

static void flush_range(void *arg)
{
	const struct tlb_range *r = arg;
	for (uintptr_t a = r->start; a < r->end; a += PAGE_SIZE)
		invlpg(a);
}

void mmu_protect(uintptr_t va, size_t len, unsigned access)
{
	uint64_t flags = !access ? 0 : PTE_P | (access & MMU_WRITE ? PTE_W : 0) | (access & MMU_EXEC ? 0 : PTE_NX);
	uint64_t f = spin_lock_irqsave(&lock);
	for (uintptr_t a = va & ~(uintptr_t)(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE) {
		map_small(a, flags);
		invlpg(a);
	}
	spin_unlock_irqrestore(&lock, f);
	if (smp_cpus_online() > 1) {
		struct tlb_range r = { va & ~(uintptr_t)(PAGE_SIZE - 1), va + len };
		ipi_call_all(flush_range, &r);
	}
}

bool mmu_range_ok(uintptr_t va, size_t len, bool write)
{
	if (len == 0)
		return true;
	if (va + len < va || va + len > (1ull << 47))
		return false;
	for (uintptr_t a = va & ~(uintptr_t)(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE) {
		int large;
		uint64_t *e = leaf_entry(a, &large);
		if (!e || !(*e & PTE_P) || (write && !(*e & PTE_W)))
			return false;
	}
	return true;
}
