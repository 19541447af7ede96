/*
 * net/netif.c: the glue between the drivers (netdev.h) and lwIP: one lwIP netif per device,
 * Ethernet framing by lwIP's etharp, and net_start(), which brings the stack up on first use.
 * Received frames are copied into pool pbufs and queued to the tcpip task; transmitted frames
 * are copied from lwIP's pbuf chain straight into a driver buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/sched.h"
#include "kernel/net.h"
#include "kernel/sync.h"
#include "kernel/trace.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcpip.h"
#include "netdev.h"
#include "netif/ethernet.h"

static struct netdev *devices[NETDEV_MAX];
static struct netif netifs[NETDEV_MAX];
static unsigned ndevices;
static struct kmutex start_lock;
static int started; /* 0 not yet, 1 up, -1 no device */

int netdev_register(struct netdev *dev)
{
	if (ndevices >= NETDEV_MAX)
		return -1;
	dev->index = ndevices;
	devices[ndevices++] = dev;
	return 0;
}

static unsigned ethertype(const void *frame, size_t len)
{
	const uint8_t *b = frame;
	return len >= 14 ? (unsigned)(b[12] << 8 | b[13]) : 0;
}

/* Both directions meet the capture ring and the tracer (net_rx, net_tx) with one clock reading, so
 * a frame in the pcap file and its event in the trace carry the same time and can be matched. The
 * ring takes the reading (capture_frame: under its lock, so the file is in time order). Interrupts
 * stay masked from the description to the event: the record names the CPU that handled the frame
 * (the task cannot move), and no event of this CPU comes between the reading and the event (its
 * trace ring stays in time order). */
static void capture_and_trace(struct netdev *dev, unsigned direction, const void *frame, size_t len)
{
	uint64_t f = irq_save();
	uint64_t tsc = clock_tsc();
	if (capture_enabled()) {
		struct hermit_capture_record rec;
		capture_describe(&rec, dev->index, direction, frame, len);
		tsc = capture_frame(&rec, frame);
	}
	if (direction == HERMIT_CAPTURE_IN)
		trace_at(NET_RX, tsc, len, ethertype(frame, len));
	else
		trace_at(NET_TX, tsc, len, ethertype(frame, len));
	irq_restore(f);
}

void netdev_receive(struct netdev *dev, const void *frame, size_t len)
{
	capture_and_trace(dev, HERMIT_CAPTURE_IN, frame, len);
	struct netif *nif = dev->stack;
	if (!nif || len < SIZEOF_ETH_HDR || len > 0xffff) {
		dev->rx_dropped++;
		return;
	}
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		dev->rx_dropped++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	if (nif->input(p, nif) != ERR_OK) {
		pbuf_free(p);
		dev->rx_dropped++;
		return;
	}
	dev->rx_frames++;
}

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
	struct netdev *dev = nif->state;
	if (p->tot_len > NETDEV_FRAME_MAX)
		return ERR_VAL;
	void *buf = dev->ops->tx_buffer(dev);
	if (!buf)
		return ERR_MEM;
	size_t len = pbuf_copy_partial(p, buf, p->tot_len, 0);
	capture_and_trace(dev, HERMIT_CAPTURE_OUT, buf, len);
	dev->ops->tx_submit(dev, buf, len);
	dev->tx_frames++;
	return ERR_OK;
}

static err_t netif_setup(struct netif *nif)
{
	struct netdev *dev = nif->state;
	nif->name[0] = 'e';
	nif->name[1] = 'n';
	nif->output = etharp_output;
	nif->output_ip6 = ethip6_output;
	nif->linkoutput = linkoutput;
	nif->mtu = 1500;
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, dev->mac, ETH_HWADDR_LEN);
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP |
		     NETIF_FLAG_MLD6;
	return ERR_OK;
}

static void tcpip_ready(void *arg) { ksem_post(arg); }

static void add_interfaces(void)
{
	const struct net_config *cfg = net_config();
	for (unsigned i = 0; i < ndevices; i++) {
		ip4_addr_t ip = { 0 }, mask = { 0 }, gw = { 0 };
		if (i == 0) { /* the host's settings belong to the first interface */
			ip.addr = cfg->ip;
			mask.addr = cfg->mask;
			gw.addr = cfg->gateway;
		}
		struct netdev *dev = devices[i];
		LOCK_TCPIP_CORE();
		netif_add(&netifs[i], &ip, &mask, &gw, dev, netif_setup, tcpip_input);
		capture_add_iface(dev, &netifs[i]); /* before the first frame: the link-local sends some */
		dev->stack = &netifs[i];
		if (i == 0)
			netif_set_default(&netifs[i]);
		netif_create_ip6_linklocal_address(&netifs[i], 1);
		netif_set_ip6_autoconfig_enabled(&netifs[i], 1);
		netif_set_up(&netifs[i]);
		UNLOCK_TCPIP_CORE();
		log_info("net: %s %02x:%02x:%02x:%02x:%02x:%02x as %s", dev->name, dev->mac[0], dev->mac[1],
			 dev->mac[2], dev->mac[3], dev->mac[4], dev->mac[5], ip4addr_ntoa(&ip));
	}
	if (cfg->gateway) { /* QEMU's user network answers DNS at the network's .3 */
		ip_addr_t dns = IPADDR4_INIT((cfg->gateway & cfg->mask) | PP_HTONL(3));
		dns_setserver(0, &dns);
	}
}

#define EXIT_FLUSH_NS 2000000000ull
#define EXIT_FLUSH_STEP_NS 5000000ull

/* Data the app wrote and closed is still only in lwIP's queues: a Linux process may exit then,
 * its kernel sends the rest; here the whole machine ends with the app. So exit() waits (a
 * bounded time) until every TCP connection has its data sent and acknowledged. */
static int tcp_data_pending(void)
{
	int pending = 0;
	LOCK_TCPIP_CORE();
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		if (p->unsent || p->unacked || (p->state != CLOSED && p->state != TIME_WAIT &&
						 p->state != FIN_WAIT_2 && p->state != ESTABLISHED &&
						 p->state != CLOSE_WAIT))
			pending = 1;
	UNLOCK_TCPIP_CORE();
	return pending;
}

static void flush_at_exit(void)
{
	uint64_t end = clock_ns() + EXIT_FLUSH_NS;
	while (tcp_data_pending() && clock_ns() < end)
		sched_sleep_until(clock_ns() + EXIT_FLUSH_STEP_NS);
}

int net_start(void)
{
	kmutex_lock(&start_lock, 0);
	if (!started) {
		struct ksem ready;
		ksem_init(&ready, 0);
		tcpip_init(tcpip_ready, &ready);
		ksem_wait(&ready, 0);
		virtio_net_probe();
		rtl8139_probe();
		add_interfaces();
		started = ndevices ? 1 : -1;
		atexit(flush_at_exit);
		if (!ndevices)
			log_warn("net: no network device; only the loopback interface works");
	}
	kmutex_unlock(&start_lock);
	return started > 0 ? 0 : -1;
}
