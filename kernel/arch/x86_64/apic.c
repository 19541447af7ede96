/*
 * arch/x86_64/apic.c: the local APIC (xAPIC, memory-mapped; QEMU's TCG has no x2APIC) and its
 * timer. The timer is one-shot: in TSC-deadline mode when the CPU has it (KVM), otherwise counted
 * down at a rate measured by the boot CPU (every CPU's timer runs at the same rate).
 */
#include <stdint.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "kernel/clock.h"
#include "kernel/irq.h"

enum {
	APIC_ID = 0x20,
	APIC_TPR = 0x80,
	APIC_EOI = 0xb0,
	APIC_SVR = 0xf0,
	APIC_ICR_LO = 0x300,
	APIC_ICR_HI = 0x310,
	APIC_LVT_TIMER = 0x320,
	APIC_LVT_LINT1 = 0x360,
	APIC_TIMER_INIT = 0x380,
	APIC_TIMER_CURRENT = 0x390,
	APIC_TIMER_DIVIDE = 0x3e0,
};
#define LVT_TSC_DEADLINE (2u << 17)
#define LVT_MASKED (1u << 16)
#define LVT_NMI (4u << 8)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CALIBRATION_NS 200000ull
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)

static int tsc_deadline_mode;
static bool enabled;
static uint64_t apic_ticks_per_ms;

static void apic_write(unsigned reg, uint32_t v) { *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = v; }
static uint32_t apic_read(unsigned reg) { return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg); }

void apic_eoi(void) { apic_write(APIC_EOI, 0); }
bool apic_ready(void) { return enabled; }
void apic_set_priority(uint8_t tpr) { apic_write(APIC_TPR, tpr); }

static void calibrate_countdown(void)
{
	apic_write(APIC_TIMER_DIVIDE, 0xb); /* divide by 1 */
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	uint64_t end = clock_ns() + CALIBRATION_NS;
	while (clock_ns() < end)
		cpu_relax();
	uint64_t counted = 0xffffffffu - apic_read(APIC_TIMER_CURRENT);
	apic_ticks_per_ms = counted * 1000000ull / CALIBRATION_NS;
	if (!apic_ticks_per_ms)
		apic_ticks_per_ms = 1;
	apic_write(APIC_TIMER_INIT, 0);
}

void apic_init(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	tsc_deadline_mode = !!(r[2] & CPUID1_ECX_TSC_DEADLINE);
	apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
	/* LINT1 as the machine's NMI line, as firmware sets it: QEMU's monitor "nmi" comes this
	 * way (the proxy's NMI for a ^C when no CPU takes interrupts, kernel/debug/). */
	apic_write(APIC_LVT_LINT1, LVT_NMI);
	enabled = true;
	if (tsc_deadline_mode) {
		apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC_TIMER);
	} else if (!apic_ticks_per_ms) {
		calibrate_countdown();
	} else {
		apic_write(APIC_TIMER_DIVIDE, 0xb);
		apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	}
}

uint32_t apic_id(void) { return apic_read(APIC_ID) >> 24; }

/* Interrupts off: an interrupt handler sending its own IPI between the two writes would retarget
 * this one. */
static void send_ipi(uint32_t dest_apic_id, uint32_t command)
{
	uint64_t f = irq_save();
	apic_write(APIC_ICR_HI, dest_apic_id << 24);
	apic_write(APIC_ICR_LO, command);
	while (apic_read(APIC_ICR_LO) & ICR_PENDING)
		cpu_relax();
	irq_restore(f);
}

void apic_send_init(uint32_t dest_apic_id) { send_ipi(dest_apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL); }
void apic_send_startup(uint32_t dest_apic_id, uint8_t vector) { send_ipi(dest_apic_id, ICR_STARTUP | vector); }
void apic_send_fixed(uint32_t dest_apic_id, uint8_t vector) { send_ipi(dest_apic_id, vector); }
void apic_send_nmi(uint32_t dest_apic_id) { send_ipi(dest_apic_id, ICR_NMI); }

void apic_timer_arm(uint64_t deadline_ns)
{
	if (tsc_deadline_mode) {
		wrmsr(MSR_TSC_DEADLINE, clock_tsc_base() + clock_ns_to_tsc(deadline_ns));
		return;
	}
	uint64_t now = clock_ns();
	uint64_t ticks = deadline_ns > now ? (deadline_ns - now) * apic_ticks_per_ms / 1000000ull : 1;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	apic_write(APIC_LVT_TIMER, VEC_TIMER);
	apic_write(APIC_TIMER_INIT, (uint32_t)ticks);
}
