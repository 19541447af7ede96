/*
 * kernel/mm.h: physical pages and the page tables.
 *
 * Every frame of RAM is identity-mapped. page_alloc() hands out frames from the top of memory
 * downwards; the program break (libc/brk.c) grows upwards from the end of the image by claiming
 * frames with page_claim(), so the two meet only when memory is full. All functions may be called
 * from any context; they take their own locks.
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/boot.h"

void page_alloc_init(const struct boot_info *bi, uintptr_t reserved_end);
/* n contiguous free frames, or NULL. */
void *page_alloc(size_t n);
/* The same, all below limit (for memory that must be reachable before the final page tables). */
void *page_alloc_below(size_t n, uintptr_t limit);
void page_free(void *p, size_t n);
/* Takes the n frames at base if all are free; 0 or -1. */
int page_claim(uintptr_t base, size_t n);
size_t page_free_count(void);
size_t page_total_count(void);
/* The first frame after the reserved area at boot: where the program break starts. */
uintptr_t page_first_free(void);
/* The end of the highest RAM region. */
uintptr_t page_ram_end(void);

/* Builds the final page tables: NULL page unmapped, image text read-only, data no-execute. */
void mmu_init(const struct boot_info *bi);
/* Unmaps or maps back one 4 KiB page of the identity map (stack guards). */
void mmu_set_present(uintptr_t va, bool present);
/* Maps device registers at [pa, pa+len) uncached, identity-mapped (drivers' probes). */
void mmu_map_mmio(uintptr_t pa, size_t len);
/* Sets the access to the RAM pages [va, va+len) of the identity map (mmap's protections): any of
 * MMU_READ, MMU_WRITE, MMU_EXEC; 0 unmaps them. MMU_RAM is what RAM has by default. */
#define MMU_READ 1u
#define MMU_WRITE 2u
#define MMU_EXEC 4u
#define MMU_RAM (MMU_READ | MMU_WRITE)
void mmu_protect(uintptr_t va, size_t len, unsigned access);
/* True when [va, va+len) is mapped (and writable, if asked). For checked accesses. */
bool mmu_range_ok(uintptr_t va, size_t len, bool write);

#endif
