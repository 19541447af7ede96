/*
 * core/panic.c: the crash report. Registers, the fault's cause and a frame-pointer backtrace go
 * to the log at error level (the proxy prints those lines as they come and symbolizes every
 * <pc:0x...> marker); then the host is told the guest crashed.
 */
#include "kernel/panic.h"

#include <stdarg.h>

#include "arch.h"
#include "kernel/hcall.h"
#include "kernel/ipi.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "kernel/trace.h"
#include "lib/format.h"

#define BACKTRACE_MAX 32

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded",
	"invalid opcode", "device not available", "double fault", "coprocessor segment overrun",
	"invalid TSS", "segment not present", "stack-segment fault", "general protection fault",
	"page fault", "reserved", "x87 floating-point error", "alignment check", "machine check",
	"SIMD floating-point error", "virtualization exception", "control protection exception",
};

static volatile int crashing;
/* The task that crashed; its frame is then the crash's (the task table points here). */
struct task *crash_task;
static struct trap_frame panic_frame;

static void keep_crash_frame(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	crash_task = c->current;
	if (crash_task)
		crash_task->frame = f;
}

static void report_task(void)
{
	struct cpu *c = this_cpu();
	struct task *t = c->current;
	if (t)
		log_error("CPU %u, task %u \"%s\"", c->id, t->id, t->name);
	else
		log_error("CPU %u, during boot", c->id);
}

extern char __image_start[], __text_end[];

/* True when addr follows a call instruction in the image's text: a plausible return address. */
static int after_call(uint64_t addr)
{
	if (addr < (uint64_t)__image_start + 6 || addr > (uint64_t)__text_end)
		return 0;
	const uint8_t *p = (const uint8_t *)addr;
	return p[-5] == 0xe8 || p[-6] == 0xff || p[-3] == 0xff || p[-2] == 0xff;
}

/*
 * A leaf function that needs no stack sets up no frame, even with frame pointers on; when the
 * fault is in one, its caller's return address is on top of the stack and not in the rbp chain.
 */
static void report_frameless_caller(uint64_t rsp, uint64_t rbp)
{
	if (rsp % 8 || !mmu_range_ok(rsp, 8, false))
		return;
	uint64_t top = *(uint64_t *)rsp;
	uint64_t chained = rbp && rbp % 8 == 0 && mmu_range_ok(rbp, 16, false) ? ((uint64_t *)rbp)[1] : 0;
	if (top != chained && after_call(top))
		log_error("  #?  <pc:0x%lx> (caller of a frameless function)", top - 1);
}

void crash_backtrace(uint64_t rip, uint64_t rbp, uint64_t rsp)
{
	log_error("backtrace:");
	log_error("  #0  <pc:0x%lx>", rip);
	if (rsp)
		report_frameless_caller(rsp, rbp);
	for (int i = 1; i < BACKTRACE_MAX && rbp; i++) {
		if (rbp % 8 || !mmu_range_ok(rbp, 16, false))
			break;
		uint64_t ret = ((uint64_t *)rbp)[1];
		if (!ret)
			break;
		/* ret - 1 lies inside the call, so the line shown is the call's */
		log_error("  #%-2d <pc:0x%lx>", i, ret - 1);
		uint64_t next = ((uint64_t *)rbp)[0];
		if (next <= rbp)
			break;
		rbp = next;
	}
}

/* A fault in the unmapped page under a task's stack is that task's stack overflowing. */
static void report_guard_hit(uint64_t addr)
{
	for (struct task *t = task_list(); t; t = t->all_next)
		if (t->alloc_base && addr >= t->alloc_base && addr < t->alloc_base + PAGE_SIZE)
			log_error("stack overflow: the address is in the guard page below task %u \"%s\"'s stack",
				  t->id, t->name);
}

static void report_registers(const struct trap_frame *f)
{
	log_error("RAX %016lx RBX %016lx RCX %016lx RDX %016lx", f->rax, f->rbx, f->rcx, f->rdx);
	log_error("RSI %016lx RDI %016lx RBP %016lx RSP %016lx", f->rsi, f->rdi, f->rbp, f->rsp);
	log_error("R8  %016lx R9  %016lx R10 %016lx R11 %016lx", f->r8, f->r9, f->r10, f->r11);
	log_error("R12 %016lx R13 %016lx R14 %016lx R15 %016lx", f->r12, f->r13, f->r14, f->r15);
	log_error("RIP %016lx RFLAGS %08lx CS %04lx SS %04lx CR2 %016lx CR3 %016lx", f->rip, f->rflags,
		  f->cs, f->ss, read_cr2(), read_cr3());
}

static bool others_stopped; /* every other CPU stopped and left its task's live frame */

/* The other CPUs stop before the report, so the state it shows stays as it was. */
static void stop_other_cpus(void)
{
	unsigned others = smp_cpus_online() - 1;
	if (!others)
		return;
	unsigned stopped = ipi_stop_others();
	others_stopped = stopped == others;
	if (stopped < others)
		log_error("crash: %u of the %u other CPUs did not stop", others - stopped, others);
	else
		log_info("crash: the %u other CPU%s stopped (NMI)", others, others == 1 ? "" : "s");
}

/* Where each other CPU stood: the stop's NMI made that the frame of the task it ran. */
static void report_other_cpus(void)
{
	unsigned self = this_cpu()->id;

	for (unsigned i = 0; others_stopped && i < smp_cpus_online(); i++) {
		const struct task *t = cpus[i].current;
		if (i != self && t && t->frame)
			log_error("CPU %u: task %u \"%s\" at <pc:0x%lx>", i, t->id, t->name, t->frame->rip);
	}
}

static void enter_crash(void)
{
	__asm__ volatile("cli");
	if (__atomic_exchange_n(&crashing, 1, __ATOMIC_SEQ_CST))
		cpu_halt_forever(); /* a fault while reporting: the first report stands */
	stop_other_cpus();
	log_ensure_console();
}

void crash_exception(const struct trap_frame *f)
{
	enter_crash();
	const char *name = f->vector < 32 && exception_names[f->vector] ? exception_names[f->vector] : "exception";
	log_error("kernel crash: %s (vector %lu, error code 0x%lx) at <pc:0x%lx>", name, f->vector, f->error, f->rip);
	if (f->vector == 14)
		log_error("fault address 0x%lx: %s %s", read_cr2(), f->error & 1 ? "protection violation on" : "no page for",
			  f->error & 16 ? "instruction fetch" : f->error & 2 ? "write" : "read");
	if (f->vector == 14)
		report_guard_hit(read_cr2());
	keep_crash_frame((struct trap_frame *)f);
	report_task();
	report_other_cpus();
	report_registers(f);
	crash_backtrace(f->rip, f->rbp, f->rsp);
	hcall_exit(HERMIT_HC_CRASH, (int32_t)f->vector);
}

void panic(const char *fmt, ...)
{
	enter_crash();
	char msg[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("kernel panic: %s", msg);
	__asm__ volatile("leaq 0(%%rip), %0\n\tmovq %%rsp, %1" : "=r"(panic_frame.rip), "=r"(panic_frame.rsp));
	panic_frame.rbp = (uint64_t)__builtin_frame_address(0);
	panic_frame.cs = KERNEL_CS;
	panic_frame.ss = KERNEL_DS;
	keep_crash_frame(&panic_frame);
	report_task();
	report_other_cpus();
	crash_backtrace((uint64_t)__builtin_return_address(0) - 1, *(uint64_t *)__builtin_frame_address(0), 0);
	hcall_exit(HERMIT_HC_CRASH, HERMIT_CRASH_PANIC);
}
