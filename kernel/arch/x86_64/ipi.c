/*
 * arch/x86_64/ipi.c: kernel/ipi.h's machine part. Rescheduling and calls are fixed interrupts at
 * VEC_IPI_RESCHED and VEC_IPI_CALL (below the debug doorbell's class, so a CPU stopped for gdb
 * takes them only once resumed); stops are NMIs, which reach a CPU even with interrupts off.
 */
#include "kernel/ipi.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "kernel/percpu.h"

void arch_ipi_send(unsigned cpu, enum ipi_kind kind)
{
	uint32_t apic = cpus[cpu].apic_id;
	if (kind == IPI_NMI)
		apic_send_nmi(apic);
	else
		apic_send_fixed(apic, kind == IPI_CALL ? VEC_IPI_CALL : VEC_IPI_RESCHED);
}

void arch_cpu_relax(void) { cpu_relax(); }
void arch_halt_forever(void) { cpu_halt_forever(); }

/* traps.c steps an NMI that lands on this hlt over it, so the wake-up it may bring is not lost. */
__attribute__((noinline)) void arch_halt_until_nmi(void)
{
	__asm__ volatile(".globl nmi_wait_hlt\nnmi_wait_hlt: hlt" ::: "memory");
}
