/*
 * guestmem.c: the only way from a guest address to a host pointer.
 *
 * Guest RAM is one memfd that QEMU and the proxy both map. QEMU's microvm does not show it to
 * the guest as one block, so gm_init writes down where each piece of the memfd appears in
 * guest-physical space, and gm_range accepts a range only when it lies wholly inside one piece.
 * All arithmetic is done so that it cannot overflow: a guest may send any 64-bit value.
 */
#include <string.h>

#include "proxy.h"

/*
 * QEMU 7.2 microvm (hw/i386/microvm.c, microvm_memory_init; checked with "info mtree"):
 * RAM up to 3 GiB sits at guest-physical 0, the rest at 4 GiB, and the 64 KiB BIOS ROM
 * (qboot) hides RAM at 0xf0000..0xfffff even when a kernel is booted directly.
 */
#define MICROVM_LOW_RAM_MAX (3 * GIB)
#define MICROVM_HIGH_RAM_BASE (4 * GIB)
#define MICROVM_BIOS_BASE 0xf0000ULL
#define MICROVM_BIOS_END 0x100000ULL

static void add_region(struct guestmem *gm, hermit_gpa_t gpa, uint64_t size, uint64_t offset)
{
	if (size == 0)
		return;
	gm->region[gm->nregions++] = (struct gm_region){ .gpa = gpa, .size = size, .offset = offset };
}

void gm_init(struct guestmem *gm, uint8_t *host, uint64_t size)
{
	uint64_t low = size < MICROVM_LOW_RAM_MAX ? size : MICROVM_LOW_RAM_MAX;

	memset(gm, 0, sizeof(*gm));
	gm->host = host;
	gm->size = size;
	add_region(gm, 0, low < MICROVM_BIOS_BASE ? low : MICROVM_BIOS_BASE, 0);
	if (low > MICROVM_BIOS_END)
		add_region(gm, MICROVM_BIOS_END, low - MICROVM_BIOS_END, MICROVM_BIOS_END);
	add_region(gm, MICROVM_HIGH_RAM_BASE, size - low, low);
}

static void gm_touch(struct gm_touched *t, hermit_gpa_t gpa, uint64_t len)
{
	if (len == 0)
		return;
	if (t->n == sizeof(t->range) / sizeof(t->range[0])) {
		t->overflow = true;
		return;
	}
	t->range[t->n].gpa = gpa;
	t->range[t->n++].len = len;
}

void *gm_range(const struct guestmem *gm, hermit_gpa_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < gm->nregions; i++) {
		const struct gm_region *r = &gm->region[i];
		/* gpa - r->gpa cannot wrap once gpa >= r->gpa; len is compared to what is left. */
		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa)) {
			if (gm->touched)
				gm_touch(gm->touched, gpa, len);
			return gm->host + r->offset + (gpa - r->gpa);
		}
	}
	return NULL;
}

bool gm_read(const struct guestmem *gm, hermit_gpa_t gpa, void *dst, uint64_t len)
{
	const void *src = gm_range(gm, gpa, len);

	if (!src)
		return false;
	memcpy(dst, src, len);
	return true;
}

bool gm_write(const struct guestmem *gm, hermit_gpa_t gpa, const void *src, uint64_t len)
{
	void *dst = gm_range(gm, gpa, len);

	if (!dst)
		return false;
	memcpy(dst, src, len);
	return true;
}

/* How many bytes of guest RAM follow gpa without a gap (0 when gpa is not RAM). */
static uint64_t gm_extent(const struct guestmem *gm, hermit_gpa_t gpa)
{
	for (unsigned i = 0; i < gm->nregions; i++) {
		const struct gm_region *r = &gm->region[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r->size - (gpa - r->gpa);
	}
	return 0;
}

enum gm_string gm_string(const struct guestmem *gm, hermit_gpa_t gpa, uint64_t max,
			 const char **str)
{
	uint64_t extent = gm_extent(gm, gpa);
	uint64_t scan = extent < max ? extent : max;
	const char *s;

	if (scan == 0)
		return GM_STRING_FAULT;
	s = gm_range(gm, gpa, scan);
	if (memchr(s, '\0', scan)) {
		*str = s;
		return GM_STRING_OK;
	}
	return scan == max ? GM_STRING_TOO_LONG : GM_STRING_FAULT;
}
