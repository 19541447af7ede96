/*
 * core/debug_tables.c: the task table (hermit/abi.h, anchor.tasks) that lets tools without DWARF
 * walk the kernel's tasks and their saved registers: the proxy's post-mortem core files above all.
 */
#include <stddef.h>

#include "kernel/percpu.h"
#include "kernel/task.h"
#include "kernel/trace.h"

extern struct hermit_anchor hermit_anchor;
extern struct task **const task_list_head;
extern uintptr_t *const libc_brk_start_var, *const libc_brk_cur_var;
extern struct task *crash_task;


static struct hermit_task_table task_table = {
	.magic = HERMIT_TASKS_MAGIC,
	.version = HERMIT_TASKS_VERSION,
	.cpu_size = sizeof(struct cpu),
	.cpu_current = offsetof(struct cpu, current),
	.task_next = offsetof(struct task, all_next),
	.task_id = offsetof(struct task, id),
	.task_name = offsetof(struct task, name),
	.name_max = TASK_NAME_MAX,
	.task_state = offsetof(struct task, state),
	.task_frame = offsetof(struct task, frame),
	.task_stack_lo = offsetof(struct task, stack_lo),
	.task_stack_hi = offsetof(struct task, stack_hi),
	.task_size = sizeof(struct task),
	.task_cpu = offsetof(struct task, cpu),
	.cpu_online = offsetof(struct cpu, online),
	.cpu_idle = offsetof(struct cpu, idle),
	.frame_size = sizeof(struct trap_frame),
	.task_wait = offsetof(struct task, wait),
	.frame = {
		[HERMIT_REG_RAX] = offsetof(struct trap_frame, rax),
		[HERMIT_REG_RBX] = offsetof(struct trap_frame, rbx),
		[HERMIT_REG_RCX] = offsetof(struct trap_frame, rcx),
		[HERMIT_REG_RDX] = offsetof(struct trap_frame, rdx),
		[HERMIT_REG_RSI] = offsetof(struct trap_frame, rsi),
		[HERMIT_REG_RDI] = offsetof(struct trap_frame, rdi),
		[HERMIT_REG_RBP] = offsetof(struct trap_frame, rbp),
		[HERMIT_REG_RSP] = offsetof(struct trap_frame, rsp),
		[HERMIT_REG_R8] = offsetof(struct trap_frame, r8),
		[HERMIT_REG_R9] = offsetof(struct trap_frame, r9),
		[HERMIT_REG_R10] = offsetof(struct trap_frame, r10),
		[HERMIT_REG_R11] = offsetof(struct trap_frame, r11),
		[HERMIT_REG_R12] = offsetof(struct trap_frame, r12),
		[HERMIT_REG_R13] = offsetof(struct trap_frame, r13),
		[HERMIT_REG_R14] = offsetof(struct trap_frame, r14),
		[HERMIT_REG_R15] = offsetof(struct trap_frame, r15),
		[HERMIT_REG_RIP] = offsetof(struct trap_frame, rip),
		[HERMIT_REG_RFLAGS] = offsetof(struct trap_frame, rflags),
		[HERMIT_REG_CS] = offsetof(struct trap_frame, cs),
		[HERMIT_REG_SS] = offsetof(struct trap_frame, ss),
	},
};

_Static_assert(sizeof(((struct task *)0)->id) == 4 && sizeof(((struct task *)0)->state) == 4 &&
	       sizeof(((struct task *)0)->cpu) == 4 && sizeof(((struct cpu *)0)->online) == 1,
	       "task table widths");

void debug_tables_init(void)
{
	struct hermit_task_table *t = &task_table;
	t->list = (hermit_gpa_t)(uintptr_t)task_list_head;
	t->cpus = (hermit_gpa_t)(uintptr_t)cpus;
	t->ncpus = HERMIT_MAX_CPUS;
	t->heap_start = (hermit_gpa_t)(uintptr_t)libc_brk_start_var;
	t->heap_end = (hermit_gpa_t)(uintptr_t)libc_brk_cur_var;
	t->crash_task = (hermit_gpa_t)(uintptr_t)&crash_task;
	hermit_anchor.tasks = (hermit_gpa_t)(uintptr_t)t;
}
