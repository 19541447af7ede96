/*
 * Hermit's <sys/cpuset.h>: glibc's cpu_set_t and CPU_* macros, with glibc's names, sizes and
 * meaning (a set of CPU_SETSIZE bits; the _S forms take the set's size in bytes, CPU_ALLOC
 * makes one for a count of CPUs). <sched.h> includes it with _GNU_SOURCE, as glibc's does.
 * A CPU index outside the set is ignored by CPU_SET/CPU_CLR and absent for CPU_ISSET.
 */
#ifndef _SYS_CPUSET_H_
#define _SYS_CPUSET_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CPU_SETSIZE 1024
typedef unsigned long __cpu_mask;
#define __NCPUBITS (8 * sizeof(__cpu_mask))
typedef struct {
	__cpu_mask __bits[CPU_SETSIZE / __NCPUBITS];
} cpu_set_t;

int __sched_cpucount(size_t __setsize, const cpu_set_t *__set);
cpu_set_t *__sched_cpualloc(size_t __count);
void __sched_cpufree(cpu_set_t *__set);

static __inline__ __cpu_mask *__cpuset_word(size_t __cpu, size_t __setsize, const cpu_set_t *__set)
{
	return __cpu / 8 < __setsize ? (__cpu_mask *)&__set->__bits[__cpu / __NCPUBITS] : (__cpu_mask *)0;
}
static __inline__ __cpu_mask __cpuset_bit(size_t __cpu) { return (__cpu_mask)1 << (__cpu % __NCPUBITS); }
static __inline__ void __cpuset_zero(size_t __setsize, cpu_set_t *__set)
{
	for (size_t __i = 0; __i < __setsize / sizeof(__cpu_mask); __i++)
		__set->__bits[__i] = 0;
}
static __inline__ int __cpuset_equal(size_t __setsize, const cpu_set_t *__a, const cpu_set_t *__b)
{
	for (size_t __i = 0; __i < __setsize / sizeof(__cpu_mask); __i++)
		if (__a->__bits[__i] != __b->__bits[__i])
			return 0;
	return 1;
}
#define __CPUSET_OP(__setsize, __dest, __a, __b, __op)                                              \
	do {                                                                                        \
		cpu_set_t *__d = (__dest);                                                          \
		const cpu_set_t *__x = (__a), *__y = (__b);                                         \
		for (size_t __i = 0; __i < (size_t)(__setsize) / sizeof(__cpu_mask); __i++)         \
			__d->__bits[__i] = __x->__bits[__i] __op __y->__bits[__i];                   \
	} while (0)

#define CPU_ALLOC_SIZE(count) ((((size_t)(count) + __NCPUBITS - 1) / __NCPUBITS) * sizeof(__cpu_mask))
#define CPU_ALLOC(count) __sched_cpualloc(count)
#define CPU_FREE(set) __sched_cpufree(set)

#define CPU_ZERO_S(setsize, set) __cpuset_zero(setsize, set)
#define CPU_SET_S(cpu, setsize, set)                                                                \
	(__extension__({                                                                            \
		size_t __c = (cpu);                                                                 \
		__cpu_mask *__w = __cpuset_word(__c, setsize, set);                                 \
		__w ? (*__w |= __cpuset_bit(__c)) : 0;                                              \
	}))
#define CPU_CLR_S(cpu, setsize, set)                                                                \
	(__extension__({                                                                            \
		size_t __c = (cpu);                                                                 \
		__cpu_mask *__w = __cpuset_word(__c, setsize, set);                                 \
		__w ? (*__w &= ~__cpuset_bit(__c)) : 0;                                             \
	}))
#define CPU_ISSET_S(cpu, setsize, set)                                                              \
	(__extension__({                                                                            \
		size_t __c = (cpu);                                                                 \
		const __cpu_mask *__w = __cpuset_word(__c, setsize, set);                           \
		__w ? (*__w & __cpuset_bit(__c)) != 0 : 0;                                          \
	}))
#define CPU_COUNT_S(setsize, set) __sched_cpucount(setsize, set)
#define CPU_EQUAL_S(setsize, a, b) __cpuset_equal(setsize, a, b)
#define CPU_AND_S(setsize, dest, a, b) __CPUSET_OP(setsize, dest, a, b, &)
#define CPU_OR_S(setsize, dest, a, b) __CPUSET_OP(setsize, dest, a, b, |)
#define CPU_XOR_S(setsize, dest, a, b) __CPUSET_OP(setsize, dest, a, b, ^)

#define CPU_ZERO(set) CPU_ZERO_S(sizeof(cpu_set_t), set)
#define CPU_SET(cpu, set) CPU_SET_S(cpu, sizeof(cpu_set_t), set)
#define CPU_CLR(cpu, set) CPU_CLR_S(cpu, sizeof(cpu_set_t), set)
#define CPU_ISSET(cpu, set) CPU_ISSET_S(cpu, sizeof(cpu_set_t), set)
#define CPU_COUNT(set) CPU_COUNT_S(sizeof(cpu_set_t), set)
#define CPU_EQUAL(a, b) CPU_EQUAL_S(sizeof(cpu_set_t), a, b)
#define CPU_AND(dest, a, b) CPU_AND_S(sizeof(cpu_set_t), dest, a, b)
#define CPU_OR(dest, a, b) CPU_OR_S(sizeof(cpu_set_t), dest, a, b)
#define CPU_XOR(dest, a, b) CPU_XOR_S(sizeof(cpu_set_t), dest, a, b)

#ifdef __cplusplus
}
#endif

#endif
