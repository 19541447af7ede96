/*
 * tracing/events.h: the event catalogue, shared by the kernel (ids and names), the host's
 * exporters (CTF metadata, JSON) and the gdb scripts (constants generated at build time).
 * Append only: an id never changes meaning within HERMIT_TRACE_VERSION.
 *
 * X(ID, "name", "field0", "field1", signed_mask): an event carries at most two 64-bit fields;
 * an empty name means the field is unused; bit i of signed_mask marks field i as signed.
 */
#ifndef TRACING_EVENTS_H
#define TRACING_EVENTS_H

#define HERMIT_TRACE_EVENTS(X)                                                         \
	X(TASK_CREATE, "task_create", "tid", "stack_kib", 0)                           \
	X(TASK_EXIT, "task_exit", "tid", "", 0)                                        \
	X(SCHED_SWITCH, "sched_switch", "prev_tid", "next_tid", 0)                     \
	X(SCHED_WAKEUP, "sched_wakeup", "tid", "timed_out", 0)                         \
	X(IRQ, "irq", "vector", "rip", 0)                                              \
	X(EXCEPTION, "exception", "vector", "rip", 0)                                  \
	X(TIMER_ARM, "timer_arm", "deadline_ns", "", 0)                                \
	X(TIMER_FIRE, "timer_fire", "now_ns", "", 0)                                   \
	X(PAGE_ALLOC, "page_alloc", "addr", "pages", 0)                                \
	X(PAGE_FREE, "page_free", "addr", "pages", 0)                                  \
	X(HEAP_BRK, "heap_brk", "old", "increment", 2)                                 \
	X(LOG, "log", "seq", "level", 0)                                               \
	X(SYS_WRITE_ENTRY, "syscall_entry_write", "fd", "len", 1)                      \
	X(SYS_WRITE_EXIT, "syscall_exit_write", "ret", "", 1)                          \
	X(SYS_READ_ENTRY, "syscall_entry_read", "fd", "len", 1)                        \
	X(SYS_READ_EXIT, "syscall_exit_read", "ret", "", 1)                            \
	X(SYS_OPEN_ENTRY, "syscall_entry_open", "path", "flags", 0)                    \
	X(SYS_OPEN_EXIT, "syscall_exit_open", "ret", "", 1)                            \
	X(SYS_CLOSE_ENTRY, "syscall_entry_close", "fd", "", 1)                         \
	X(SYS_CLOSE_EXIT, "syscall_exit_close", "ret", "", 1)                          \
	X(SYS_LSEEK_ENTRY, "syscall_entry_lseek", "fd", "offset", 3)                   \
	X(SYS_LSEEK_EXIT, "syscall_exit_lseek", "ret", "", 1)                          \
	X(SYS_NANOSLEEP_ENTRY, "syscall_entry_nanosleep", "ns", "", 0)                 \
	X(SYS_NANOSLEEP_EXIT, "syscall_exit_nanosleep", "ret", "", 1)                  \
	X(SYS_CLOCK_GETTIME, "syscall_clock_gettime", "clock", "ns", 2)                \
	X(HCALL_ENTRY, "hcall_entry", "nr", "", 0)                                     \
	X(HCALL_EXIT, "hcall_exit", "nr", "", 0)                                       \
	X(GDB_STOP, "gdb_stop", "tid", "signal", 0)                                    \
	X(GDB_RESUME, "gdb_resume", "tid", "step", 0)                                  \
	X(APP_MARK, "app_mark", "tag", "value", 0)                                     \
	X(BENCH, "bench", "i", "", 0)                                                  \
	X(NET_RX, "net_rx", "len", "protocol", 0)                                      \
	X(NET_TX, "net_tx", "len", "protocol", 0)                                      \
	X(SYS_PATH_ENTRY, "syscall_entry_path", "op", "path", 0)                       \
	X(SYS_PATH_EXIT, "syscall_exit_path", "ret", "", 1)                            \
	X(SYS_FD_ENTRY, "syscall_entry_fd", "op", "fd", 2)                             \
	X(SYS_FD_EXIT, "syscall_exit_fd", "ret", "", 1)

enum hermit_trace_id {
#define HERMIT_TRACE_ENUM(id, name, f0, f1, sign) HERMIT_TRACE_##id,
	HERMIT_TRACE_EVENTS(HERMIT_TRACE_ENUM)
#undef HERMIT_TRACE_ENUM
	HERMIT_TRACE_NEVENTS
};

struct hermit_trace_event_info {
	const char *name;
	const char *field[2];
	unsigned signed_mask;
};

/* Indexed by id; defined once by whoever defines HERMIT_TRACE_DEFINE_CATALOGUE first. */
extern const struct hermit_trace_event_info hermit_trace_catalogue[HERMIT_TRACE_NEVENTS];

#ifdef HERMIT_TRACE_DEFINE_CATALOGUE
const struct hermit_trace_event_info hermit_trace_catalogue[HERMIT_TRACE_NEVENTS] = {
#define HERMIT_TRACE_INFO(id, nm, f0, f1, sign) { nm, { f0, f1 }, sign },
	HERMIT_TRACE_EVENTS(HERMIT_TRACE_INFO)
#undef HERMIT_TRACE_INFO
};
#endif

#endif
