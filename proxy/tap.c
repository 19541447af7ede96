/*
 * proxy/tap.c: the tap device of HERMIT_NETIF, opened by the proxy and handed to QEMU as a
 * descriptor. Opening it here turns a missing, busy or wrong device into one clear message before
 * anything starts; QEMU opening it by name would instead create a missing device (as root) and
 * leave the guest on a dead link.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "proxy.h"

int tap_open(const char *name, char *err, size_t errlen)
{
	if (if_nametoindex(name) == 0) {
		snprintf(err, errlen, "hermit: HERMIT_NETIF=%s: no such network interface (create it with "
			 "`ip tuntap add %s mode tap`)", name, name);
		return -1;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "hermit: HERMIT_NETIF=%s: cannot open /dev/net/tun: %s", name, strerror(errno));
		return -1;
	}
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	memcpy(ifr.ifr_name, name, strlen(name) + 1); /* settings.c checked it fits */
	if (ioctl(fd, TUNSETIFF, &ifr) == 0)
		return fd;
	int e = errno;
	close(fd);
	if (e == EBUSY)
		snprintf(err, errlen, "hermit: HERMIT_NETIF=%s: the tap device is busy (another program, "
			 "perhaps another guest, has it open)", name);
	else if (e == EINVAL)
		snprintf(err, errlen, "hermit: HERMIT_NETIF=%s: not a tap device", name);
	else
		snprintf(err, errlen, "hermit: HERMIT_NETIF=%s: cannot attach to the tap device: %s", name,
			 strerror(e));
	return -1;
}
