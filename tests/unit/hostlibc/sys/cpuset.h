/* Hermit's <sys/cpuset.h> for host unit tests (glibc has none); nothing else of Hermit's libc. */
#include "../../../../kernel/libc/include/sys/cpuset.h"
