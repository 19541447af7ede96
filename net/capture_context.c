/*
 * net/capture_context.c: what the kernel knows of a captured frame, for its capture record: the
 * task and CPU, and which socket it belongs to; and the interfaces' names and addresses.
 *
 * A frame going out is sent with lwIP's core lock held, so its TCP or UDP PCB is found in lwIP's
 * lists, and through the PCB's netconn lwIP's socket number. A frame coming in is captured by
 * the driver's task, which must not take the core lock (the tcpip task may hold it waiting for a
 * transmit buffer only that driver task frees), so received frames are matched against flows
 * remembered here: each sent frame's flow, and the local address of every socket bound or
 * listening (a SYN to a listener, a datagram to a server). The socket layer (net/socket.c) says
 * which descriptor each lwIP socket is and which task used it last. All under one spinlock;
 * nothing here runs unless the capture is on.
 */
#include <string.h>

#include "hermit/abi.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/task.h"
#include "lwip/api.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/sockets.h"
#include "lwip/udp.h"
#include "netdev.h"

#define SOCKETS_MAX 2048 /* lwIP numbers sockets from 0 filling gaps, below descriptors + closing */
#define FLOWS_MAX 128
#define ETH_HEADER 14

struct endpoints {
	uint8_t proto, family;
	bool opening;                     /* parsed from a frame: UDP, or a TCP SYN without ACK */
	uint16_t local_port, remote_port; /* remote_port 0: any peer (a bound or listening socket) */
	uint8_t local[16], remote[16];
};

/* Indexed by lwIP's socket number; zero is "nothing known", so no set-up is needed. */
struct socket_note {
	int fd_plus1;       /* the socket's first descriptor + 1; 0: none */
	uint32_t task;      /* the task that used it last */
	char task_name[16];
};

struct flow {
	struct endpoints ends;
	int socket_plus1; /* 0: slot free */
};

static struct spinlock lock;
static struct socket_note sockets[SOCKETS_MAX];
static struct flow flows[FLOWS_MAX];
static unsigned next_flow; /* the slot the next new flow takes, round-robin */

static bool valid(int s) { return s >= 0 && s < SOCKETS_MAX; }

void capture_socket_used(int s)
{
	struct task *t = this_cpu()->current;
	if (!valid(s) || !t || !capture_enabled() || capture_bare())
		return;
	uint64_t f = spin_lock_irqsave(&lock);
	sockets[s].task = t->id;
	memcpy(sockets[s].task_name, t->name, sizeof(sockets[s].task_name));
	spin_unlock_irqrestore(&lock, f);
}

static bool same_ends(const struct endpoints *a, const struct endpoints *b)
{
	return a->proto == b->proto && a->family == b->family && a->local_port == b->local_port &&
	       a->remote_port == b->remote_port && !memcmp(a->local, b->local, 16) &&
	       !memcmp(a->remote, b->remote, 16);
}

/* Under lock: the flow of these endpoints now belongs to socket s. */
static void remember(const struct endpoints *e, int s)
{
	for (unsigned i = 0; i < FLOWS_MAX; i++)
		if (flows[i].socket_plus1 && same_ends(&flows[i].ends, e)) {
			flows[i].socket_plus1 = s + 1;
			return;
		}
	flows[next_flow] = (struct flow){ .ends = *e, .socket_plus1 = s + 1 };
	flows[next_flow].ends.opening = false;
	next_flow = (next_flow + 1) % FLOWS_MAX;
}

/* An address of a socket as the frames carry it: a v4-mapped IPv6 address is IPv4 on the wire. */
static bool from_sockaddr(const struct sockaddr_storage *a, uint8_t *family, uint8_t addr[16], uint16_t *port)
{
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	memset(addr, 0, 16);
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;
		*family = 4;
		*port = lwip_ntohs(in->sin_port);
		memcpy(addr, &in->sin_addr, 4);
		return true;
	}
	if (a->ss_family != AF_INET6)
		return false;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
	const uint8_t *b = (const uint8_t *)&in6->sin6_addr;
	*port = lwip_ntohs(in6->sin6_port);
	bool mapped = !memcmp(b, v4_mapped, 12);
	*family = mapped ? 4 : 6;
	memcpy(addr, mapped ? b + 12 : b, mapped ? 4 : 16);
	return true;
}

/* Socket s's endpoints as lwIP has them: its local address, and its peer's when connected (a
 * bound or listening socket has none, remote_port 0, and takes frames from anyone). */
static void note_endpoints(int s)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sizeof(local), plen = sizeof(peer), tlen;
	int type;
	struct endpoints e = { 0 };
	uint8_t family;
	tlen = sizeof(type);
	if (lwip_getsockname(s, (struct sockaddr *)&local, &llen) < 0 ||
	    lwip_getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 ||
	    !from_sockaddr(&local, &e.family, e.local, &e.local_port))
		return;
	e.proto = type == SOCK_STREAM ? 6 : 17;
	if (lwip_getpeername(s, (struct sockaddr *)&peer, &plen) == 0 &&
	    from_sockaddr(&peer, &family, e.remote, &e.remote_port)) {
		if (e.family == 6 && family == 4) { /* a dual-stack socket's IPv4 peer: its local too */
			memmove(e.local, e.local + 12, 4);
			memset(e.local + 4, 0, 12);
		}
		e.family = family;
	}
	uint64_t f = spin_lock_irqsave(&lock);
	remember(&e, s);
	spin_unlock_irqrestore(&lock, f);
}

void capture_socket_fd(int s, int fd)
{
	if (!valid(s) || !capture_enabled() || capture_bare())
		return;
	uint64_t f = spin_lock_irqsave(&lock);
	sockets[s].fd_plus1 = fd + 1;
	if (fd < 0)
		for (unsigned i = 0; i < FLOWS_MAX; i++)
			if (flows[i].socket_plus1 == s + 1)
				flows[i].socket_plus1 = 0;
	spin_unlock_irqrestore(&lock, f);
	if (fd >= 0) /* an accepted connection's frames are its own from now on */
		note_endpoints(s);
}

void capture_socket_bound(int s)
{
	if (valid(s) && capture_enabled() && !capture_bare())
		note_endpoints(s);
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The frame's TCP or UDP endpoints seen from the guest (local = source of a sent frame). */
static bool parse(const uint8_t *b, size_t len, unsigned direction, struct endpoints *e)
{
	if (len < ETH_HEADER + 20)
		return false;
	unsigned type = be16(b + 12);
	const uint8_t *ip = b + ETH_HEADER, *src, *dst, *l4;
	size_t alen;
	if (type == 0x0800 && (ip[0] >> 4) == 4) {
		if (be16(ip + 6) & 0x1fff) /* a later fragment has no ports */
			return false;
		e->family = 4, e->proto = ip[9], src = ip + 12, dst = ip + 16, alen = 4;
		l4 = ip + (ip[0] & 0xf) * 4;
	} else if (type == 0x86dd && len >= ETH_HEADER + 40) {
		e->family = 6, e->proto = ip[6], src = ip + 8, dst = ip + 24, alen = 16;
		l4 = ip + 40; /* extension headers: not followed */
	} else {
		return false;
	}
	if ((e->proto != 6 && e->proto != 17) || l4 + 4 > b + len)
		return false;
	bool out = direction == HERMIT_CAPTURE_OUT;
	memset(e->local, 0, 16);
	memset(e->remote, 0, 16);
	memcpy(e->local, out ? src : dst, alen);
	memcpy(e->remote, out ? dst : src, alen);
	e->local_port = be16(l4 + (out ? 0 : 2));
	e->remote_port = be16(l4 + (out ? 2 : 0));
	e->opening = e->proto == 17 || (l4 + 14 <= b + len && (l4[13] & 0x12) == 0x02);
	return true;
}

static bool same_ip(const ip_addr_t *a, const struct endpoints *e, const uint8_t *addr)
{
	if (IP_IS_V4(a))
		return e->family == 4 && !memcmp(&ip_2_ip4(a)->addr, addr, 4);
	return e->family == 6 && !memcmp(ip_2_ip6(a)->addr, addr, 16);
}

static int socket_of_conn(const void *conn)
{
	return conn ? ((const struct netconn *)conn)->socket : -1;
}

/* A sent frame: its PCB (the core lock is held) and the PCB's socket, or -1. */
static int sender_socket(const struct endpoints *e)
{
	if (e->proto == 6) {
		struct tcp_pcb *lists[] = { tcp_active_pcbs, tcp_tw_pcbs };
		for (unsigned l = 0; l < 2; l++)
			for (struct tcp_pcb *p = lists[l]; p; p = p->next)
				if (p->local_port == e->local_port && p->remote_port == e->remote_port &&
				    same_ip(&p->remote_ip, e, e->remote))
					return socket_of_conn(p->callback_arg);
		return -1;
	}
	for (struct udp_pcb *p = udp_pcbs; p; p = p->next)
		if (p->local_port == e->local_port &&
		    (!p->remote_port || (p->remote_port == e->remote_port && same_ip(&p->remote_ip, e, e->remote))))
			return socket_of_conn(p->recv_arg);
	return -1;
}

/* Under lock: a received frame's socket from the flows, the exact one before a bound socket's
 * (which takes only datagrams and connection requests: the rest of a closed connection is not
 * the listener's). */
static int receiver_socket(const struct endpoints *e)
{
	static const uint8_t any[16];
	int bound = -1;
	for (unsigned i = 0; i < FLOWS_MAX; i++) {
		const struct flow *fl = &flows[i];
		if (!fl->socket_plus1)
			continue;
		if (same_ends(&fl->ends, e))
			return fl->socket_plus1 - 1;
		const struct endpoints *b = &fl->ends;
		if (e->opening && !b->remote_port && b->proto == e->proto && b->local_port == e->local_port &&
		    (b->family == e->family || b->family == 6) &&
		    (!memcmp(b->local, any, 16) || !memcmp(b->local, e->local, 16)))
			bound = fl->socket_plus1 - 1;
	}
	return bound;
}

static void socket_of(const void *frame, size_t len, unsigned direction, struct hermit_capture_record *rec)
{
	struct endpoints e;
	if (!parse(frame, len, direction, &e))
		return;
	bool out = direction == HERMIT_CAPTURE_OUT;
	int s = out ? sender_socket(&e) : -1;
	uint64_t f = spin_lock_irqsave(&lock);
	if (out && valid(s))
		remember(&e, s);
	else if (!out)
		s = receiver_socket(&e);
	if (valid(s) && sockets[s].fd_plus1) {
		rec->proto = e.proto;
		rec->fd = sockets[s].fd_plus1 - 1;
		rec->family = e.family;
		rec->local_port = e.local_port;
		rec->remote_port = e.remote_port;
		memcpy(rec->local_addr, e.local, 16);
		memcpy(rec->remote_addr, e.remote, 16);
		if (!out && sockets[s].task) {
			rec->task = sockets[s].task;
			memcpy(rec->task_name, sockets[s].task_name, sizeof(rec->task_name));
		}
	}
	spin_unlock_irqrestore(&lock, f);
}

static void copy_name(char *to, size_t size, const char *from)
{
	strncpy(to, from, size - 1);
	to[size - 1] = 0;
}

void capture_add_iface(const struct netdev *dev, const struct netif *nif)
{
	struct hermit_capture_iface *i = capture_iface(dev->index);
	if (!i)
		return;
	char name[8];
	netif_index_to_name(netif_get_index(nif), name);
	copy_name(i->name, sizeof(i->name), name);
	copy_name(i->model, sizeof(i->model), dev->name);
	memcpy(i->mac, dev->mac, sizeof(i->mac));
	i->ipv4 = ip4_addr_get_u32(netif_ip4_addr(nif));
	i->ipv4_mask = ip4_addr_get_u32(netif_ip4_netmask(nif));
	/* The link-local address lwIP makes from the MAC (EUI-64) as the interface comes up, which
	 * already sends frames; addresses learnt later (SLAAC) are not in the capture's table. */
	static const uint8_t link_local[8] = { 0xfe, 0x80 };
	memcpy(i->ipv6[0], link_local, 8);
	memcpy(i->ipv6[0] + 8, dev->mac, 3);
	i->ipv6[0][8] ^= 0x02;
	i->ipv6[0][11] = 0xff;
	i->ipv6[0][12] = 0xfe;
	memcpy(i->ipv6[0] + 13, dev->mac + 3, 3);
	i->ipv6_prefix[0] = 64;
	i->nipv6 = 1;
	capture_iface_ready(dev->index);
}

void capture_describe(struct hermit_capture_record *rec, unsigned iface, unsigned direction,
		      const void *frame, size_t len)
{
	*rec = (struct hermit_capture_record){
		.orig_len = (uint32_t)len, .iface = (uint16_t)iface,
		.direction = (uint16_t)direction, .fd = -1,
	};
	struct task *t = this_cpu()->current;
	if (!capture_enabled() || capture_bare())
		return;
	rec->cpu = (uint16_t)this_cpu()->id;
	if (t) {
		rec->task = t->id;
		memcpy(rec->task_name, t->name, sizeof(rec->task_name));
	}
	socket_of(frame, len, direction, rec);
}
