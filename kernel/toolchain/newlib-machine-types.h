/*
 * newlib's machine/_types.h for Hermit, put in place of newlib's generic one before newlib is
 * built (build-newlib.sh), so that newlib and every app agree. Hermit's files are the host's
 * (Linux) files: device and inode numbers are 64 bits wide and owners 32 bits, as on Linux, so
 * st_dev and st_ino identify a host file (SQLite relies on it) and st_uid is the host's.
 */
#ifndef _MACHINE__TYPES_H
#define _MACHINE__TYPES_H
#include <machine/_default_types.h>

#define __machine_dev_t_defined
typedef __uint64_t __dev_t;
#define __machine_ino_t_defined
typedef __uint64_t __ino_t;
#define __machine_uid_t_defined
typedef __uint32_t __uid_t;
#define __machine_gid_t_defined
typedef __uint32_t __gid_t;

#endif
