/*
 * net/drivers/pci.h: PCI configuration access on QEMU's microvm with pcie=on: one ECAM window
 * (bus 0), a 32-bit memory window for BARs, and INTx lines wired to IOAPIC GSIs
 * PCI_INTX_GSI_BASE..+3 (microvm with ACPI and its second IOAPIC, as the proxy starts it for a
 * PCI NIC). No firmware runs before the kernel, so BARs are assigned here.
 */
#ifndef NET_DRIVERS_PCI_H
#define NET_DRIVERS_PCI_H

#include <stdint.h>

#define PCI_ECAM_BASE 0xe0000000ul
#define PCI_MMIO_BASE 0xc0000000ul
#define PCI_MMIO_SIZE 0x20000000ul
#define PCI_INTX_GSI_BASE 16
#define PCI_INTX_LINES 4

enum { PCI_VENDOR = 0x00, PCI_COMMAND = 0x04, PCI_BAR0 = 0x10, PCI_INTERRUPT_PIN = 0x3d };
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4

struct pci_dev {
	unsigned slot;
	uint16_t vendor, device;
};

/* Finds the first device vendor:device on bus 0; 0 or -1. */
int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out);
uint32_t pci_read32(const struct pci_dev *d, unsigned reg);
uint8_t pci_read8(const struct pci_dev *d, unsigned reg);
void pci_write32(const struct pci_dev *d, unsigned reg, uint32_t v);
void pci_write16(const struct pci_dev *d, unsigned reg, uint16_t v);
/* Gives memory BAR bar a place in the window and maps it; its address, or 0. */
uintptr_t pci_map_bar(const struct pci_dev *d, unsigned bar);
/* The GSI the device's INTx pin raises (the host bridge's swizzle), or -1 without a pin. */
int pci_intx_gsi(const struct pci_dev *d);

#endif
