/*
 * net/if.h: network interface names (Hermit): lwIP's, two letters and a number unique across
 * interfaces: "lo0" for loopback, then "en1", "en2", ... for the cards; the index is the number
 * plus one. The stack starts on the first call.
 */
#ifndef _HERMIT_NET_IF_H
#define _HERMIT_NET_IF_H

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

#ifdef __cplusplus
extern "C" {
#endif

/* 0 (errno ENODEV) when no interface has that name. */
unsigned int if_nametoindex(const char *name);
/* name (IF_NAMESIZE bytes), or NULL (errno ENXIO) when no interface has that index. */
char *if_indextoname(unsigned int index, char *name);

#ifdef __cplusplus
}
#endif

#endif
