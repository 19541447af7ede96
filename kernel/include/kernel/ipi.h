/*
 * kernel/ipi.h: interrupts between CPUs. CPUs are named by their index (struct cpu.id, 0 is the
 * boot CPU); only online CPUs (kernel/smp.h) may be targets.
 *
 *   ipi_reschedule(cpu)            cpu runs its scheduler at the end of the interrupt
 *   ipi_call(cpu, fn, arg)         runs fn(arg) on cpu, interrupts off there, and waits for it
 *   ipi_call_all(fn, arg)          the same on every online CPU, this one included
 *   ipi_call_parked(fn, arg)       fn(arg) here while every other CPU waits in an interrupt with
 *                                  interrupts off (code patching); one at a time
 *   ipi_stop_others()              a non-maskable interrupt halts every other CPU for good
 *
 * A CPU waiting for its calls runs the calls others sent it meanwhile, so two CPUs calling each
 * other, with interrupts off or not, never wait for each other forever. Calls must not block,
 * and nobody may hold a spinlock while calling: a CPU spinning on it with interrupts off would
 * never answer.
 */
#ifndef KERNEL_IPI_H
#define KERNEL_IPI_H

#include <stdbool.h>

typedef void (*ipi_fn)(void *arg);

enum ipi_kind { IPI_RESCHEDULE, IPI_CALL, IPI_NMI };

void ipi_reschedule(unsigned cpu);
void ipi_call(unsigned cpu, ipi_fn fn, void *arg);
void ipi_call_all(ipi_fn fn, void *arg);
void ipi_call_parked(ipi_fn fn, void *arg);
/* The crash path: returns how many other CPUs acknowledged their stop within 100 ms. */
unsigned ipi_stop_others(void);

/* The receiving side, from the trap dispatcher: the calls waiting for this CPU. */
void ipi_handle_calls(void);
/* An NMI arrived: true when it was ipi_stop_others()'s (it then never returns). */
bool ipi_nmi_received(void);

/* What the architecture provides (arch/x86_64/ipi.c). */
void arch_ipi_send(unsigned cpu, enum ipi_kind kind);
void arch_cpu_relax(void);
void arch_halt_forever(void) __attribute__((noreturn));

#endif
