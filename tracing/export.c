/*
 * tracing/export.c: snapshot of the tracer's rings and its CTF and JSON exports (host only).
 *
 * CTF: one stream file per CPU, little-endian, everything byte-aligned. Each stream holds an
 * empty first packet (events_discarded 0) and then one packet with every event read, whose
 * events_discarded is the ring's lost + torn count, so that readers report the loss between
 * the two. Time is a 1 GHz clock counting nanoseconds since the kernel's first instruction.
 */
#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "events.h"

#define CTF_MAGIC 0xc1fc1fc1u

/* The kernel's own conversion (kernel/core/clock.c: a 32.32 fixed-point factor), so an event's
 * time is to the nanosecond what clock_ns_at() gave for the same reading: the capture's frames
 * and the log's records agree with the trace. */
uint64_t trace_ns(const struct trace_snapshot *s, uint64_t tsc)
{
	if (!s->tsc_khz || tsc < s->tsc_base)
		return 0;
	uint64_t ns_per_tsc_fp32 = (1000000ull << 32) / s->tsc_khz;
	return (uint64_t)(((unsigned __int128)(tsc - s->tsc_base) * ns_per_tsc_fp32) >> 32);
}

static int by_tsc(const void *a, const void *b)
{
	const struct hermit_trace_event *x = a, *y = b;
	return x->tsc < y->tsc ? -1 : x->tsc > y->tsc;
}

/* qsort is not stable: equal stamps keep ring order through the commit word. */
static int by_tsc_then_pos(const void *a, const void *b)
{
	int c = by_tsc(a, b);
	const struct hermit_trace_event *x = a, *y = b;
	return c ? c : (x->commit > y->commit) - (x->commit < y->commit);
}

int trace_snapshot_read(struct trace_snapshot *s, const struct hermit_trace *hdr, trace_map_fn map,
			void *arg)
{
	memset(s, 0, sizeof(*s));
	if (hdr->magic != HERMIT_TRACE_MAGIC || hdr->version != HERMIT_TRACE_VERSION ||
	    hdr->event_size != sizeof(struct hermit_trace_event) || hdr->ncpus > HERMIT_MAX_CPUS)
		return -1;
	s->tsc_khz = hdr->tsc_khz;
	s->tsc_base = hdr->tsc_base;
	for (unsigned i = 0; i < hdr->ncpus; i++) {
		const struct hermit_trace_cpu *r = &hdr->cpu[i];
		struct trace_cpu_events *c = &s->cpu[s->ncpus];
		uint32_t n = r->nslots;
		if (!r->slots || !n || (n & (n - 1)))
			continue;
		const struct hermit_trace_event *slots = map(arg, r->slots, (uint64_t)n * sizeof(*slots));
		if (!slots)
			continue;
		c->cpu = r->cpu;
		c->ev = malloc((size_t)n * sizeof(*c->ev));
		if (!c->ev)
			return -1;
		struct trace_ring_stats st;
		c->n = trace_ring_collect(r->head, slots, n, c->ev, &st);
		c->lost = st.lost;
		c->torn = st.torn;
		qsort(c->ev, c->n, sizeof(*c->ev), by_tsc_then_pos);
		s->ncpus++;
	}
	return 0;
}

void trace_snapshot_free(struct trace_snapshot *s)
{
	for (unsigned i = 0; i < s->ncpus; i++)
		free(s->cpu[i].ev);
	free(s->tasks);
	memset(s, 0, sizeof(*s));
}

size_t trace_snapshot_count(const struct trace_snapshot *s)
{
	size_t n = 0;
	for (unsigned i = 0; i < s->ncpus; i++)
		n += s->cpu[i].n;
	return n;
}

/* ---- CTF ---- */

void trace_write_ctf_metadata(FILE *out)
{
	fputs("/* CTF 1.8 */\n\n"
	      "typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
	      "typealias integer { size = 16; align = 8; signed = false; } := uint16_t;\n"
	      "typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
	      "typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
	      "typealias integer { size = 64; align = 8; signed = false; base = 16; } := xint64_t;\n"
	      "typealias integer { size = 64; align = 8; signed = true; } := int64_t;\n\n"
	      "trace {\n\tmajor = 1;\n\tminor = 8;\n\tbyte_order = le;\n"
	      "\tpacket.header := struct {\n\t\tuint32_t magic;\n\t\tuint32_t stream_id;\n\t};\n};\n\n",
	      out);
	fprintf(out, "env {\n\tdomain = \"kernel\";\n\tsysname = \"Hermit\";\n\ttracer_name = \"hermit\";\n"
		     "\ttrace_format_version = %d;\n};\n\n", HERMIT_TRACE_VERSION);
	fputs("clock {\n\tname = \"monotonic\";\n\tdescription = \"nanoseconds since the kernel's first instruction\";\n"
	      "\tfreq = 1000000000;\n\toffset = 0;\n};\n\n"
	      "typealias integer { size = 64; align = 8; signed = false; map = clock.monotonic.value; } := clock_t;\n\n"
	      "stream {\n\tid = 0;\n"
	      "\tpacket.context := struct {\n\t\tclock_t timestamp_begin;\n\t\tclock_t timestamp_end;\n"
	      "\t\tuint64_t content_size;\n\t\tuint64_t packet_size;\n\t\tuint64_t events_discarded;\n"
	      "\t\tuint32_t cpu_id;\n\t};\n"
	      "\tevent.header := struct {\n\t\tuint16_t id;\n\t\tclock_t timestamp;\n\t};\n"
	      "\tevent.context := struct {\n\t\tuint16_t tid;\n\t};\n};\n\n",
	      out);
	for (unsigned id = 0; id < HERMIT_TRACE_NEVENTS; id++) {
		const struct hermit_trace_event_info *e = &hermit_trace_catalogue[id];
		fprintf(out, "event {\n\tname = \"%s\";\n\tid = %u;\n\tstream_id = 0;\n\tfields := struct {\n",
			e->name, id);
		for (int f = 0; f < 2; f++) {
			if (!e->field[f][0])
				continue;
			const char *type = (e->signed_mask >> f) & 1 ? "int64_t"
					 : (!strcmp(e->field[f], "rip") || !strcmp(e->field[f], "addr") ||
					    !strcmp(e->field[f], "path") || !strcmp(e->field[f], "old")) ? "xint64_t"
					 : "uint64_t";
			fprintf(out, "\t\t%s _%s;\n", type, e->field[f]);
		}
		fputs("\t};\n};\n\n", out);
	}
}

static void put(FILE *out, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		fputc((int)((v >> (8 * i)) & 0xff), out);
}

static size_t event_bytes(const struct hermit_trace_event *e)
{
	size_t n = 2 + 8 + 2;
	if (e->id < HERMIT_TRACE_NEVENTS)
		for (int f = 0; f < 2; f++)
			n += hermit_trace_catalogue[e->id].field[f][0] ? 8 : 0;
	return n;
}

#define PACKET_HEADER_BYTES (4 + 4 + 8 * 5 + 4)

static void packet(FILE *out, uint64_t begin, uint64_t end, uint64_t content_bytes,
		   uint64_t discarded, uint32_t cpu)
{
	put(out, CTF_MAGIC, 4);
	put(out, 0, 4);
	put(out, begin, 8);
	put(out, end, 8);
	put(out, content_bytes * 8, 8);
	put(out, content_bytes * 8, 8);
	put(out, discarded, 8);
	put(out, cpu, 4);
}

void trace_write_ctf_stream(const struct trace_snapshot *s, unsigned i, FILE *out)
{
	const struct trace_cpu_events *c = &s->cpu[i];
	uint64_t first = 0, last = 0, bytes = PACKET_HEADER_BYTES;
	size_t n = 0;

	for (size_t k = 0; k < c->n; k++)
		if (c->ev[k].id < HERMIT_TRACE_NEVENTS) {
			uint64_t t = trace_ns(s, c->ev[k].tsc);
			first = n++ ? first : t;
			last = t;
			bytes += event_bytes(&c->ev[k]);
		}
	packet(out, first, first, PACKET_HEADER_BYTES, 0, c->cpu);
	packet(out, first, last, bytes, c->lost + c->torn, c->cpu);
	for (size_t k = 0; k < c->n; k++) {
		const struct hermit_trace_event *e = &c->ev[k];
		if (e->id >= HERMIT_TRACE_NEVENTS)
			continue;
		put(out, e->id, 2);
		put(out, trace_ns(s, e->tsc), 8);
		put(out, e->task, 2);
		for (int f = 0; f < 2; f++)
			if (hermit_trace_catalogue[e->id].field[f][0])
				put(out, e->arg[f], 8);
	}
}

int trace_write_ctf(const struct trace_snapshot *s, const char *dir)
{
	char path[4096];
	FILE *f;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/metadata", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	trace_write_ctf_metadata(f);
	if (fclose(f) != 0)
		return -1;
	for (unsigned i = 0; i < s->ncpus; i++) {
		snprintf(path, sizeof(path), "%s/stream_%u", dir, s->cpu[i].cpu);
		if (!(f = fopen(path, "wb")))
			return -1;
		trace_write_ctf_stream(s, i, f);
		if (fclose(f) != 0)
			return -1;
	}
	return 0;
}

/* ---- Chrome trace-event JSON ---- */

static const char *task_name(const struct trace_snapshot *s, uint32_t tid)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (s->tasks[i].tid == tid)
			return s->tasks[i].name;
	return "";
}

static void json_string(FILE *out, const char *text)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_us(FILE *out, uint64_t ns)
{
	fprintf(out, "%llu.%03llu", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

static void slice(FILE *out, const struct trace_snapshot *s, uint32_t cpu, uint32_t tid, uint64_t from,
		  uint64_t to)
{
	char name[64];
	const char *tn = task_name(s, tid);
	if (tn[0])
		snprintf(name, sizeof(name), "%s (%u)", tn, tid);
	else
		snprintf(name, sizeof(name), "task %u", tid);
	fputs(",\n{\"ph\":\"X\",\"cat\":\"sched\",\"pid\":0,\"tid\":", out);
	fprintf(out, "%u,\"name\":", cpu);
	json_string(out, name);
	fputs(",\"ts\":", out);
	json_us(out, from);
	fputs(",\"dur\":", out);
	json_us(out, to - from);
	fprintf(out, ",\"args\":{\"tid\":%u}}", tid);
}

int trace_write_json(const struct trace_snapshot *s, FILE *out)
{
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"system\":\"Hermit\"},\"traceEvents\":[\n"
	      "{\"ph\":\"M\",\"pid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"Hermit kernel\"}}",
	      out);
	for (unsigned i = 0; i < s->ncpus; i++) {
		const struct trace_cpu_events *c = &s->cpu[i];
		fprintf(out, ",\n{\"ph\":\"M\",\"pid\":0,\"tid\":%u,\"name\":\"thread_name\",\"args\":{\"name\":\"CPU %u\"}}",
			c->cpu, c->cpu);
		if (c->lost + c->torn)
			fprintf(out, ",\n{\"ph\":\"M\",\"pid\":0,\"tid\":%u,\"name\":\"lost_events\",\"args\":{\"lost\":%llu,\"torn\":%llu}}",
				c->cpu, (unsigned long long)c->lost, (unsigned long long)c->torn);
		uint32_t running = c->n ? c->ev[0].task : 0;
		uint64_t since = c->n ? trace_ns(s, c->ev[0].tsc) : 0;
		for (size_t k = 0; k < c->n; k++) {
			const struct hermit_trace_event *e = &c->ev[k];
			if (e->id >= HERMIT_TRACE_NEVENTS)
				continue;
			const struct hermit_trace_event_info *info = &hermit_trace_catalogue[e->id];
			uint64_t t = trace_ns(s, e->tsc);
			fputs(",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":0,\"tid\":", out);
			fprintf(out, "%u,\"cat\":\"hermit\",\"name\":\"%s\",\"ts\":", c->cpu, info->name);
			json_us(out, t);
			fprintf(out, ",\"args\":{\"task\":%u", e->task);
			for (int f = 0; f < 2; f++)
				if (info->field[f][0]) {
					if ((info->signed_mask >> f) & 1)
						fprintf(out, ",\"%s\":%lld", info->field[f], (long long)e->arg[f]);
					else
						fprintf(out, ",\"%s\":%llu", info->field[f], (unsigned long long)e->arg[f]);
				}
			fputs("}}", out);
			if (e->id == HERMIT_TRACE_SCHED_SWITCH) {
				slice(out, s, c->cpu, (uint32_t)e->arg[0], since, t);
				running = (uint32_t)e->arg[1];
				since = t;
			}
		}
		if (c->n)
			slice(out, s, c->cpu, running, since, trace_ns(s, c->ev[c->n - 1].tsc));
	}
	fputs("\n]}\n", out);
	return ferror(out) ? -1 : 0;
}
