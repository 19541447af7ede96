# net/net.mk: lwIP (fetched from Debian's lwip source package and built here, never committed),
# Hermit's port of it, the network drivers and the socket layer. Included by kernel/kernel.mk;
# the objects join libhermit.a.

LWIP_DIR := $(BUILD)/lwip
LWIP_STAMP := $(LWIP_DIR)/.fetched
LWIP_FILES := core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
	core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
	core/tcp_out.c core/timeouts.c core/udp.c core/ipv4/etharp.c core/ipv4/icmp.c \
	core/ipv4/ip4_frag.c core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv6/ethip6.c core/ipv6/icmp6.c \
	core/ipv6/inet6.c core/ipv6/ip6.c core/ipv6/ip6_addr.c core/ipv6/ip6_frag.c core/ipv6/mld6.c \
	core/ipv6/nd6.c api/api_lib.c api/api_msg.c \
	api/err.c api/if_api.c api/netbuf.c api/netdb.c api/sockets.c api/tcpip.c netif/ethernet.c
LWIP_OBJS := $(LWIP_FILES:%.c=$(OBJ)/lwip/%.o)
# net/pcapng.c writes capture files: host code (the proxy's), not the kernel's.
NET_SRCS := $(filter-out net/pcapng.c,$(wildcard net/*.c net/drivers/*.c))
NET_OBJS := $(NET_SRCS:%.c=$(OBJ)/%.o)
NET_HEADERS := $(wildcard net/include/*.h net/include/arch/*.h net/*.h)
NET_CFLAGS := $(KERNEL_CFLAGS) -Inet/include -Inet -I$(LWIP_DIR)/src/include

$(LWIP_STAMP): kernel/toolchain/fetch-debian-source.sh
	kernel/toolchain/fetch-debian-source.sh lwip 2.1.3 $(LWIP_DIR) $(BUILD)/debian-apt
	touch $@

# Third-party code: the kernel's flags, but its warnings are not ours to fix.
$(LWIP_OBJS): $(OBJ)/lwip/%.o: $(LWIP_STAMP) $(HEADERS_STAMP) $(NET_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(filter-out -Werror -Wall -Wextra,$(NET_CFLAGS)) -w -c $(LWIP_DIR)/src/$*.c -o $@

$(NET_OBJS): $(OBJ)/net/%.o: net/%.c $(LWIP_STAMP) $(HEADERS_STAMP) $(NET_HEADERS)
	@mkdir -p $(@D)
	$(HOST_CC) $(NET_CFLAGS) -MMD -MP -c $< -o $@

-include $(NET_OBJS:.o=.d)
