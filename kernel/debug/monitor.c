/*
 * debug/monitor.c: the kernel's monitor commands ("monitor NAME" in gdb), run in the stub context
 * with every task stopped. Each prints with gdb_console_puts(); "help" is the engine's.
 */
#include <string.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/layout.h"
#include "debug/debug_internal.h"
#include "gdbstub.h"
#include "kernel/clock.h"
#include "kernel/ipi.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "lib/format.h"
#include "tracing/logring.h"

extern char __image_start[], __text_end[], __image_end[];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	gdb_console_puts(line);
}

static const char *task_where(const struct task *t)
{
	if (cpus[t->cpu].current == t)
		return "running";
	return task_state_name(t->state);
}

static int cmd_tasks(void *ctx, const char *args)
{
	(void)ctx;
	(void)args;
	say("%4s  %-20s %-8s %3s  %-37s  %s\n", "id", "name", "state", "cpu", "stack", "waits for");
	/* Oldest first, as gdb numbers them. */
	for (uint32_t id = 0;;) {
		const struct task *next = NULL;
		for (const struct task *t = task_list(); t; t = t->all_next)
			if (t->id > id && (!next || t->id < next->id))
				next = t;
		if (!next)
			break;
		id = next->id;
		char wait[64] = "";
		if (next->state == TASK_BLOCKED)
			debug_wait_text(next, wait, sizeof(wait));
		say("%4u  %-20s %-8s %3u  0x%lx-0x%lx%s  %s\n", next->id, next->name, task_where(next),
		    next->cpu, (unsigned long)next->stack_lo, (unsigned long)next->stack_hi,
		    next->wake_at ? "  (sleeping)" : "", wait);
	}
	return 0;
}

static int cmd_mem(void *ctx, const char *args)
{
	size_t total = page_total_count(), free_pages = page_free_count();

	(void)ctx;
	(void)args;
	say("pages: %lu free of %lu (%lu MiB of %lu MiB), 4 KiB each\n", (unsigned long)free_pages,
	    (unsigned long)total, (unsigned long)(free_pages * PAGE_SIZE >> 20),
	    (unsigned long)(total * PAGE_SIZE >> 20));
	say("image: 0x%lx-0x%lx (text to 0x%lx), RAM ends at 0x%lx\n",
	    (unsigned long)__image_start, (unsigned long)__image_end, (unsigned long)__text_end,
	    (unsigned long)page_ram_end());
	say("program break starts at 0x%lx\n", (unsigned long)page_first_free());
	return 0;
}

extern struct hermit_anchor hermit_anchor;

#define LOG_SHOW_MAX 64

/* The records of the ring in v from tail, as log_ring_next walks them: how many there are. */
static unsigned count_records(const struct log_ring_view *v)
{
	struct hermit_log_record rec;
	const char *text;
	size_t len;
	uint64_t pos = v->tail;
	unsigned n = 0;

	while (log_ring_next(v, &pos, &rec, &text, &len) > 0)
		n++;
	return n;
}

/* The last n records of the kernel's log ring (hermit/abi.h), oldest first. */
static void show_log(unsigned n)
{
	const struct hermit_log_ring *ring = (const void *)(uintptr_t)hermit_anchor.log;
	struct hermit_log_record rec;
	char line[LOG_LINE_MAX + 32];
	const char *text;
	size_t len;

	if (!ring || ring->magic != HERMIT_LOG_MAGIC ||
	    !log_ring_sane(ring->size, ring->head, ring->tail)) {
		say("the kernel log ring is not there\n");
		return;
	}
	struct log_ring_view v = { (const uint8_t *)(uintptr_t)ring->data, ring->size, ring->head, ring->tail };
	unsigned total = count_records(&v), skip;
	if (n > total)
		n = total;
	skip = total - n;
	say("console level %c; the last %u of the log:\n", "DIWE"[ring->console_level & 3], n);
	for (uint64_t pos = v.tail; log_ring_next(&v, &pos, &rec, &text, &len) > 0;) {
		if (skip) {
			skip--;
			continue;
		}
		fmt_snprintf(line, sizeof(line), "[%5lu.%06lu] %c %.*s\n", (unsigned long)(rec.ns / 1000000000),
			     (unsigned long)(rec.ns / 1000 % 1000000), "DIWE"[rec.level & 3], (int)len, text);
		gdb_console_puts(line);
	}
}

static int cmd_log(void *ctx, const char *args)
{
	static const char levels[] = "diwe";
	const char *l;

	(void)ctx;
	if (args[0] >= '0' && args[0] <= '9') {
		unsigned n = 0;
		for (const char *p = args; *p >= '0' && *p <= '9' && n < LOG_SHOW_MAX; p++)
			n = n * 10 + (unsigned)(*p - '0');
		show_log(n ? n : 1);
		return 0;
	}
	if (args[0] == '\0') {
		show_log(20);
		return 0;
	}
	if (args[1] != '\0' || !(l = strchr(levels, args[0]))) {
		say("usage: monitor log [N | d|i|w|e]  (the last N lines, or the console level)\n");
		return -22;
	}
	log_set_console_level((int)(l - levels));
	say("console level set to %c\n", args[0]);
	return 0;
}

static int cmd_breaks(void *ctx, const char *args)
{
	(void)ctx;
	(void)args;
	debug_print_breakpoints();
	return 0;
}

struct cpu_answer {
	uint32_t index, apic_id;
};

static void answer(void *arg)
{
	struct cpu_answer *a = arg;
	a->index = smp_cpu_index();
	a->apic_id = apic_id();
}

static const char *stop_state(unsigned c)
{
	if (c == smp_cpu_index())
		return "holds the stub";
	if (stopall_stuck(c))
		return "did not stop";
	return stopall_parked(c) ? "parked" : "running";
}

/* Each CPU answers a call-function IPI itself (a parked CPU serves them as it waits); a CPU that
 * did not stop is not asked. */
static int cmd_cpus(void *ctx, const char *args)
{
	(void)ctx;
	(void)args;
	say("%3s %5s  %-28s %-15s %s\n", "cpu", "apic", "current task", "state", "call-function round trip");
	for (unsigned i = 0; i < smp_cpus_online(); i++) {
		struct cpu_answer a = { i, cpus[i].apic_id };
		uint64_t start = clock_ns();
		if (!stopall_stuck(i))
			ipi_call(i, answer, &a);
		uint64_t took = clock_ns() - start;
		const struct task *t = cpus[i].current;
		char task[40];
		fmt_snprintf(task, sizeof(task), "%u \"%s\"", t ? t->id : 0, t ? t->name : "");
		say("%3u %5u  %-28s %-15s %s%lu us\n", a.index, a.apic_id, task, stop_state(i),
		    i == smp_cpu_index() ? "(this CPU) " : "", (unsigned long)(took / 1000));
	}
	say("last stop: the other CPUs parked in %lu us, its trap to its stop reply %lu us\n",
	    (unsigned long)(stopall_last_park_ns() / 1000), (unsigned long)(debug_last_reply_ns() / 1000));
	say("%lu stops, %lu of them reported after another CPU's\n", (unsigned long)stopall_stops(),
	    (unsigned long)stopall_pending_reported());
	return 0;
}

static const struct gdb_monitor_cmd commands[] = {
	{ "cpus", "each CPU as it answers an IPI: index, APIC id, current task, stop state, round trip",
	  cmd_cpus },
	{ "tasks", "list the kernel's tasks: id, name, state, CPU, stack", cmd_tasks },
	{ "mem", "page allocator figures and the image's layout", cmd_mem },
	{ "log", "the kernel log's last lines (log N), or its console level (log d|i|w|e)", cmd_log },
	{ "breaks", "the int3s and debug registers the stub holds now", cmd_breaks },
};

void debug_monitor_init(void)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		gdb_monitor_register(&commands[i]);
}
