/*
 * libc/cpuset.h: cpu_set_t against the kernel's CPU masks (bit i for CPU i, kernel/balance.h),
 * with Linux's rules for the affinity calls: bits of CPUs that do not exist are ignored, and a
 * set without any CPU that exists is EINVAL; a set read back must hold every CPU that exists
 * and be a whole number of longs (else EINVAL), and is zero past them.
 */
#ifndef LIBC_CPUSET_H
#define LIBC_CPUSET_H

#include <stdint.h>
#include <sys/cpuset.h>

/* The CPUs below ncpus in set (size bytes) as a mask: 0, or EINVAL when there are none. */
int cpuset_to_mask(size_t size, const cpu_set_t *set, unsigned ncpus, uint64_t *mask);
/* mask's CPUs below ncpus written as set (size bytes): 0, or EINVAL for a size too small. */
int cpuset_from_mask(uint64_t mask, unsigned ncpus, size_t size, cpu_set_t *set);

#endif
