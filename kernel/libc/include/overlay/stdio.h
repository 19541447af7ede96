/*
 * Hermit's <stdio.h>: newlib's, with POSIX 2008's getline and getdelim declared (newlib has them
 * only as __getline and __getdelim; libc/getline.c gives them their names).
 */
#ifndef HERMIT_STDIO_H
#define HERMIT_STDIO_H

#include_next <stdio.h>

#if __POSIX_VISIBLE >= 200809 && !defined(__ASSEMBLER__)
#ifdef __cplusplus
extern "C" {
#endif
ssize_t getdelim(char **__restrict, size_t *__restrict, int, FILE *__restrict);
ssize_t getline(char **__restrict, size_t *__restrict, FILE *__restrict);
#ifdef __cplusplus
}
#endif
#endif

#endif
