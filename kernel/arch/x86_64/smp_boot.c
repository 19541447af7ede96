/*
 * arch/x86_64/smp_boot.c: starting the other CPUs (see kernel/smp.h). For each CPU the isle
 * lists: a stack with a guard page, then INIT and start-up IPIs into the real-mode trampoline
 * (ap_boot.S), then a wait for the CPU to say it is up. The new CPU loads its per-CPU block (GDT,
 * TSS with IST stacks, GS base), the IDT, enables its local APIC and timer, becomes its idle task
 * and halts until there is work for it.
 */
#include "kernel/smp.h"

#include <stddef.h>
#include <string.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "kernel/boot.h"
#include "kernel/clock.h"
#include "kernel/debug.h"
#include "kernel/ipi.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/task.h"
#include "kernel/trace.h"

#define INIT_DELAY_NS 10000000ull   /* the MP specification's wait between INIT and start-up */
#define STARTUP_DELAY_NS 200000ull  /* and before the second start-up IPI */
/* Generous: under TCG on a busy host a new vCPU's thread may wait long for a host CPU. */
#define AP_TIMEOUT_NS 2000000000ull

extern const char ap_trampoline[], ap_trampoline_end[];

/* What ap_entry64 (ap_boot.S) reads; one CPU starts at a time. */
struct ap_boot_args {
	uint64_t cr3;
	uint64_t stack_top;
	struct cpu *cpu;
	uint64_t stack_lo;
};
struct ap_boot_args ap_boot_args;
_Static_assert(offsetof(struct ap_boot_args, cr3) == 0 && offsetof(struct ap_boot_args, stack_top) == 8 &&
		       offsetof(struct ap_boot_args, cpu) == 16,
	       "ap_boot.S reads these offsets");

static unsigned cpus_online = 1;

unsigned smp_cpus_online(void) { return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE); }
unsigned smp_cpu_index(void) { return this_cpu()->id; }

/*
 * TSC synchronization, checked at bring-up: the boot CPU stamps its TSC, the new CPU answers with
 * its own, the boot CPU stamps the answer's arrival; the new CPU's offset is its stamp minus the
 * middle of the boot CPU's two, known within half the round trip. The shortest round trip
 * counts, of TSC_ROUNDS, of those done in TSC_WAIT_NS after the first answer, or of the first 8
 * once one was short.
 * An offset larger than that uncertainty is taken off the new CPU's trace stamps (trace.c), so
 * events of all CPUs order by time.
 */
#define TSC_ROUNDS 64
#define TSC_DONE (~0ull)
#define TSC_FIRST_NS 100000000ull /* for the first answer (a busy host's vCPU thread) */
#define TSC_WAIT_NS 5000000ull     /* for the others: then the best round so far counts */
#define TSC_GOOD_NS 5000ull        /* a round trip this short, after 8 rounds, is good enough */

static struct {
	uint32_t cpu;   /* the CPU being checked: another one stops answering */
	uint64_t round; /* set by the boot CPU: answer round n; TSC_DONE: stop */
	uint64_t answered;
	uint64_t tsc;   /* the new CPU's stamp for round `answered` */
} tsc_sync;

static void tsc_sync_answer(const struct cpu *c)
{
	uint64_t seen = 0;
	for (;;) {
		uint64_t r = __atomic_load_n(&tsc_sync.round, __ATOMIC_ACQUIRE);
		if (r == TSC_DONE || __atomic_load_n(&tsc_sync.cpu, __ATOMIC_ACQUIRE) != c->id)
			return;
		if (r == seen) {
			cpu_relax();
			continue;
		}
		tsc_sync.tsc = rdtsc();
		__atomic_store_n(&tsc_sync.answered, r, __ATOMIC_RELEASE);
		seen = r;
	}
}

/* Measures c's offset (rounds its answers); false when it did not answer in time. */
static bool tsc_sync_measure(struct cpu *c, uint64_t *uncertainty)
{
	uint64_t best_rtt = ~0ull, deadline = clock_ns() + TSC_FIRST_NS;
	int64_t best_offset = 0;
	for (uint64_t r = 1; r <= TSC_ROUNDS; r++) {
		uint64_t t0 = rdtsc();
		__atomic_store_n(&tsc_sync.round, r, __ATOMIC_RELEASE);
		while (__atomic_load_n(&tsc_sync.answered, __ATOMIC_ACQUIRE) != r)
			if (clock_ns() > deadline)
				goto out;
			else
				cpu_relax();
		uint64_t t1 = rdtsc();
		if (r == 1)
			deadline = clock_ns() + TSC_WAIT_NS;
		if (t1 - t0 < best_rtt) {
			best_rtt = t1 - t0;
			best_offset = (int64_t)(tsc_sync.tsc - (t0 + (t1 - t0) / 2));
		}
		if (r >= 8 && best_rtt <= clock_ns_to_tsc(TSC_GOOD_NS))
			break;
	}
out:
	__atomic_store_n(&tsc_sync.round, TSC_DONE, __ATOMIC_RELEASE);
	*uncertainty = best_rtt / 2;
	if (best_rtt == ~0ull)
		return false;
	uint64_t off = (uint64_t)(best_offset < 0 ? -best_offset : best_offset);
	c->tsc_offset = off > *uncertainty ? best_offset : 0;
	log_info("smp: CPU %u TSC offset %ld cycles, +-%lu (%s)", c->id, (long)best_offset,
		 (unsigned long)*uncertainty, c->tsc_offset ? "taken off its trace stamps" : "in sync");
	return true;
}

void ap_main(struct cpu *c) __attribute__((noreturn));

void ap_main(struct cpu *c)
{
	percpu_init(c, c->id);
	idt_load();
	task_init_idle(ap_boot_args.stack_lo, ap_boot_args.stack_top);
	apic_init();
	c->apic_id = apic_id();
	debug_cpu_online();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	tsc_sync_answer(c);
	sched_idle_loop();
}

static void delay_ns(uint64_t ns)
{
	uint64_t end = clock_ns() + ns;
	while (clock_ns() < end)
		cpu_relax();
}

static bool wait_online(const struct cpu *c, uint64_t deadline)
{
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
		if (clock_ns() >= deadline)
			return false;
		else
			cpu_relax();
	return true;
}

static void start_cpu(unsigned index, uint8_t apic)
{
	struct cpu *c = &cpus[index];
	size_t pages = AP_STACK_SIZE / PAGE_SIZE + 1;
	uintptr_t base = (uintptr_t)page_alloc(pages);
	if (!base)
		panic("smp: no memory for the stack of CPU %u", index);
	mmu_set_present(base, false); /* its guard page */
	c->id = index;
	ap_boot_args = (struct ap_boot_args){ read_cr3(), base + pages * PAGE_SIZE, c, base + PAGE_SIZE };
	tsc_sync.round = tsc_sync.answered = 0;
	__atomic_store_n(&tsc_sync.cpu, index, __ATOMIC_RELEASE); /* the previous CPU stops answering */

	uint64_t start = clock_ns();
	apic_send_init(apic);
	delay_ns(INIT_DELAY_NS);
	uint64_t startup = clock_ns();
	apic_send_startup(apic, AP_TRAMPOLINE_ADDR >> 12);
	if (!wait_online(c, clock_ns() + STARTUP_DELAY_NS))
		apic_send_startup(apic, AP_TRAMPOLINE_ADDR >> 12);
	if (!wait_online(c, start + AP_TIMEOUT_NS))
		panic("smp: CPU %u (APIC id %u) did not come up within %llu ms", index, apic,
		      AP_TIMEOUT_NS / 1000000);
	uint64_t now = clock_ns();
	log_info("smp: CPU %u (APIC id %u) up in %lu us (%lu us after its start-up IPI)", index, apic,
		 (unsigned long)((now - start) / 1000), (unsigned long)((now - startup) / 1000));
	uint64_t uncertainty;
	if (!tsc_sync_measure(c, &uncertainty))
		log_warn("smp: CPU %u did not answer the TSC check in time: its clock is taken as in sync", index);
	trace_cpu_online(index);
}

static bool in_ram(const struct boot_info *bi, uintptr_t lo, uintptr_t hi)
{
	for (uint32_t i = 0; i < bi->nr_ram; i++)
		if (lo >= bi->ram[i].base && hi <= bi->ram[i].base + bi->ram[i].size)
			return true;
	return false;
}

static void install_trampoline(const struct boot_info *bi)
{
	size_t size = (size_t)(ap_trampoline_end - ap_trampoline);
	if (size > PAGE_SIZE || !in_ram(bi, AP_TRAMPOLINE_ADDR, AP_TRAMPOLINE_ADDR + PAGE_SIZE))
		panic("smp: no RAM for the start-up trampoline at 0x%x", AP_TRAMPOLINE_ADDR);
	memcpy((void *)AP_TRAMPOLINE_ADDR, ap_trampoline, size);
}

static unsigned listed_cpus(const struct boot_info *bi)
{
	if (bi->cpu_source == BOOT_CPUS_BROKEN)
		log_warn("smp: the firmware's MP table is broken: only the boot CPU runs");
	if (bi->cpu_source != BOOT_CPUS_MPTABLE)
		return 0;
	if (bi->nr_cpus > HERMIT_MAX_CPUS)
		log_warn("smp: the isle lists %u CPUs, %d are used", bi->nr_cpus, HERMIT_MAX_CPUS);
	return bi->nr_cpus > HERMIT_MAX_CPUS ? HERMIT_MAX_CPUS : bi->nr_cpus;
}

void smp_boot(const struct boot_info *bi)
{
	struct cpu *boot = this_cpu();
	boot->apic_id = apic_id();
	boot->online = true;
	unsigned listed = listed_cpus(bi), n = 1;
	irq_attach_vector(VEC_IPI_RESCHED, sched_kicked);
	irq_attach_vector(VEC_IPI_CALL, ipi_handle_calls);
	if (listed > 1)
		install_trampoline(bi);
	for (unsigned i = 0; i < listed; i++)
		if (bi->cpu_apic_id[i] != boot->apic_id && n < HERMIT_MAX_CPUS)
			start_cpu(n++, bi->cpu_apic_id[i]);
	__atomic_store_n(&cpus_online, n, __ATOMIC_RELEASE);
	log_info("smp: %u CPU%s online (boot CPU: APIC id %u)", n, n == 1 ? "" : "s", boot->apic_id);
}
