/*
 * arpa/inet.h: address conversions (Hermit). inet_pton and inet_ntop take AF_INET and AF_INET6
 * (text as glibc writes and reads it), others fail with EAFNOSUPPORT.
 */
#ifndef _HERMIT_ARPA_INET_H
#define _HERMIT_ARPA_INET_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

in_addr_t inet_addr(const char *text);
int inet_aton(const char *text, struct in_addr *addr);
char *inet_ntoa(struct in_addr addr);
int inet_pton(int family, const char *text, void *addr);
const char *inet_ntop(int family, const void *addr, char *text, socklen_t len);

#ifdef __cplusplus
}
#endif

#endif
