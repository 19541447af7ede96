/*
 * net/pcapng.h: the capture file formats Wireshark reads, written into memory: pcapng (Section
 * Header, Interface Description, Enhanced Packet and Interface Statistics blocks) and classic
 * pcap with nanosecond timestamps. Host code only (the proxy, the unit tests, gdb's scripts'
 * reference): the kernel copies frames into its ring and never writes a file.
 *
 * Every writer fills out[0, cap) and returns the number of bytes the block needs: when that is
 * more than cap nothing was written, as with snprintf. Blocks are little-endian (the byte-order
 * magic says so), options padded to 4 bytes, every block ends with its length again.
 */
#ifndef NET_PCAPNG_H
#define NET_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#define PCAPNG_IPV6_MAX 3
#define PCAPNG_IN 1  /* epb_flags' inbound, pcap's "direction" */
#define PCAPNG_OUT 2

struct pcapng_interface {
	uint16_t linktype;       /* LINKTYPE_ETHERNET ... */
	uint32_t snaplen;
	const char *name;        /* if_name, NULL: none */
	const char *description; /* if_description: the network card's model, NULL: none */
	const uint8_t *mac;      /* if_MACaddr, 6 bytes, NULL: none */
	uint32_t ipv4, ipv4_mask; /* if_IPv4addr, network byte order; 0: none */
	unsigned nipv6;
	uint8_t ipv6[PCAPNG_IPV6_MAX][16]; /* if_IPv6addr with its prefix length */
	uint8_t ipv6_prefix[PCAPNG_IPV6_MAX];
};

struct pcapng_packet {
	uint32_t interface;  /* the order of its Interface Description Block, from 0 */
	uint64_t time_ns;    /* since 1970 (if_tsresol 9) */
	uint32_t cap_len, orig_len;
	const uint8_t *data; /* cap_len bytes */
	unsigned direction;  /* 0, PCAPNG_IN or PCAPNG_OUT: epb_flags */
	uint64_t dropcount;  /* epb_dropcount: frames lost since the previous one; 0: no option */
	const char *comment; /* opt_comment, NULL: none */
};

/* shb_userappl names the writer: "Hermit". */
size_t pcapng_section(uint8_t *out, size_t cap);
/* Nanosecond timestamps (if_tsresol 9). */
size_t pcapng_interface(uint8_t *out, size_t cap, const struct pcapng_interface *ifc);
size_t pcapng_packet(uint8_t *out, size_t cap, const struct pcapng_packet *p);
/* isb_ifrecv and isb_ifdrop of an interface at time_ns. */
size_t pcapng_statistics(uint8_t *out, size_t cap, uint32_t interface, uint64_t time_ns,
			 uint64_t received, uint64_t dropped);

/* Classic pcap, nanosecond variant (magic 0xa1b23c4d). */
size_t pcap_header(uint8_t *out, size_t cap, uint16_t linktype, uint32_t snaplen);
size_t pcap_packet(uint8_t *out, size_t cap, const struct pcapng_packet *p);

#endif
