/*
 * debug/gdb_kernel.c: the kernel's side of the gdb stub: the engine's hooks (gdbstub/gdbstub.h)
 * over tasks, trap frames and checked memory, and the stub context in which the engine runs.
 *
 * Stopping: every way in (a breakpoint, a single step, a watchpoint, a fault under gdb, a stop gdb
 * asked for, an NMI for a ^C that interrupts could not bring, the boot stop) ends in stub_stop()
 * with the interrupted task's trap frame. There, with interrupts off, this CPU claims the stub and
 * parks every other CPU by NMI (stopall.c); each CPU's frame is recorded, so a task that runs is
 * read from its CPU's frame (its live registers) and the others from their saved frames. The stop
 * is reported and the h2g ring polled until gdb resumes; then the CPUs whose tasks gdb let go on
 * are released, the others stay parked (vCont's "s:T" alone steps T with everything else held).
 *
 * Threads are tasks (gdb thread id = task id). Memory goes only through mem_read/mem_write, which
 * walk the page tables first (mmu_range_ok) and never touch the APIC window. Text is mapped
 * read-only, so writing there (an int3, breakpoints.c) clears CR0.WP for the copy, with
 * interrupts off.
 * Single steps mask interrupts in the stepped task (as QEMU's gdbstub does), so a step ends on
 * the next instruction of the same task instead of in a timer interrupt. A stop of another CPU
 * cancels an unfinished step (its flags as before); gdb steps again if it still wants to.
 */
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/debugregs.h"
#include "arch/x86_64/frame.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/nmi_divert.h"
#include "debug/debug_internal.h"
#include "gdbstub.h"
#include "hermit/abi.h"
#include "kernel/clock.h"
#include "kernel/debug.h"
#include "kernel/hcall.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "kernel/trace.h"
#include "lib/format.h"

#define MMIO_WINDOW_LO 0xfec00000ull /* I/O APIC .. local APIC: never read by the stub */
#define MMIO_WINDOW_HI 0x100000000ull
#define KILL_STATUS (128 + 9)        /* the status of a kernel gdb killed, as a shell shows it */
#define DOORBELL_CPU 0               /* the CPU the doorbell's interrupt is routed to */

extern char __image_start[], __text_end[];

static struct {
	bool enabled;
	bool boot_stop;              /* the int3 of debug_boot() */
	volatile bool stop_requested; /* ^C or a connecting gdb */
	bool kill;
	struct gdb_resume how;       /* gdb's last resume: which tasks go on, which stay */
	uint32_t step_task;          /* task being single-stepped, 0 for none */
	bool step_if;                /* its interrupt flag before the step */
	bool step_keep_if;           /* the stepped instruction sets the flag itself */
	uint64_t trap_ns;            /* when the last stop's trap came (for monitor cpus) */
	uint64_t reply_ns;           /* how long until its stop reply had gone out */
} dbg;

static uint8_t rx_buf[4096];

/* ---- tasks and frames ---- */

static struct task *find_task(gdb_tid_t tid)
{
	for (struct task *t = task_list(); t; t = t->all_next)
		if (t->id == tid && t->state != TASK_DEAD)
			return t;
	return NULL;
}

static bool runs_now(const struct task *t)
{
	return t->cpu < HERMIT_MAX_CPUS && cpus[t->cpu].current == t;
}

static struct trap_frame *task_frame(const struct task *t)
{
	struct trap_frame *f;

	if (runs_now(t) && stopall_frame(t->cpu))
		f = stopall_frame(t->cpu); /* its live registers, as its CPU stopped */
	else
		f = t->frame;
	if (!f || !mmu_range_ok((uintptr_t)f, sizeof(*f), true))
		return NULL;
	return f;
}

static struct trap_frame *frame_of(gdb_tid_t tid)
{
	struct task *t = find_task(tid);
	return t ? task_frame(t) : NULL;
}

/* ---- checked memory ---- */

bool debug_readable(uint64_t a, size_t n)
{
	if (a < MMIO_WINDOW_HI && a + n > MMIO_WINDOW_LO)
		return false;
	return mmu_range_ok(a, n, false);
}

static bool in_text(uint64_t a, size_t n)
{
	return a >= (uint64_t)__image_start && a + n <= (uint64_t)__text_end;
}

/* A copy that calls nothing: it plants and lifts the int3s, so it must not run into one. */
static void copy_bytes(uint64_t a, const void *src, size_t n)
{
	volatile uint8_t *d = (volatile uint8_t *)a;
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

/* Writes one page's worth (the range lies in one page); false when it may not be written. */
bool debug_write_chunk(uint64_t a, const void *src, size_t n)
{
	if (!debug_readable(a, n))
		return false;
	if (mmu_range_ok(a, n, true))
		copy_bytes(a, src, n);
	else if (in_text(a, n))
		text_patch((void *)(uintptr_t)a, src, n); /* the image's text, which the CPU may only read */
	else
		return false;
	return true;
}

/* How much of left bytes from a lie in a's page: accesses are checked a page at a time. */
static size_t page_chunk(uint64_t a, size_t left)
{
	size_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1));
	return n < left ? n : left;
}

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	(void)ctx;
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = page_chunk(a, len - done);
		if (!debug_readable(a, n))
			break;
		memcpy((uint8_t *)buf + done, (const void *)a, n);
		done += n;
	}
	bp_hide(addr, buf, done);
	return done ? (int)done : GDB_EFAULT;
}

static int mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	size_t done = 0;

	(void)ctx;
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = page_chunk(a, len - done);
		if (!debug_write_chunk(a, (const uint8_t *)buf + done, n))
			return GDB_EFAULT;
		done += n;
	}
	bp_written(addr, buf, len);
	return 0;
}

/* ---- registers ---- */

static int read_regs(void *ctx, gdb_tid_t tid, struct gdb_regs *r)
{
	const struct task *t = find_task(tid);
	const struct trap_frame *f = t ? task_frame(t) : NULL;

	(void)ctx;
	if (!f)
		return GDB_ESRCH;
	memset(r, 0, sizeof(*r));
	r->rax = f->rax, r->rbx = f->rbx, r->rcx = f->rcx, r->rdx = f->rdx;
	r->rsi = f->rsi, r->rdi = f->rdi, r->rbp = f->rbp, r->rsp = f->rsp;
	r->r8 = f->r8, r->r9 = f->r9, r->r10 = f->r10, r->r11 = f->r11;
	r->r12 = f->r12, r->r13 = f->r13, r->r14 = f->r14, r->r15 = f->r15;
	r->rip = f->rip;
	r->eflags = (uint32_t)f->rflags;
	r->cs = (uint32_t)f->cs;
	r->ss = (uint32_t)f->ss;
	r->ds = r->es = KERNEL_DS;
	gdb_regs_from_fxsave(r, &f->fx);
	/* Every task shares the kernel's fs base; gs is the block of the task's CPU. */
	r->fs_base = rdmsr(MSR_FS_BASE);
	r->gs_base = t->cpu < HERMIT_MAX_CPUS ? (uint64_t)(uintptr_t)&cpus[t->cpu] : 0;
	return 0;
}

static int write_regs(void *ctx, gdb_tid_t tid, const struct gdb_regs *r, int regnum)
{
	struct trap_frame *f = frame_of(tid);

	(void)ctx;
	(void)regnum; /* r holds every register, changed or not */
	if (!f)
		return GDB_ESRCH;
	f->rax = r->rax, f->rbx = r->rbx, f->rcx = r->rcx, f->rdx = r->rdx;
	f->rsi = r->rsi, f->rdi = r->rdi, f->rbp = r->rbp, f->rsp = r->rsp;
	f->r8 = r->r8, f->r9 = r->r9, f->r10 = r->r10, f->r11 = r->r11;
	f->r12 = r->r12, f->r13 = r->r13, f->r14 = r->r14, f->r15 = r->r15;
	f->rip = r->rip;
	/* Selectors, fs/gs bases and the reserved flag bits belong to the kernel. */
	f->rflags = (r->eflags & 0x3f7fd7ul) | RFLAGS_RESERVED1;
	gdb_regs_to_fxsave(r, &f->fx);
	return 0;
}

/* ---- breakpoints and watchpoints (breakpoints.c) ---- */

static int insert_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	(void)ctx;
	return bp_insert(type, addr, len);
}

static int remove_bp(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	(void)ctx;
	return bp_remove(type, addr, len);
}

/* ---- running ---- */

static void step_begin(struct task *t, struct trap_frame *f)
{
	uint8_t op = debug_readable(f->rip, 1) ? *(const uint8_t *)f->rip : 0;

	f->rflags |= RFLAGS_TF;
	dbg.step_task = t->id;
	dbg.step_if = f->rflags & RFLAGS_IF;
	dbg.step_keep_if = false;
	/* Interrupts stay masked for the step, except for instructions that need or set them. */
	switch (op) {
	case 0xfb: /* sti */
		dbg.step_if = true;
		break;
	case 0xfa: /* cli */
		dbg.step_if = false;
		break;
	case 0xf4: /* hlt would never wake */
	case 0x9d: /* popf */
	case 0xcf: /* iret */
		dbg.step_keep_if = true;
		return;
	}
	f->rflags &= ~RFLAGS_IF;
}

/* A stop: the stepped task's trap flag off and its interrupt flag as before the step, whether
 * its step finished or another CPU's stop cut it short (gdb steps again if it still wants to). */
static void step_cancel(void)
{
	struct task *t = dbg.step_task ? find_task(dbg.step_task) : NULL;
	struct trap_frame *f = t ? task_frame(t) : NULL;

	dbg.step_task = 0;
	if (!f)
		return;
	f->rflags &= ~RFLAGS_TF;
	if (dbg.step_keep_if)
		;
	else if (dbg.step_if)
		f->rflags |= RFLAGS_IF;
	else
		f->rflags &= ~RFLAGS_IF;
}

static int resume(void *ctx, const struct gdb_resume *how)
{
	(void)ctx;
	dbg.how = *how;
	for (struct task *t = task_list(); t; t = t->all_next) {
		const struct gdb_resume_action *a;
		struct trap_frame *f;

		if (t->state == TASK_DEAD || !(a = gdb_resume_lookup(how, t->id)))
			continue;
		if (a->kind == GDB_RESUME_STEP && (f = task_frame(t)) != NULL)
			step_begin(t, f);
	}
	return 0;
}

static int interrupt(void *ctx)
{
	(void)ctx;
	dbg.stop_requested = true; /* taken at the end of the doorbell's interrupt */
	return 0;
}

static int detach(void *ctx)
{
	(void)ctx;
	bp_remove_all();
	return 0;
}

static int kill_hook(void *ctx)
{
	(void)ctx;
	dbg.kill = true; /* after the engine's reply has gone out */
	return 0;
}

/* ---- threads ---- */

static int next_thread(void *ctx, gdb_tid_t after, gdb_tid_t *next)
{
	gdb_tid_t best = 0;

	(void)ctx;
	for (struct task *t = task_list(); t; t = t->all_next)
		if (t->state != TASK_DEAD && t->id > after && (!best || t->id < best))
			best = t->id;
	if (!best)
		return GDB_ENOENT;
	*next = best;
	return 0;
}

static int thread_alive(void *ctx, gdb_tid_t tid)
{
	(void)ctx;
	return find_task(tid) ? 0 : GDB_ESRCH;
}

static int thread_name(void *ctx, gdb_tid_t tid, char *buf, size_t size)
{
	struct task *t = find_task(tid);

	(void)ctx;
	if (!t)
		return GDB_ESRCH;
	strncpy(buf, t->name, size - 1);
	buf[size - 1] = '\0';
	return 0;
}

static int thread_extra(void *ctx, gdb_tid_t tid, char *buf, size_t size)
{
	struct task *t = find_task(tid);
	char where[24] = "";

	(void)ctx;
	if (!t)
		return GDB_ESRCH;
	if (smp_cpus_online() > 1)
		fmt_snprintf(where, sizeof(where), " on CPU %u", t->cpu);
	if (runs_now(t))
		fmt_snprintf(buf, size, "running on CPU %u%s", t->cpu,
			     stopall_stuck(t->cpu) ? " (did not stop)" : "");
	else if (t->state == TASK_BLOCKED && t->wait.kind != HERMIT_WAIT_NONE) {
		char what[GDB_THREAD_TEXT_MAX];
		debug_wait_text(t, what, sizeof(what));
		fmt_snprintf(buf, size, "blocked on %s%s", what, where);
	} else if (t->state == TASK_BLOCKED && t->wake_at)
		fmt_snprintf(buf, size, "blocked%s, with a deadline%s", t->waiting_on ? " on a wait queue" : "", where);
	else if (t->state == TASK_BLOCKED)
		fmt_snprintf(buf, size, "blocked%s%s", t->waiting_on ? " on a wait queue" : "", where);
	else
		fmt_snprintf(buf, size, "%s%s", task_state_name(t->state), where);
	return 0;
}

static int thread_stop(void *ctx, gdb_tid_t tid, struct gdb_stop *stop)
{
	(void)ctx;
	return stopall_tell_event(tid, stop) ? 0 : GDB_ENOENT;
}

static int send(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	transport_send(buf, len);
	return 0;
}

static const struct gdb_ops ops = {
	.send = send,
	.read_regs = read_regs,
	.read_mem = mem_read,
	.resume = resume,
	.write_regs = write_regs,
	.write_mem = mem_write,
	.insert_bp = insert_bp,
	.remove_bp = remove_bp,
	.interrupt = interrupt,
	.next_thread = next_thread,
	.thread_alive = thread_alive,
	.thread_name = thread_name,
	.thread_extra = thread_extra,
	.thread_stop = thread_stop,
	.detach = detach,
	.kill = kill_hook,
};

/* ---- the stub context ---- */

static enum gdb_state feed_waiting(enum gdb_state st)
{
	size_t n = transport_recv(rx_buf, sizeof(rx_buf));

	if (n)
		st = gdb_feed(rx_buf, n);
	if (dbg.kill)
		hcall_exit(HERMIT_HC_EXIT, KILL_STATUS);
	return st;
}

/* Whether gdb's last resume lets a task placed on CPU c go on: that CPU is released. */
static bool cpu_resumed(unsigned c)
{
	for (struct task *t = task_list(); t; t = t->all_next) {
		const struct gdb_resume_action *a;
		if (t->cpu == c && t->state != TASK_DEAD && (a = gdb_resume_lookup(&dbg.how, t->id)) &&
		    a->kind != GDB_RESUME_STOP)
			return true;
	}
	return false;
}

/* A parked CPU's pending stop, once gdb resumed: reported if its task was let go and the stop
 * still holds, kept while its task stays stopped, dropped otherwise. */
static enum stopall_fate pending_fate(unsigned c, const struct gdb_stop *e)
{
	const struct gdb_resume_action *a = gdb_resume_lookup(&dbg.how, e->tid);
	const struct trap_frame *f = stopall_frame(c);

	if (gdb_state() != GDB_STATE_RUNNING)
		return STOPALL_DROP; /* gdb detached */
	if (!a || a->kind == GDB_RESUME_STOP)
		return STOPALL_KEEP;
	switch (e->reason) {
	case GDB_STOP_SWBREAK: /* gdb may have removed the breakpoint: the task just goes on */
		return f && bp_is_int3_at(f->rip) ? STOPALL_REPORT : STOPALL_DROP;
	case GDB_STOP_STEP: /* the step gdb asks for now has already been taken */
		return a->kind == GDB_RESUME_STEP ? STOPALL_REPORT : STOPALL_DROP;
	case GDB_STOP_SIGNAL:
		return e->signal == GDB_SIGINT ? STOPALL_DROP : STOPALL_REPORT; /* ^C: answered */
	default:
		return STOPALL_REPORT;
	}
}

static enum gdb_state report(const struct gdb_stop *stop)
{
	step_cancel();
	trace(GDB_STOP, stop->tid, stop->signal);
	return gdb_report_stop(stop);
}

/* Talks to gdb until it resumes; the other CPUs are parked, this one holds the stub and takes
 * the doorbell's interrupt, halting for it if may_halt. */
static void session(unsigned self, struct gdb_stop stop, bool may_halt)
{
	enum gdb_state st;

	dbg.stop_requested = false; /* any stop answers a ^C */
	stopall_stop_others(self);
	transport_route_doorbell(self);
	bp_plant_all(false);
	transport_set_polling(true);
	transport_publish_stop(true);
	st = report(&stop);
	dbg.reply_ns = clock_ns() - dbg.trap_ns;
	for (;;) {
		while (st == GDB_STATE_HALTED || st == GDB_STATE_EXITED) {
			size_t n = transport_recv(rx_buf, sizeof(rx_buf));
			if (!n) {
				transport_wait(may_halt);
				continue;
			}
			st = gdb_feed(rx_buf, n);
			if (dbg.kill)
				hcall_exit(HERMIT_HC_EXIT, KILL_STATUS);
		}
		/* Running again: anything gdb sent meanwhile (a ^C right after 'c') counts now. */
		transport_publish_stop(false);
		transport_set_polling(false);
		st = feed_waiting(st);
		if (dbg.stop_requested) {
			dbg.stop_requested = false;
			stop = (struct gdb_stop){ .reason = GDB_STOP_SIGNAL, .signal = GDB_SIGINT, .tid = stop.tid };
		} else if (!stopall_next_event(self, pending_fate, &stop)) {
			break;
		}
		transport_set_polling(true);
		transport_publish_stop(true);
		st = report(&stop);
	}
	transport_route_doorbell(DOORBELL_CPU);
	bp_snapshot_reads();
	bp_plant_all(true);
	trace(GDB_RESUME, stop.tid, dbg.step_task != 0);
}

/*
 * Stops all CPUs in frame f of this CPU's task for gdb and returns once gdb let this CPU's task
 * go on. Interrupts are off (a trap), and stay off until the frame is resumed; the caller
 * entered the stub path (stopall_enter).
 */
static void stub_stop(struct trap_frame *f, struct gdb_stop stop)
{
	struct cpu *c = this_cpu();

	dbg.trap_ns = clock_ns();
	stop.tid = c->current ? c->current->id : 1;
	if (!stopall_take(c->id, &stop))
		return; /* another CPU's stub reported it (or it no longer held) and let this one go */
	session(c->id, stop, trap_may_nest(f));
	stopall_resume(c->id, cpu_resumed);
}

/* gdb's bytes while tasks run (^C, or a gdb connecting), if no other CPU holds the stub. */
static void take_gdb_bytes(unsigned self)
{
	if (!stopall_claim(self))
		return;
	bp_plant_all(false); /* like the stub context: no int3 of gdb's may fire in here */
	transport_ack_doorbell();
	(void)feed_waiting(gdb_state());
	bp_plant_all(true);
	stopall_unclaim();
}

/* The doorbell interrupt. */
static void rx_irq(void)
{
	unsigned self = smp_cpu_index();

	/* The stub halted in transport_wait() here: waking it was all. */
	if (stopall_in_stub(self)) {
		transport_ack_doorbell();
		return;
	}
	stopall_enter(self, NULL); /* nor a watchpoint */
	debugregs_disable();
	take_gdb_bytes(self);
	debugregs_load();
	stopall_leave(self);
}

uint64_t debug_last_reply_ns(void) { return dbg.reply_ns; }
bool debug_stub_active(void) { return dbg.enabled && stopall_in_stub(smp_cpu_index()); }
bool debug_stub_enabled(void) { return dbg.enabled; }

/* A stop that is no exception: gdb's ^C at the end of an interrupt, or an NMI's, which first
 * reads gdb's bytes the doorbell could not bring (all CPUs spin with interrupts off: a ^C, or
 * the packets of a gdb attaching, which then get their answers from this stop). */
static void stop_here(struct trap_frame *f, bool by_nmi)
{
	unsigned self = smp_cpu_index();

	stopall_enter(self, f);
	debugregs_disable();
	if (by_nmi)
		take_gdb_bytes(self);
	stub_stop(f, (struct gdb_stop){ .reason = GDB_STOP_SIGNAL, .signal = GDB_SIGINT });
	stopall_leave(self);
	debugregs_load();
}

void debug_check_stop(struct trap_frame *f)
{
	if (!dbg.enabled || !dbg.stop_requested || stopall_in_stub(smp_cpu_index()))
		return;
	dbg.stop_requested = false;
	stop_here(f, false);
}

/* Diverted out of the NMI handler (nmi_divert.h): a park for another CPU's stop. A CPU parked
 * right at one of gdb's breakpoints was about to hit it: that hit is its pending stop, as if it
 * had come first (lldb would step it over that breakpoint without ever seeing the hit). */
static void park_diverted(struct trap_frame *f)
{
	const struct task *t = this_cpu()->current;
	struct gdb_stop hit = { .reason = GDB_STOP_SWBREAK, .tid = t ? t->id : 1 };

	stopall_park(smp_cpu_index(), f, bp_is_int3_at(f->rip) ? &hit : NULL);
}

/* Diverted likewise: an NMI the stub did not ask for, the machine's break button. */
static void nmi_stop_diverted(struct trap_frame *f) { stop_here(f, true); }

bool debug_nmi(struct trap_frame *f, bool expected)
{
	unsigned self = smp_cpu_index();

	if (!dbg.enabled)
		return false;
	if (stopall_nmi_wanted(self))
		nmi_divert(f, park_diverted);
	else if (!expected && !stopall_busy() && !stopall_in_stub(self) && !nmi_divert_busy()) {
		/* In the stub path from here: a holder's NMI is left to it (several CPUs may stop at
		 * once: one holds the stub, the others park in stopall_take). */
		stopall_enter(self, NULL);
		nmi_divert(f, nmi_stop_diverted);
	}
	return true;
}

static int fault_signal(uint64_t vector)
{
	switch (vector) {
	case 0: case 16: case 19: return GDB_SIGFPE;
	case 6: return GDB_SIGILL;
	case 17: return GDB_SIGBUS;
	default: return GDB_SIGSEGV;
	}
}

/* #DB: a single step, or one of the debug registers matched. */
static bool debug_trap(struct trap_frame *f)
{
	uint64_t dr6 = debugregs_take_status();
	struct gdb_stop stop = { .reason = GDB_STOP_STEP };
	bool report = dr6 & DR6_BS;

	for (unsigned slot = 0; slot < DR_SLOTS; slot++) {
		struct gdb_stop w = { 0 };
		if ((dr6 & (1ull << slot)) && bp_watch_hit(slot, f, &w) && stop.reason == GDB_STOP_STEP) {
			stop = w;
			report = true;
		}
	}
	if (report)
		stub_stop(f, stop);
	return true;
}

/* #BP: rip is just past the int3. */
static bool breakpoint_trap(struct trap_frame *f)
{
	uint64_t at = f->rip - 1;

	if (bp_is_int3_at(at)) {
		f->rip = at;
		stub_stop(f, (struct gdb_stop){ .reason = GDB_STOP_SWBREAK });
		return true;
	}
	if (debug_readable(at, 1) && *(const uint8_t *)at != INT3) {
		f->rip = at; /* an int3 removed while this CPU was on its way to it */
		return true;
	}
	if (!dbg.boot_stop && gdb_state() == GDB_STATE_DETACHED)
		return false; /* an int3 of the program's own, and no gdb: fatal as ever */
	dbg.boot_stop = false;
	stub_stop(f, (struct gdb_stop){ .reason = GDB_STOP_SIGNAL, .signal = GDB_SIGTRAP });
	return true;
}

static bool exception(struct trap_frame *f)
{
	uint64_t rip;

	if (f->vector == 1)
		return debug_trap(f);
	if (f->vector == 3)
		return breakpoint_trap(f);
	if (gdb_state() == GDB_STATE_DETACHED)
		return false;
	/* A fault under gdb: show it first; the crash report follows unless gdb moved the pc. */
	rip = f->rip;
	stub_stop(f, (struct gdb_stop){ .reason = GDB_STOP_SIGNAL, .signal = fault_signal(f->vector) });
	return f->rip != rip;
}

bool debug_exception(struct trap_frame *f)
{
	unsigned self = smp_cpu_index();
	bool handled;

	if (!dbg.enabled)
		return false;
	if (stopall_in_stub(self)) /* a leftover debug trap is harmless; anything else is a stub bug */
		return f->vector == 1;
	/* Off while the kernel looks at the exception: reading a watched variable must not nest.
	 * In the stub path from here, so a CPU parked on its way keeps this frame as its task's. */
	stopall_enter(self, f);
	debugregs_disable();
	handled = exception(f);
	stopall_leave(self);
	if (!handled)
		return false;
	debugregs_load();
	return true;
}

void debug_cpu_online(void)
{
	if (dbg.enabled)
		debugregs_load(); /* gdb's watchpoints reach a CPU that comes up later too */
}

void debug_boot(uint32_t config_flags)
{
	if (!(config_flags & HERMIT_CONFIG_DEBUG))
		return;
	if (gdb_init(&ops, NULL) != 0)
		return;
	debug_monitor_init();
	dbg.enabled = true; /* before the channel is published: an NMI for its bytes finds the stub */
	transport_init(rx_irq);
	if (config_flags & HERMIT_CONFIG_ATTACH)
		return; /* the guest runs; a gdb that connects stops it wherever it is (rx_irq) */
	dbg.boot_stop = true;
	/* The first stop: gdb finds the kernel here, before the main task exists. */
	__asm__ volatile("int3" ::: "memory");
}
