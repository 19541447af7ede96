/*
 * net/names.c: address text and names that need no network stack: inet_pton, inet_ntop,
 * getnameinfo (numeric only: lwIP has no reverse DNS, Hermit no services database),
 * gai_strerror, in6addr_any and in6addr_loopback. Compiled against the headers apps see.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "app_numbers.h"
#include "inet_text.h"

_Static_assert(AF_UNIX == APP_AF_UNIX && AF_INET6 == APP_AF_INET6, "sys/socket.h");
_Static_assert(SOCK_NONBLOCK == APP_SOCK_NONBLOCK && SOCK_CLOEXEC == APP_SOCK_CLOEXEC, "sys/socket.h");
_Static_assert(EAI_NONAME == APP_EAI_NONAME && EAI_FAIL == APP_EAI_FAIL && EAI_FAMILY == APP_EAI_FAMILY &&
		       EAI_SERVICE == APP_EAI_SERVICE && EAI_MEMORY == APP_EAI_MEMORY, "netdb.h");
_Static_assert(sizeof(struct sockaddr_in6) == 28 && sizeof(struct sockaddr_storage) == 128 &&
		       sizeof(struct sockaddr_storage) >= sizeof(struct sockaddr_un), "netinet/in.h");
_Static_assert(INET6_ADDRSTRLEN == INET_TEXT6_MAX && INET_ADDRSTRLEN == INET_TEXT4_MAX, "netinet/in.h");

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;

int inet_pton(int family, const char *text, void *addr)
{
	if (family == AF_INET)
		return inet_text4_parse(text, addr);
	if (family == AF_INET6)
		return inet_text6_parse(text, addr);
	errno = EAFNOSUPPORT;
	return -1;
}

const char *inet_ntop(int family, const void *addr, char *text, socklen_t len)
{
	int n;
	if (family == AF_INET)
		n = inet_text4_format(addr, text, len);
	else if (family == AF_INET6)
		n = inet_text6_format(addr, text, len);
	else {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	if (n < 0) {
		errno = ENOSPC;
		return NULL;
	}
	return text;
}

/* The numeric host of addr into host: 0 or an EAI code. */
static int numeric_host(const struct sockaddr *addr, char *host, socklen_t hostlen)
{
	int n;
	if (addr->sa_family == AF_INET) {
		n = inet_text4_format((const uint8_t *)&((const struct sockaddr_in *)addr)->sin_addr, host, hostlen);
	} else {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)addr;
		n = inet_text6_format(a6->sin6_addr.s6_addr, host, hostlen);
		if (n >= 0 && a6->sin6_scope_id) { /* a zone: the interface's name, as glibc gives it */
			char name[IF_NAMESIZE];
			int m = if_indextoname(a6->sin6_scope_id, name)
					? snprintf(host + n, hostlen - (socklen_t)n, "%%%s", name)
					: snprintf(host + n, hostlen - (socklen_t)n, "%%%u", (unsigned)a6->sin6_scope_id);
			n = m < (int)(hostlen - (socklen_t)n) ? n + m : -1;
		}
	}
	return n < 0 ? EAI_OVERFLOW : 0;
}

int getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host, socklen_t hostlen, char *serv,
		socklen_t servlen, int flags)
{
	if (flags & ~(NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM))
		return EAI_BADFLAGS;
	if (!addr || (addr->sa_family == AF_INET && addrlen < sizeof(struct sockaddr_in)) ||
	    (addr->sa_family == AF_INET6 && addrlen < sizeof(struct sockaddr_in6)) ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
		return EAI_FAMILY;
	if (!(host && hostlen) && !(serv && servlen))
		return EAI_NONAME;
	if (host && hostlen) {
		if (flags & NI_NAMEREQD)
			return EAI_NONAME; /* no reverse lookup here: there is never a name */
		int r = numeric_host(addr, host, hostlen);
		if (r)
			return r;
	}
	if (serv && servlen) {
		in_port_t port = ((const struct sockaddr_in *)addr)->sin_port; /* same place in both */
		if (snprintf(serv, servlen, "%u", ntohs(port)) >= (int)servlen)
			return EAI_OVERFLOW;
	}
	return 0;
}

const char *gai_strerror(int code)
{
	switch (code) {
	case 0: return "Success";
	case EAI_BADFLAGS: return "Bad value for ai_flags";
	case EAI_NONAME: return "Name or service not known";
	case EAI_AGAIN: return "Temporary failure in name resolution";
	case EAI_FAIL: return "Non-recoverable failure in name resolution";
	case EAI_NODATA: return "No address associated with hostname";
	case EAI_FAMILY: return "ai_family not supported";
	case EAI_SOCKTYPE: return "ai_socktype not supported";
	case EAI_SERVICE: return "Servname not supported for ai_socktype";
	case EAI_ADDRFAMILY: return "Address family for hostname not supported";
	case EAI_MEMORY: return "Memory allocation failure";
	case EAI_SYSTEM: return "System error";
	case EAI_OVERFLOW: return "Argument buffer overflow";
	default: return "Unknown error";
	}
}
