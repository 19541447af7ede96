/* host_cpus.c: host threads as CPUs (host_cpus.h). */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "host_cpus.h"
#include "kernel/clock.h"
#include "kernel/ipi.h"
#include "kernel/smp.h"

__thread unsigned this_cpu;
unsigned host_cpus_online = 1;
int host_cpus_quit;

unsigned smp_cpu_index(void) { return this_cpu; }
unsigned smp_cpus_online(void) { return host_cpus_online; }
void arch_cpu_relax(void) { sched_yield(); } /* more threads than host CPUs */

uint64_t clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *cpu_main(void *arg)
{
	struct cpu_thread *c = arg;
	this_cpu = c->index;
	c->work();
	return NULL;
}

void host_cpu_start(struct cpu_thread *t, unsigned index, void (*work)(void))
{
	*t = (struct cpu_thread){ .index = index, .work = work };
	assert_int_equal(pthread_create(&t->thread, NULL, cpu_main, t), 0);
}

void host_cpus_stop(struct cpu_thread *t, unsigned first, unsigned last)
{
	__atomic_store_n(&host_cpus_quit, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = first; i <= last; i++)
		pthread_join(t[i].thread, NULL);
}
