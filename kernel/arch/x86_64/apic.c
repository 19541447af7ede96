/*
 * arch/x86_64/apic.c: the local APIC (xAPIC, memory-mapped; QEMU's TCG has no x2APIC) and its
 * timer. The timer is one-shot: in TSC-deadline mode when the CPU has it (KVM), otherwise counted
 * down at a rate measured against the TSC at boot.
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "kernel/clock.h"
#include "kernel/irq.h"

enum {
	APIC_TPR = 0x80,
	APIC_EOI = 0xb0,
	APIC_SVR = 0xf0,
	APIC_LVT_TIMER = 0x320,
	APIC_TIMER_INIT = 0x380,
	APIC_TIMER_CURRENT = 0x390,
	APIC_TIMER_DIVIDE = 0x3e0,
};
#define LVT_TSC_DEADLINE (2u << 17)
#define LVT_MASKED (1u << 16)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CALIBRATION_NS 200000ull

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
	enabled = true;
	if (tsc_deadline_mode)
		apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC_TIMER);
	else
		calibrate_countdown();
}

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
