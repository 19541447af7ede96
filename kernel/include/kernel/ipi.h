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
 *   ipi_sleep(done, arg)           halts this CPU, interrupts off, until done(arg), running the
 *                                  calls sent meanwhile; ipi_wake(cpu) (and every call) wakes it
 *                                  by NMI, which ipi_nmi_woke() then owns up to
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
/* Interrupts off. done(arg) must read with a full barrier (an atomic exchange does), and whoever
 * makes it true calls ipi_wake() after. */
void ipi_sleep(bool (*done)(void *), void *arg);
void ipi_wake(unsigned cpu);

/* The receiving side, from the trap dispatcher: the calls waiting for this CPU. */
void ipi_handle_calls(void);
/* An NMI arrived: true when it was ipi_stop_others()'s (it then never returns). */
bool ipi_nmi_received(void);
/* An NMI arrived: true when it may be ipi_wake()'s (two NMIs at once are one: an NMI that comes
 * with a wake-up is taken as the wake-up). */
bool ipi_nmi_woke(void);

/* What the architecture provides (arch/x86_64/ipi.c). */
void arch_ipi_send(unsigned cpu, enum ipi_kind kind);
void arch_cpu_relax(void);
void arch_halt_forever(void) __attribute__((noreturn));
/* Halts until an NMI (interrupts off); returns at once if one lands just before the halt. */
void arch_halt_until_nmi(void);

#endif
