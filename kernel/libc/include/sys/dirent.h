/*
 * sys/dirent.h for Hermit (newlib's is an #error): directory entries as Linux gives them, read
 * from the host through the proxy (kernel/libc/dirs.c). <dirent.h> declares the functions.
 */
#ifndef _SYS_DIRENT_H
#define _SYS_DIRENT_H

#include <sys/types.h>

#define _DIRENT_HAVE_D_OFF
#define _DIRENT_HAVE_D_RECLEN
#define _DIRENT_HAVE_D_TYPE

#ifndef NAME_MAX
#define NAME_MAX 255
#endif
#define MAXNAMLEN NAME_MAX

struct dirent {
	ino_t d_ino;
	off_t d_off;             /* telldir() position of the next entry */
	unsigned short d_reclen;
	unsigned char d_type;    /* DT_* */
	char d_name[NAME_MAX + 1];
};

/* d_type: Linux's values, as the host reports them. */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#define DT_WHT 14
#define IFTODT(mode) (((mode) & 0170000) >> 12)
#define DTTOIF(type) ((type) << 12)

typedef struct __hermit_dir DIR;

#endif
