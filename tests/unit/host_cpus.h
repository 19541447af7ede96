/*
 * host_cpus.h: host threads as CPUs, for the unit tests of the kernel's SMP code (test_ipi,
 * test_stopall). Each thread plays one CPU: smp_cpu_index() is its index, an "interrupt" is a flag
 * the test's own code polls. host_cpus.c provides the kernel calls this needs (smp_cpu_index,
 * smp_cpus_online, arch_cpu_relax, clock_ns).
 */
#ifndef HOST_CPUS_H
#define HOST_CPUS_H

#include <pthread.h>

extern __thread unsigned this_cpu;  /* the CPU the calling thread plays */
extern unsigned host_cpus_online;   /* smp_cpus_online(), set by the test */
extern int host_cpus_quit;          /* set by host_cpus_stop(): the threads' work returns */

struct cpu_thread {
	pthread_t thread;
	unsigned index;
	void (*work)(void);
};

/* A thread that plays CPU index and runs work. */
void host_cpu_start(struct cpu_thread *t, unsigned index, void (*work)(void));
/* Sets host_cpus_quit and waits for the threads of CPUs first to last. */
void host_cpus_stop(struct cpu_thread *t, unsigned first, unsigned last);

#endif
