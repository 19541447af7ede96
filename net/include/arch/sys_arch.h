/*
 * arch/sys_arch.h: lwIP's OS types on Hermit's kernel primitives (kernel/sync.h, kernel/task.h).
 * A semaphore is a ksem, a mutex a kmutex, a mailbox a bounded ring guarded by a spinlock with two
 * counting semaphores (items, free slots); a thread is a kernel task.
 */
#ifndef HERMIT_LWIP_ARCH_SYS_ARCH_H
#define HERMIT_LWIP_ARCH_SYS_ARCH_H

#include <stdint.h>

#include "kernel/spinlock.h"
#include "kernel/sync.h"

struct task;

typedef struct {
	struct ksem sem;
	int valid;
} sys_sem_t;

typedef struct {
	struct kmutex mutex;
	int valid;
} sys_mutex_t;

typedef struct {
	struct spinlock lock;
	struct ksem items; /* messages waiting */
	struct ksem space; /* free slots */
	void **ring;
	unsigned size, head, count;
	int valid;
} sys_mbox_t;

typedef struct task *sys_thread_t;

/* Once the tcpip task has started (it marks itself), panics unless the calling task holds lwIP's
 * core lock: calling the core without it corrupts it. lwip_init runs before, unlocked. */
void sys_arch_mark_tcpip_thread(void);
void sys_arch_assert_core_locked(void);
/* lwIP's IPv4 input hook: lets socket callers waiting for the core lock in (sys_arch.c says why);
 * never consumes the packet. */
int sys_arch_pass_core_lock(void);

/* The calling thread's semaphore for its netconn calls (LWIP_NETCONN_SEM_PER_THREAD): _make
 * creates it on first use (NULL when memory is short); lwIP's own lookup expects it made. */
sys_sem_t *sys_arch_netconn_sem_make(void);
sys_sem_t *sys_arch_netconn_sem(void);
typedef uint64_t sys_prot_t;

#endif
