/*
 * debug/debug_internal.h: what the stub's files share: the transport (gdb_transport.c) under the
 * engine glue (gdb_kernel.c) and the monitor commands (monitor.c).
 */
#ifndef DEBUG_INTERNAL_H
#define DEBUG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Publishes the channel in the anchor and enables the doorbell interrupt, which calls rx_irq. */
void transport_init(void (*rx_irq)(void));
/* Queues len bytes for the host and rings; waits for room while the host drains. */
void transport_send(const void *buf, size_t len);
/* Takes up to cap bytes gdb sent; 0 when none are waiting. Never blocks. */
size_t transport_recv(void *buf, size_t cap);
/* Tells the host the stub polls the ring (no doorbell needed) or no longer does. */
void transport_set_polling(bool on);
/* Drops doorbell bytes waiting in the UART (they only say "look at the ring"). */
void transport_ack_doorbell(void);

/* Registers the kernel's monitor commands (tasks, mem, log, breaks). */
void debug_monitor_init(void);
/* For "monitor breaks": prints the breakpoints and watchpoints the stub holds. */
void debug_print_breakpoints(void);

#endif
