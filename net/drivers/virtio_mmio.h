/*
 * net/drivers/virtio_mmio.h: the virtio-mmio transport (virtio 1.x, "modern", register layout
 * version 2) and split virtqueues, as QEMU's microvm machine offers them: transports of 0x200
 * bytes from VIRTIO_MMIO_BASE, transport i raising GSI VIRTIO_MMIO_GSI_BASE + i on the IOAPIC
 * (microvm without ACPI and without a second IOAPIC, as the proxy starts it).
 */
#ifndef NET_DRIVERS_VIRTIO_MMIO_H
#define NET_DRIVERS_VIRTIO_MMIO_H

#include <stdint.h>

#define VIRTIO_MMIO_BASE 0xfeb00000ul
#define VIRTIO_MMIO_STRIDE 0x200
#define VIRTIO_MMIO_COUNT 8
#define VIRTIO_MMIO_GSI_BASE 5

enum virtio_mmio_reg {
	VMMIO_MAGIC = 0x000, VMMIO_VERSION = 0x004, VMMIO_DEVICE_ID = 0x008, VMMIO_VENDOR_ID = 0x00c,
	VMMIO_DEVICE_FEATURES = 0x010, VMMIO_DEVICE_FEATURES_SEL = 0x014,
	VMMIO_DRIVER_FEATURES = 0x020, VMMIO_DRIVER_FEATURES_SEL = 0x024,
	VMMIO_QUEUE_SEL = 0x030, VMMIO_QUEUE_NUM_MAX = 0x034, VMMIO_QUEUE_NUM = 0x038,
	VMMIO_QUEUE_READY = 0x044, VMMIO_QUEUE_NOTIFY = 0x050, VMMIO_INTERRUPT_STATUS = 0x060,
	VMMIO_INTERRUPT_ACK = 0x064, VMMIO_STATUS = 0x070,
	VMMIO_QUEUE_DESC_LOW = 0x080, VMMIO_QUEUE_DESC_HIGH = 0x084,
	VMMIO_QUEUE_DRIVER_LOW = 0x090, VMMIO_QUEUE_DRIVER_HIGH = 0x094,
	VMMIO_QUEUE_DEVICE_LOW = 0x0a0, VMMIO_QUEUE_DEVICE_HIGH = 0x0a4,
	VMMIO_CONFIG = 0x100,
};

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u /* "virt" */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_FAILED 128u
#define VIRTIO_F_VERSION_1 32
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct virtq_avail {
	uint16_t flags, idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id, len;
};

struct virtq_used {
	uint16_t flags;
	volatile uint16_t idx;
	struct virtq_used_elem ring[];
};

static inline uint32_t vmmio_read(uintptr_t base, unsigned reg) { return *(volatile uint32_t *)(base + reg); }
static inline void vmmio_write(uintptr_t base, unsigned reg, uint32_t v) { *(volatile uint32_t *)(base + reg) = v; }

#endif
