/*
 * guestview.c: the one checked accessor through which the proxy reads the tables the kernel
 * publishes in its anchor (hermit/abi.h): the log ring, the task table, the trace rings, the
 * debug channel, the capture ring. The guest is untrusted and may have overwritten any of them: each table is
 * copied out of guest memory and every field the proxy will use is checked before use (offsets
 * against the sizes they index, counts against fixed limits, pointers through guestmem.c). A
 * table that is absent (a zero pointer, or a zero magic: not set up yet) is silently missing; a
 * broken one is said once, in one line, and the proxy goes on with what it can still trust.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "proxy.h"

static const char *const table_names[GV_NTABLES] = {
	[GV_ANCHOR] = "anchor", [GV_LOG] = "log ring", [GV_TASKS] = "task table",
	[GV_TRACE] = "trace header", [GV_DEBUG] = "debug channel", [GV_CAPTURE] = "capture ring",
};

void gv_init(struct guestview *v, const struct guestmem *gm, hermit_gpa_t anchor)
{
	memset(v, 0, sizeof(*v));
	v->gm = gm;
	v->anchor = anchor;
}

bool gv_broken(struct guestview *v, enum gv_table t, const char *fmt, ...)
{
	va_list ap;

	if (v->reported & (1u << t))
		return false;
	v->reported |= 1u << t;
	fprintf(stderr, "hermit: the guest's %s is broken: ", table_names[t]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

bool gv_anchor(struct guestview *v, struct hermit_anchor *a)
{
	if (!v->gm || !gm_read(v->gm, v->anchor, a, sizeof(*a)))
		return v->gm ? gv_broken(v, GV_ANCHOR, "it is outside guest memory") : false;
	if (a->magic != HERMIT_ANCHOR_MAGIC || a->version != HERMIT_ABI_VERSION)
		return gv_broken(v, GV_ANCHOR, "magic %#llx version %u", (unsigned long long)a->magic,
				 a->version);
	return true;
}

/* The anchor's pointer to table t. */
static hermit_gpa_t table_at(const struct hermit_anchor *a, enum gv_table t)
{
	switch (t) {
	case GV_LOG: return a->log;
	case GV_TASKS: return a->tasks;
	case GV_TRACE: return a->trace;
	case GV_DEBUG: return a->debug_channel;
	case GV_CAPTURE: return a->capture;
	default: return 0;
	}
}

bool gv_table(struct guestview *v, enum gv_table t, void *out, size_t size, uint32_t magic,
	      uint32_t version, hermit_gpa_t *at)
{
	struct hermit_anchor a;
	uint32_t head[2]; /* every table starts with its magic and version */

	if (!gv_anchor(v, &a) || !(*at = table_at(&a, t)))
		return false;
	if (!gm_read(v->gm, *at, out, size))
		return gv_broken(v, t, "%#llx is outside guest memory", (unsigned long long)*at);
	memcpy(head, out, sizeof(head));
	if (head[0] == 0)
		return false; /* not set up yet */
	if (head[0] != magic || head[1] != version)
		return gv_broken(v, t, "magic %#x version %u", head[0], head[1]);
	return true;
}

bool gv_log(struct guestview *v, struct hermit_log_ring *hdr, struct log_ring_view *view)
{
	hermit_gpa_t at;

	if (!gv_table(v, GV_LOG, hdr, sizeof(*hdr), HERMIT_LOG_MAGIC, HERMIT_LOG_VERSION, &at))
		return false;
	if (hdr->size > GV_LOG_MAX || !log_ring_sane(hdr->size, hdr->head, hdr->tail))
		return gv_broken(v, GV_LOG, "size %u, head %llu, tail %llu", hdr->size,
				 (unsigned long long)hdr->head, (unsigned long long)hdr->tail);
	view->data = gm_range(v->gm, hdr->data, hdr->size);
	if (!view->data)
		return gv_broken(v, GV_LOG, "its data is outside guest memory");
	view->size = hdr->size;
	view->head = hdr->head;
	view->tail = hdr->tail;
	return true;
}

/* Whether a field of len bytes at off lies inside a struct of size bytes. */
static bool inside(uint32_t off, uint32_t len, uint32_t size)
{
	return off <= size && len <= size - off;
}

static bool task_offsets_ok(const struct hermit_task_table *tt)
{
	uint32_t sz = tt->task_size;

	if (sz == 0 || sz > GV_TASK_SIZE_MAX || tt->name_max == 0 || tt->frame_size > GV_FRAME_SIZE_MAX)
		return false;
	if (!inside(tt->task_next, 8, sz) || !inside(tt->task_id, 4, sz) || !inside(tt->task_state, 4, sz) ||
	    !inside(tt->task_name, tt->name_max, sz) || !inside(tt->task_frame, 8, sz) ||
	    !inside(tt->task_stack_lo, 8, sz) || !inside(tt->task_stack_hi, 8, sz) ||
	    !inside(tt->task_wait, sizeof(struct hermit_wait), sz) || !inside(tt->task_cpu, 4, sz))
		return false;
	for (unsigned r = 0; r < HERMIT_REG_COUNT; r++)
		if (!inside(tt->frame[r], 8, tt->frame_size))
			return false;
	return true;
}

bool gv_tasks(struct guestview *v, struct hermit_task_table *tt)
{
	hermit_gpa_t at;

	if (!gv_table(v, GV_TASKS, tt, sizeof(*tt), HERMIT_TASKS_MAGIC, HERMIT_TASKS_VERSION, &at))
		return false;
	if (!task_offsets_ok(tt))
		return gv_broken(v, GV_TASKS, "its offsets do not fit a task of %u bytes", tt->task_size);
	return true;
}

/* One task's fields, from its struct copied out of guest memory at addr. */
static bool read_task(struct guestview *v, const struct hermit_task_table *tt, uint64_t addr,
		      struct guest_task *t, uint64_t *next)
{
	const uint8_t *p = gm_range(v->gm, addr, tt->task_size);
	size_t nm = tt->name_max < sizeof(t->name) ? tt->name_max : sizeof(t->name);

	if (!p)
		return gv_broken(v, GV_TASKS, "a task at %#llx is outside guest memory",
				 (unsigned long long)addr);
	t->addr = addr;
	memcpy(&t->id, p + tt->task_id, 4);
	memcpy(&t->state, p + tt->task_state, 4);
	memcpy(&t->cpu, p + tt->task_cpu, 4);
	memcpy(t->name, p + tt->task_name, nm);
	t->name[nm - 1] = '\0';
	memcpy(&t->frame, p + tt->task_frame, 8);
	memcpy(&t->stack_lo, p + tt->task_stack_lo, 8);
	memcpy(&t->stack_hi, p + tt->task_stack_hi, 8);
	memcpy(&t->wait, p + tt->task_wait, sizeof(t->wait));
	memcpy(next, p + tt->task_next, 8);
	return true;
}

size_t gv_task_walk(struct guestview *v, const struct hermit_task_table *tt, struct guest_task *out,
		    size_t max)
{
	uint64_t t = 0;
	size_t n = 0;

	if (!gm_read(v->gm, tt->list, &t, sizeof(t))) {
		gv_broken(v, GV_TASKS, "its list head %#llx is outside guest memory",
			  (unsigned long long)tt->list);
		return 0;
	}
	while (t && n < max && read_task(v, tt, t, &out[n], &t)) {
		n++;
		for (size_t i = 0; t && i < n; i++)
			if (out[i].addr == t) {
				gv_broken(v, GV_TASKS, "its list loops back to the task at %#llx",
					  (unsigned long long)t);
				return n; /* the tasks so far are each whole */
			}
	}
	if (t && n == max)
		gv_broken(v, GV_TASKS, "its list is longer than %zu tasks", max);
	return n;
}

const struct guest_task *gv_task_at(const struct guest_task *tasks, size_t n, uint64_t addr)
{
	for (size_t i = 0; addr && i < n; i++)
		if (tasks[i].addr == addr)
			return &tasks[i];
	return NULL;
}

const struct guest_task *gv_wait_owner(struct guestview *v, const struct guest_task *tasks, size_t n,
				       hermit_gpa_t slot)
{
	uint64_t owner = 0;

	if (!slot || !gm_read(v->gm, slot, &owner, sizeof(owner)))
		return NULL;
	return gv_task_at(tasks, n, owner);
}

bool gv_trace(struct guestview *v, struct hermit_trace *hdr)
{
	hermit_gpa_t at;

	if (!gv_table(v, GV_TRACE, hdr, sizeof(*hdr), HERMIT_TRACE_MAGIC, HERMIT_TRACE_VERSION, &at))
		return false;
	if (hdr->ncpus > HERMIT_MAX_CPUS || hdr->event_size != sizeof(struct hermit_trace_event))
		return gv_broken(v, GV_TRACE, "%u CPUs, events of %u bytes", hdr->ncpus, hdr->event_size);
	for (unsigned i = 0; i < hdr->ncpus; i++) {
		uint32_t n = hdr->cpu[i].nslots;
		if (n > GV_TRACE_SLOTS_MAX || (n & (n - 1)) || hdr->cpu[i].slots % 8 ||
		    (n && !gm_range(v->gm, hdr->cpu[i].slots, (uint64_t)n * sizeof(struct hermit_trace_event))))
			return gv_broken(v, GV_TRACE, "CPU %u's ring (%u slots at %#llx)", i, n,
					 (unsigned long long)hdr->cpu[i].slots);
	}
	return true;
}

struct hermit_debug_channel *gv_debug_channel(struct guestview *v)
{
	struct hermit_debug_channel *c;
	uint32_t head[4];
	hermit_gpa_t at;

	if (!gv_table(v, GV_DEBUG, head, sizeof(head), HERMIT_DEBUG_MAGIC, HERMIT_DEBUG_VERSION, &at))
		return NULL;
	if (head[2] != HERMIT_DEBUG_RING_SIZE || at % 64)
		return gv_broken(v, GV_DEBUG, "rings of %u bytes at %#llx", head[2], (unsigned long long)at), NULL;
	c = gm_range(v->gm, at, sizeof(*c));
	if (!c)
		return gv_broken(v, GV_DEBUG, "it is outside guest memory"), NULL;
	return c;
}

bool gv_debug_breaks(struct guestview *v, const struct hermit_debug_channel *c,
		     struct hermit_debug_breaks *out)
{
	hermit_gpa_t at = __atomic_load_n(&c->breaks, __ATOMIC_RELAXED);

	if (!gm_read(v->gm, at, out, sizeof(*out)))
		return gv_broken(v, GV_DEBUG, "its breakpoint table at %#llx is outside guest memory",
				 (unsigned long long)at);
	if (out->count != HERMIT_DEBUG_BREAKS_MAX)
		return gv_broken(v, GV_DEBUG, "its breakpoint table has %u entries", out->count);
	return true;
}

bool gv_capture(struct guestview *v, struct hermit_capture *hdr, hermit_gpa_t *at)
{
	uint32_t nifaces;

	if (!gv_table(v, GV_CAPTURE, hdr, sizeof(*hdr), HERMIT_CAPTURE_MAGIC, HERMIT_CAPTURE_VERSION, at))
		return false;
	/* The copy's parts may come in any order: the interfaces published before a frame within
	 * head are taken again after it (entries are complete before nifaces counts them). */
	if (gm_read(v->gm, *at + offsetof(struct hermit_capture, nifaces), &nifaces, sizeof(nifaces)) &&
	    nifaces != hdr->nifaces && nifaces <= HERMIT_CAPTURE_IFACES &&
	    gm_read(v->gm, *at + offsetof(struct hermit_capture, ifaces), hdr->ifaces, sizeof(hdr->ifaces)))
		hdr->nifaces = nifaces;
	if (hdr->size < 64 || hdr->size % 8 || hdr->size > GV_CAPTURE_MAX || hdr->tail > hdr->head ||
	    hdr->head - hdr->tail > hdr->size || hdr->snaplen == 0 || hdr->snaplen > GV_SNAPLEN_MAX ||
	    hdr->linktype > 0xffff || hdr->nifaces > HERMIT_CAPTURE_IFACES)
		return gv_broken(v, GV_CAPTURE, "size %llu, head %llu, tail %llu, snaplen %u, interfaces %u",
				 (unsigned long long)hdr->size, (unsigned long long)hdr->head,
				 (unsigned long long)hdr->tail, hdr->snaplen, hdr->nifaces);
	if (!gm_range(v->gm, hdr->data, hdr->size))
		return gv_broken(v, GV_CAPTURE, "its data is outside guest memory");
	return true;
}
