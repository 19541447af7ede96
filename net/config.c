/*
 * net/config.c: the host's network settings, kept from boot until the stack starts. No lwIP here,
 * so images without sockets carry only this and the capture ring.
 */
#include "kernel/net.h"
#include "netdev.h"

static struct net_config config;

void net_boot_config(const struct net_config *cfg, uint32_t capture_kib, bool capture_bare)
{
	config = *cfg;
	capture_init(capture_kib, capture_bare);
}

const struct net_config *net_config(void) { return &config; }
