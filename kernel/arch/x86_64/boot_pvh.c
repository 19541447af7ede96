/*
 * arch/x86_64/boot_pvh.c: the QEMU entry. Turns Xen's hvm_start_info (its memory map) into a
 * struct boot_info and enters the kernel.
 */
#include <stdint.h>

/* The start info may sit in firmware memory whose reads KVM emulates; its emulator handles plain
 * moves but not the vector moves gcc would use to copy the table. */
#pragma GCC target("general-regs-only")

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
	kernel_main(bi);
}
