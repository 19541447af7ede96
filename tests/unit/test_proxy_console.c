/* Unit tests of proxy/console.c and proxy/symbols.c: log lines, markers, addr2line output. */
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proxy.h"

static char level(const char *line)
{
	return console_level(line, strlen(line));
}

static void test_levels(void **state)
{
	(void)state;
	assert_int_equal(level("[     0.000001] E page fault\n"), 'E');
	assert_int_equal(level("[     0.000001] W low memory\n"), 'W');
	assert_int_equal(level("[     0.000001] I booting\n"), 'I');
	assert_int_equal(level("[ 12345.123456] D detail"), 'D');
	assert_int_equal(level("[     0.000001] E\n"), 'E');
	assert_int_equal(level("[     0.000001] E"), 'E');
	assert_int_equal(level("[0.1] E x\n"), 'E');
	assert_int_equal(level("[     0.000001] X other\n"), 0);
	assert_int_equal(level("[     0.000001] Error\n"), 0);
	assert_int_equal(level("[     0.000001]E text\n"), 0);
	assert_int_equal(level("     0.000001] E text\n"), 0);
	assert_int_equal(level("E text\n"), 0);
	assert_int_equal(level("[     0.000001 E text\n"), 0);
	assert_int_equal(level("plain output\n"), 0);
	assert_int_equal(level(""), 0);
	assert_int_equal(level("["), 0);
	assert_int_equal(level("[]"), 0);
	assert_int_equal(level("[] "), 0);
	/* Only the first len bytes count. */
	assert_int_equal(console_level("[1] E", 4), 0);
}

static void test_markers(void **state)
{
	(void)state;
	uint64_t a[4] = { 0 };
	const char *t = "at <pc:0x2004d7> from <pc:0xFFFFffff81000000>, <pc:0x0>";

	assert_int_equal(console_markers(t, strlen(t), a, 4), 3);
	assert_int_equal(a[0], 0x2004d7);
	assert_int_equal(a[1], 0xffffffff81000000ULL);
	assert_int_equal(a[2], 0);
	assert_int_equal(console_markers(t, strlen(t), a, 1), 1);
	/* Not markers: no digits, no '>', 17 digits, a bad digit, cut by len. */
	const char *bad = "<pc:0x> <pc:0x12 <pc:0x12345678901234567> <pc:0x12g> <pc:12> <pc:0x";
	assert_int_equal(console_markers(bad, strlen(bad), a, 4), 0);
	assert_int_equal(console_markers("<pc:0x12>", 8, a, 4), 0);
	assert_int_equal(console_markers("<pc:0x<pc:0x5>", 14, a, 4), 1);
	assert_int_equal(a[0], 5);
}

static char *render(const struct symbolizer *s, const char *text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	console_render(s, text, strlen(text), f);
	fclose(f);
	return out;
}

static const char addr2line_output[] =
	"0x00000000002004d7\n"
	"read_through_null\n"
	"/src/tests/crash/crash.c:8\n"
	"0x00000000002019eb\n"
	"inner\n"
	"/src/kernel/task.c:12 (discriminator 3)\n"
	"task_entry\n"
	"/src/kernel/task.c:50\n"
	"outer\n"
	"/src/kernel/entry.c:7\n"
	"0x0000000000000001\n"
	"??\n"
	"??:0\n"
	"0x0000000000300000\n"
	"stripped_function\n"
	"??:?\n";

static const uint64_t parsed_addrs[] = { 0x2004d7, 0x2019eb, 0x1, 0x300000 };

static void test_parse_addr2line(void **state)
{
	(void)state;
	struct symbolizer s = { 0 };

	sym_parse(&s, addr2line_output, parsed_addrs, 4);
	assert_string_equal(sym_lookup(&s, 0x2004d7),
			    "0x2004d7 in read_through_null at /src/tests/crash/crash.c:8");
	assert_string_equal(sym_lookup(&s, 0x2019eb),
			    "0x2019eb in inner at /src/kernel/task.c:12 (inlined into task_entry at "
			    "/src/kernel/task.c:50, into outer at /src/kernel/entry.c:7)");
	assert_null(sym_lookup(&s, 0x1));
	assert_string_equal(sym_lookup(&s, 0x300000), "0x300000 in stripped_function");
	assert_null(sym_lookup(&s, 0x999)); /* never asked */
	assert_int_equal(s.count, 4);
	sym_free(&s);
}

static void test_parse_short_output(void **state)
{
	(void)state;
	struct symbolizer s = { 0 };
	const uint64_t addrs[] = { 0x10, 0x20 };

	/* addr2line died half-way: what is missing stays unknown, and is not asked for again. */
	sym_parse(&s, "0x0000000000000010\nf\n/a.c:1\n", addrs, 2);
	assert_string_equal(sym_lookup(&s, 0x10), "0x10 in f at /a.c:1");
	assert_null(sym_lookup(&s, 0x20));
	assert_int_equal(s.count, 2);
	sym_parse(&s, "", addrs, 2);
	assert_int_equal(s.count, 2);
	sym_free(&s);
}

static void test_render(void **state)
{
	(void)state;
	struct symbolizer s = { 0 };
	char *out;

	sym_parse(&s, addr2line_output, parsed_addrs, 4);
	out = render(&s, "[ 1.0] E   #0  <pc:0x2004d7>\n");
	assert_string_equal(out, "[ 1.0] E   #0  0x2004d7 in read_through_null at "
				 "/src/tests/crash/crash.c:8\n");
	free(out);
	/* Unknown addresses print raw; text that is not a marker is left alone. */
	out = render(&s, "<pc:0x1> and <pc:0xabc> and <pc:0x> <pc:0x300000>!");
	assert_string_equal(out, "0x1 and 0xabc and <pc:0x> 0x300000 in stripped_function!");
	free(out);
	out = render(NULL, "x <pc:0x2004d7> y");
	assert_string_equal(out, "x 0x2004d7 y");
	free(out);
	sym_free(&s);
}

/* ---- console_feed and console_dump ---- */

struct capture {
	char *text;
	size_t len;
	FILE *f;
};

static struct console make_console(struct capture *cap, struct symbolizer *sym)
{
	cap->text = NULL;
	cap->len = 0;
	cap->f = open_memstream(&cap->text, &cap->len);
	return (struct console){ .err = cap->f, .sym = sym };
}

static void feed(struct console *c, const char *s)
{
	console_feed(c, s, strlen(s));
}

static void test_errors_printed_as_they_complete(void **state)
{
	(void)state;
	struct capture cap;
	struct console c = make_console(&cap, NULL);

	feed(&c, "[ 0.1] I boot\n[ 0.2] E first");
	fflush(cap.f);
	assert_string_equal(cap.text, ""); /* not complete yet */
	feed(&c, " error\n[ 0.3] W warn\n[ 0.4] E sec");
	fflush(cap.f);
	assert_string_equal(cap.text, "[ 0.2] E first error\n");
	feed(&c, "ond <pc:0x10>\n");
	fflush(cap.f);
	assert_string_equal(cap.text, "[ 0.2] E first error\n[ 0.4] E second 0x10\n");
	/* A last error line without its newline is printed at the end, once. */
	feed(&c, "[ 0.5] E cut");
	console_finish(&c);
	console_finish(&c);
	fflush(cap.f);
	assert_string_equal(cap.text,
			    "[ 0.2] E first error\n[ 0.4] E second 0x10\n[ 0.5] E cut\n");
	fclose(cap.f);
	free(cap.text);

	/* The whole log, in order, for HERMIT_VERBOSE=1. */
	char *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);
	console_dump(&c, f);
	fclose(f);
	assert_string_equal(all, "[ 0.1] I boot\n[ 0.2] E first error\n[ 0.3] W warn\n"
				 "[ 0.4] E second 0x10\n[ 0.5] E cut\n");
	free(all);
	console_free(&c);
}

static void test_byte_by_byte(void **state)
{
	(void)state;
	struct capture cap;
	struct console c = make_console(&cap, NULL);
	const char *log = "[ 0.1] E a\n[ 0.2] I b\n[ 0.3] E c\n";

	for (const char *p = log; *p; p++)
		console_feed(&c, p, 1);
	fflush(cap.f);
	assert_string_equal(cap.text, "[ 0.1] E a\n[ 0.3] E c\n");
	assert_int_equal(c.len, strlen(log));
	fclose(cap.f);
	free(cap.text);
	console_free(&c);
}

static void test_drops_oldest_beyond_max(void **state)
{
	(void)state;
	struct capture cap;
	struct console c = make_console(&cap, NULL);
	char line[1024];

	memset(line, 'x', sizeof(line));
	memcpy(line, "[ 0.1] I ", 9);
	line[sizeof(line) - 1] = '\n';
	for (size_t fed = 0; fed <= CONSOLE_MAX; fed += sizeof(line))
		console_feed(&c, line, sizeof(line));
	assert_true(c.len <= CONSOLE_MAX);
	assert_true(c.dropped > 0);
	assert_int_equal(c.len + c.dropped, (CONSOLE_MAX / sizeof(line) + 1) * sizeof(line));
	/* Whole lines only: the log still starts at a line. */
	assert_memory_equal(c.buf, "[ 0.1] I ", 9);
	assert_int_equal(c.pending, c.len);
	feed(&c, "[ 0.2] E still seen\n");
	fflush(cap.f);
	assert_string_equal(cap.text, "[ 0.2] E still seen\n");

	char *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);
	console_dump(&c, f);
	fclose(f);
	char head[128];
	snprintf(head, sizeof(head), "hermit: (%llu bytes of older console output were dropped)\n",
		 (unsigned long long)c.dropped);
	assert_memory_equal(all, head, strlen(head));
	free(all);
	fclose(cap.f);
	free(cap.text);
	console_free(&c);
}

/* ---- addr2line for real, on this test program ---- */

static int find_base(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = info->dlpi_addr; /* the first object is the program itself */
	return 1;
}

static void __attribute__((noinline)) a_known_function(void)
{
	__asm__ volatile("");
}

static void test_addr2line_on_self(void **state)
{
	(void)state;
	uintptr_t base = 0;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0 || access("/usr/bin/addr2line", X_OK) != 0)
		skip();
	exe[n] = '\0';
	dl_iterate_phdr(find_base, &base);
	uint64_t addr = (uintptr_t)a_known_function - base;
	uint64_t addrs[] = { addr, addr, 0x1 };
	struct symbolizer s = { .app = exe };

	sym_resolve(&s, addrs, 3);
	assert_int_equal(s.count, 2); /* duplicates asked once */
	assert_non_null(sym_lookup(&s, addr));
	assert_non_null(strstr(sym_lookup(&s, addr), " in a_known_function at "));
	assert_non_null(strstr(sym_lookup(&s, addr), "test_proxy_console.c:"));
	assert_null(sym_lookup(&s, 0x1));
	sym_free(&s);

	/* A missing program: everything stays raw, and nothing crashes. */
	struct symbolizer none = { .app = "/nonexistent/app" };
	sym_resolve(&none, addrs, 3);
	assert_null(sym_lookup(&none, addr));
	sym_free(&none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_parse_addr2line),
		cmocka_unit_test(test_parse_short_output),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_errors_printed_as_they_complete),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_drops_oldest_beyond_max),
		cmocka_unit_test(test_addr2line_on_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
