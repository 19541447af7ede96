/*
 * core/trace.c: the kernel side of the tracer: rings in guest memory, the static branches of
 * the tracepoints and their patching, the boot settings. The ring format is hermit/abi.h's;
 * the writer is tracing/ring.h, shared with the host's reader.
 *
 * Patching: each tracepoint's 5-byte NOP becomes `jmp rel32` to its out-of-line code and back.
 * Text is read-only, so the write goes through with CR0.WP cleared and interrupts off, and with
 * every other CPU parked in an interrupt (ipi_call_parked), so no CPU runs a half-written site.
 */
#include "kernel/trace.h"

#include <string.h>

#include "tracing/ring.h"
#include "arch.h"
#include "kernel/clock.h"
#include "kernel/ipi.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/task.h"
#include "lib/format.h"

#define DEFAULT_SLOTS 16384 /* 512 KiB per CPU */
#define MIN_SLOTS 16

extern struct hermit_anchor hermit_anchor;
extern char **environ;
extern const struct trace_site __start___trace_sites[] __attribute__((weak));
extern const struct trace_site __stop___trace_sites[] __attribute__((weak));

struct hermit_trace hermit_trace = {
	.magic = HERMIT_TRACE_MAGIC,
	.version = HERMIT_TRACE_VERSION,
	.event_size = sizeof(struct hermit_trace_event),
	.nevents = HERMIT_TRACE_NEVENTS,
};

/* A spinlock, not a mutex: the gdb stub calls trace_enable() with the guest stopped, from a trap. */
static struct spinlock trace_lock;
static uint32_t slots_per_cpu = DEFAULT_SLOTS;
static unsigned char enabled[HERMIT_TRACE_NEVENTS];

void trace_emit(unsigned id, uint64_t a0, uint64_t a1) { trace_emit_at(id, rdtsc(), a0, a1); }

void trace_emit_at(unsigned id, uint64_t tsc, uint64_t a0, uint64_t a1)
{
	struct cpu *c = this_cpu();
	struct hermit_trace_cpu *r = &hermit_trace.cpu[c->id];
	struct hermit_trace_event *slots = (struct hermit_trace_event *)(uintptr_t)r->slots;
	if (!slots)
		return;
	uint64_t pos = trace_ring_reserve(r);
	struct task *t = c->current;
	/* on the boot CPU's time base, so events of all CPUs order by time (smp_boot.c) */
	tsc -= (uint64_t)c->tsc_offset;
	trace_ring_commit(slots, r->nslots, pos, tsc, (uint16_t)id, t ? (uint16_t)t->id : 0, a0, a1);
}

static const char *env(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=' && (*e)[n + 1])
			return *e + n + 1;
	return NULL;
}

static uint64_t parse_size(const char *s)
{
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	if (*s == 'k' || *s == 'K')
		v <<= 10;
	else if (*s == 'm' || *s == 'M')
		v <<= 20;
	return v;
}

/* CPU i's ring; trace_lock held. */
static int ring_alloc(unsigned i)
{
	size_t pages = ((size_t)slots_per_cpu * sizeof(struct hermit_trace_event) + PAGE_SIZE - 1) / PAGE_SIZE;
	void *mem = page_alloc(pages);
	if (!mem)
		return -1;
	memset(mem, 0, pages * PAGE_SIZE);
	struct hermit_trace_cpu *r = &hermit_trace.cpu[i];
	r->cpu = i;
	r->nslots = slots_per_cpu;
	__atomic_store_n(&r->slots, (hermit_gpa_t)(uintptr_t)mem, __ATOMIC_RELEASE);
	hermit_trace.ncpus = i + 1;
	return 0;
}

/* The rings of every CPU that is up; once, on first use. CPUs coming up later get theirs from
 * trace_cpu_online(). */
static int rings_alloc(void)
{
	for (unsigned i = hermit_trace.ncpus; i < smp_cpus_online(); i++)
		if (ring_alloc(i) < 0)
			return -1;
	return 0;
}

void trace_cpu_online(unsigned cpu)
{
	uint64_t flags = spin_lock_irqsave(&trace_lock);
	if (hermit_trace.ncpus && cpu == hermit_trace.ncpus && ring_alloc(cpu) < 0)
		log_warn("trace: no memory for CPU %u's ring: its events are not recorded", cpu);
	spin_unlock_irqrestore(&trace_lock, flags);
}

static void patch(const struct trace_site *s, bool on)
{
	static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	uint8_t code[5];
	if (on) {
		int32_t rel = (int32_t)((int64_t)s->target - (int64_t)(s->code + 5));
		code[0] = 0xe9;
		memcpy(code + 1, &rel, 4);
	} else {
		memcpy(code, nop5, 5);
	}
	uint8_t *at = (uint8_t *)(uintptr_t)s->code;
	if (!memcmp(at, code, 5))
		return;
	text_patch(at, code, 5);
}

static bool any_on(const unsigned *ids, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (enabled[ids[i]])
			return true;
	return false;
}

static const unsigned sys_entries[] = { HERMIT_TRACE_HCALL_ENTRY, HERMIT_TRACE_SYS_WRITE_ENTRY,
	HERMIT_TRACE_SYS_READ_ENTRY, HERMIT_TRACE_SYS_OPEN_ENTRY, HERMIT_TRACE_SYS_CLOSE_ENTRY,
	HERMIT_TRACE_SYS_LSEEK_ENTRY, HERMIT_TRACE_SYS_PATH_ENTRY, HERMIT_TRACE_SYS_FD_ENTRY };
static const unsigned sys_exits[] = { HERMIT_TRACE_HCALL_EXIT, HERMIT_TRACE_SYS_WRITE_EXIT,
	HERMIT_TRACE_SYS_READ_EXIT, HERMIT_TRACE_SYS_OPEN_EXIT, HERMIT_TRACE_SYS_CLOSE_EXIT,
	HERMIT_TRACE_SYS_LSEEK_EXIT, HERMIT_TRACE_SYS_PATH_EXIT, HERMIT_TRACE_SYS_FD_EXIT };

/* The hypercall sites also carry the file system calls, which are hypercalls. */
static bool site_wanted(unsigned id)
{
	if (id == HERMIT_TRACE_HCALL_ENTRY)
		return any_on(sys_entries, sizeof(sys_entries) / sizeof(sys_entries[0]));
	if (id == HERMIT_TRACE_HCALL_EXIT)
		return any_on(sys_exits, sizeof(sys_exits) / sizeof(sys_exits[0]));
	return enabled[id];
}

void trace_hcall(uint32_t nr, const void *req, bool exit)
{
	unsigned id = HERMIT_TRACE_NEVENTS;
	uint64_t a0 = 0, a1 = 0;
	switch (nr) {
	case HERMIT_HC_WRITE:
	case HERMIT_HC_READ: {
		const struct hc_rw *r = req;
		id = nr == HERMIT_HC_WRITE ? HERMIT_TRACE_SYS_WRITE_ENTRY : HERMIT_TRACE_SYS_READ_ENTRY;
		a0 = exit ? (uint64_t)r->ret : (uint64_t)(int64_t)r->fd;
		a1 = r->len;
		break;
	}
	case HERMIT_HC_PATH: {
		/* open keeps its own event; the other path calls share one, with their op */
		const struct hc_path *r = req;
		bool open = r->op == HERMIT_PATH_OPEN;
		id = open ? HERMIT_TRACE_SYS_OPEN_ENTRY : HERMIT_TRACE_SYS_PATH_ENTRY;
		a0 = exit ? (uint64_t)r->ret : open ? r->path : r->op;
		a1 = open ? (uint64_t)(uint32_t)r->flags : r->path;
		break;
	}
	case HERMIT_HC_FD: {
		/* so do close and lseek among the descriptor calls */
		const struct hc_fd *r = req;
		id = r->op == HERMIT_FD_CLOSE ? HERMIT_TRACE_SYS_CLOSE_ENTRY
		     : r->op == HERMIT_FD_LSEEK ? HERMIT_TRACE_SYS_LSEEK_ENTRY : HERMIT_TRACE_SYS_FD_ENTRY;
		a0 = exit ? (uint64_t)r->ret : id == HERMIT_TRACE_SYS_FD_ENTRY ? r->op : (uint64_t)(int64_t)r->fd;
		a1 = id == HERMIT_TRACE_SYS_FD_ENTRY ? (uint64_t)(int64_t)r->fd : (uint64_t)r->arg;
		break;
	}
	}
	/* each *_EXIT id follows its *_ENTRY in the catalogue */
	if (exit && id < HERMIT_TRACE_NEVENTS)
		id++;
	unsigned h = exit ? HERMIT_TRACE_HCALL_EXIT : HERMIT_TRACE_HCALL_ENTRY;
	if (enabled[h])
		trace_emit(h, nr, 0);
	if (id < HERMIT_TRACE_NEVENTS && enabled[id])
		trace_emit(id, a0, exit ? 0 : a1);
}

static void apply(void)
{
	for (const struct trace_site *s = __start___trace_sites; s && s < __stop___trace_sites; s++)
		if (s->id < HERMIT_TRACE_NEVENTS)
			patch(s, site_wanted(s->id));
	for (unsigned id = 0; id < HERMIT_TRACE_NEVENTS; id++) {
		uint64_t bit = 1ull << (id % 64);
		if (enabled[id])
			hermit_trace.enabled[id / 64] |= bit;
		else
			hermit_trace.enabled[id / 64] &= ~bit;
	}
}

/* With every other CPU parked. */
static void apply_parked(void *unused)
{
	(void)unused;
	uint64_t flags = spin_lock_irqsave(&trace_lock);
	apply();
	spin_unlock_irqrestore(&trace_lock, flags);
}

static int change(const char *patterns, bool on)
{
	unsigned char want[HERMIT_TRACE_NEVENTS];
	char bad[64];
	uint64_t flags = spin_lock_irqsave(&trace_lock);
	memset(want, 0, sizeof(want));
	if (!patterns || !*patterns)
		patterns = "all";
	int n = trace_select(patterns, want, bad, sizeof(bad));
	if (n < 0)
		log_warn("trace: %s matches no event", bad);
	if (n >= 0 && on && rings_alloc() < 0) {
		log_warn("trace: no memory for the rings");
		n = -1;
	}
	if (n >= 0) {
		for (unsigned id = 0; id < HERMIT_TRACE_NEVENTS; id++)
			enabled[id] = on ? (enabled[id] | want[id]) : (enabled[id] && !want[id]);
		n = 0;
		for (unsigned id = 0; id < HERMIT_TRACE_NEVENTS; id++)
			n += enabled[id];
	}
	spin_unlock_irqrestore(&trace_lock, flags);
	if (n >= 0)
		ipi_call_parked(apply_parked, NULL); /* never under a spinlock (ipi.h) */
	return n;
}

int trace_enable(const char *patterns) { return change(patterns, true); }
int trace_disable(const char *patterns) { return change(patterns, false); }
bool trace_is_enabled(unsigned id) { return id < HERMIT_TRACE_NEVENTS && enabled[id]; }

size_t trace_describe(char *buf, size_t len)
{
	size_t n = 0;
	if (!len)
		return 0;
	buf[0] = '\0';
#define PUT(...)                                                                               \
	do {                                                                                   \
		if (n < len)                                                                   \
			n += (size_t)fmt_snprintf(buf + n, len - n, __VA_ARGS__);              \
	} while (0)
	PUT("trace: on:");
	unsigned on = 0;
	for (unsigned id = 0; id < HERMIT_TRACE_NEVENTS; id++)
		if (enabled[id]) {
			PUT("%s%s", on++ ? "," : " ", hermit_trace_catalogue[id].name);
		}
	if (!on)
		PUT(" nothing");
	for (unsigned i = 0; i < hermit_trace.ncpus; i++) {
		const struct hermit_trace_cpu *r = &hermit_trace.cpu[i];
		uint64_t lost = r->head > r->nslots ? r->head - r->nslots : 0;
		PUT("; cpu%u: %lu events written, %lu overwritten, ring of %u", i, (unsigned long)r->head,
		    (unsigned long)lost, r->nslots);
	}
#undef PUT
	return n < len ? n : len - 1;
}

void trace_boot(void)
{
	hermit_trace.tsc_khz = clock_tsc_khz();
	hermit_trace.tsc_base = clock_tsc_base();
	hermit_anchor.trace = (hermit_gpa_t)(uintptr_t)&hermit_trace;
	const char *v = env("HERMIT_LOGSIZE");
	if (v)
		log_limit_size(parse_size(v));
	if ((v = env("HERMIT_TRACE_EVENTS"))) {
		uint64_t n = parse_size(v);
		slots_per_cpu = MIN_SLOTS;
		while ((uint64_t)slots_per_cpu * 2 <= n && slots_per_cpu < (1u << 24))
			slots_per_cpu *= 2;
	}
	if ((v = env("HERMIT_TRACE"))) {
		if (!strcmp(v, "1"))
			v = "all";
		int n = trace_enable(v);
		if (n >= 0)
			log_info("trace: %d events on (%s), %u per CPU ring", n, v, slots_per_cpu);
		else
			log_warn("trace: HERMIT_TRACE=%s: a pattern matches no event", v);
	}
}

/* Measures a tracepoint of the BENCH event, off then on, against an empty loop. */
static uint64_t loop_cycles(uint64_t n, int with_tracepoint)
{
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++) {
		if (with_tracepoint)
			trace(BENCH, i, 0);
		__asm__ volatile("" ::: "memory");
	}
	return rdtsc() - t0;
}

void trace_measure_cost(uint64_t n, struct trace_cost *out)
{
	bool was = trace_is_enabled(HERMIT_TRACE_BENCH);
	if (n == 0)
		n = 1;
	uint64_t base = ~0ull, off = ~0ull, on = ~0ull;
	if (was)
		trace_disable("bench");
	for (int round = 0; round < 3; round++) {
		uint64_t b = loop_cycles(n, 0), d = loop_cycles(n, 1);
		base = b < base ? b : base;
		off = d < off ? d : off;
	}
	trace_enable("bench");
	for (int round = 0; round < 3; round++) {
		uint64_t e = loop_cycles(n, 1);
		on = e < on ? e : on;
	}
	if (!was)
		trace_disable("bench");
	out->iterations = n;
	out->cycles_disabled_x1000 = off > base ? (off - base) * 1000 / n : 0;
	out->cycles_enabled_x1000 = on > base ? (on - base) * 1000 / n : 0;
	out->tsc_khz = clock_tsc_khz();
}
