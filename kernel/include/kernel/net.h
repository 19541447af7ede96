/*
 * kernel/net.h: what the rest of the kernel knows of the network (net/). The boot path hands over
 * the host's settings; the stack itself starts on first use (the first socket), so images that
 * never touch the network never run it.
 */
#ifndef KERNEL_NET_H
#define KERNEL_NET_H

#include <stdbool.h>
#include <stdint.h>

struct net_config {
	uint32_t ip, gateway, mask; /* network byte order; ip 0: the host configured none */
};

/* Boot, after the CONFIG hypercall: remembers the settings; sets up the capture ring (anchor
 * .capture) when capture_kib > 0. */
void net_boot_config(const struct net_config *cfg, uint32_t capture_kib, bool capture_bare);
const struct net_config *net_config(void);

/* Starts lwIP and brings up every interface found; later calls return at once. 0, or -1 when no
 * network device exists. Task context. */
int net_start(void);

#endif
