/*
 * core/log.c: the kernel log. Every message becomes a record of the log ring (hermit/abi.h,
 * struct hermit_log_ring, published as anchor.log), so the host can read the whole log from guest
 * memory at any time, also after the kernel died. Records at or above the console level are also
 * written to COM1 as "[SSSSS.UUUUUU] L text" lines. Until the host told the level (hcall CONFIG)
 * nothing goes to the console; the first log_set_console_level() replays the ring.
 *
 * The ring's size is fixed at build time (LOG_RING_SIZE, `make LOGSIZE=`); HERMIT_LOGSIZE lowers
 * it at boot (log_limit_size).
 */
#include "kernel/log.h"

#include <string.h>

#include "tracing/logring.h"
#include "arch/x86_64/uart.h"
#include "kernel/clock.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/task.h"
#include "kernel/trace.h"
#include "lib/format.h"

#ifndef LOG_RING_SIZE
#define LOG_RING_SIZE (256 * 1024)
#endif
_Static_assert((LOG_RING_SIZE & (LOG_RING_SIZE - 1)) == 0 && LOG_RING_SIZE >= 4096, "LOG_RING_SIZE");

extern struct hermit_anchor hermit_anchor;

static struct spinlock lock;
static int console_level = -1; /* unknown yet: hold lines */
static uint8_t ring_data[LOG_RING_SIZE] __attribute__((aligned(64)));
struct hermit_log_ring hermit_log_ring = {
	.magic = HERMIT_LOG_MAGIC,
	.version = HERMIT_LOG_VERSION,
	.size = LOG_RING_SIZE,
	.console_level = HERMIT_LOG_DEBUG,
};
static const char level_letters[] = "DIWE";

static struct hermit_log_record *rec_at(uint64_t pos) { return log_ring_at(&hermit_log_ring, ring_data, pos); }

static size_t console_line(char *line, const struct hermit_log_record *rec)
{
	char letter = rec->level <= HERMIT_LOG_ERROR ? level_letters[rec->level] : '?';
	int n = fmt_snprintf(line, LOG_LINE_MAX + 32, "[%5lu.%06lu] %c %s\n", (unsigned long)(rec->ns / 1000000000),
			     (unsigned long)(rec->ns / 1000 % 1000000), letter, (const char *)(rec + 1));
	return (size_t)n;
}

static void emit(const struct hermit_log_record *rec)
{
	char line[LOG_LINE_MAX + 32];
	uart_write(UART_COM1, line, console_line(line, rec));
}

void log_vprintf(int level, const char *fmt, va_list ap)
{
	char text[LOG_LINE_MAX];
	int n = fmt_vsnprintf(text, sizeof(text), fmt, ap);
	size_t len = n < 0 ? 0 : (size_t)n >= sizeof(text) ? sizeof(text) - 1 : (size_t)n;
	uint64_t ns = clock_ns();
	struct cpu *c = cpus[0].self ? this_cpu() : NULL;
	struct task *t = c ? c->current : NULL;
	struct hermit_log_ring *r = &hermit_log_ring;

	uint64_t f = spin_lock_irqsave(&lock);
	if (!r->data) {
		r->data = (hermit_gpa_t)(uintptr_t)ring_data;
		hermit_anchor.log = (hermit_gpa_t)(uintptr_t)r;
	}
	struct hermit_log_record *rec = log_ring_reserve(r, ring_data, len);
	uint64_t seq = r->next_seq++;
	rec->level = (uint8_t)level;
	rec->cpu = c ? (uint8_t)c->id : 0;
	rec->task = t ? t->id : 0;
	rec->seq = seq;
	rec->ns = ns;
	memcpy(rec + 1, text, len);
	((char *)(rec + 1))[len] = '\0';
	log_ring_commit(r, rec);
	if (console_level >= 0 && level >= console_level)
		emit(rec);
	spin_unlock_irqrestore(&lock, f);
	trace(LOG, seq, level);
}

void log_printf(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

void log_set_console_level(int level)
{
	struct hermit_log_ring *r = &hermit_log_ring;
	uint64_t f = spin_lock_irqsave(&lock);
	int replay = console_level < 0;
	console_level = level;
	r->console_level = (uint32_t)level;
	for (uint64_t pos = r->tail; replay && pos < r->head; pos += rec_at(pos)->size) {
		const struct hermit_log_record *rec = rec_at(pos);
		if (rec->level != HERMIT_LOG_PAD && rec->level >= level)
			emit(rec);
	}
	spin_unlock_irqrestore(&lock, f);
}

void log_ensure_console(void)
{
	if (console_level < 0)
		log_set_console_level(HERMIT_LOG_DEBUG);
}

void log_limit_size(uint64_t bytes)
{
	uint32_t size = LOG_RING_SIZE;
	while (size > 4096 && size > bytes)
		size /= 2;
	uint64_t f = spin_lock_irqsave(&lock);
	/* only while nothing wrapped: the records keep their places */
	if (hermit_log_ring.head <= size)
		hermit_log_ring.size = size;
	spin_unlock_irqrestore(&lock, f);
}
