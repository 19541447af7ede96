/* libc/cpuset.c: glibc's out-of-line helpers of the CPU_* macros, and cpu_set_t <-> CPU masks. */
#include "libc/cpuset.h"

#include <errno.h>
#include <stdlib.h>

int __sched_cpucount(size_t setsize, const cpu_set_t *set)
{
	int n = 0;
	for (size_t i = 0; i < setsize / sizeof(__cpu_mask); i++)
		n += __builtin_popcountl(set->__bits[i]);
	return n;
}

cpu_set_t *__sched_cpualloc(size_t count) { return malloc(CPU_ALLOC_SIZE(count)); }

void __sched_cpufree(cpu_set_t *set) { free(set); }

int cpuset_to_mask(size_t size, const cpu_set_t *set, unsigned ncpus, uint64_t *mask)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < ncpus && i < 64; i++)
		if (CPU_ISSET_S(i, size, set))
			m |= 1ull << i;
	if (!m)
		return EINVAL;
	*mask = m;
	return 0;
}

int cpuset_from_mask(uint64_t mask, unsigned ncpus, size_t size, cpu_set_t *set)
{
	if (size * 8 < ncpus || size % sizeof(__cpu_mask))
		return EINVAL;
	CPU_ZERO_S(size, set);
	for (unsigned i = 0; i < ncpus && i < 64; i++)
		if (mask & (1ull << i))
			CPU_SET_S(i, size, set);
	return 0;
}
