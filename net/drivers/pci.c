/*
 * net/drivers/pci.c: see pci.h. Bus 0 only (microvm's root complex has no bridges); BARs are
 * handed out upwards from the start of the memory window, each aligned to its size.
 */
#include "pci.h"

#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"

#define PCI_SLOTS 32
#define ECAM_FUNCTION_SIZE 4096

static int mapped;
static uintptr_t next_bar = PCI_MMIO_BASE;

static uintptr_t cfg(const struct pci_dev *d, unsigned reg) { return PCI_ECAM_BASE + ((uintptr_t)d->slot << 15) + reg; }

uint32_t pci_read32(const struct pci_dev *d, unsigned reg) { return *(volatile uint32_t *)cfg(d, reg & ~3u); }
uint8_t pci_read8(const struct pci_dev *d, unsigned reg) { return *(volatile uint8_t *)cfg(d, reg); }
void pci_write32(const struct pci_dev *d, unsigned reg, uint32_t v) { *(volatile uint32_t *)cfg(d, reg & ~3u) = v; }
void pci_write16(const struct pci_dev *d, unsigned reg, uint16_t v) { *(volatile uint16_t *)cfg(d, reg & ~1u) = v; }

int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out)
{
	if (!mapped) {
		/* function 0 of every slot of bus 0 */
		for (unsigned s = 0; s < PCI_SLOTS; s++)
			mmu_map_mmio(PCI_ECAM_BASE + ((uintptr_t)s << 15), ECAM_FUNCTION_SIZE);
		mapped = 1;
	}
	for (unsigned s = 0; s < PCI_SLOTS; s++) {
		struct pci_dev d = { .slot = s };
		uint32_t id = pci_read32(&d, PCI_VENDOR);
		if ((id & 0xffff) == vendor && (id >> 16) == device) {
			d.vendor = vendor;
			d.device = device;
			*out = d;
			return 0;
		}
	}
	return -1;
}

uintptr_t pci_map_bar(const struct pci_dev *d, unsigned bar)
{
	unsigned reg = PCI_BAR0 + 4 * bar;
	uint32_t old = pci_read32(d, reg);
	if (old & 1)
		return 0; /* an I/O BAR: microvm has no PCI I/O window */
	pci_write32(d, reg, 0xffffffff);
	uint32_t size = ~(pci_read32(d, reg) & ~0xfu) + 1;
	if (!size || size > PCI_MMIO_SIZE)
		return 0;
	uintptr_t at = (next_bar + size - 1) & ~(uintptr_t)(size - 1);
	if (at + size > PCI_MMIO_BASE + PCI_MMIO_SIZE)
		return 0;
	next_bar = at + size;
	pci_write32(d, reg, (uint32_t)at);
	mmu_map_mmio(at, size < 4096 ? 4096 : size);
	return at;
}

int pci_intx_gsi(const struct pci_dev *d)
{
	unsigned pin = pci_read8(d, PCI_INTERRUPT_PIN);
	if (pin < 1 || pin > 4)
		return -1;
	return PCI_INTX_GSI_BASE + (int)((d->slot + pin - 1) % PCI_INTX_LINES);
}
