/*
 * kernel/spinlock.h: the lock under every kernel queue. Taking it also masks interrupts on this
 * CPU, so a lock may be shared between tasks and interrupt handlers.
 *   uint64_t f = spin_lock_irqsave(&l); ... spin_unlock_irqrestore(&l, f);
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdint.h>

#include "arch.h"

struct spinlock {
	volatile uint32_t locked;
};

/* With interrupts already masked (trap handlers, or under another irqsave lock). */
static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = irq_save();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_restore(flags);
}

/* Releases the lock but leaves interrupts masked (the caller switches tasks next). */
static inline void spin_unlock(struct spinlock *l) { __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE); }

#endif
