/*
 * core.c: an ELF core file of the guest that gdb opens with every kernel task as a thread: one
 * NT_PRSTATUS note per task (the crashed one first, so it is gdb's current thread) with the
 * registers of its saved trap frame (for a task another CPU ran when the guest crashed, the frame
 * of the crash's NMI there: its live registers), and PT_LOAD segments for the image, the tasks' stacks and
 * structs, the heap, the trace rings and the capture ring, copied from guest memory. Everything
 * comes through the checked accessor (guestview.c); the task list is the core's only must.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"

#define PAGE 4096ULL
#define MAX_REGIONS (GV_TASKS_MAX + 32)

/* x86_64 Linux's struct user_regs_struct: the registers of an NT_PRSTATUS note. */
struct user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	uint64_t orig_rax, rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs;
};

/* x86_64 Linux's struct elf_prstatus, which gdb reads from cores. */
struct prstatus {
	int32_t si_signo, si_code, si_errno;
	int16_t cursig, pad0;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	uint64_t times[8];
	struct user_regs regs;
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

/* Each register a trap frame holds: its name, its place in user_regs and in the frame. */
static const struct frame_reg {
	const char *name;
	size_t at;
	enum hermit_frame_reg frame;
} frame_regs[] = {
#define REG(name, id) { #name, offsetof(struct user_regs, name), id }
	REG(r15, HERMIT_REG_R15), REG(r14, HERMIT_REG_R14), REG(r13, HERMIT_REG_R13),
	REG(r12, HERMIT_REG_R12), REG(rbp, HERMIT_REG_RBP), REG(rbx, HERMIT_REG_RBX),
	REG(r11, HERMIT_REG_R11), REG(r10, HERMIT_REG_R10), REG(r9, HERMIT_REG_R9),
	REG(r8, HERMIT_REG_R8), REG(rax, HERMIT_REG_RAX), REG(rcx, HERMIT_REG_RCX),
	REG(rdx, HERMIT_REG_RDX), REG(rsi, HERMIT_REG_RSI), REG(rdi, HERMIT_REG_RDI),
	REG(rip, HERMIT_REG_RIP), REG(cs, HERMIT_REG_CS), { "rflags", offsetof(struct user_regs, eflags),
	HERMIT_REG_RFLAGS }, REG(rsp, HERMIT_REG_RSP), REG(ss, HERMIT_REG_SS),
#undef REG
};

struct region {
	uint64_t lo, hi;
};

struct core {
	struct guestview *v;
	struct hermit_task_table tt;
	struct guest_task tasks[GV_TASKS_MAX];
	size_t ntasks;
	uint64_t crash;               /* the crashed task's address, 0 if none */
	struct region regions[MAX_REGIONS];
	size_t nregions;
};

static void add_region(struct core *c, uint64_t lo, uint64_t hi)
{
	struct region *r = c->regions;

	lo &= ~(PAGE - 1);
	hi = hi > UINT64_MAX - PAGE ? UINT64_MAX & ~(PAGE - 1) : (hi + PAGE - 1) & ~(PAGE - 1);
	if (hi <= lo || c->nregions >= MAX_REGIONS)
		return;
	for (size_t i = 0; i < c->nregions; i++)
		if (lo < r[i].hi && r[i].lo < hi) { /* overlap: merge */
			r[i].lo = lo < r[i].lo ? lo : r[i].lo;
			r[i].hi = hi > r[i].hi ? hi : r[i].hi;
			return;
		}
	r[c->nregions++] = (struct region){ lo, hi };
}

static int by_lo(const void *a, const void *b)
{
	const struct region *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void take_segment(void *core, uint64_t lo, uint64_t hi)
{
	add_region(core, lo, hi);
}

static uint64_t frame_value(const struct core *c, uint64_t frame, enum hermit_frame_reg reg)
{
	uint64_t v = 0;

	if (frame)
		gm_read(c->v->gm, frame + c->tt.frame[reg], &v, 8);
	return v;
}

/* Each task's stack from its saved frame (or rsp) up, and its struct (at the top of its stack,
 * except for the idle tasks of the CPUs that came up after boot). */
static void add_tasks(struct core *c)
{
	for (size_t i = 0; i < c->ntasks; i++) {
		const struct guest_task *t = &c->tasks[i];
		uint64_t rsp = frame_value(c, t->frame, HERMIT_REG_RSP);
		uint64_t lo = t->frame >= t->stack_lo && t->frame < t->stack_hi ? t->frame : rsp;
		if (lo < t->stack_lo || lo > t->stack_hi)
			lo = t->stack_lo;
		add_region(c, lo > 256 ? lo - 256 : 0, t->stack_hi);
		add_region(c, t->addr, t->addr + c->tt.task_size);
	}
}

/* The heap, the trace rings and the capture ring (for gdb's hermit trace and hermit pcap). */
static void add_tables(struct core *c)
{
	const struct guestmem *gm = c->v->gm;
	struct hermit_trace hdr;
	struct hermit_capture cap;
	struct hermit_anchor a;
	uint64_t v0 = 0, v1 = 0;

	if (gm_read(gm, c->tt.heap_start, &v0, 8) && gm_read(gm, c->tt.heap_end, &v1, 8) && v0 && v1 > v0)
		add_region(c, v0, v1);
	if (gv_trace(c->v, &hdr))
		for (unsigned i = 0; i < hdr.ncpus; i++)
			if (hdr.cpu[i].slots)
				add_region(c, hdr.cpu[i].slots, hdr.cpu[i].slots +
					   (uint64_t)hdr.cpu[i].nslots * sizeof(struct hermit_trace_event));
	if (gv_anchor(c->v, &a) && a.capture && gm_read(gm, a.capture, &cap, sizeof(cap)) &&
	    cap.magic == HERMIT_CAPTURE_MAGIC && cap.data + cap.size > cap.data)
		add_region(c, cap.data, cap.data + cap.size);
}

/* Sorted, merged again (merging may have made new overlaps), and only what is guest RAM. */
static void settle_regions(struct core *c)
{
	struct region *r = c->regions;
	size_t m = 0;

	qsort(r, c->nregions, sizeof(*r), by_lo);
	for (size_t i = 0; i < c->nregions; i++) {
		if (!gm_range(c->v->gm, r[i].lo, r[i].hi - r[i].lo))
			continue;
		if (m && r[i].lo <= r[m - 1].hi) {
			if (r[i].hi > r[m - 1].hi)
				r[m - 1].hi = r[i].hi;
		} else {
			r[m++] = r[i];
		}
	}
	c->nregions = m;
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

static uint64_t *reg_slot(struct user_regs *regs, const struct frame_reg *r)
{
	return (uint64_t *)((char *)regs + r->at);
}

static void prstatus_of(const struct core *c, const struct guest_task *t, int sig, struct prstatus *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->si_signo = sig;
	ps->cursig = (int16_t)sig;
	ps->pid = (int32_t)t->id;
	ps->regs.orig_rax = (uint64_t)-1;
	for (size_t i = 0; i < sizeof(frame_regs) / sizeof(frame_regs[0]); i++)
		*reg_slot(&ps->regs, &frame_regs[i]) = frame_value(c, t->frame, frame_regs[i].frame);
}

/* registers.txt: a line per task, then its registers four to a line. */
static void print_task(FILE *out, const struct guest_task *t, bool crashed, struct user_regs *regs)
{
	static const char *const states[] = { "ready", "running", "blocked", "dead" };
	size_t n = sizeof(frame_regs) / sizeof(frame_regs[0]);

	fprintf(out, "task %u \"%s\" %s on CPU %u%s: rip %016llx rsp %016llx rbp %016llx\n", t->id,
		t->name, t->state <= 3 ? states[t->state] : "?", t->cpu, crashed ? " (crashed)" : "",
		(unsigned long long)regs->rip, (unsigned long long)regs->rsp, (unsigned long long)regs->rbp);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%-6s %016llx%s", i % 4 == 0 ? "  " : " ", frame_regs[i].name,
			(unsigned long long)*reg_slot(regs, &frame_regs[i]), i % 4 == 3 || i == n - 1 ? "\n" : "");
}

/* registers.txt: what a blocked task waits for, as `hermit tasks` says it (without symbols). */
static void print_wait(FILE *out, const struct core *c, const struct guest_task *t)
{
	static const char *const kinds[] = HERMIT_WAIT_NAMES;
	_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == HERMIT_WAIT_KINDS, "a name per wait kind");
	const struct hermit_wait *w = &t->wait;
	const struct guest_task *owner = gv_wait_owner(c->v, c->tasks, c->ntasks, w->owner);
	const struct guest_task *joined = gv_task_at(c->tasks, c->ntasks, w->object);
	unsigned long long obj = (unsigned long long)w->object;
	bool socket = w->kind == HERMIT_WAIT_NET && w->fd;

	if (t->state != 2 || w->kind == HERMIT_WAIT_NONE)
		return;
	fprintf(out, "  waits for ");
	if (socket)
		fprintf(out, "socket %u (lwIP %#llx)", w->fd - 1, obj);
	else if (w->kind == HERMIT_WAIT_JOIN && joined)
		fprintf(out, "join of task %u \"%s\"", joined->id, joined->name);
	else if (w->kind < HERMIT_WAIT_KINDS)
		fprintf(out, obj ? "%s %#llx" : "%s", kinds[w->kind], obj);
	else
		fprintf(out, "kind %u? %#llx", w->kind, obj);
	if (owner)
		fprintf(out, " held by task %u \"%s\"", owner->id, owner->name);
	if (w->fd && !socket)
		fprintf(out, ", in a call on fd %u", w->fd - 1);
	fputc('\n', out);
}

/* The notes: the process, then the crashed task (gdb's current thread), then every other. */
static char *make_notes(const struct core *c, const char *app, int sig, FILE *regs_out, size_t *len)
{
	char *notes = NULL;
	FILE *nf = open_memstream(&notes, len);
	struct prpsinfo pi = { .state = 0, .sname = 'R', .pid = 1 };
	const char *base = strrchr(app, '/') ? strrchr(app, '/') + 1 : app;

	if (!nf)
		return NULL;
	snprintf(pi.fname, sizeof(pi.fname), "%s", base);
	snprintf(pi.psargs, sizeof(pi.psargs), "%s", app);
	note(nf, NT_PRPSINFO, "CORE", &pi, sizeof(pi));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->ntasks; i++) {
			bool crashed = c->tasks[i].addr == c->crash;
			struct prstatus ps;
			if (crashed != (pass == 0) || (!c->crash && pass == 0))
				continue;
			prstatus_of(c, &c->tasks[i], crashed ? sig : 0, &ps);
			note(nf, NT_PRSTATUS, "CORE", &ps, sizeof(ps));
			print_task(regs_out, &c->tasks[i], crashed, &ps.regs);
			print_wait(regs_out, c, &c->tasks[i]);
		}
	if (fclose(nf) != 0) {
		free(notes);
		return NULL;
	}
	return notes;
}

/* ELF header, a PT_NOTE, a PT_LOAD per region, the notes, then the regions page-aligned. */
static int write_elf(const struct core *c, FILE *f, const char *notes, size_t notes_len)
{
	size_t nr = c->nregions;
	Elf64_Ehdr eh = { .e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_phoff = sizeof(eh), .e_ehsize = sizeof(eh), .e_phentsize = sizeof(Elf64_Phdr),
			  .e_phnum = (uint16_t)(nr + 1) };
	uint64_t start = (sizeof(eh) + (nr + 1) * sizeof(Elf64_Phdr) + notes_len + PAGE - 1) & ~(PAGE - 1);
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = sizeof(eh) + (nr + 1) * sizeof(Elf64_Phdr),
			  .p_filesz = notes_len, .p_align = 4 };

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	fwrite(&eh, sizeof(eh), 1, f);
	fwrite(&ph, sizeof(ph), 1, f);
	for (size_t i = 0, off = start; i < nr; i++) {
		uint64_t size = c->regions[i].hi - c->regions[i].lo;
		ph = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = off,
				   .p_vaddr = c->regions[i].lo, .p_paddr = c->regions[i].lo, .p_filesz = size,
				   .p_memsz = size, .p_align = PAGE };
		fwrite(&ph, sizeof(ph), 1, f);
		off += size;
	}
	fwrite(notes, notes_len, 1, f);
	fseeko(f, (off_t)start, SEEK_SET);
	for (size_t i = 0; i < nr; i++) {
		uint64_t size = c->regions[i].hi - c->regions[i].lo;
		fwrite(gm_range(c->v->gm, c->regions[i].lo, size), 1, size, f);
	}
	return ferror(f) ? -1 : 0;
}

int core_write(struct guestview *v, const char *app, const char *path, int sig, FILE *regs_out)
{
	static struct core c;
	size_t notes_len = 0;
	char *notes;
	FILE *f;
	int rc;

	memset(&c, 0, sizeof(c));
	c.v = v;
	if (!gv_tasks(v, &c.tt) || !(c.ntasks = gv_task_walk(v, &c.tt, c.tasks, GV_TASKS_MAX)))
		return -1;
	gm_read(v->gm, c.tt.crash_task, &c.crash, 8);
	image_segments(app, take_segment, &c); /* the image's PT_LOAD segments */
	add_tasks(&c);
	add_tables(&c);
	settle_regions(&c);
	if (!(notes = make_notes(&c, app, sig, regs_out, &notes_len)))
		return -1;
	if (!(f = fopen(path, "wb"))) {
		free(notes);
		return -1;
	}
	rc = write_elf(&c, f, notes, notes_len);
	free(notes);
	return fclose(f) == 0 ? rc : -1;
}
