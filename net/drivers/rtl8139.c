/*
 * net/drivers/rtl8139.c: the Realtek RTL8139 (the NIC the original HermitCore's QEMU emulated),
 * a PCI device driven through its memory BAR. Receive: one 8 KiB ring the device fills with
 * [status, length, frame, CRC] records (WRAP mode, so a record never splits at the end); transmit:
 * the chip's four descriptors in turn, each with its own buffer, all four in flight at most. The
 * interrupt only acknowledges and wakes the driver's task, which does the rest.
 * On microvm it exists only with pcie=on (HERMIT_NIC=rtl8139 in the proxy); otherwise the probe
 * finds nothing.
 */
#include <string.h>

#include "kernel/clock.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "kernel/sync.h"
#include "kernel/task.h"
#include "netdev.h"
#include "pci.h"

#define RTL_VENDOR 0x10ec
#define RTL_DEVICE 0x8139
#define MMIO_BAR 1

enum rtl_reg {
	RTL_IDR0 = 0x00, RTL_MAR0 = 0x08, RTL_TSD0 = 0x10, RTL_TSAD0 = 0x20, RTL_RBSTART = 0x30,
	RTL_CR = 0x37, RTL_CAPR = 0x38, RTL_CBR = 0x3a, RTL_IMR = 0x3c, RTL_ISR = 0x3e,
	RTL_TCR = 0x40, RTL_RCR = 0x44, RTL_9346CR = 0x50, RTL_CONFIG1 = 0x52,
};
#define CR_BUFE 0x01
#define CR_TE 0x04
#define CR_RE 0x08
#define CR_RST 0x10
#define ISR_ROK 0x0001
#define ISR_RER 0x0002
#define ISR_TOK 0x0004
#define ISR_TER 0x0008
#define ISR_RXOVW 0x0010
#define ISR_FOVW 0x0040
#define ISR_ALL (ISR_ROK | ISR_RER | ISR_TOK | ISR_TER | ISR_RXOVW | ISR_FOVW)
#define RCR_APM 0x02
#define RCR_AM 0x04
#define RCR_AB 0x08
#define RCR_WRAP 0x80
#define RCR_MXDMA_UNLIMITED (7u << 8)
#define TCR_MXDMA_2048 (7u << 8)
#define TSD_OWN (1u << 13)
#define TSD_TUN (1u << 14)
#define TSD_TOK (1u << 15)
#define TSD_TABT (1u << 30)
#define RX_STATUS_ROK 0x0001

#define RX_RING 8192
#define RX_ALLOC (RX_RING + 16 + 2048) /* WRAP mode writes a frame past the end */
#define TX_SLOTS 4
#define TX_BUF 2048
#define TX_WAIT_NS 2000000000ull

struct rtl {
	struct netdev dev;
	uintptr_t regs;
	uint8_t *rx;
	unsigned rx_off;
	uint8_t *tx[TX_SLOTS];
	unsigned tx_next, tx_dirty; /* next slot to fill, oldest slot in flight */
	unsigned tx_in_flight;
	struct ksem tx_space;
	struct ksem irq;
	struct spinlock tx_lock;
};

static struct rtl rtl;

static uint8_t rd8(unsigned r) { return *(volatile uint8_t *)(rtl.regs + r); }
static uint16_t rd16(unsigned r) { return *(volatile uint16_t *)(rtl.regs + r); }
static uint32_t rd32(unsigned r) { return *(volatile uint32_t *)(rtl.regs + r); }
static void wr8(unsigned r, uint8_t v) { *(volatile uint8_t *)(rtl.regs + r) = v; }
static void wr16(unsigned r, uint16_t v) { *(volatile uint16_t *)(rtl.regs + r) = v; }
static void wr32(unsigned r, uint32_t v) { *(volatile uint32_t *)(rtl.regs + r) = v; }

static void *tx_buffer(struct netdev *dev)
{
	(void)dev;
	if (ksem_wait(&rtl.tx_space, clock_ns() + TX_WAIT_NS) < 0) {
		log_warn("rtl8139: no transmit descriptor came back in 2 s; frame dropped");
		return NULL;
	}
	uint64_t f = spin_lock_irqsave(&rtl.tx_lock);
	void *buf = rtl.tx[rtl.tx_next];
	spin_unlock_irqrestore(&rtl.tx_lock, f);
	return buf;
}

static void tx_submit(struct netdev *dev, void *buf, size_t len)
{
	(void)dev;
	uint64_t f = spin_lock_irqsave(&rtl.tx_lock);
	unsigned slot = rtl.tx_next;
	rtl.tx_next = (slot + 1) % TX_SLOTS;
	rtl.tx_in_flight++;
	spin_unlock_irqrestore(&rtl.tx_lock, f);
	(void)buf;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr32(RTL_TSD0 + 4 * slot, (uint32_t)len); /* clears OWN: the chip starts sending */
}

static void tx_reclaim(void)
{
	for (;;) {
		uint64_t f = spin_lock_irqsave(&rtl.tx_lock);
		unsigned slot = rtl.tx_dirty;
		uint32_t tsd = rd32(RTL_TSD0 + 4 * slot);
		int done = rtl.tx_in_flight && (tsd & (TSD_TOK | TSD_TUN | TSD_TABT)) && (tsd & TSD_OWN);
		if (done) {
			rtl.tx_dirty = (slot + 1) % TX_SLOTS;
			rtl.tx_in_flight--;
		}
		spin_unlock_irqrestore(&rtl.tx_lock, f);
		if (!done)
			return;
		ksem_post(&rtl.tx_space);
	}
}

static void rx_reset(void)
{
	wr8(RTL_CR, CR_TE);
	rtl.rx_off = 0;
	wr32(RTL_RBSTART, (uint32_t)(uintptr_t)rtl.rx);
	wr8(RTL_CR, CR_RE | CR_TE);
	wr32(RTL_RCR, RCR_APM | RCR_AM | RCR_AB | RCR_WRAP | RCR_MXDMA_UNLIMITED);
	wr16(RTL_CAPR, (uint16_t)(rtl.rx_off - 16));
}

static void rx_poll(void)
{
	while (!(rd8(RTL_CR) & CR_BUFE)) {
		uint8_t *rec = rtl.rx + rtl.rx_off;
		uint16_t status = (uint16_t)(rec[0] | rec[1] << 8);
		uint16_t len = (uint16_t)(rec[2] | rec[3] << 8); /* frame + CRC */
		if (!(status & RX_STATUS_ROK) || len < 4 + 14 || len > NETDEV_FRAME_MAX + 4) {
			log_warn("rtl8139: bad receive record (status 0x%x, length %u); ring reset", status, len);
			rtl.dev.rx_dropped++;
			rx_reset();
			return;
		}
		netdev_receive(&rtl.dev, rec + 4, len - 4u);
		rtl.rx_off = (rtl.rx_off + len + 4 + 3) & ~3u;
		rtl.rx_off %= RX_RING;
		wr16(RTL_CAPR, (uint16_t)(rtl.rx_off - 16));
	}
}

static void rtl_irq(void)
{
	uint16_t isr = rd16(RTL_ISR);
	if (isr)
		wr16(RTL_ISR, isr); /* write 1 to clear */
	ksem_post(&rtl.irq);
}

static void rtl_task(void *arg)
{
	(void)arg;
	for (;;) {
		ksem_wait(&rtl.irq, 0);
		rx_poll();
		tx_reclaim();
	}
}

static const struct netdev_ops rtl_ops = { .tx_buffer = tx_buffer, .tx_submit = tx_submit };

static void *dma_pages(size_t bytes)
{
	void *p = page_alloc((bytes + 4095) / 4096);
	if (p && (uintptr_t)p + bytes > 0x100000000ull) /* the chip addresses 32 bits */
		return NULL;
	if (p)
		memset(p, 0, bytes);
	return p;
}

int rtl8139_probe(void)
{
	struct pci_dev pd;
	if (pci_find(RTL_VENDOR, RTL_DEVICE, &pd) < 0)
		return 0;
	rtl.regs = pci_map_bar(&pd, MMIO_BAR);
	int gsi = pci_intx_gsi(&pd);
	rtl.rx = dma_pages(RX_ALLOC);
	for (unsigned i = 0; i < TX_SLOTS; i++)
		rtl.tx[i] = dma_pages(TX_BUF);
	if (!rtl.regs || gsi < 0 || !rtl.rx || !rtl.tx[TX_SLOTS - 1]) {
		log_warn("rtl8139: cannot set up the device at slot %u", pd.slot);
		return 0;
	}
	pci_write16(&pd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	wr8(RTL_CONFIG1, 0); /* power on */
	wr8(RTL_CR, CR_RST);
	for (int i = 0; i < 100000 && (rd8(RTL_CR) & CR_RST); i++)
		;
	for (unsigned i = 0; i < 6; i++)
		rtl.dev.mac[i] = rd8(RTL_IDR0 + i);
	for (unsigned i = 0; i < TX_SLOTS; i++)
		wr32(RTL_TSAD0 + 4 * i, (uint32_t)(uintptr_t)rtl.tx[i]);
	wr32(RTL_MAR0, 0xffffffff);
	wr32(RTL_MAR0 + 4, 0xffffffff);
	ksem_init(&rtl.tx_space, TX_SLOTS);
	ksem_init(&rtl.irq, 0);
	rx_reset();
	wr32(RTL_TCR, TCR_MXDMA_2048);
	rtl.dev.name = "rtl8139";
	rtl.dev.ops = &rtl_ops;
	rtl.dev.priv = &rtl;
	if (netdev_register(&rtl.dev) < 0)
		return 0;
	struct task *t = task_create("rtl8139", rtl_task, NULL, 64 * 1024);
	if (!t)
		return 0;
	task_detach(t);
	irq_attach((unsigned)gsi, rtl_irq);
	wr16(RTL_IMR, ISR_ALL);
	log_info("rtl8139: slot %u, registers at 0x%lx, GSI %d", pd.slot, (unsigned long)rtl.regs, gsi);
	return 1;
}
