/*
 * netinet/tcp.h: TCP socket options (Hermit, lwIP's numbers).
 */
#ifndef _HERMIT_NETINET_TCP_H
#define _HERMIT_NETINET_TCP_H

#define TCP_NODELAY 0x01
#define TCP_KEEPALIVE 0x02
#define TCP_KEEPIDLE 0x03  /* seconds */
#define TCP_KEEPINTVL 0x04 /* seconds */
#define TCP_KEEPCNT 0x05

#endif
