/*
 * net/capture.c: the capture ring of hermit/abi.h (struct hermit_capture). Each frame crossing a
 * driver boundary is copied in with its kernel-clock time; when the reader (the proxy) has not
 * freed enough room the frame is counted as dropped instead. The lock orders writers (the
 * drivers' tasks and the tcpip task); the reader only moves tail.
 */
#include <string.h>

#include "hermit/abi.h"
#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "netdev.h"

#define CAPTURE_SNAPLEN 65535u
#define ALIGN8(n) (((n) + 7u) & ~(uint64_t)7u)

extern struct hermit_anchor hermit_anchor;

static struct hermit_capture ring;
static struct spinlock lock;
static uint8_t *data;

void capture_init(uint32_t kib)
{
	uint64_t size = (uint64_t)kib * 1024;
	size = (size + 4095) & ~4095ull;
	if (!size)
		return;
	data = page_alloc(size / 4096);
	if (!data) {
		log_warn("capture: no memory for a %u KiB ring; capture is off", kib);
		return;
	}
	ring = (struct hermit_capture){
		.magic = HERMIT_CAPTURE_MAGIC,
		.version = HERMIT_CAPTURE_VERSION,
		.linktype = HERMIT_CAPTURE_LINKTYPE_ETHERNET,
		.snaplen = CAPTURE_SNAPLEN,
		.data = (hermit_gpa_t)(uintptr_t)data,
		.size = size,
		.realtime_at_zero = clock_realtime_ns() - (int64_t)clock_ns(),
	};
	hermit_anchor.capture = (hermit_gpa_t)(uintptr_t)&ring;
	log_info("capture: %lu KiB ring at 0x%lx", size / 1024, (unsigned long)(uintptr_t)data);
}

void capture_frame(unsigned iface, unsigned direction, const void *frame, size_t len, uint64_t time_ns)
{
	if (!data)
		return;
	uint32_t cap = len < ring.snaplen ? (uint32_t)len : ring.snaplen;
	uint64_t need = sizeof(struct hermit_capture_record) + ALIGN8(cap);
	struct hermit_capture_record rec = {
		.time_ns = time_ns, .orig_len = (uint32_t)len, .cap_len = cap,
		.iface = (uint16_t)iface, .direction = (uint16_t)direction,
	};
	uint64_t f = spin_lock_irqsave(&lock);
	uint64_t head = ring.head, tail = __atomic_load_n(&ring.tail, __ATOMIC_ACQUIRE);
	uint64_t off = head % ring.size, room_to_end = ring.size - off;
	/* A record never wraps: skip to the start when it does not fit before the end. */
	uint64_t skip = room_to_end < need ? room_to_end : 0;
	if (head + skip + need - tail > ring.size) {
		ring.dropped++;
		spin_unlock_irqrestore(&lock, f);
		return;
	}
	if (skip) {
		if (room_to_end >= sizeof(rec)) {
			struct hermit_capture_record wrap = { .cap_len = HERMIT_CAPTURE_WRAP };
			memcpy(data + off, &wrap, sizeof(wrap));
		}
		head += skip;
		off = 0;
	}
	memcpy(data + off, &rec, sizeof(rec));
	memcpy(data + off + sizeof(rec), frame, cap);
	ring.frames++;
	__atomic_store_n(&ring.head, head + need, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&lock, f);
}
