/*
 * net/ifname.c: if_nametoindex and if_indextoname over lwIP's interface list ("lo0", "en1": two
 * letters and a number; the index is the number plus one).
 */
#include <errno.h>
#include <string.h>

#include "kernel/net.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#define IF_NAMESIZE 16

unsigned int if_nametoindex(const char *name)
{
	net_start();
	LOCK_TCPIP_CORE();
	struct netif *nif = netif_find(name);
	unsigned index = nif ? netif_get_index(nif) : 0;
	UNLOCK_TCPIP_CORE();
	if (!index)
		errno = ENODEV;
	return index;
}

char *if_indextoname(unsigned int index, char *name)
{
	net_start();
	char found[NETIF_NAMESIZE] = "";
	LOCK_TCPIP_CORE();
	if (index > 0 && index <= 255)
		netif_index_to_name((u8_t)index, found);
	UNLOCK_TCPIP_CORE();
	if (!found[0]) {
		errno = ENXIO;
		return NULL;
	}
	_Static_assert(NETIF_NAMESIZE <= IF_NAMESIZE, "net/if.h");
	memcpy(name, found, sizeof(found));
	return name;
}
