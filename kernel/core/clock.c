/*
 * core/clock.c: nanoseconds from the TSC, counted from the kernel's first instruction. The TSC
 * frequency comes from the host (it measured it), or from CPUID leaf 0x15/0x16 when the host could
 * not; conversion is a 32.32 fixed-point multiply so the hot path has no division.
 */
#include "kernel/clock.h"

#include "arch.h"
#include "kernel/boot.h"
#include "kernel/log.h"

static uint64_t tsc_khz;
static uint64_t ns_per_tsc_fp32;  /* ns per tick, 32.32 fixed point */
static uint64_t tsc_per_ns_fp32;  /* ticks per ns, 32.32 fixed point */
static int64_t realtime_at_zero;

static uint64_t khz_from_cpuid(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	if (r[0] >= 0x15) {
		cpuid(0x15, 0, r);
		if (r[0] && r[1] && r[2])
			return (uint64_t)r[2] * r[1] / r[0] / 1000;
	}
	if (r[0] >= 0x16) {
		cpuid(0x16, 0, r);
		if (r[0])
			return (uint64_t)r[0] * 1000;
	}
	return 0;
}

void clock_init(uint64_t khz)
{
	if (!khz)
		khz = khz_from_cpuid();
	if (!khz) {
		khz = 1000000;
		log_warn("clock: the TSC frequency is unknown; assuming 1 GHz, time will be off");
	}
	tsc_khz = khz;
	ns_per_tsc_fp32 = (1000000ull << 32) / khz;
	tsc_per_ns_fp32 = (khz << 32) / 1000000ull;
}

uint64_t clock_tsc_base(void) { return boot_tsc; }
uint64_t clock_tsc_khz(void) { return tsc_khz; }

uint64_t clock_tsc_to_ns(uint64_t delta) { return (uint64_t)(((unsigned __int128)delta * ns_per_tsc_fp32) >> 32); }

uint64_t clock_ns_to_tsc(uint64_t ns) { return (uint64_t)(((unsigned __int128)ns * tsc_per_ns_fp32) >> 32); }

uint64_t clock_tsc(void) { return rdtsc_ordered(); }

uint64_t clock_ns_at(uint64_t tsc)
{
	if (!ns_per_tsc_fp32)
		return 0;
	return clock_tsc_to_ns(tsc - boot_tsc);
}

uint64_t clock_ns(void) { return clock_ns_at(rdtsc()); }

void clock_set_realtime(int64_t realtime_ns) { realtime_at_zero = realtime_ns - (int64_t)clock_ns(); }

int64_t clock_realtime_ns(void) { return realtime_at_zero + (int64_t)clock_ns(); }
