/*
 * kernel/boot.h: what every entry path hands the kernel. The PVH entry (QEMU) and, later, the
 * uhyve entry each fill one struct boot_info and call kernel_main(); nothing after that knows how
 * the kernel was started.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stdint.h>

#include "hermit/abi.h"

#define BOOT_MAX_REGIONS 32

enum boot_isle { BOOT_ISLE_QEMU, BOOT_ISLE_UHYVE };

/* Where the list of CPUs came from. */
enum boot_cpu_source { BOOT_CPUS_NONE, BOOT_CPUS_MPTABLE, BOOT_CPUS_BROKEN };

struct boot_region {
	uint64_t base, size;
};

struct boot_info {
	enum boot_isle isle;
	uint32_t nr_ram;
	struct boot_region ram[BOOT_MAX_REGIONS]; /* usable RAM, sorted by base */
	enum boot_cpu_source cpu_source;
	uint32_t nr_cpus;                         /* enabled CPUs the isle lists (may exceed the array) */
	uint8_t cpu_apic_id[HERMIT_MAX_CPUS];     /* their local APIC ids, the boot CPU among them */
};

/* TSC at the kernel's first instruction (boot_pvh.S). */
extern uint64_t boot_tsc;

void kernel_main(const struct boot_info *bi) __attribute__((noreturn));

#endif
