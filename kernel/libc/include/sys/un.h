/*
 * sys/un.h: Unix-domain socket addresses. Hermit has no Unix-domain sockets (one app, no
 * filesystem of sockets): socket(AF_UNIX, ...) fails with EAFNOSUPPORT; the type is here so that
 * programs handling several families compile.
 */
#ifndef _HERMIT_SYS_UN_H
#define _HERMIT_SYS_UN_H

#include <sys/socket.h>

struct sockaddr_un {
	uint8_t sun_len;
	sa_family_t sun_family;
	char sun_path[108];
};

#endif
