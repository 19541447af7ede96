/*
 * net/drivers/virtio_net.c: virtio-net over virtio-mmio (virtio 1.x). Two split virtqueues:
 * receive buffers (every descriptor posted, each a 2 KiB device-writable buffer) and transmit
 * buffers (a free list; up to the queue size in flight). The interrupt handler only acknowledges
 * and wakes the driver's task, which hands received frames to the stack, re-posts their buffers
 * and takes back the transmit buffers the device is done with. Features: VERSION_1 and MAC only;
 * lwIP computes checksums and segments itself.
 */
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/clock.h"
#include "kernel/spinlock.h"
#include "kernel/sync.h"
#include "kernel/task.h"
#include "netdev.h"
#include "virtio_mmio.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC 5
#define QUEUE_MAX 256
#define BUF_SIZE 2048
#define NET_HDR_SIZE 12 /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define RX_QUEUE 0
#define TX_QUEUE 1
#define TX_WAIT_NS 2000000000ull

struct vq {
	unsigned size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_used;
	uint8_t *bufs; /* size * BUF_SIZE */
};

struct vnet {
	struct netdev dev;
	uintptr_t base;
	unsigned gsi;
	struct vq rx, tx;
	struct spinlock tx_lock;
	uint16_t tx_free[QUEUE_MAX];
	unsigned tx_nfree;
	struct ksem tx_space;  /* free transmit buffers */
	struct ksem irq;       /* the device said something */
};

static struct vnet vnets[VIRTIO_MMIO_COUNT];
static unsigned nvnets;

static void *zalloc_pages(size_t bytes)
{
	size_t pages = (bytes + 4095) / 4096;
	void *p = page_alloc(pages);
	if (p)
		memset(p, 0, pages * 4096);
	return p;
}

static int queue_setup(struct vnet *v, unsigned index, struct vq *q)
{
	vmmio_write(v->base, VMMIO_QUEUE_SEL, index);
	unsigned max = vmmio_read(v->base, VMMIO_QUEUE_NUM_MAX);
	if (!max)
		return -1;
	q->size = max < QUEUE_MAX ? max : QUEUE_MAX;
	q->desc = zalloc_pages(sizeof(struct virtq_desc) * q->size);
	q->avail = zalloc_pages(sizeof(struct virtq_avail) + 2 * q->size + 2);
	q->used = zalloc_pages(sizeof(struct virtq_used) + sizeof(struct virtq_used_elem) * q->size + 2);
	q->bufs = zalloc_pages((size_t)q->size * BUF_SIZE);
	if (!q->desc || !q->avail || !q->used || !q->bufs)
		return -1;
	for (unsigned i = 0; i < q->size; i++)
		q->desc[i] = (struct virtq_desc){ .addr = (uint64_t)(uintptr_t)(q->bufs + (size_t)i * BUF_SIZE),
						  .len = BUF_SIZE };
	vmmio_write(v->base, VMMIO_QUEUE_NUM, q->size);
	uint64_t d = (uintptr_t)q->desc, a = (uintptr_t)q->avail, u = (uintptr_t)q->used;
	vmmio_write(v->base, VMMIO_QUEUE_DESC_LOW, (uint32_t)d);
	vmmio_write(v->base, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(d >> 32));
	vmmio_write(v->base, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)a);
	vmmio_write(v->base, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(a >> 32));
	vmmio_write(v->base, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)u);
	vmmio_write(v->base, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(u >> 32));
	vmmio_write(v->base, VMMIO_QUEUE_READY, 1);
	return 0;
}

static void avail_push(struct vq *q, uint16_t id)
{
	q->avail->ring[q->avail->idx % q->size] = id;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail->idx++;
}

/* ---- transmit ---- */

static void *vnet_tx_buffer(struct netdev *dev)
{
	struct vnet *v = dev->priv;
	if (ksem_wait(&v->tx_space, clock_ns() + TX_WAIT_NS) < 0) {
		log_warn("virtio-net: no transmit buffer came back in 2 s; frame dropped");
		return NULL;
	}
	uint64_t f = spin_lock_irqsave(&v->tx_lock);
	uint16_t id = v->tx_free[--v->tx_nfree];
	spin_unlock_irqrestore(&v->tx_lock, f);
	uint8_t *buf = v->tx.bufs + (size_t)id * BUF_SIZE;
	memset(buf, 0, NET_HDR_SIZE);
	return buf + NET_HDR_SIZE;
}

static void vnet_tx_submit(struct netdev *dev, void *frame, size_t len)
{
	struct vnet *v = dev->priv;
	uint8_t *buf = (uint8_t *)frame - NET_HDR_SIZE;
	uint16_t id = (uint16_t)((buf - v->tx.bufs) / BUF_SIZE);
	v->tx.desc[id].len = (uint32_t)(len + NET_HDR_SIZE);
	v->tx.desc[id].flags = 0;
	uint64_t f = spin_lock_irqsave(&v->tx_lock);
	avail_push(&v->tx, id);
	spin_unlock_irqrestore(&v->tx_lock, f);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vmmio_write(v->base, VMMIO_QUEUE_NOTIFY, TX_QUEUE);
}

static void tx_reclaim(struct vnet *v)
{
	struct vq *q = &v->tx;
	while (q->last_used != q->used->idx) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		uint16_t id = (uint16_t)q->used->ring[q->last_used % q->size].id;
		q->last_used++;
		uint64_t f = spin_lock_irqsave(&v->tx_lock);
		v->tx_free[v->tx_nfree++] = id;
		spin_unlock_irqrestore(&v->tx_lock, f);
		ksem_post(&v->tx_space);
	}
}

/* ---- receive ---- */

static void rx_poll(struct vnet *v)
{
	struct vq *q = &v->rx;
	int reposted = 0;
	while (q->last_used != q->used->idx) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		struct virtq_used_elem e = q->used->ring[q->last_used % q->size];
		q->last_used++;
		if (e.id < q->size && e.len > NET_HDR_SIZE && e.len <= BUF_SIZE)
			netdev_receive(&v->dev, q->bufs + (size_t)e.id * BUF_SIZE + NET_HDR_SIZE, e.len - NET_HDR_SIZE);
		else
			v->dev.rx_dropped++;
		if (e.id < q->size) {
			q->desc[e.id].len = BUF_SIZE;
			q->desc[e.id].flags = VIRTQ_DESC_F_WRITE;
			avail_push(q, (uint16_t)e.id);
			reposted = 1;
		}
	}
	if (reposted) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		vmmio_write(v->base, VMMIO_QUEUE_NOTIFY, RX_QUEUE);
	}
}

static void vnet_irq_at(unsigned i)
{
	struct vnet *v = &vnets[i];
	uint32_t status = vmmio_read(v->base, VMMIO_INTERRUPT_STATUS);
	vmmio_write(v->base, VMMIO_INTERRUPT_ACK, status);
	ksem_post(&v->irq);
}

/* irq_handler takes no argument: one trampoline per transport. */
#define IRQ_TRAMPOLINE(n) static void vnet_irq##n(void) { vnet_irq_at(n); }
IRQ_TRAMPOLINE(0) IRQ_TRAMPOLINE(1) IRQ_TRAMPOLINE(2) IRQ_TRAMPOLINE(3)
IRQ_TRAMPOLINE(4) IRQ_TRAMPOLINE(5) IRQ_TRAMPOLINE(6) IRQ_TRAMPOLINE(7)
static const irq_handler trampolines[VIRTIO_MMIO_COUNT] = { vnet_irq0, vnet_irq1, vnet_irq2, vnet_irq3,
							     vnet_irq4, vnet_irq5, vnet_irq6, vnet_irq7 };

static void vnet_task(void *arg)
{
	struct vnet *v = arg;
	for (;;) {
		ksem_wait(&v->irq, 0);
		rx_poll(v);
		tx_reclaim(v);
	}
}

static const struct netdev_ops vnet_ops = { .tx_buffer = vnet_tx_buffer, .tx_submit = vnet_tx_submit };

static int vnet_init(struct vnet *v)
{
	uintptr_t b = v->base;
	vmmio_write(b, VMMIO_STATUS, 0);
	vmmio_write(b, VMMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vmmio_write(b, VMMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t lo = vmmio_read(b, VMMIO_DEVICE_FEATURES);
	vmmio_write(b, VMMIO_DEVICE_FEATURES_SEL, 1);
	uint32_t hi = vmmio_read(b, VMMIO_DEVICE_FEATURES);
	if (!(hi & (1u << (VIRTIO_F_VERSION_1 - 32))) || !(lo & (1u << VIRTIO_NET_F_MAC))) {
		log_warn("virtio-net: device lacks VERSION_1 or MAC");
		return -1;
	}
	vmmio_write(b, VMMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_write(b, VMMIO_DRIVER_FEATURES, 1u << VIRTIO_NET_F_MAC);
	vmmio_write(b, VMMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_write(b, VMMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	vmmio_write(b, VMMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(vmmio_read(b, VMMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		log_warn("virtio-net: device refused the features");
		return -1;
	}
	if (queue_setup(v, RX_QUEUE, &v->rx) < 0 || queue_setup(v, TX_QUEUE, &v->tx) < 0) {
		vmmio_write(b, VMMIO_STATUS, VIRTIO_STATUS_FAILED);
		log_warn("virtio-net: cannot set up the queues");
		return -1;
	}
	for (unsigned i = 0; i < v->rx.size; i++) {
		v->rx.desc[i].flags = VIRTQ_DESC_F_WRITE;
		avail_push(&v->rx, (uint16_t)i);
	}
	for (unsigned i = 0; i < v->tx.size; i++)
		v->tx_free[v->tx_nfree++] = (uint16_t)i;
	ksem_init(&v->tx_space, (int)v->tx.size);
	ksem_init(&v->irq, 0);
	for (unsigned i = 0; i < 6; i++)
		v->dev.mac[i] = *(volatile uint8_t *)(b + VMMIO_CONFIG + i);
	v->dev.name = "virtio-net";
	v->dev.ops = &vnet_ops;
	v->dev.priv = v;
	return 0;
}

int virtio_net_probe(void)
{
	mmu_map_mmio(VIRTIO_MMIO_BASE, VIRTIO_MMIO_STRIDE * VIRTIO_MMIO_COUNT);
	int found = 0;
	for (unsigned i = 0; i < VIRTIO_MMIO_COUNT; i++) {
		uintptr_t base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE;
		if (vmmio_read(base, VMMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE ||
		    vmmio_read(base, VMMIO_DEVICE_ID) != VIRTIO_ID_NET)
			continue;
		if (vmmio_read(base, VMMIO_VERSION) != 2) {
			log_warn("virtio-net: transport %u is legacy (version %u); only virtio 1.x is driven", i,
				 vmmio_read(base, VMMIO_VERSION));
			continue;
		}
		unsigned k = nvnets;
		struct vnet *v = &vnets[k];
		v->base = base;
		v->gsi = VIRTIO_MMIO_GSI_BASE + i;
		if (vnet_init(v) < 0 || netdev_register(&v->dev) < 0)
			continue;
		nvnets++;
		struct task *t = task_create("virtio-net", vnet_task, v, 64 * 1024);
		if (!t)
			continue;
		task_detach(t);
		irq_attach(v->gsi, trampolines[k]);
		vmmio_write(base, VMMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						       VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		vmmio_write(base, VMMIO_QUEUE_NOTIFY, RX_QUEUE);
		log_info("virtio-net: transport %u at 0x%lx, GSI %u, %u+%u descriptors", i, (unsigned long)base,
			 v->gsi, v->rx.size, v->tx.size);
		found++;
	}
	return found;
}
