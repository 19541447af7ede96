/*
 * arch/x86_64/mptable.c: see mptable.h. QEMU's microvm firmware (qboot) writes the table whatever
 * the machine's acpi setting, but leaves its entry count at 0: entries are walked up to the
 * table's length, never by the count (docs/smp.md).
 */
#include "arch/x86_64/mptable.h"

/* The tables sit in firmware memory whose reads KVM may emulate: plain moves only (boot_pvh.c). */
#pragma GCC target("general-regs-only")

#define MP_POINTER_SIZE 16
#define MP_HEADER_SIZE 44
#define MP_ENTRY_PROCESSOR 0
#define MP_PROCESSOR_SIZE 20
#define MP_OTHER_ENTRY_SIZE 8  /* bus, I/O APIC, I/O and local interrupt assignments (types 1-4) */
#define MP_LAST_ENTRY_TYPE 4
#define MP_CPU_ENABLED 1

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* Not memcmp: the library's copy may use vector loads. */
static int has_signature(const uint8_t *p, const char sig[4])
{
	return p[0] == sig[0] && p[1] == sig[1] && p[2] == sig[2] && p[3] == sig[3];
}

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

uint32_t mptable_pointer(const uint8_t *area, size_t len)
{
	for (size_t off = 0; off + MP_POINTER_SIZE <= len; off += MP_POINTER_SIZE) {
		const uint8_t *p = area + off;
		/* byte 8 is the structure's length in 16-byte units */
		if (has_signature(p, "_MP_") && p[8] == 1 && !checksum(p, MP_POINTER_SIZE) && le32(p + 4))
			return le32(p + 4);
	}
	return 0;
}

static size_t entry_size(uint8_t type)
{
	if (type == MP_ENTRY_PROCESSOR)
		return MP_PROCESSOR_SIZE;
	return type <= MP_LAST_ENTRY_TYPE ? MP_OTHER_ENTRY_SIZE : 0;
}

int mptable_cpus(const uint8_t *table, uint8_t *ids, unsigned max)
{
	if (!has_signature(table, "PCMP"))
		return -1;
	size_t len = le16(table + 4);
	if (len < MP_HEADER_SIZE || checksum(table, len))
		return -1;
	int found = 0;
	for (size_t off = MP_HEADER_SIZE; off < len;) {
		const uint8_t *e = table + off;
		size_t size = entry_size(e[0]);
		if (!size || off + size > len)
			return -1;
		if (e[0] == MP_ENTRY_PROCESSOR && (e[3] & MP_CPU_ENABLED)) {
			if ((unsigned)found < max)
				ids[found] = e[1];
			found++;
		}
		off += size;
	}
	return found;
}
