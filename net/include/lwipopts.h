/*
 * lwipopts.h: how Hermit configures lwIP (see lwIP's opt.h for every option). An OS build
 * (NO_SYS=0): the stack runs in its tcpip task; apps use the socket API from their own tasks,
 * which lock the core directly (LWIP_TCPIP_CORE_LOCKING) instead of messaging the tcpip task.
 */
#ifndef HERMIT_LWIPOPTS_H
#define HERMIT_LWIPOPTS_H

/* newlib's definitions win over lwIP's fallbacks: errno values, O_NONBLOCK, F_GETFL, timeval. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/time.h>

#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
/* Once the tcpip task runs, every core function checks that its caller holds the core lock. */
#define LWIP_ASSERT_CORE_LOCKED() sys_arch_assert_core_locked()
#define LWIP_MARK_TCPIP_THREAD() sys_arch_mark_tcpip_thread()
/* Before each IPv4 packet, the tcpip task lets waiting socket callers have the core lock. */
#define LWIP_HOOK_IP4_INPUT(p, inp) sys_arch_pass_core_lock()

/* Memory: everything from the C library's malloc (thread-safe, task context only). */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEM_SIZE (1024 * 1024)

/* Protocols: IPv4 and IPv6 (dual-stack sockets), ARP, ICMP, UDP, TCP, DNS. IPv6 addresses: the
 * link-local one from the MAC, more from router advertisements (SLAAC). */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 0
#define LWIP_ICMP6 1
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
#define IPV6_FRAG_COPYHEADER 1 /* its reassembly helper is larger than a fragment header on 64-bit */
#define LWIP_IPV6_DHCP6 0
#define MEMP_NUM_MLD6_GROUP 8
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DNS 1
#define LWIP_DHCP 0
#define LWIP_IGMP 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 64

/* TCP sized for throughput: 64 full segments in flight each way, window scaling on. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (128 * TCP_MSS)
#define TCP_SND_BUF (128 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT (TCP_SND_BUF / 4)
#define TCP_OVERSIZE TCP_MSS
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define LWIP_TCP_KEEPALIVE 1
/* With MEMP_MEM_MALLOC these counts bound nothing (every pool object is a malloc), except
 * MEMP_NUM_NETCONN, which would size a fixed socket table if LWIP_SOCKET_OPEN_COUNT were 0. */
#define MEMP_NUM_TCP_SEG 1024
#define MEMP_NUM_TCP_PCB 1024
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 1024
#define MEMP_NUM_NETCONN 1024
#define MEMP_NUM_NETBUF 1024
#define MEMP_NUM_TCPIP_MSG_INPKT 1024
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define PBUF_POOL_SIZE 1024
#define PBUF_POOL_BUFSIZE 1600
#define ARP_TABLE_SIZE 16
#define ARP_QUEUEING 1

/*
 * The socket API, under lwip_* names: Hermit's libc maps its descriptors onto them.
 * Sockets live on the heap (LWIP_SOCKET_OPEN_COUNT, from Debian's max_sockets patch), numbered
 * from 0 filling gaps: the fixed table that patch leaves otherwise hands out index NUM_SOCKETS
 * when full (and lwip_accept asserts), so the limit is Hermit's descriptor table (kernel/fd.h),
 * checked before lwIP allocates. That mode has no lwip_select; select is built on lwip_poll.
 * Full duplex (one thread reading while another writes or closes) needs a semaphore per thread
 * (sys_arch.c); it also keeps a socket's memory until its last user is out.
 */
#define LWIP_SOCKET 1
#define LWIP_SOCKET_OPEN_COUNT 1
#define LWIP_NETCONN_FULLDUPLEX 1
#define LWIP_NETCONN_SEM_PER_THREAD 1
#define LWIP_NETCONN_THREAD_SEM_GET() sys_arch_netconn_sem()
#define LWIP_NETCONN_THREAD_SEM_ALLOC() ((void)sys_arch_netconn_sem())
#define LWIP_NETCONN_THREAD_SEM_FREE() ((void)0)
#define LWIP_NETCONN 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET 0
#define LWIP_SOCKET_SELECT 0
#define LWIP_SOCKET_POLL 1
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVBUF 1
#define LWIP_SO_LINGER 1
#define SO_REUSE 1
#define LWIP_TCP_CLOSE_TIMEOUT_MS_DEFAULT 5000
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_DNS_API_DECLARE_STRUCTS 1
#define LWIP_NETIF_API 0
#define LWIP_RAND() ((u32_t)rand())

/* Tasks and mailboxes. */
#define TCPIP_THREAD_NAME "tcpip"
#define TCPIP_THREAD_STACKSIZE (64 * 1024)
#define TCPIP_THREAD_PRIO 1
#define TCPIP_MBOX_SIZE 2048
#define DEFAULT_THREAD_STACKSIZE (64 * 1024)
#define DEFAULT_RAW_RECVMBOX_SIZE 256
#define DEFAULT_UDP_RECVMBOX_SIZE 256
#define DEFAULT_TCP_RECVMBOX_SIZE 512
#define DEFAULT_ACCEPTMBOX_SIZE 256 /* holds a full backlog (lwIP caps it at 255) */

/* Checksums in software (the virtio offloads are not negotiated). */
#define LWIP_CHKSUM_ALGORITHM 3

/* Debian's package patches sockets.c to read and write address lengths through these (for the
 * Hurd's sockaddr); lwIP's own 4.4BSD layouts carry the length byte. */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) ((sin)->sin_len = sizeof(struct sockaddr_in))
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) ((sin6)->sin6_len = sizeof(struct sockaddr_in6))
#define IPADDR_SOCKADDR_GET_LEN(addr) ((addr)->sa.sa_len)

#define LWIP_STATS 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_SINGLE_NETIF 0

#endif
