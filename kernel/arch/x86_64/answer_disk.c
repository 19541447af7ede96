/*
 * arch/x86_64/answer_disk.c: the answer disk of a recorded or replayed run (kernel/doorbell.h,
 * docs/replay.md): a read-only virtio-blk device on one of microvm's virtio-mmio transports,
 * present only then. The outputs of each answer with HERMIT_ANSWER_DATA lie on it one after the
 * other, each from a sector boundary; QEMU logs when each read completes, so a replay reads the
 * same bytes at the same instruction. Reads are polled, interrupts off at the device: they run
 * in the doorbell's interrupt handler, and before the scheduler at boot. Everything is static:
 * the first answer comes before there is anything to allocate from safely in an interrupt.
 */
#include <string.h>

#include "arch.h"
#include "hermit/abi.h"
#include "kernel/doorbell.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "net/drivers/virtio_mmio.h"

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_BLK_T_IN 0
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define QUEUE_SIZE 4 /* one request of three descriptors at a time */
#define BOUNCE (128 * 1024)

struct blk_request {
	uint32_t type, reserved;
	uint64_t sector;
};

static struct virtq_desc desc[QUEUE_SIZE] __attribute__((aligned(16)));
static uint16_t avail_mem[3 + QUEUE_SIZE] __attribute__((aligned(2)));
static uint32_t used_mem[2 + 2 * QUEUE_SIZE] __attribute__((aligned(4)));
static struct blk_request request;
static volatile uint8_t request_status;
static uint8_t bounce[BOUNCE] __attribute__((aligned(4096)));

static struct {
	uintptr_t base;   /* 0 until the first answer found the device */
	uint16_t last_used;
	uint64_t start;   /* the current answer's first byte on the disk */
	uint32_t len;     /* its length */
	uint32_t pos;     /* bytes of it taken */
	uint32_t filled;  /* bounce holds bytes [filled_at, filled) of it */
	uint32_t filled_at;
} disk;

#define AVAIL ((struct virtq_avail *)avail_mem)
#define USED ((struct virtq_used *)used_mem)

static uintptr_t find_transport(void)
{
	mmu_map_mmio(VIRTIO_MMIO_BASE, VIRTIO_MMIO_STRIDE * VIRTIO_MMIO_COUNT);
	for (unsigned i = 0; i < VIRTIO_MMIO_COUNT; i++) {
		uintptr_t base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE;
		if (vmmio_read(base, VMMIO_MAGIC) == VIRTIO_MMIO_MAGIC_VALUE &&
		    vmmio_read(base, VMMIO_VERSION) == 2 &&
		    vmmio_read(base, VMMIO_DEVICE_ID) == VIRTIO_ID_BLOCK)
			return base;
	}
	panic("hcall: a recorded answer, but no answer disk (virtio-blk) to read it from");
}

static void set_queue_address(uintptr_t b, unsigned low, const void *p)
{
	vmmio_write(b, low, (uint32_t)(uintptr_t)p);
	vmmio_write(b, low + 4, (uint32_t)((uintptr_t)p >> 32));
}

static void start_device(void)
{
	uintptr_t b = find_transport();
	uint32_t ok = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	vmmio_write(b, VMMIO_STATUS, 0);
	vmmio_write(b, VMMIO_STATUS, ok);
	vmmio_write(b, VMMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_write(b, VMMIO_DRIVER_FEATURES, 0);
	vmmio_write(b, VMMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_write(b, VMMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	ok |= VIRTIO_STATUS_FEATURES_OK;
	vmmio_write(b, VMMIO_STATUS, ok);
	vmmio_write(b, VMMIO_QUEUE_SEL, 0);
	if (!(vmmio_read(b, VMMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) ||
	    vmmio_read(b, VMMIO_QUEUE_NUM_MAX) < QUEUE_SIZE)
		panic("hcall: the answer disk refused its setup");
	AVAIL->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	vmmio_write(b, VMMIO_QUEUE_NUM, QUEUE_SIZE);
	set_queue_address(b, VMMIO_QUEUE_DESC_LOW, desc);
	set_queue_address(b, VMMIO_QUEUE_DRIVER_LOW, avail_mem);
	set_queue_address(b, VMMIO_QUEUE_DEVICE_LOW, used_mem);
	vmmio_write(b, VMMIO_QUEUE_READY, 1);
	vmmio_write(b, VMMIO_STATUS, ok | VIRTIO_STATUS_DRIVER_OK);
	desc[0] = (struct virtq_desc){ (uintptr_t)&request, sizeof(request), VIRTQ_DESC_F_NEXT, 1 };
	desc[1] = (struct virtq_desc){ (uintptr_t)bounce, 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2 };
	desc[2] = (struct virtq_desc){ (uintptr_t)&request_status, 1, VIRTQ_DESC_F_WRITE, 0 };
	disk.base = b;
}

/* The next piece of the current answer into bounce, waiting for the device. */
static void fill_bounce(void)
{
	uint32_t left = disk.len - disk.filled;
	uint32_t n = left < BOUNCE ? (left + HERMIT_ANSWER_SECTOR - 1) & ~(HERMIT_ANSWER_SECTOR - 1u) : BOUNCE;

	request = (struct blk_request){ VIRTIO_BLK_T_IN, 0, (disk.start + disk.filled) / HERMIT_ANSWER_SECTOR };
	request_status = 0xff;
	desc[1].len = n;
	AVAIL->ring[AVAIL->idx % QUEUE_SIZE] = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	AVAIL->idx++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vmmio_write(disk.base, VMMIO_QUEUE_NOTIFY, 0);
	while (USED->idx == disk.last_used)
		doorbell_nudge();
	disk.last_used++;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (request_status != 0)
		panic("hcall: the answer disk failed a read at sector %lu (status %u)",
		      (unsigned long)request.sector, request_status);
	disk.filled_at = disk.filled;
	disk.filled += n < left ? n : left;
}

bool answer_disk_in_use(void) { return disk.base != 0; }

void answer_disk_begin(uint32_t len)
{
	if (!disk.base)
		start_device();
	disk.len = len;
	disk.pos = disk.filled = disk.filled_at = 0;
}

void answer_disk_read(void *dst, size_t n)
{
	uint8_t *to = dst;

	if (n > disk.len - disk.pos)
		panic("hcall: a recorded answer runs past its length");
	while (n) {
		if (disk.pos == disk.filled)
			fill_bounce();
		size_t take = disk.filled - disk.pos < n ? disk.filled - disk.pos : n;
		memcpy(to, bounce + (disk.pos - disk.filled_at), take);
		to += take;
		disk.pos += (uint32_t)take;
		n -= take;
	}
}

void answer_disk_end(void)
{
	disk.start += (disk.len + HERMIT_ANSWER_SECTOR - 1) & ~(uint64_t)(HERMIT_ANSWER_SECTOR - 1);
}
