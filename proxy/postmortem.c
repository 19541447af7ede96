/*
 * postmortem.c: what the proxy reads out of guest memory itself, through the anchor's tables
 * (hermit/abi.h), so that it works also when the kernel is dead: the kernel log (printed with
 * HERMIT_VERBOSE=1 at the end, or on SIGUSR1 while the guest runs), the tracer's rings (exported
 * as CTF and JSON with HERMIT_TRACE), and the post-mortem bundle of a crash: log, registers,
 * trace and an ELF core file that gdb opens with every task as a thread (docs/tracing.md).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracing/events.h"
#include "tracing/export.h"
#include "proxy.h"

#define MAX_TASKS 4096
#define MAX_REGIONS (MAX_TASKS + 32)
#define PAGE 4096ULL

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

int pm_check_settings(char *err, size_t errlen)
{
	const char *v = env_or("HERMIT_TRACE", NULL);
	unsigned char want[HERMIT_TRACE_NEVENTS] = { 0 };
	char bad[64];
	if (v && strcmp(v, "1") && trace_select(v, want, bad, sizeof(bad)) < 0) {
		snprintf(err, errlen, "hermit: HERMIT_TRACE=%s: %s matches no event (traces/formats/events.md)", v, bad);
		return -1;
	}
	char *end;
	if ((v = env_or("HERMIT_TIMEOUT", NULL)) && (strtoul(v, &end, 10) == 0 || *end)) {
		snprintf(err, errlen, "hermit: HERMIT_TIMEOUT=%s: expected a number of seconds", v);
		return -1;
	}
	if ((v = env_or("HERMIT_BUNDLE", NULL)) && strcmp(v, "0") && strcmp(v, "1")) {
		snprintf(err, errlen, "hermit: HERMIT_BUNDLE=%s: expected 0 or 1", v);
		return -1;
	}
	return 0;
}

void pm_init(struct postmortem *pm, const struct guestmem *gm, hermit_gpa_t anchor,
	     struct symbolizer *sym, const char *app)
{
	memset(pm, 0, sizeof(*pm));
	pm->gm = gm;
	pm->anchor = anchor;
	pm->sym = sym;
	pm->app = app;
	pm->dir = env_or("HERMIT_TRACE_DIR", ".");
	pm->trace = env_or("HERMIT_TRACE", NULL);
	pm->bundle_always = getenv("HERMIT_BUNDLE") && !strcmp(getenv("HERMIT_BUNDLE"), "1");
	const char *t = env_or("HERMIT_TIMEOUT", NULL);
	pm->timeout = t ? (unsigned)strtoul(t, NULL, 10) : 0;
}

static bool read_anchor(const struct postmortem *pm, struct hermit_anchor *a)
{
	return pm->gm && gm_read(pm->gm, pm->anchor, a, sizeof(*a)) && a->magic == HERMIT_ANCHOR_MAGIC;
}

/* ---- the kernel log ---- */

/* The log as console lines, oldest first (malloc'd, NUL-ended); NULL when there is no ring. */
static char *log_text(const struct postmortem *pm, size_t *len, uint64_t *lost)
{
	struct hermit_anchor a;
	struct hermit_log_ring r;
	if (!read_anchor(pm, &a) || !a.log || !gm_read(pm->gm, a.log, &r, sizeof(r)) ||
	    r.magic != HERMIT_LOG_MAGIC || r.version != HERMIT_LOG_VERSION || !r.size ||
	    (r.size & (r.size - 1)))
		return NULL;
	const uint8_t *data = gm_range(pm->gm, r.data, r.size);
	if (!data || r.tail > r.head || r.head - r.tail > r.size)
		return NULL;
	char *out = NULL;
	size_t cap = 0;
	FILE *f = open_memstream(&out, &cap);
	if (!f)
		return NULL;
	bool first = true;
	*lost = 0;
	for (uint64_t pos = r.tail; pos < r.head;) {
		struct hermit_log_record rec = { 0 };
		uint64_t off = pos & (r.size - 1);
		/* a filler may be shorter than a record's header: its size and level come first */
		memcpy(&rec, data + off, off + sizeof(rec) <= r.size ? sizeof(rec) : 4);
		bool pad = rec.level == HERMIT_LOG_PAD;
		if (rec.size < (pad ? 8 : sizeof(rec)) || rec.size % 8 || off + rec.size > r.size)
			break; /* torn: the kernel died while writing */
		if (!pad) {
			if (first)
				*lost = rec.seq;
			first = false;
			const char *text = (const char *)data + off + sizeof(rec);
			size_t n = strnlen(text, rec.size - sizeof(rec));
			fprintf(f, "[%5llu.%06llu] %c %.*s\n", (unsigned long long)(rec.ns / 1000000000),
				(unsigned long long)(rec.ns / 1000 % 1000000),
				rec.level <= HERMIT_LOG_ERROR ? "DIWE"[rec.level] : '?', (int)n, text);
		}
		pos += rec.size;
	}
	fclose(f);
	*len = cap;
	return out;
}

static void render(struct symbolizer *sym, const char *text, size_t len, FILE *out)
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

bool pm_print_log(struct postmortem *pm, FILE *out)
{
	size_t len;
	uint64_t lost;
	char *text = log_text(pm, &len, &lost);
	if (!text)
		return false;
	fprintf(out, "hermit: kernel log (from guest memory)%s\n", lost ? "" : ":");
	if (lost)
		fprintf(out, "hermit: (%llu older records were overwritten)\n", (unsigned long long)lost);
	render(pm->sym, text, len, out);
	fflush(out);
	free(text);
	return true;
}

/* ---- the trace ---- */

static const void *map_guest(void *arg, uint64_t gpa, uint64_t len)
{
	return gm_range(arg, gpa, len);
}

/* Task ids and names from the task table, for the JSON timeline. */
struct task_info {
	uint64_t addr;
	uint32_t id, state;
	char name[32];
	uint64_t frame, stack_lo, stack_hi;
};

static size_t read_tasks(const struct postmortem *pm, struct hermit_task_table *tt, struct task_info *out,
			 size_t max)
{
	struct hermit_anchor a;
	uint64_t t = 0;
	size_t n = 0;
	if (!read_anchor(pm, &a) || !a.tasks || !gm_read(pm->gm, a.tasks, tt, sizeof(*tt)) ||
	    tt->magic != HERMIT_TASKS_MAGIC || tt->version != HERMIT_TASKS_VERSION ||
	    !gm_read(pm->gm, tt->list, &t, 8))
		return 0;
	while (t && n < max) {
		struct task_info *i = &out[n];
		const uint8_t *p = gm_range(pm->gm, t, tt->task_size);
		if (!p)
			break;
		i->addr = t;
		memcpy(&i->id, p + tt->task_id, 4);
		memcpy(&i->state, p + tt->task_state, 4);
		size_t nm = tt->name_max < sizeof(i->name) ? tt->name_max : sizeof(i->name);
		memcpy(i->name, p + tt->task_name, nm);
		i->name[nm - 1] = '\0';
		memcpy(&i->frame, p + tt->task_frame, 8);
		memcpy(&i->stack_lo, p + tt->task_stack_lo, 8);
		memcpy(&i->stack_hi, p + tt->task_stack_hi, 8);
		memcpy(&t, p + tt->task_next, 8);
		n++;
	}
	return n;
}

static bool read_trace(const struct postmortem *pm, struct trace_snapshot *s)
{
	struct hermit_anchor a;
	struct hermit_trace hdr;
	if (!read_anchor(pm, &a) || !a.trace || !gm_read(pm->gm, a.trace, &hdr, sizeof(hdr)) ||
	    trace_snapshot_read(s, &hdr, map_guest, (void *)pm->gm) < 0 || !s->ncpus)
		return false;
	static struct task_info tasks[MAX_TASKS];
	struct hermit_task_table tt;
	size_t n = read_tasks(pm, &tt, tasks, MAX_TASKS);
	s->tasks = calloc(n ? n : 1, sizeof(*s->tasks));
	for (size_t i = 0; s->tasks && i < n; i++) {
		s->tasks[i].tid = tasks[i].id;
		snprintf(s->tasks[i].name, sizeof(s->tasks[i].name), "%s", tasks[i].name);
	}
	s->ntasks = s->tasks ? n : 0;
	return true;
}

/* Writes BASE (CTF directory) and BASE.json; prints where. */
static int write_trace(const struct postmortem *pm, const char *base, FILE *out)
{
	struct trace_snapshot s;
	char json[4200];
	if (!read_trace(pm, &s)) {
		fprintf(out, "hermit: no trace to write (the kernel set up no trace rings)\n");
		return -1;
	}
	snprintf(json, sizeof(json), "%s.json", base);
	FILE *f = fopen(json, "w");
	int rc = trace_write_ctf(&s, base) < 0 || !f || trace_write_json(&s, f) < 0 ? -1 : 0;
	if (f && fclose(f) != 0)
		rc = -1;
	uint64_t lost = 0;
	for (unsigned i = 0; i < s.ncpus; i++)
		lost += s.cpu[i].lost + s.cpu[i].torn;
	if (rc < 0)
		fprintf(out, "hermit: cannot write the trace to %s: %s\n", base, strerror(errno));
	else
		fprintf(out, "hermit: trace of %zu events (%llu lost) written to %s (CTF) and %s (JSON)\n",
			trace_snapshot_count(&s), (unsigned long long)lost, base, json);
	trace_snapshot_free(&s);
	return rc;
}

/* ---- the ELF core ---- */

struct region {
	uint64_t lo, hi;
};

static void add_region(struct region *r, size_t *n, uint64_t lo, uint64_t hi)
{
	lo &= ~(PAGE - 1);
	hi = (hi + PAGE - 1) & ~(PAGE - 1);
	if (hi <= lo || *n >= MAX_REGIONS)
		return;
	for (size_t i = 0; i < *n; i++)
		if (lo < r[i].hi && r[i].lo < hi) { /* overlap: merge */
			r[i].lo = lo < r[i].lo ? lo : r[i].lo;
			r[i].hi = hi > r[i].hi ? hi : r[i].hi;
			return;
		}
	r[(*n)++] = (struct region){ lo, hi };
}

static int by_lo(const void *a, const void *b)
{
	const struct region *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The image's PT_LOAD segments, from the file. */
static void image_regions(const char *app, struct region *r, size_t *n)
{
	int fd = open(app, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	if (fd < 0)
		return;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) && eh.e_phentsize == sizeof(Elf64_Phdr))
		for (unsigned i = 0; i < eh.e_phnum && i < 64; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph))
				break;
			if (ph.p_type == PT_LOAD && ph.p_memsz)
				add_region(r, n, ph.p_vaddr, ph.p_vaddr + ph.p_memsz);
		}
	close(fd);
}

static uint64_t frame_reg(const struct postmortem *pm, const struct hermit_task_table *tt, uint64_t frame,
			  int reg)
{
	uint64_t v = 0;
	if (frame)
		gm_read(pm->gm, frame + tt->frame[reg], &v, 8);
	return v;
}

static void note(FILE *f, uint32_t type, const char *name, const void *desc, uint32_t len)
{
	Elf64_Nhdr nh = { .n_namesz = (uint32_t)strlen(name) + 1, .n_descsz = len, .n_type = type };
	static const char zero[8];
	fwrite(&nh, sizeof(nh), 1, f);
	fwrite(name, nh.n_namesz, 1, f);
	fwrite(zero, (4 - nh.n_namesz % 4) % 4, 1, f);
	fwrite(desc, len, 1, f);
	fwrite(zero, (4 - len % 4) % 4, 1, f);
}

/* x86_64 Linux's struct elf_prstatus, which gdb reads from cores. */
struct prstatus {
	int32_t si_signo, si_code, si_errno;
	int16_t cursig, pad0;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	uint64_t times[8];
	uint64_t reg[27];
	int32_t fpvalid, pad1;
};
_Static_assert(sizeof(struct prstatus) == 336, "elf_prstatus layout");

struct prpsinfo {
	char state, sname, zomb, nice;
	uint32_t pad;
	uint64_t flag;
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	char fname[16];
	char psargs[80];
};
_Static_assert(sizeof(struct prpsinfo) == 136, "elf_prpsinfo layout");

static void prstatus_of(const struct postmortem *pm, const struct hermit_task_table *tt,
			const struct task_info *t, int sig, struct prstatus *ps)
{
	/* user_regs_struct order */
	static const int order[27] = {
		HERMIT_REG_R15, HERMIT_REG_R14, HERMIT_REG_R13, HERMIT_REG_R12, HERMIT_REG_RBP,
		HERMIT_REG_RBX, HERMIT_REG_R11, HERMIT_REG_R10, HERMIT_REG_R9, HERMIT_REG_R8,
		HERMIT_REG_RAX, HERMIT_REG_RCX, HERMIT_REG_RDX, HERMIT_REG_RSI, HERMIT_REG_RDI,
		-1 /* orig_rax */, HERMIT_REG_RIP, HERMIT_REG_CS, HERMIT_REG_RFLAGS, HERMIT_REG_RSP,
		HERMIT_REG_SS, -1, -1, -1, -1, -1, -1,
	};
	memset(ps, 0, sizeof(*ps));
	ps->si_signo = sig;
	ps->cursig = (int16_t)sig;
	ps->pid = (int32_t)t->id;
	for (int i = 0; i < 27; i++)
		ps->reg[i] = order[i] < 0 ? (i == 15 ? (uint64_t)-1 : 0) : frame_reg(pm, tt, t->frame, order[i]);
}

static int write_core(const struct postmortem *pm, const char *path, int sig, FILE *regs_out)
{
	static struct task_info tasks[MAX_TASKS];
	static struct region regions[MAX_REGIONS];
	struct hermit_task_table tt;
	struct hermit_anchor a;
	size_t ntasks = read_tasks(pm, &tt, tasks, MAX_TASKS), nr = 0;
	uint64_t crash = 0, v0 = 0, v1 = 0;

	if (!ntasks)
		return -1;
	gm_read(pm->gm, tt.crash_task, &crash, 8);
	image_regions(pm->app, regions, &nr);
	for (size_t i = 0; i < ntasks; i++) {
		const struct task_info *t = &tasks[i];
		uint64_t rsp = frame_reg(pm, &tt, t->frame, HERMIT_REG_RSP);
		uint64_t lo = t->frame >= t->stack_lo && t->frame < t->stack_hi ? t->frame : rsp;
		if (lo < t->stack_lo || lo > t->stack_hi)
			lo = t->stack_lo;
		add_region(regions, &nr, lo - 256, t->addr + tt.task_size);
	}
	if (gm_read(pm->gm, tt.heap_start, &v0, 8) && gm_read(pm->gm, tt.heap_end, &v1, 8) && v0 && v1 > v0)
		add_region(regions, &nr, v0, v1);
	struct hermit_trace hdr;
	if (read_anchor(pm, &a) && a.trace && gm_read(pm->gm, a.trace, &hdr, sizeof(hdr)) &&
	    hdr.magic == HERMIT_TRACE_MAGIC)
		for (unsigned i = 0; i < hdr.ncpus && i < HERMIT_MAX_CPUS; i++)
			if (hdr.cpu[i].slots)
				add_region(regions, &nr, hdr.cpu[i].slots,
					   hdr.cpu[i].slots + (uint64_t)hdr.cpu[i].nslots * sizeof(struct hermit_trace_event));
	/* the network capture ring, for gdb's `hermit pcap` on the core */
	struct hermit_capture cap;
	if (read_anchor(pm, &a) && a.capture && gm_read(pm->gm, a.capture, &cap, sizeof(cap)) &&
	    cap.magic == HERMIT_CAPTURE_MAGIC)
		add_region(regions, &nr, cap.data, cap.data + cap.size);
	/* merging may have made new overlaps: sort and merge again */
	qsort(regions, nr, sizeof(*regions), by_lo);
	size_t m = 0;
	for (size_t i = 0; i < nr; i++) {
		if (!gm_range(pm->gm, regions[i].lo, regions[i].hi - regions[i].lo))
			continue;
		if (m && regions[i].lo <= regions[m - 1].hi) {
			if (regions[i].hi > regions[m - 1].hi)
				regions[m - 1].hi = regions[i].hi;
		} else {
			regions[m++] = regions[i];
		}
	}
	nr = m;

	/* notes: the crashing task first (gdb's current thread), then every other task */
	char *notes = NULL;
	size_t notes_len = 0;
	FILE *nf = open_memstream(&notes, &notes_len);
	struct prpsinfo pi = { .state = 0, .sname = 'R', .pid = 1 };
	const char *base = strrchr(pm->app, '/') ? strrchr(pm->app, '/') + 1 : pm->app;
	snprintf(pi.fname, sizeof(pi.fname), "%s", base);
	snprintf(pi.psargs, sizeof(pi.psargs), "%s", pm->app);
	note(nf, NT_PRPSINFO, "CORE", &pi, sizeof(pi));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ntasks; i++) {
			bool crashed = tasks[i].addr == crash;
			if (crashed != (pass == 0) || (!crash && pass == 0))
				continue;
			struct prstatus ps;
			prstatus_of(pm, &tt, &tasks[i], crashed ? sig : 0, &ps);
			note(nf, NT_PRSTATUS, "CORE", &ps, sizeof(ps));
			static const char *const states[] = { "ready", "running", "blocked", "dead" };
			static const char *const names[27] = { "r15", "r14", "r13", "r12", "rbp", "rbx", "r11",
				"r10", "r9", "r8", "rax", "rcx", "rdx", "rsi", "rdi", NULL, "rip", "cs", "rflags",
				"rsp", "ss" };
			fprintf(regs_out, "task %u \"%s\" %s%s: rip %016llx rsp %016llx rbp %016llx\n", tasks[i].id,
				tasks[i].name, tasks[i].state <= 3 ? states[tasks[i].state] : "?",
				crashed ? " (crashed)" : "", (unsigned long long)ps.reg[16],
				(unsigned long long)ps.reg[19], (unsigned long long)ps.reg[4]);
			for (int r = 0, col = 0; r < 21; r++) {
				if (!names[r])
					continue;
				col++;
				fprintf(regs_out, "%s%-6s %016llx%s", col % 4 == 1 ? "  " : " ", names[r],
					(unsigned long long)ps.reg[r], col % 4 == 0 || r == 20 ? "\n" : "");
			}
		}
	fclose(nf);

	FILE *f = fopen(path, "wb");
	if (!f) {
		free(notes);
		return -1;
	}
	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)(nr + 1);
	fwrite(&eh, sizeof(eh), 1, f);
	uint64_t off = sizeof(eh) + (nr + 1) * sizeof(Elf64_Phdr);
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = off, .p_filesz = notes_len, .p_align = 4 };
	fwrite(&ph, sizeof(ph), 1, f);
	off = (off + notes_len + PAGE - 1) & ~(PAGE - 1);
	for (size_t i = 0; i < nr; i++) {
		uint64_t size = regions[i].hi - regions[i].lo;
		ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = off,
				   .p_vaddr = regions[i].lo, .p_paddr = regions[i].lo, .p_filesz = size,
				   .p_memsz = size, .p_align = PAGE };
		fwrite(&ph, sizeof(ph), 1, f);
		off += size;
	}
	fwrite(notes, notes_len, 1, f);
	free(notes);
	off = (sizeof(eh) + (nr + 1) * sizeof(Elf64_Phdr) + notes_len + PAGE - 1) & ~(PAGE - 1);
	fseeko(f, (off_t)off, SEEK_SET);
	for (size_t i = 0; i < nr; i++)
		fwrite(gm_range(pm->gm, regions[i].lo, regions[i].hi - regions[i].lo), 1,
		       regions[i].hi - regions[i].lo, f);
	return fclose(f) == 0 ? 0 : -1;
}

static const char *end_name(int end)
{
	switch (end) {
	case VM_EXITED: return "exited";
	case VM_CRASHED: return "crashed";
	case VM_DIED: return "died without exiting (triple fault or QEMU error)";
	case VM_SIGNALED: return "stopped by a signal";
	case VM_TIMEOUT: return "stopped by HERMIT_TIMEOUT";
	case VM_RUNNING: return "was running (a snapshot on request: SIGUSR2)";
	default: return "ended";
	}
}

static int write_bundle(struct postmortem *pm, int end, int32_t status, FILE *out)
{
	char tag[32] = "";
	if (end == VM_RUNNING)
		snprintf(tag, sizeof(tag), "-snapshot%u", ++pm->snapshots);
	char dir[4096], path[4200];
	const char *base = strrchr(pm->app, '/') ? strrchr(pm->app, '/') + 1 : pm->app;
	struct hermit_anchor anchor;
	if (!read_anchor(pm, &anchor) || (!anchor.log && !anchor.tasks))
		return -1; /* a guest without the tables: nothing to put in a bundle */
	snprintf(dir, sizeof(dir), "%s/hermit-postmortem-%s-%d%s", pm->dir, base, (int)getpid(), tag);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(out, "hermit: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/log.txt", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		size_t len;
		uint64_t lost;
		char *text = log_text(pm, &len, &lost);
		if (text)
			render(pm->sym, text, len, f);
		free(text);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/registers.txt", dir);
	FILE *regs = fopen(path, "w");
	if (regs)
		fprintf(regs, "the guest %s (status %d)\n", end_name(end), (int)status);
	snprintf(path, sizeof(path), "%s/core", dir);
	int sig = end == VM_CRASHED ? (status == HERMIT_CRASH_PANIC ? 6 : 11) : end == VM_DIED ? 11 : 0;
	int rc = write_core(pm, path, sig, regs ? regs : stderr);
	if (regs)
		fclose(regs);
	snprintf(path, sizeof(path), "%s/trace", dir);
	struct trace_snapshot s;
	if (read_trace(pm, &s)) {
		trace_write_ctf(&s, path);
		snprintf(path, sizeof(path), "%s/trace.json", dir);
		if ((f = fopen(path, "w"))) {
			trace_write_json(&s, f);
			fclose(f);
		}
		trace_snapshot_free(&s);
	}
	snprintf(path, sizeof(path), "%s/capture.pcap", dir); /* with HERMIT_CAPTURE_NET=1 */
	long frames = net_capture_save(pm->gm, pm->anchor, path);
	fprintf(out, "hermit: post-mortem bundle in %s (log.txt, registers.txt, core%s%s; gdb %s %s/core)\n", dir,
		rc < 0 ? " missing" : "", frames >= 0 ? ", capture.pcap" : "", pm->app, dir);
	return rc;
}

void pm_snapshot(struct postmortem *pm, FILE *out)
{
	(void)mkdir(pm->dir, 0777);
	write_bundle(pm, VM_RUNNING, 0, out);
	fflush(out);
}

void pm_finish(struct postmortem *pm, int end, int32_t status, FILE *out)
{
	if (pm->trace || end == VM_CRASHED || end == VM_DIED || pm->bundle_always)
		(void)mkdir(pm->dir, 0777); /* one level, as `mkdir DIR` would; it may exist */
	if (pm->trace) {
		char base[4096];
		const char *app = strrchr(pm->app, '/') ? strrchr(pm->app, '/') + 1 : pm->app;
		snprintf(base, sizeof(base), "%s/hermit-trace-%s-%d", pm->dir, app, (int)getpid());
		write_trace(pm, base, out);
	}
	if (end == VM_CRASHED || end == VM_DIED || pm->bundle_always)
		write_bundle(pm, end, status, out);
	fflush(out);
}
