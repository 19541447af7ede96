/*
 * core/task.c: creating and ending tasks. A task's memory is one block from page_alloc(): an
 * unmapped guard page, the stack, and the struct task at the top. Its first frame makes it enter
 * task_entry(fn, arg) through the common trap return, like any resumed task.
 */
#include "kernel/task.h"

#include <string.h>

#include "arch.h"
#include "kernel/boot.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/trace.h"
#include "kernel/wait.h"

#define FXSAVE_DEFAULT_FCW 0x37f
#define FXSAVE_DEFAULT_MXCSR 0x1f80

static struct spinlock list_lock; /* guards all_tasks and next_id */
static struct task *all_tasks;
struct task **const task_list_head = &all_tasks; /* for the task table (debug_tables.c) */
static uint32_t next_id = 1;
static struct task idle_tasks[HERMIT_MAX_CPUS];

static void task_register(struct task *t, const char *name)
{
	uint64_t f = spin_lock_irqsave(&list_lock);
	t->id = next_id++;
	t->all_next = all_tasks;
	all_tasks = t;
	spin_unlock_irqrestore(&list_lock, f);
	task_set_name(t, name);
}

static void task_unregister(struct task *t)
{
	uint64_t f = spin_lock_irqsave(&list_lock);
	for (struct task **p = &all_tasks; *p; p = &(*p)->all_next)
		if (*p == t) {
			*p = t->all_next;
			break;
		}
	spin_unlock_irqrestore(&list_lock, f);
}

static void task_entry(task_fn fn, void *arg)
{
	fn(arg);
	task_exit();
}

static struct trap_frame *first_frame(uintptr_t stack_top, task_fn fn, void *arg)
{
	/* As if task_entry had been called: rsp + 8 aligned to 16, a zero return address. */
	uintptr_t rsp = stack_top - 8; /* stack_top is 16-byte aligned */
	*(uint64_t *)rsp = 0;
	struct trap_frame *f = (struct trap_frame *)((rsp - sizeof(*f) - 64) & ~(uintptr_t)15);
	memset(f, 0, sizeof(*f));
	f->rip = (uint64_t)task_entry;
	f->rdi = (uint64_t)fn;
	f->rsi = (uint64_t)arg;
	f->cs = KERNEL_CS;
	f->ss = KERNEL_DS;
	f->rsp = rsp;
	f->rflags = RFLAGS_IF | RFLAGS_RESERVED1;
	f->fx.fcw = FXSAVE_DEFAULT_FCW;
	f->fx.mxcsr = FXSAVE_DEFAULT_MXCSR;
	return f;
}

struct task *task_new(const char *name, task_fn fn, void *arg, size_t stack_size)
{
	size_t pages = (stack_size + sizeof(struct task) + PAGE_SIZE - 1) / PAGE_SIZE + 1;
	uintptr_t base = (uintptr_t)page_alloc(pages);
	if (!base)
		return NULL;
	mmu_set_present(base, false);
	uintptr_t top = base + pages * PAGE_SIZE;
	struct task *t = (struct task *)((top - sizeof(struct task)) & ~(uintptr_t)63);
	memset(t, 0, sizeof(*t));
	t->alloc_base = base;
	t->alloc_pages = pages;
	t->sig_blocked = TASK_SIG_ALL;
	t->stack_lo = base + PAGE_SIZE;
	t->stack_hi = (uintptr_t)t & ~(uintptr_t)15;
	t->affinity = ~0ull; /* any CPU; pthread_create() passes the creator's on */
	t->frame = first_frame(t->stack_hi, fn, arg);
	task_register(t, name);
	trace(TASK_CREATE, t->id, stack_size / 1024);
	return t;
}

void task_start(struct task *t) { sched_make_ready(t); }

struct task *task_create(const char *name, task_fn fn, void *arg, size_t stack_size)
{
	struct task *t = task_new(name, fn, arg, stack_size);
	if (t)
		task_start(t);
	return t;
}

void task_exit(void)
{
	struct task *t = task_current();
	trace(TASK_EXIT, t->id, 0);
	uint64_t f = spin_lock_irqsave(&t->exit_lock);
	t->state = TASK_DEAD;
	if (t->detached)
		this_cpu()->reap = t;
	sched_wake_all(&t->exit_waiters);
	spin_unlock(&t->exit_lock);
	(void)f;
	sched_yield_task();
	__builtin_unreachable();
}

void task_wait_dead(struct task *t)
{
	uint64_t f = spin_lock_irqsave(&t->exit_lock);
	if (t->state == TASK_DEAD) {
		spin_unlock_irqrestore(&t->exit_lock, f);
		return;
	}
	wait_block(HERMIT_WAIT_JOIN, t, NULL, &t->exit_waiters, &t->exit_lock, f, 0);
}

void task_detach(struct task *t)
{
	uint64_t f = spin_lock_irqsave(&t->exit_lock);
	int dead = t->state == TASK_DEAD;
	t->detached = 1;
	spin_unlock_irqrestore(&t->exit_lock, f);
	if (dead)
		task_release(t);
}

void task_release(struct task *t)
{
	/* its CPU may still stand on its stack, just after it ended */
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		cpu_relax();
	task_unregister(t);
	mmu_set_present(t->alloc_base, true);
	page_free((void *)t->alloc_base, t->alloc_pages);
}

void task_set_name(struct task *t, const char *name)
{
	strncpy(t->name, name ? name : "", TASK_NAME_MAX - 1);
	t->name[TASK_NAME_MAX - 1] = '\0';
}

struct task *task_current(void) { return this_cpu()->current; }

struct task *task_list(void) { return all_tasks; }

bool task_any(bool (*pred)(const struct task *t))
{
	bool any = false;
	uint64_t f = spin_lock_irqsave(&list_lock);
	for (struct task *t = all_tasks; t && !any; t = t->all_next)
		any = pred(t);
	spin_unlock_irqrestore(&list_lock, f);
	return any;
}

void task_interrupt_waits(void)
{
	uint64_t f = spin_lock_irqsave(&list_lock);
	for (struct task *t = all_tasks; t; t = t->all_next)
		if (__atomic_load_n(&t->interruptible, __ATOMIC_ACQUIRE) && signal_ready(t))
			sched_interrupt(t);
	spin_unlock_irqrestore(&list_lock, f);
}

const char *task_state_name(enum task_state s)
{
	static const char *const names[] = { "ready", "running", "blocked", "dead" };
	return s <= TASK_DEAD ? names[s] : "?";
}

void task_init_idle(uintptr_t stack_lo, uintptr_t stack_hi)
{
	struct cpu *c = this_cpu();
	struct task *t = &idle_tasks[c->id];
	t->stack_lo = stack_lo;
	t->stack_hi = stack_hi;
	t->cpu = c->id;
	t->affinity = 1ull << c->id;
	t->state = TASK_RUNNING;
	t->on_cpu = true;
	t->sig_blocked = TASK_SIG_ALL;
	task_register(t, "idle");
	c->idle = c->current = t;
	c->stack_lo = t->stack_lo;
	c->stack_hi = t->stack_hi;
}
