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
/* The stub has nothing to read: returns after gdb's next bytes may have come (interrupts off). */
void transport_wait(void);
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

/* Registers the kernel's monitor commands (tasks, mem, log, breaks). */
void debug_monitor_init(void);
/* For "monitor breaks": prints the breakpoints and watchpoints the stub holds. */
void debug_print_breakpoints(void);

#endif
