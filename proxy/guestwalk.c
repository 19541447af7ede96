/*
 * guestwalk.c: a guest-virtual address read as the kernel's gdb stub reads it, so that the proxy
 * can answer gdb's memory reads itself while the stub holds the guest stopped (relay_fast.c).
 *
 * The rules are the stub's (kernel/debug/gdb_kernel.c mem_read, arch/x86_64/mmu.c
 * mmu_range_ok): a range is read a 4 KiB page at a time; a page is readable when it lies below
 * 2^47, outside the APIC/MMIO window, and its entry is present at every level of the walk from
 * the page-table root (a 2 MiB page ends the walk at the page directory, as the kernel's walk
 * does); the read stops at the first page that is not, and fails if that is the first. The proxy
 * reads the tables and the data at the physical addresses the entries give, each through
 * guestmem.c. Where that is not guest RAM (a table or a page in device memory, the BIOS ROM) the
 * stub would read something the proxy cannot: GW_NOT_RAM, and the caller asks the stub instead.
 * The guest is untrusted: every entry is read through the checked accessor, the walk has four
 * steps at most, and nothing it finds is used but as an address to check.
 */
#include "proxy.h"

#define PTE_P (1ull << 0)
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull
#define LARGE_ADDR 0x000fffffffe00000ull
#define PAGE 4096ull
#define LARGE_PAGE (2 * MIB)
#define VA_LIMIT (1ull << 47)
#define MMIO_WINDOW_LO 0xfec00000ull /* the stub's: I/O APIC .. local APIC, never read */
#define MMIO_WINDOW_HI 0x100000000ull

static unsigned level_index(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/* The stub's debug_readable(), but for the walk itself. */
static bool range_allowed(uint64_t va, uint64_t len)
{
	if (va < MMIO_WINDOW_HI && va + len > MMIO_WINDOW_LO)
		return false;
	return va + len >= va && va + len <= VA_LIMIT;
}

enum gw_result gw_translate(const struct guestmem *gm, hermit_gpa_t root, uint64_t va,
			    hermit_gpa_t *pa)
{
	hermit_gpa_t table = root & PTE_ADDR;
	uint64_t e = 0;

	for (int level = 3; level >= 0; level--) {
		if (!gm_read(gm, table + 8ull * level_index(va, level), &e, sizeof(e)))
			return GW_NOT_RAM;
		if (!(e & PTE_P))
			return GW_UNMAPPED;
		if (level == 1 && (e & PTE_PS)) {
			*pa = (e & LARGE_ADDR) | (va & (LARGE_PAGE - 1));
			return GW_OK;
		}
		table = e & PTE_ADDR;
	}
	*pa = table | (va & (PAGE - 1));
	return GW_OK;
}

long gw_read(const struct guestmem *gm, hermit_gpa_t root, uint64_t va, void *buf, size_t len,
	     enum gw_result *why)
{
	size_t done = 0;

	*why = GW_OK;
	while (done < len) {
		uint64_t a = va + done;
		size_t n = PAGE - (a & (PAGE - 1));
		hermit_gpa_t pa;

		if (n > len - done)
			n = len - done;
		*why = range_allowed(a, n) ? gw_translate(gm, root, a, &pa) : GW_UNMAPPED;
		if (*why == GW_OK && !gm_read(gm, pa, (uint8_t *)buf + done, n))
			*why = GW_NOT_RAM;
		if (*why != GW_OK)
			break;
		done += n;
	}
	if (*why == GW_NOT_RAM)
		return -1;
	if (done)
		*why = GW_OK;
	return done ? (long)done : -1;
}
