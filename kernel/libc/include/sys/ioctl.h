/*
 * sys/ioctl.h: the ioctls Hermit's sockets understand (lwIP's numbers).
 */
#ifndef _HERMIT_SYS_IOCTL_H
#define _HERMIT_SYS_IOCTL_H

#define FIONREAD 0x4008667fL /* bytes waiting to be read: int */
#define FIONBIO 0x8008667eL  /* non-blocking on (non-zero int) or off */

int ioctl(int fd, unsigned long request, ...);

#endif
