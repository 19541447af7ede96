/*
 * kernel/balance.h: where tasks go on several CPUs: the rules core/sched.c applies, as pure
 * functions of a snapshot of the CPUs' loads (unit-tested on the host). A CPU's load is its
 * running task (its idle task does not count) plus the tasks queued on it; a CPU set is a mask,
 * bit i for CPU i (HERMIT_MAX_CPUS fits).
 *
 *   placement   a task made ready goes to its previous CPU if that one is idle, else to the
 *               idle CPU it may run on with the lowest index; if none is idle, a new task goes
 *               to the least loaded CPU it may run on, a woken one stays on its previous CPU
 *               (if it may still run there; else the least loaded). Ties: the lowest index.
 *   push        a CPU switching tasks with a queued task sends one away to the least loaded
 *               CPU whose load is at least 2 below its own (which the task may run on).
 *   steal       an idle CPU takes the first queued task it may run, from the other CPUs in
 *               turn starting after its own index (core/sched.c).
 */
#ifndef KERNEL_BALANCE_H
#define KERNEL_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

#define CPU_BIT(i) (1ull << (i))
#define BALANCE_NONE (-1)

/* The CPU for a task that becomes ready; allowed holds at least one of the ncpus CPUs. */
unsigned balance_place(const unsigned *load, unsigned ncpus, uint64_t allowed, unsigned prev, bool new_task);
/* The CPU self should push a queued task to, among those in targets, or BALANCE_NONE. */
int balance_push_target(const unsigned *load, unsigned ncpus, unsigned self, uint64_t targets);

#endif
