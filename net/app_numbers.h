/*
 * net/app_numbers.h: numbers of Hermit's socket headers (kernel/libc/include) that lwIP's own
 * headers lack or define otherwise. net/socket.c, compiled against lwIP's headers, uses them;
 * net/names.c, compiled against Hermit's, checks them against the headers apps see.
 */
#ifndef NET_APP_NUMBERS_H
#define NET_APP_NUMBERS_H

#define APP_AF_UNIX 1
#define APP_AF_INET6 10
#define APP_SOCK_NONBLOCK 0x800
#define APP_SOCK_CLOEXEC 0x80000

/* getaddrinfo's codes are glibc's. */
#define APP_EAI_NONAME -2
#define APP_EAI_FAIL -4
#define APP_EAI_FAMILY -6
#define APP_EAI_SERVICE -8
#define APP_EAI_MEMORY -10

#endif
