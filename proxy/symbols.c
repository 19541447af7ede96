/*
 * symbols.c: turns code addresses from the kernel's console into "0x... in FUNCTION at
 * FILE:LINE" with binutils' addr2line on APP.
 *
 * Console lines mark addresses as <pc:0x...>; console.c collects a batch of them, calls
 * sym_resolve once per batch (one addr2line run for all addresses not yet known) and then
 * sym_lookup per marker. Results are cached, so the verbose dump at the end costs nothing
 * for addresses already printed. When addr2line is missing or fails, addresses stay raw.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proxy.h"

#define SYM_BATCH 256 /* addresses per addr2line run: keeps its command line short */

static struct sym_entry *find(const struct symbolizer *s, uint64_t addr)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->entries[i].addr == addr)
			return &s->entries[i];
	return NULL;
}

const char *sym_lookup(const struct symbolizer *s, uint64_t addr)
{
	const struct sym_entry *e = find(s, addr);

	return e ? e->text : NULL;
}

static void add(struct symbolizer *s, uint64_t addr, char *text)
{
	if (find(s, addr)) {
		free(text);
		return;
	}
	if (s->count == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct sym_entry *e = realloc(s->entries, cap * sizeof(*e));
		if (!e) {
			free(text);
			return;
		}
		s->entries = e;
		s->cap = cap;
	}
	s->entries[s->count++] = (struct sym_entry){ .addr = addr, .text = text };
}

void sym_free(struct symbolizer *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->entries[i].text);
	free(s->entries);
	s->entries = NULL;
	s->count = s->cap = 0;
}

/* ---- parsing addr2line output ---- */

static bool is_address_line(const char *line)
{
	if (strncmp(line, "0x", 2) != 0 || !line[2])
		return false;
	return strspn(line + 2, "0123456789abcdefABCDEF") == strlen(line + 2);
}

/* "file.c:12 (discriminator 3)" -> "file.c:12"; NULL when addr2line knows no location. */
static const char *clean_location(char *loc)
{
	char *extra = strstr(loc, " (discriminator");

	if (extra)
		*extra = '\0';
	return strncmp(loc, "??:", 3) == 0 ? NULL : loc;
}

/* Appends "FUNC at FILE:LINE" (or "FUNC" alone) for one frame. */
static void put_frame(FILE *out, const char *func, char *loc)
{
	const char *where = loc ? clean_location(loc) : NULL;

	fputs(func, out);
	if (where)
		fprintf(out, " at %s", where);
}

/*
 * Builds the text for one address from its lines (function, location, function, location...;
 * more than one pair when code was inlined: innermost first). NULL when nothing is known.
 */
static char *describe(uint64_t addr, char **lines, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	if (n == 0 || strcmp(lines[0], "??") == 0)
		return NULL;
	out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	fprintf(out, "0x%llx in ", (unsigned long long)addr);
	put_frame(out, lines[0], n > 1 ? lines[1] : NULL);
	for (size_t i = 2; i < n; i += 2) {
		fputs(i == 2 ? " (inlined into " : ", into ", out);
		put_frame(out, lines[i], i + 1 < n ? lines[i + 1] : NULL);
	}
	if (n > 2)
		fputc(')', out);
	fclose(out);
	return text;
}

static size_t split_lines(char *buf, char **lines, size_t max)
{
	size_t n = 0;

	for (char *p = buf; *p && n < max;) {
		char *nl = strchr(p, '\n');
		lines[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

void sym_parse(struct symbolizer *s, const char *out, const uint64_t *addrs, size_t n)
{
	char *copy = strdup(out);
	size_t max = strlen(out) + 1, nlines, i = 0, which = 0;
	char **lines = calloc(max, sizeof(*lines));

	if (!copy || !lines)
		goto done;
	nlines = split_lines(copy, lines, max);
	/* addr2line -a answers in input order, each answer opened by the address itself. */
	while (i < nlines && which < n) {
		if (!is_address_line(lines[i++]))
			continue;
		size_t first = i;
		while (i < nlines && !is_address_line(lines[i]))
			i++;
		add(s, addrs[which], describe(addrs[which], lines + first, i - first));
		which++;
	}
done:
	for (; which < n; which++)
		add(s, addrs[which], NULL);
	free(lines);
	free(copy);
}

/* ---- running addr2line ---- */

static void exec_addr2line(const char *app, const uint64_t *addrs, size_t n, int out_fd)
{
	char *argv[7 + SYM_BATCH];
	char hex[SYM_BATCH][20];
	sigset_t none;
	size_t argc = 0;
	int null_fd = open("/dev/null", O_RDWR);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	dup2(out_fd, STDOUT_FILENO);
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDERR_FILENO);
	}
	argv[argc++] = "addr2line";
	argv[argc++] = "-a";
	argv[argc++] = "-f";
	argv[argc++] = "-i";
	argv[argc++] = "-e";
	argv[argc++] = (char *)app;
	for (size_t i = 0; i < n; i++) {
		snprintf(hex[i], sizeof(hex[i]), "0x%llx", (unsigned long long)addrs[i]);
		argv[argc++] = hex[i];
	}
	argv[argc] = NULL;
	execvp(argv[0], argv);
	_exit(127);
}

static char *read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t got;

	while (buf && (got = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)got;
		if (cap - len - 1 == 0) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Runs addr2line on addrs[0..n), n <= SYM_BATCH; its output, or NULL when it failed. */
static char *run_addr2line(const char *app, const uint64_t *addrs, size_t n)
{
	int pipefd[2], status;
	char *out;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return NULL;
	pid = fork();
	if (pid == 0)
		exec_addr2line(app, addrs, n, pipefd[1]);
	close(pipefd[1]);
	out = pid > 0 ? read_all(pipefd[0]) : NULL;
	close(pipefd[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
			WEXITSTATUS(status) != 0)) {
		free(out);
		out = NULL;
	}
	return out;
}

void sym_resolve(struct symbolizer *s, const uint64_t *addrs, size_t n)
{
	uint64_t batch[SYM_BATCH];
	size_t m = 0;

	for (size_t i = 0; i <= n; i++) {
		if (m == SYM_BATCH || (i == n && m > 0)) {
			char *out = run_addr2line(s->app, batch, m);
			sym_parse(s, out ? out : "", batch, m);
			free(out);
			m = 0;
		}
		if (i == n)
			break;
		/* Unknown and not already in this batch. */
		bool seen = find(s, addrs[i]) != NULL;
		for (size_t j = 0; j < m && !seen; j++)
			seen = batch[j] == addrs[i];
		if (!seen)
			batch[m++] = addrs[i];
	}
}
