/*
 * kernel/smp.h: the CPUs. The boot CPU calls smp_boot() once its local APIC and the clock run;
 * it starts, one at a time, every other CPU the isle lists, and returns once all are up (a CPU
 * that does not answer is a panic, not a hang). Each new CPU ends in its idle loop.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

struct boot_info;

void smp_boot(const struct boot_info *bi);
/* How many CPUs run: 1 until smp_boot() returned; their indexes are 0 to that minus 1. */
unsigned smp_cpus_online(void);
/* The index of the CPU running the caller. */
unsigned smp_cpu_index(void);

#endif
