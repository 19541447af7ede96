/*
 * libc/getline.c: newlib's line readers under their POSIX names.
 */
#include <stdio.h>

ssize_t getdelim(char **line, size_t *cap, int delim, FILE *fp) { return __getdelim(line, cap, delim, fp); }
ssize_t getline(char **line, size_t *cap, FILE *fp) { return __getdelim(line, cap, '\n', fp); }
