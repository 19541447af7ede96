/*
 * debug/debug_internal.h: what the stub's files share: the transport (gdb_transport.c) under the
 * engine glue (gdb_kernel.c) and the monitor commands (monitor.c).
 */
#ifndef DEBUG_INTERNAL_H
#define DEBUG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/frame.h"
#include "gdbstub.h"
#include "hermit/abi.h"

/* Publishes the channel in the anchor and enables the doorbell interrupt, which calls rx_irq. */
void transport_init(void (*rx_irq)(void));
/* Queues len bytes for the host and rings; waits for room while the host drains. */
void transport_send(const void *buf, size_t len);
/* Takes up to cap bytes gdb sent; 0 when none are waiting. Never blocks. */
size_t transport_recv(void *buf, size_t cap);
/* The stub has nothing to read: returns after gdb's next bytes may have come (interrupts off).
 * may_halt: the CPU may halt until the doorbell (an interrupt may nest: trap_may_nest());
 * otherwise it only polls. */
void transport_wait(bool may_halt);
/* Routes the doorbell's interrupt to CPU cpu (the stub's holder, which halts for it). */
void transport_route_doorbell(unsigned cpu);
/* Tells the host the stub polls the ring (no doorbell needed) or no longer does. */
void transport_set_polling(bool on);
/* Drops doorbell bytes waiting in the UART (they only say "look at the ring"). */
void transport_ack_doorbell(void);
/* Tells the host the guest is stopped, int3s lifted (it may read memory itself), or resumes. */
void transport_publish_stop(bool stopped);

#define INT3 0xcc /* the breakpoint instruction */

/* Checked memory (gdb_kernel.c): true when [a, a+n) may be read (mapped, not device memory). */
bool debug_readable(uint64_t a, size_t n);
/* Writes [a, a+n), which lies in one page, text included (CR0.WP off for it); false if it may not. */
bool debug_write_chunk(uint64_t a, const void *src, size_t n);

/* Breakpoints and watchpoints (breakpoints.c): gdb's Z and z packets. */
int bp_insert(enum gdb_bp_type type, uint64_t addr, uint64_t len);
int bp_remove(enum gdb_bp_type type, uint64_t addr, uint64_t len);
void bp_remove_all(void);
/* Puts the int3s into memory (before tasks run) or takes them out (when the stub runs). */
void bp_plant_all(bool plant);
/* The table of int3s, published to the host (hermit/abi.h, struct hermit_debug_breaks). */
const struct hermit_debug_breaks *bp_table(void);
bool bp_is_int3_at(uint64_t addr);
/* buf holds [addr, addr+len) as read: puts the bytes the int3s replaced back into it. */
void bp_hide(uint64_t addr, void *buf, size_t len);
/* gdb wrote buf to [addr, addr+len): int3s there stay and remember the new bytes. */
void bp_written(uint64_t addr, const void *buf, size_t len);
/* Before tasks run: the values read watchpoints compare with, to tell reads from writes. */
void bp_snapshot_reads(void);
/* #DB: fills stop for a hit of debug-register slot; false when the hit is no stop. */
bool bp_watch_hit(unsigned slot, struct trap_frame *f, struct gdb_stop *stop);

struct task;
/* What blocked task t waits for, in words ("mutex 0x... held by task 3", wait_text.c). */
void debug_wait_text(const struct task *t, char *buf, size_t size);

/*
 * Stop-all (stopall.c): the CPU that stops holds the stub and parks the others by NMI.
 *   stopall_enter/leave   around this CPU's stub path: f is where its task stands
 *   stopall_take          records this CPU's stop and claims the stub; false when, meanwhile
 *                         parked, another holder reported the stop or dropped it
 *   stopall_stop_others   NMIs every CPU not parked yet and waits (100 ms) until each parks
 *   stopall_next_event    a parked CPU's pending stop that fate says to report now
 *   stopall_resume        releases the parked CPUs that runs() names, gives up the stub, and
 *                         parks this CPU if runs() does not name it
 *   stopall_nmi_wanted    the NMI handler's part: true when it was the holder's, for this
 *                         CPU to park (stopall_park, with a stop of its own pending or none)
 *                         once out of the handler
 *   stopall_claim/unclaim the stub for a short job (the doorbell interrupt), no stop
 */
enum stopall_fate { STOPALL_KEEP, STOPALL_DROP, STOPALL_REPORT };
void stopall_enter(unsigned self, struct trap_frame *f);
void stopall_leave(unsigned self);
bool stopall_take(unsigned self, const struct gdb_stop *stop);
void stopall_stop_others(unsigned self);
bool stopall_next_event(unsigned self, enum stopall_fate (*fate)(unsigned c, const struct gdb_stop *e),
			struct gdb_stop *out);
void stopall_resume(unsigned self, bool (*runs)(unsigned c));
/* The pending stop of a parked CPU's task tid, for lldb's qThreadStopInfo; from then on it is
 * dropped instead of reported. */
bool stopall_tell_event(int64_t tid, struct gdb_stop *out);
bool stopall_nmi_wanted(unsigned self);
void stopall_park(unsigned self, struct trap_frame *f, const struct gdb_stop *pending);
bool stopall_claim(unsigned self);
void stopall_unclaim(void);
bool stopall_busy(void);
struct trap_frame *stopall_frame(unsigned c);
bool stopall_in_stub(unsigned c);
bool stopall_parked(unsigned c);
bool stopall_stuck(unsigned c);
uint64_t stopall_last_park_ns(void);
uint64_t stopall_stops(void);
uint64_t stopall_pending_reported(void);
/* The last stop: from its trap to its stop reply sent (gdb_kernel.c). */
uint64_t debug_last_reply_ns(void);

/* Registers the kernel's monitor commands (tasks, mem, log, breaks). */
void debug_monitor_init(void);
/* For "monitor breaks": prints the breakpoints and watchpoints the stub holds. */
void debug_print_breakpoints(void);

#endif
