/*
 * net/capture.c: the capture ring of hermit/abi.h (struct hermit_capture). Each frame crossing a
 * driver boundary is copied in with its kernel-clock time and what the kernel knows of it (task,
 * CPU, socket: capture_context.c, which only images with the network link); when the reader (the
 * proxy) has not freed enough room the frame is counted as dropped instead. The lock orders the
 * writers (the drivers' tasks, the tcpip task and the apps' tasks sending), and each record's time
 * is read under it, so the ring's order is the frames' time order; the reader only moves tail and
 * read. Each HERMIT_CAPTURE_NOTIFY_BYTES written past read ring the doorbell, so the proxy drains
 * a fast transfer before the ring fills.
 */
#include <stdbool.h>
#include <string.h>

#include "hermit/abi.h"
#include "kernel/clock.h"
#include "kernel/doorbell.h"
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
static uint64_t dropped_since_last; /* under lock: for the next record's dropped_before */
static uint64_t notified_at;        /* under lock: head when the doorbell last rang */
static bool bare;                   /* HERMIT_CONFIG_CAPTURE_BARE: no task or socket per frame */

bool capture_enabled(void) { return data != NULL; }

bool capture_bare(void) { return bare; }

void capture_init(uint32_t kib, bool without_context)
{
	bare = without_context;
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

struct hermit_capture_iface *capture_iface(unsigned index)
{
	return data && index < HERMIT_CAPTURE_IFACES ? &ring.ifaces[index] : NULL;
}

void capture_iface_ready(unsigned index)
{
	if (index >= ring.nifaces)
		__atomic_store_n(&ring.nifaces, index + 1, __ATOMIC_RELEASE);
}

uint64_t capture_frame(struct hermit_capture_record *rec, const void *frame)
{
	if (!data)
		return clock_tsc();
	uint32_t cap = rec->orig_len < ring.snaplen ? rec->orig_len : ring.snaplen;
	uint64_t need = sizeof(*rec) + ALIGN8(cap);
	rec->cap_len = cap;
	uint64_t f = spin_lock_irqsave(&lock);
	/* Stamped where its slot is taken: a reading before the lock could lose the race for it to
	 * a later one (the other direction, another CPU) and the ring would go back in time. */
	uint64_t tsc = clock_tsc();
	rec->time_ns = clock_ns_at(tsc);
	uint64_t head = ring.head, tail = __atomic_load_n(&ring.tail, __ATOMIC_ACQUIRE);
	uint64_t off = head % ring.size, room_to_end = ring.size - off;
	/* A record never wraps: skip to the start when it does not fit before the end. */
	uint64_t skip = room_to_end < need ? room_to_end : 0;
	if (head + skip + need - tail > ring.size) {
		ring.dropped++;
		dropped_since_last++;
		spin_unlock_irqrestore(&lock, f);
		return tsc;
	}
	if (skip) {
		if (room_to_end >= sizeof(*rec)) {
			struct hermit_capture_record wrap = { .cap_len = HERMIT_CAPTURE_WRAP };
			memcpy(data + off, &wrap, sizeof(wrap));
		}
		head += skip;
		off = 0;
	}
	rec->dropped_before = dropped_since_last > UINT32_MAX ? UINT32_MAX : (uint32_t)dropped_since_last;
	dropped_since_last = 0;
	memcpy(data + off, rec, sizeof(*rec));
	memcpy(data + off + sizeof(*rec), frame, cap);
	ring.frames++;
	head += need;
	__atomic_store_n(&ring.head, head, __ATOMIC_RELEASE);
	uint64_t read = __atomic_load_n(&ring.read, __ATOMIC_ACQUIRE);
	bool notify = head - read >= HERMIT_CAPTURE_NOTIFY_BYTES &&
		      head - notified_at >= HERMIT_CAPTURE_NOTIFY_BYTES;
	if (notify)
		notified_at = head;
	spin_unlock_irqrestore(&lock, f);
	if (notify)
		doorbell_ring(HERMIT_DOORBELL_CAPTURE);
	return tsc;
}
