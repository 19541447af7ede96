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
 *   rotate      at the end of a slice, a CPU with 2 or more tasks hands its longest-waiting
 *               queued task (one that waited a whole slice and has run at least as long as the
 *               running task before its slice; the running task keeps the CPU with fewer
 *               rivals) to the least loaded CPU whose load
 *               is below its own, at most once per BALANCE_ROTATE_NS over all CPUs: loads 2 and
 *               1 that a push leaves alone then take turns, so 3 long-running tasks on 2 CPUs
 *               each get about 2/3 of a CPU instead of 1/2, 1/2 and 1.
 */
#ifndef KERNEL_BALANCE_H
#define KERNEL_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

#define CPU_BIT(i) (1ull << (i))
#define BALANCE_NONE (-1)
#define BALANCE_ROTATE_NS 50000000ull /* 5 slices: a task moved by a rotation stays that long */

/* The CPU for a task that becomes ready; allowed holds at least one of the ncpus CPUs. */
unsigned balance_place(const unsigned *load, unsigned ncpus, uint64_t allowed, unsigned prev, bool new_task);
/* The CPU self should push a queued task to, among those in targets, or BALANCE_NONE. */
int balance_push_target(const unsigned *load, unsigned ncpus, unsigned self, uint64_t targets);
/* The CPU self should rotate a queued task to at time now (ns), among targets, or BALANCE_NONE;
 * not_before is when the last rotation allows the next one. */
int balance_rotate_target(const unsigned *load, unsigned ncpus, unsigned self, uint64_t targets, uint64_t now,
			  uint64_t not_before);

#endif
