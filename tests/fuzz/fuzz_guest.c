/* fuzz_guest.c: the template guest image and its patching (fuzz_guest.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_guest.h"
#include "tracing/logring.h"
#include "tracing/ring.h"

uint8_t fuzz_ram[FUZZ_RAM] __attribute__((aligned(4096)));
struct guestmem fuzz_gm;
static uint8_t template[FUZZ_RAM] __attribute__((aligned(4096)));

static void *at(uint64_t gpa)
{
	return template + gpa;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(at(gpa), &v, 8);
}

static void make_log(void)
{
	struct hermit_log_ring *r = at(FUZZ_LOG);
	static const char *const lines[] = { "boot", "a <pc:0x200010> marker", "kernel panic: on purpose" };

	*r = (struct hermit_log_ring){ .magic = HERMIT_LOG_MAGIC, .version = HERMIT_LOG_VERSION,
				       .data = FUZZ_LOG_DATA, .size = FUZZ_LOG_SIZE };
	for (unsigned i = 0; i < 200; i++) { /* enough to wrap: a filler and lost records */
		const char *text = lines[i % 3];
		struct hermit_log_record *rec = log_ring_reserve(r, at(FUZZ_LOG_DATA), strlen(text));
		rec->level = (uint8_t)(i % 4);
		rec->seq = r->next_seq++;
		rec->ns = 1000000ull * i;
		memcpy(rec + 1, text, strlen(text) + 1);
		log_ring_commit(r, rec);
	}
}

static void make_tasks(void)
{
	struct hermit_task_table *t = at(FUZZ_TASKS);

	*t = (struct hermit_task_table){ .magic = HERMIT_TASKS_MAGIC, .version = HERMIT_TASKS_VERSION,
					 .list = FUZZ_TASK_LIST, .task_next = 0, .task_id = 8, .task_name = 16,
					 .name_max = 32, .task_state = 12, .task_frame = 48,
					 .task_stack_lo = 56, .task_stack_hi = 64, .task_size = 256,
					 .frame_size = 20 * 8, .task_wait = 80, .heap_start = FUZZ_TASK_LIST + 8,
					 .heap_end = FUZZ_TASK_LIST + 16, .crash_task = FUZZ_TASK_LIST + 24 };
	for (int r = 0; r < HERMIT_REG_COUNT; r++)
		t->frame[r] = (uint32_t)(8 * r);
	for (uint64_t i = 0; i < 2; i++) {
		uint64_t task = FUZZ_TASK0 + i * 0x4000, frame = FUZZ_FRAMES + i * 0x100;
		uint32_t id = (uint32_t)(i + 1);
		put64(task, i ? 0 : task + 0x4000);
		memcpy(at(task + 8), &id, 4);
		strcpy(at(task + 16), i ? "main" : "idle");
		put64(task + 48, frame);
		put64(task + 56, task - 0x3000);
		put64(task + 64, task);
		put64(frame + 8 * HERMIT_REG_RIP, 0x200000 + i);
		put64(frame + 8 * HERMIT_REG_RSP, task - 64);
	}
	put64(FUZZ_TASK_LIST, FUZZ_TASK0);
	put64(FUZZ_TASK_LIST + 8, FUZZ_TASK0 - 0x8000);  /* the heap */
	put64(FUZZ_TASK_LIST + 16, FUZZ_TASK0 - 0x7000);
	put64(FUZZ_TASK_LIST + 24, FUZZ_TASK0 + 0x4000); /* the crashed task */
	/* the first task blocked on a mutex the second holds: the owner is a pointer to follow */
	struct hermit_wait w = { .kind = HERMIT_WAIT_MUTEX, .fd = 1, .object = FUZZ_TASK_LIST + 32,
				 .owner = FUZZ_TASK_LIST + 40 };
	memcpy(at(FUZZ_TASK0 + 12), &(uint32_t){ 2 }, 4);
	memcpy(at(FUZZ_TASK0 + 80), &w, sizeof(w));
	put64(FUZZ_TASK_LIST + 40, FUZZ_TASK0 + 0x4000);
}

static void make_trace(void)
{
	struct hermit_trace *h = at(FUZZ_TRACE);

	*h = (struct hermit_trace){ .magic = HERMIT_TRACE_MAGIC, .version = HERMIT_TRACE_VERSION, .ncpus = 1,
				    .event_size = sizeof(struct hermit_trace_event), .tsc_khz = 1000000 };
	h->cpu[0] = (struct hermit_trace_cpu){ .slots = FUZZ_TRACE_SLOTS, .nslots = FUZZ_TRACE_NSLOTS };
	for (uint64_t i = 0; i < FUZZ_TRACE_NSLOTS + 10; i++) { /* wrapped: some lost */
		uint64_t pos = trace_ring_reserve(&h->cpu[0]);
		trace_ring_commit(at(FUZZ_TRACE_SLOTS), FUZZ_TRACE_NSLOTS, pos, 1000 * i, (uint16_t)(i % 8),
				  (uint16_t)(1 + i % 2), i, 2 * i);
	}
}

static void make_capture(void)
{
	struct hermit_capture *c = at(FUZZ_CAPTURE);
	uint64_t pos = 0;

	*c = (struct hermit_capture){ .magic = HERMIT_CAPTURE_MAGIC, .version = HERMIT_CAPTURE_VERSION,
				      .linktype = HERMIT_CAPTURE_LINKTYPE_ETHERNET, .snaplen = 256,
				      .data = FUZZ_CAPTURE_DATA, .size = FUZZ_CAPTURE_SIZE, .nifaces = 2 };
	for (unsigned i = 0; i < 2; i++) {
		struct hermit_capture_iface *f = &c->ifaces[i];
		memcpy(f->name, i ? "en2" : "en1", 4);
		memcpy(f->model, "virtio-net", 11);
		f->mac[5] = (uint8_t)i;
		f->ipv4 = 0x0205000a;
		f->ipv4_mask = 0x00ffffff;
		f->nipv6 = 1;
		f->ipv6[0][0] = 0xfe;
		f->ipv6_prefix[0] = 64;
	}
	for (uint32_t i = 0; i < 8; i++) {
		/* both interfaces, both directions, IPv4 and IPv6 sockets, frames without one */
		struct hermit_capture_record rec = { .time_ns = i * 1000ull, .orig_len = 60 + i,
						     .cap_len = 60 + i, .direction = i % 2, .iface = (uint16_t)(i / 4),
						     .task = i, .fd = (int32_t)i - 2, .proto = i % 3 ? 6 : 17,
						     .family = i % 4 ? 4 : 6, .local_port = 7, .remote_port = 9,
						     .dropped_before = i == 5, .cpu = (uint16_t)(i % 2) };
		memcpy(rec.task_name, "task-name-16-ch!", 16);
		rec.local_addr[0] = 10;
		rec.remote_addr[15] = 1;
		memcpy(at(FUZZ_CAPTURE_DATA + pos), &rec, sizeof(rec));
		memset(at(FUZZ_CAPTURE_DATA + pos + sizeof(rec)), (int)i, rec.cap_len);
		pos += sizeof(rec) + ((rec.cap_len + 7) & ~7u);
	}
	c->head = pos;
	c->frames = 8;
}

static void make_debug_channel(void)
{
	struct hermit_debug_channel *d = at(FUZZ_DEBUG);
	static const char stop[] = "$T05thread:01;#07+$OK#9a";

	d->magic = HERMIT_DEBUG_MAGIC;
	d->version = HERMIT_DEBUG_VERSION;
	d->ring_size = HERMIT_DEBUG_RING_SIZE;
	memcpy(d->g2h.data, stop, sizeof(stop) - 1);
	d->g2h.head = sizeof(stop) - 1;
	d->stopped = 1;
	d->stop_seq = 1;
	d->page_table = FUZZ_PAGE_TABLE;
	d->breaks = FUZZ_BREAKS;
}

/* The stopped guest's page tables, walked by the proxy's fast path (guestwalk.c). */
static void make_page_tables(void)
{
	const uint64_t pdpt = FUZZ_PAGE_TABLE + 0x1000, pd = pdpt + 0x1000, pt = pd + 0x1000;

	put64(FUZZ_PAGE_TABLE, pdpt | 1);
	put64(pdpt, pd | 1);
	put64(pd, pt | 1);
	put64(pd + 8, 0xa00000 | 0x81); /* a 2 MiB page the proxy cannot read: the stub's business */
	for (uint64_t i = 1; i < 512; i++)
		put64(pt + 8 * i, (i * 0x1000) | 1);
}

static void make_breaks(void)
{
	struct hermit_debug_breaks *b = at(FUZZ_BREAKS);

	b->count = HERMIT_DEBUG_BREAKS_MAX;
	b->bp[3] = (struct hermit_debug_break){ .addr = FUZZ_INT3, .saved = 0x55, .used = 1 };
	b->bp[9] = (struct hermit_debug_break){ .addr = 0xfffffffffffffff0ull, .saved = 1, .used = 1 };
	*(uint8_t *)at(FUZZ_INT3) = 0xcc;
}

/* A WRITE of 16 bytes to descriptor 1 in flight on CPU 0. */
static void make_hcall(void)
{
	struct hermit_anchor *a = at(FUZZ_ANCHOR);
	struct hc_rw rw = { .fd = 1, .buf = FUZZ_REQUEST + 0x100, .len = 16 };

	a->hcall[0] = (struct hermit_hcall_slot){ .nr = HERMIT_HC_WRITE, .req = FUZZ_REQUEST };
	memcpy(at(FUZZ_REQUEST), &rw, sizeof(rw));
	memcpy(at(FUZZ_REQUEST + 0x100), "hello from fuzz\n", 16);
}

static void make_template(void)
{
	struct hermit_anchor *a = at(FUZZ_ANCHOR);

	memset(template, 0, sizeof(template));
	*a = (struct hermit_anchor){ .magic = HERMIT_ANCHOR_MAGIC, .version = HERMIT_ABI_VERSION,
				     .size = sizeof(*a), .log = FUZZ_LOG, .tasks = FUZZ_TASKS,
				     .trace = FUZZ_TRACE, .capture = FUZZ_CAPTURE, .debug_channel = FUZZ_DEBUG };
	make_log();
	make_tasks();
	make_trace();
	make_capture();
	make_debug_channel();
	make_page_tables();
	make_breaks();
	make_hcall();
}

FILE *fuzz_null(void)
{
	static FILE *null_out;

	if (!null_out && !(null_out = fopen("/dev/null", "w")))
		abort();
	return null_out;
}

void fuzz_guest_load(const uint8_t *data, size_t size)
{
	static bool made;

	if (!made) {
		make_template();
		made = true;
	}
	memcpy(fuzz_ram, template, sizeof(fuzz_ram));
	gm_init(&fuzz_gm, fuzz_ram, FUZZ_RAM);
	while (size >= 5) {
		uint32_t off;
		memcpy(&off, data, 4);
		size_t n = data[4];
		data += 5;
		size -= 5;
		if (n > size)
			n = size;
		off %= FUZZ_RAM;
		if (n > FUZZ_RAM - off)
			n = FUZZ_RAM - off;
		memcpy(fuzz_ram + off, data, n);
		data += n;
		size -= n;
	}
}
