/*
 * core/log.c: formats log lines and writes those at or above the console level to COM1. Until the
 * host told the level (hcall CONFIG), lines are held in a small buffer, so a quiet boot costs no
 * console output at all; the first log_set_console_level() replays them.
 */
#include "kernel/log.h"

#include <string.h>

#include "arch/x86_64/uart.h"
#include "kernel/clock.h"
#include "kernel/spinlock.h"
#include "lib/format.h"

#define EARLY_BUFFER 4096

static struct spinlock lock;
static int console_level = -1; /* unknown yet: hold lines */
static char early[EARLY_BUFFER];
static size_t early_len;
static const char level_letters[] = "DIWE";

static void emit(const char *line, size_t len)
{
	uart_write(UART_COM1, line, len);
}

static void hold(const char *line, size_t len)
{
	if (early_len + len <= EARLY_BUFFER) {
		memcpy(early + early_len, line, len);
		early_len += len;
	}
}

static size_t format_line(char *line, int level, const char *fmt, va_list ap)
{
	uint64_t ns = clock_ns();
	char letter = level >= 0 && level <= HERMIT_LOG_ERROR ? level_letters[level] : '?';
	int n = fmt_snprintf(line, LOG_LINE_MAX, "[%5lu.%06lu] %c ", (unsigned long)(ns / 1000000000),
			     (unsigned long)(ns / 1000 % 1000000), letter);
	n += fmt_vsnprintf(line + n, LOG_LINE_MAX - 1 - (size_t)n, fmt, ap);
	if (n > LOG_LINE_MAX - 2)
		n = LOG_LINE_MAX - 2;
	line[n++] = '\n';
	return (size_t)n;
}

void log_vprintf(int level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t len = format_line(line, level, fmt, ap);
	uint64_t f = spin_lock_irqsave(&lock);
	if (console_level < 0) {
		/* the level of each held line is its letter; replay filters on it */
		hold(line, len);
	} else if (level >= console_level) {
		emit(line, len);
	}
	spin_unlock_irqrestore(&lock, f);
}

void log_printf(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

static int held_line_level(const char *line, size_t len)
{
	const char *close = memchr(line, ']', len);
	if (!close || close + 2 >= line + len)
		return HERMIT_LOG_ERROR;
	const char *p = strchr(level_letters, close[2]);
	return p ? (int)(p - level_letters) : HERMIT_LOG_ERROR;
}

void log_set_console_level(int level)
{
	uint64_t f = spin_lock_irqsave(&lock);
	int replay = console_level < 0;
	console_level = level;
	for (size_t pos = 0; replay && pos < early_len;) {
		const char *nl = memchr(early + pos, '\n', early_len - pos);
		size_t len = (size_t)(nl - (early + pos)) + 1;
		if (held_line_level(early + pos, len) >= level)
			emit(early + pos, len);
		pos += len;
	}
	early_len = 0;
	spin_unlock_irqrestore(&lock, f);
}

void log_ensure_console(void)
{
	if (console_level < 0)
		log_set_console_level(HERMIT_LOG_DEBUG);
}
