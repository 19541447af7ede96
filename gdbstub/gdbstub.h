/*
 * gdbstub.h: the in-kernel gdb stub, a GDB remote serial protocol engine.
 *
 * The engine is portable C: it decodes packets, formats replies and keeps the debug session's
 * state. It touches the machine only through the struct gdb_ops hooks the kernel passes to
 * gdb_init(). The kernel drives it like this:
 *
 *	gdb_init(&ops, ctx);                      once, at boot
 *	gdb_monitor_register(&cmd);               optional, after gdb_init
 *
 *	in the debug exception (breakpoint, single step, watchpoint, or a stop gdb asked for):
 *	st = gdb_report_stop(&stop);
 *	while (st == GDB_STATE_HALTED || st == GDB_STATE_EXITED)
 *		st = gdb_feed_byte(uart_getc());    or gdb_feed(buf, len) with whole chunks
 *	return from the exception; the resume hook already said how each task goes on.
 *
 *	while tasks run, bytes from gdb may arrive too (a serial interrupt): pass them to
 *	gdb_feed(). The engine then only acts on ^C and on a newly connecting gdb, by calling the
 *	interrupt hook; the kernel stops its tasks and calls gdb_report_stop() as above.
 *
 * Calling context: every gdb_* function may be called from one context at a time: the stub
 * context (a debug exception with the other CPUs parked) or, while the state is RUNNING or
 * DETACHED, a serial interrupt. The kernel serializes them, for example with a spin lock taken
 * with interrupts off; the engine has no lock of its own. It never allocates, blocks or sleeps;
 * all its buffers are static, so there is one stub per kernel. Every hook is called from inside
 * the gdb_* call that needs it, in that call's context. Hooks must not call back into the engine,
 * except gdb_resume_lookup() and, from a monitor command, gdb_console_write().
 *
 * Hooks return 0 (or a byte count where said) on success, GDB_ENOTSUP when the kernel does not
 * implement the request, or another negative GDB_E* error. A NULL optional hook is the same as
 * one that returns GDB_ENOTSUP. gdb sees "not supported" as an empty reply and falls back where it
 * can (for example to writing int3 itself when Z0 is not supported); other errors reach gdb as
 * "Exx" with xx the error's absolute value in hex.
 */
#ifndef GDBSTUB_H
#define GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86_64_regs.h" /* struct gdb_regs and enum gdb_x86_64_regnum */

/* Error codes, with Linux's errno values so that "E0e" reads as EFAULT. */
#define GDB_EPERM (-1)
#define GDB_ENOENT (-2)
#define GDB_ESRCH (-3)   /* no such thread */
#define GDB_EIO (-5)
#define GDB_EFAULT (-14) /* the address is not mapped or not accessible */
#define GDB_EBUSY (-16)  /* for example no free debug register */
#define GDB_EEXIST (-17)
#define GDB_EINVAL (-22)
#define GDB_ENOSPC (-28)
#define GDB_ENOTSUP (-95) /* the kernel does not implement this; gdb gets an empty reply */

/* Limits of the engine's static buffers. */
#define GDB_PACKET_MAX 0x4000     /* payload bytes of a packet, either direction (PacketSize) */
/* The longest memory read (m, x) whose reply always fits: hex doubles each byte, and so does
 * escaping at worst (the x reply's 'b' takes the odd byte). Longer reads are clamped to it. */
#define GDB_MEM_READ_MAX ((GDB_PACKET_MAX - 1) / 2)
#define GDB_RESUME_MAX 8          /* actions in one vCont packet */
#define GDB_MONITOR_MAX 32        /* registered monitor commands, besides the built-in "help" */
#define GDB_THREAD_TEXT_MAX 64    /* size of the buffers given to thread_name / thread_extra */
#define GDB_RUN_ARGS_MAX 16       /* argv entries of vRun, the program name included */

/* A thread is a kernel task id, > 0. Two special values select several threads at once. */
typedef int64_t gdb_tid_t;
#define GDB_TID_ALL ((gdb_tid_t)-1) /* all threads */
#define GDB_TID_ANY ((gdb_tid_t)0)  /* any thread: the engine picks the thread of the last stop */

/* gdb's signal numbers (they are gdb's own, not the host's). */
enum gdb_signal {
	GDB_SIGNONE = 0,
	GDB_SIGINT = 2,
	GDB_SIGILL = 4,
	GDB_SIGTRAP = 5,
	GDB_SIGABRT = 6,
	GDB_SIGFPE = 8,
	GDB_SIGKILL = 9,
	GDB_SIGBUS = 10,
	GDB_SIGSEGV = 11,
	GDB_SIGTERM = 15,
};

/* Why the target stopped; the kernel says it with gdb_report_stop(). */
enum gdb_stop_reason {
	GDB_STOP_SIGNAL,     /* a fault or an interrupt: `signal` says which (GDB_SIGINT after ^C) */
	GDB_STOP_STEP,       /* a single step finished (the trap flag's debug exception) */
	GDB_STOP_SWBREAK,    /* an int3 the kernel planted for Z0; rip already points at the int3 */
	GDB_STOP_HWBREAK,    /* a debug-register execution breakpoint (Z1) */
	GDB_STOP_WATCH,      /* a write watchpoint (Z2) hit; `addr` is the watched data address */
	GDB_STOP_RWATCH,     /* a read watchpoint (Z3) hit; `addr` as above */
	GDB_STOP_AWATCH,     /* an access watchpoint (Z4) hit; `addr` as above */
	GDB_STOP_EXITED,     /* the program ended with exit status `status` */
	GDB_STOP_TERMINATED, /* the program was ended by `signal` */
};

struct gdb_stop {
	enum gdb_stop_reason reason;
	gdb_tid_t tid;  /* the thread that stopped (> 0); 0 means thread 1 */
	int signal;     /* enum gdb_signal; 0 means GDB_SIGTRAP for the breakpoint and step reasons */
	uint64_t addr;  /* data address of a watchpoint hit */
	int status;     /* exit status for GDB_STOP_EXITED */
};

/* What gdb asked the target to do next; given to the resume hook. */
enum gdb_resume_kind {
	GDB_RESUME_CONTINUE,
	GDB_RESUME_STEP, /* execute one instruction, then report GDB_STOP_STEP */
	GDB_RESUME_STOP, /* keep the thread stopped (vCont 't') */
};

struct gdb_resume_action {
	enum gdb_resume_kind kind;
	int signal;    /* signal to deliver as it resumes (C, S), 0 for none */
	gdb_tid_t tid; /* one thread, or GDB_TID_ALL */
};

/*
 * A thread takes the first action whose tid names it or is GDB_TID_ALL (gdb_resume_lookup());
 * a thread no action names stays stopped. Range stepping (vCont 'r') reaches the kernel as
 * GDB_RESUME_STEP: the engine resumes again by itself while rip stays inside the range.
 */
struct gdb_resume {
	size_t count;
	struct gdb_resume_action action[GDB_RESUME_MAX];
};

enum gdb_bp_type {
	GDB_BP_SOFTWARE = 0,    /* Z0: int3 */
	GDB_BP_HARDWARE = 1,    /* Z1: debug register, execution */
	GDB_WATCH_WRITE = 2,    /* Z2 */
	GDB_WATCH_READ = 3,     /* Z3 (x86 has no read-only watch: the kernel may refuse it) */
	GDB_WATCH_ACCESS = 4,   /* Z4 */
};

/* The state of the engine, as returned by gdb_feed_byte(), gdb_feed() and gdb_report_stop(). */
enum gdb_state {
	GDB_STATE_DETACHED, /* no debugger: tasks run freely (the state after gdb_init and D) */
	GDB_STATE_HALTED,   /* target stopped, gdb in control: keep feeding bytes */
	GDB_STATE_RUNNING,  /* resumed by gdb (or stopping for a gdb that connects): let tasks run */
	GDB_STATE_EXITED,   /* the program ended (W/X sent) or was killed: keep feeding bytes */
};

struct gdb_ops {
	/* ---- required ---- */

	/*
	 * Send len bytes to gdb: one call per packet or ack, len <= GDB_PACKET_MAX + 4. May busy-wait
	 * for the line. The result is not looked at.
	 */
	int (*send)(void *ctx, const void *buf, size_t len);

	/* Fill *regs with thread tid's registers; GDB_ESRCH when there is no such thread. */
	int (*read_regs)(void *ctx, gdb_tid_t tid, struct gdb_regs *regs);

	/*
	 * Read len (1 .. GDB_PACKET_MAX) bytes at addr, checking every page first. Returns the number
	 * of bytes read from the start of the range (fewer when the range runs into an unmapped page),
	 * or a negative error (GDB_EFAULT) when not even the first byte can be read. addr + len does
	 * not wrap around.
	 */
	int (*read_mem)(void *ctx, uint64_t addr, void *buf, size_t len);

	/*
	 * Record how tasks go on when the stub returns (see struct gdb_resume). Called while halted;
	 * the engine's state becomes RUNNING only when this returns 0. For a step, the kernel sets
	 * the trap flag in the task's frame and later reports GDB_STOP_STEP.
	 */
	int (*resume)(void *ctx, const struct gdb_resume *how);

	/* ---- optional (NULL = not supported) ---- */

	/*
	 * Write register regnum (enum gdb_x86_64_regnum) of thread tid from regs->..., or all of
	 * them when regnum is -1 (the 'G' packet). regs holds the thread's current values with the
	 * new ones merged in, so copying back every field is always right.
	 */
	int (*write_regs)(void *ctx, gdb_tid_t tid, const struct gdb_regs *regs, int regnum);

	/* Write len (1 .. GDB_PACKET_MAX) bytes at addr; 0 only when all were written. */
	int (*write_mem)(void *ctx, uint64_t addr, const void *buf, size_t len);

	/*
	 * Insert or remove a breakpoint or watchpoint. len is gdb's "kind": 1 for an x86 int3, the
	 * watched length for watchpoints (the engine passes only 1, 2, 4 or 8). GDB_ENOTSUP for a
	 * type the kernel lacks; GDB_EBUSY when no debug register is free.
	 */
	int (*insert_bp)(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len);
	int (*remove_bp)(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t len);

	/*
	 * gdb wants the running target stopped (^C, or a gdb connecting to a running kernel). Called
	 * from whatever context fed the byte, perhaps an interrupt: only request the stop (an IPI, a
	 * flag) and return; the kernel then calls gdb_report_stop() with GDB_STOP_SIGNAL/GDB_SIGINT.
	 */
	int (*interrupt)(void *ctx);

	/*
	 * Thread list: store in *next the smallest live thread id greater than `after` (0 for the
	 * first) and return 0, or return GDB_ENOENT when there is none. NULL: the target has one
	 * thread, the one of the last stop.
	 */
	int (*next_thread)(void *ctx, gdb_tid_t after, gdb_tid_t *next);

	/* 0 when thread tid exists, GDB_ESRCH when not. NULL: the engine searches next_thread. */
	int (*thread_alive)(void *ctx, gdb_tid_t tid);

	/* Write a NUL-terminated name / state text ("ready", "blocked on ...") of at most size bytes. */
	int (*thread_name)(void *ctx, gdb_tid_t tid, char *buf, size_t size);
	int (*thread_extra)(void *ctx, gdb_tid_t tid, char *buf, size_t size);

	/*
	 * gdb detaches: forget gdb's breakpoints and single-step flags. The engine then resumes
	 * every thread through the resume hook. NULL: resume only.
	 */
	int (*detach)(void *ctx);

	/*
	 * lldb asks why thread tid is stopped (qThreadStopInfo; gdb never does): a stop of its own the
	 * kernel keeps pending (its CPU hit a breakpoint while another stop was being reported) goes
	 * into *stop, 0 returned; from then on the debugger knows of it and the kernel must not report
	 * it again. GDB_ENOENT when it has none. NULL: no thread ever has one.
	 */
	int (*thread_stop)(void *ctx, gdb_tid_t tid, struct gdb_stop *stop);

	/* gdb kills the program (k, vKill): the kernel ends it, or the whole VM. */
	int (*kill)(void *ctx);

	/*
	 * Extended mode vRun: start (or restart) argv[0] with its arguments; argv[0] may be "" for
	 * "the default program". Strings live until the next packet. Return 0 and later report the
	 * new program's first stop with gdb_report_stop(); gdb waits for it.
	 */
	int (*run)(void *ctx, const char *const *argv, int argc);
};

/*
 * Reset the engine and bind it to the kernel's hooks; ctx is passed back to every hook. Clears
 * registered monitor commands. Returns 0, or GDB_EINVAL when ops or a required hook is missing.
 * Afterwards the state is GDB_STATE_DETACHED. Context: boot, before any other gdb_* call.
 */
int gdb_init(const struct gdb_ops *ops, void *ctx);

/*
 * Give the engine one byte received from gdb (or len bytes: the same, byte after byte). Replies
 * are sent through the send hook before this returns. Returns the engine's state afterwards:
 * HALTED or EXITED while gdb is in control, RUNNING after c/s/vCont/vRun (the resume or run hook
 * has been called) or while waiting for an interrupt-requested stop, DETACHED after D.
 * Never fails: malformed input is NAKed or dropped.
 */
enum gdb_state gdb_feed_byte(uint8_t byte);
enum gdb_state gdb_feed(const void *buf, size_t len);

/*
 * The target stopped (all tasks halted). Precondition: *stop is filled in; its thread exists.
 * If gdb is waiting for the target (state RUNNING), the stop reply (T/W/X packet) is sent now;
 * otherwise the stop is remembered and answered to gdb's '?' when it connects. While range
 * stepping, a step that stays inside the range is resumed at once and RUNNING is returned: the
 * kernel then just returns to the task. Otherwise returns HALTED (EXITED for the exit reasons).
 * Context: the stub context, before feeding bytes.
 */
enum gdb_state gdb_report_stop(const struct gdb_stop *stop);

/* The current state, as the calls above return it. Any context. */
enum gdb_state gdb_state(void);

/* The action that applies to thread tid under *how, or NULL when the thread stays stopped. */
const struct gdb_resume_action *gdb_resume_lookup(const struct gdb_resume *how, gdb_tid_t tid);

/*
 * Monitor commands ("monitor <name> <args>" in gdb, qRcmd on the wire). name is one word, help
 * one line; both and *cmd must live forever (static). fn runs in the stub context with the rest
 * of the line in args (NUL-terminated, leading blanks removed), prints with gdb_console_write(),
 * and returns 0 or a negative error (gdb then reports the command failed).
 * gdb_monitor_register() returns 0, GDB_EEXIST for a taken name (including "help"), GDB_ENOSPC
 * past GDB_MONITOR_MAX, GDB_EINVAL for a missing field. Context: after gdb_init, not concurrent
 * with a monitor command.
 */
struct gdb_monitor_cmd {
	const char *name;
	const char *help;
	int (*fn)(void *ctx, const char *args);
};
int gdb_monitor_register(const struct gdb_monitor_cmd *cmd);

/*
 * Text for gdb's console: inside a monitor command it becomes the command's output; while the
 * target runs under gdb (state RUNNING) it is sent at once as 'O' packets, so kernel log lines can
 * be mirrored to gdb. In other states it is dropped, since gdb would take it for a reply.
 */
void gdb_console_write(const char *text, size_t len);
void gdb_console_puts(const char *text);

/*
 * FXSAVE conversion for the kernel's read_regs / write_regs: the x87 and SSE part of struct
 * gdb_regs from or to a 512-byte FXSAVE area (legacy format: 32-bit FIP/FDP with selectors). The
 * full tag word is rebuilt from the abridged one and the register contents; to_fxsave leaves the
 * area's other bytes as they were.
 */
void gdb_regs_from_fxsave(struct gdb_regs *regs, const void *fxsave);
void gdb_regs_to_fxsave(const struct gdb_regs *regs, void *fxsave);

#endif
