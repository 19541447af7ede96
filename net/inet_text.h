/*
 * net/inet_text.h: Internet addresses as text, the way inet_pton and inet_ntop read and write
 * them (POSIX, with glibc's choices where POSIX leaves them open). Addresses are in network byte
 * order. Portable: the unit tests compare it with the host's C library.
 */
#ifndef NET_INET_TEXT_H
#define NET_INET_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define INET_TEXT4_MAX 16 /* "255.255.255.255" and its NUL */
#define INET_TEXT6_MAX 46 /* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" and its NUL */

/* Dotted decimal, exactly four parts of 0-255 without leading zeros: 1, or 0 if malformed. */
int inet_text4_parse(const char *text, uint8_t addr[4]);
/* Hex groups with at most one "::" and an optional dotted IPv4 tail: 1, or 0 if malformed. */
int inet_text6_parse(const char *text, uint8_t addr[16]);
/* The text of addr into out (len bytes): its length, or -1 if it does not fit. */
int inet_text4_format(const uint8_t addr[4], char *out, size_t len);
/* RFC 5952 form: lowercase, the first longest run of two or more zero groups as "::", and
 * IPv4-mapped or -compatible addresses with a dotted tail. Its length, or -1 if it does not fit. */
int inet_text6_format(const uint8_t addr[16], char *out, size_t len);

#endif
