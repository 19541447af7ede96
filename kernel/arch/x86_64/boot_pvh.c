/*
 * arch/x86_64/boot_pvh.c: the QEMU entry. Turns Xen's hvm_start_info (its memory map) into a
 * struct boot_info and enters the kernel. The CPUs come from the MP table that microvm's firmware
 * writes (docs/smp.md); it is read here, while the boot page tables still map all low memory.
 */
#include <stdint.h>

/* The start info may sit in firmware memory whose reads KVM emulates; its emulator handles plain
 * moves but not the vector moves gcc would use to copy the table. */
#pragma GCC target("general-regs-only")

#include "arch/x86_64/mptable.h"
#include "kernel/boot.h"

#define HVM_START_MAGIC 0x336ec578
#define HVM_MEMMAP_RAM 1

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr; /* version 1 and later */
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

static struct boot_info pvh_boot_info;

static void add_ram(struct boot_info *bi, uint64_t base, uint64_t size)
{
	if (bi->nr_ram < BOOT_MAX_REGIONS && size)
		bi->ram[bi->nr_ram++] = (struct boot_region){ base, size };
}

/* Where the MP specification says to look for the floating pointer: the first KiB of the extended
 * BIOS data area (its segment is at 0x40e), the last KiB of base memory, the BIOS ROM. */
#define BDA_EBDA_SEGMENT 0x40e
#define BASE_MEMORY_LAST_KIB 0x9fc00
#define BIOS_ROM 0xf0000
#define BIOS_ROM_SIZE 0x10000

static uint32_t find_mptable(void)
{
	uintptr_t bda = BDA_EBDA_SEGMENT;
	__asm__("" : "+r"(bda)); /* gcc takes a constant address below 4 KiB for a bug */
	uintptr_t ebda = (uintptr_t)*(const volatile uint16_t *)bda << 4;
	uint32_t table = ebda ? mptable_pointer((const uint8_t *)ebda, 1024) : 0;
	if (!table)
		table = mptable_pointer((const uint8_t *)BASE_MEMORY_LAST_KIB, 1024);
	if (!table)
		table = mptable_pointer((const uint8_t *)BIOS_ROM, BIOS_ROM_SIZE);
	return table;
}

static void find_cpus(struct boot_info *bi)
{
	uint32_t table = find_mptable();
	if (!table)
		return;
	int n = mptable_cpus((const uint8_t *)(uintptr_t)table, bi->cpu_apic_id, HERMIT_MAX_CPUS);
	bi->cpu_source = n > 0 ? BOOT_CPUS_MPTABLE : BOOT_CPUS_BROKEN;
	bi->nr_cpus = n > 0 ? (uint32_t)n : 0;
}

void boot_pvh(uint32_t start_info_addr) __attribute__((noreturn));

void boot_pvh(uint32_t start_info_addr)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info_addr;
	struct boot_info *bi = &pvh_boot_info;
	bi->isle = BOOT_ISLE_QEMU;
	if (si->magic == HVM_START_MAGIC && si->version >= 1) {
		const volatile struct hvm_memmap_entry *e = (const void *)(uintptr_t)si->memmap_paddr;
		for (uint32_t i = 0; i < si->memmap_entries; i++)
			if (e[i].type == HVM_MEMMAP_RAM)
				add_ram(bi, e[i].addr, e[i].size);
	}
	find_cpus(bi);
	kernel_main(bi);
}
