/*
 * arch/x86_64/mptable.h: the CPUs listed in the firmware's MP configuration table (Intel
 * MultiProcessor Specification 1.4). Pure parsing over memory the caller gives, so the host's unit
 * tests run it too; boot_pvh.c points it at the firmware's areas.
 */
#ifndef ARCH_X86_64_MPTABLE_H
#define ARCH_X86_64_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

/* The physical address of the configuration table named by a valid floating pointer structure
 * ("_MP_", 16-byte aligned, checksummed) in area[0..len), or 0 when there is none. */
uint32_t mptable_pointer(const uint8_t *area, size_t len);

/* The local APIC ids of the enabled processors of the configuration table at table, in table
 * order, up to max of them into ids. Returns how many are enabled (possibly more than max), or -1
 * when the table is broken (signature, checksum, length, an entry of unknown type). */
int mptable_cpus(const uint8_t *table, uint8_t *ids, unsigned max);

#endif
