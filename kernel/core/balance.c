/* core/balance.c: the load-balancing rules (kernel/balance.h). */
#include "kernel/balance.h"

static int least_loaded(const unsigned *load, unsigned ncpus, uint64_t set)
{
	int best = BALANCE_NONE;
	for (unsigned i = 0; i < ncpus; i++)
		if ((set & CPU_BIT(i)) && (best == BALANCE_NONE || load[i] < load[best]))
			best = (int)i;
	return best;
}

unsigned balance_place(const unsigned *load, unsigned ncpus, uint64_t allowed, unsigned prev, bool new_task)
{
	bool prev_allowed = prev < ncpus && (allowed & CPU_BIT(prev));
	if (prev_allowed && load[prev] == 0)
		return prev;
	int best = least_loaded(load, ncpus, allowed);
	if (best == BALANCE_NONE)
		return prev_allowed ? prev : 0;
	if (load[best] == 0 || new_task || !prev_allowed)
		return (unsigned)best;
	return prev;
}

int balance_push_target(const unsigned *load, unsigned ncpus, unsigned self, uint64_t targets)
{
	int best = least_loaded(load, ncpus, targets & ~CPU_BIT(self));
	return best != BALANCE_NONE && load[best] + 2 <= load[self] ? best : BALANCE_NONE;
}

int balance_rotate_target(const unsigned *load, unsigned ncpus, unsigned self, uint64_t targets, uint64_t now,
			  uint64_t not_before)
{
	if (now < not_before || self >= ncpus || load[self] < 2)
		return BALANCE_NONE;
	int best = least_loaded(load, ncpus, targets & ~CPU_BIT(self));
	return best != BALANCE_NONE && load[best] < load[self] ? best : BALANCE_NONE;
}
