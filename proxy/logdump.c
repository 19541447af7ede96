/*
 * logdump.c: the kernel log, read out of guest memory (the ring of hermit/abi.h, walked with
 * tracing/logring.h's reader through the checked accessor), as console lines with their code
 * addresses symbolized: printed with HERMIT_VERBOSE=1 or on SIGUSR1, and the bundle's log.txt.
 */
#include <stdlib.h>

#include "proxy.h"

char *log_text(struct guestview *v, size_t *len, uint64_t *lost)
{
	struct hermit_log_ring hdr;
	struct log_ring_view view;
	struct hermit_log_record rec;
	const char *text;
	size_t n;
	char *out = NULL;
	bool first = true;
	FILE *f;

	if (!gv_log(v, &hdr, &view) || !(f = open_memstream(&out, len)))
		return NULL;
	*lost = 0;
	for (uint64_t pos = view.tail; log_ring_next(&view, &pos, &rec, &text, &n) > 0; first = false) {
		if (first)
			*lost = rec.seq; /* seq counts from 0: the first one kept says how many went */
		fprintf(f, "[%5llu.%06llu] %c %.*s\n", (unsigned long long)(rec.ns / 1000000000),
			(unsigned long long)(rec.ns / 1000 % 1000000),
			rec.level <= HERMIT_LOG_ERROR ? "DIWE"[rec.level] : '?', (int)n, text);
	}
	/* a torn record ends the log: the kernel died while writing it */
	fclose(f);
	return out;
}

void log_render(struct symbolizer *sym, const char *text, size_t len, FILE *out)
{
	size_t max = len / sizeof(CONSOLE_MARKER) + 1;
	uint64_t *addrs = malloc(max * sizeof(*addrs));

	if (addrs && sym) {
		size_t n = console_markers(text, len, addrs, max);
		if (n)
			sym_resolve(sym, addrs, n);
	}
	free(addrs);
	console_render(sym, text, len, out);
}

bool log_print(struct guestview *v, struct symbolizer *sym, FILE *out)
{
	size_t len;
	uint64_t lost;
	char *text = log_text(v, &len, &lost);

	if (!text)
		return false;
	fprintf(out, "hermit: kernel log (from guest memory)%s\n", lost ? "" : ":");
	if (lost)
		fprintf(out, "hermit: (%llu older records were overwritten)\n", (unsigned long long)lost);
	log_render(sym, text, len, out);
	fflush(out);
	free(text);
	return true;
}
