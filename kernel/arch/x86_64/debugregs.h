/*
 * arch/x86_64/debugregs.h: the debug registers DR0-DR7 as four breakpoint slots.
 *
 * The gdb stub keeps the wanted slots in a table (debugregs_set / debugregs_clear) and loads it
 * into the running CPU with debugregs_load() before it lets tasks run again. Debug registers are
 * per CPU: with SMP, every CPU parked by the stub loads the same table before it resumes, so a
 * watchpoint fires whichever CPU touches the address.
 */
#ifndef ARCH_X86_64_DEBUGREGS_H
#define ARCH_X86_64_DEBUGREGS_H

#include <stdbool.h>
#include <stdint.h>

#define DR_SLOTS 4
#define DR6_HIT_MASK 0xfull   /* B0-B3: which slot matched */
#define DR6_BS (1ull << 14)   /* single step (the trap flag) */
#define RFLAGS_RF (1ul << 16) /* resume flag: skip an execution breakpoint for one instruction */

/* The condition of a slot, as DR7 encodes it in its R/W bits. */
enum dr_kind { DR_EXEC = 0, DR_WRITE = 1, DR_ACCESS = 3 };

/* Fills slot with addr, watched for kind over len bytes (1, 2, 4 or 8; 1 for DR_EXEC). False
 * when len is not one of those or addr is not aligned to it (the CPU would watch other bytes). */
bool debugregs_set(unsigned slot, uint64_t addr, enum dr_kind kind, unsigned len);
void debugregs_clear(unsigned slot);
/* Writes the table into this CPU's DR0-DR3 and DR7. Interrupts off. */
void debugregs_load(void);
/* Turns every slot off on this CPU until the next debugregs_load() (the stub's own accesses). */
void debugregs_disable(void);
/* DR6 (which condition raised #DB), then cleared as the CPU expects the handler to. */
uint64_t debugregs_take_status(void);

#endif
