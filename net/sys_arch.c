/*
 * net/sys_arch.c: lwIP's operating-system layer (lwIP's sys.h) on Hermit's tasks, semaphores,
 * mutexes and clock. lwIP calls all of it in task context; nothing here runs in interrupts.
 * Timeouts are in milliseconds, 0 meaning none; the kernel's deadlines are clock nanoseconds.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>

#include "arch/x86_64/cpu.h"
#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/task.h"
#include "lwip/err.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

static uint64_t deadline_after(u32_t timeout_ms)
{
	return timeout_ms ? clock_ns() + (uint64_t)timeout_ms * 1000000ull : 0;
}

static u32_t ms_since(uint64_t start_ns) { return (u32_t)((clock_ns() - start_ns) / 1000000ull); }

void sys_init(void) {}

u32_t sys_now(void) { return (u32_t)(clock_ns() / 1000000ull); }

void sys_msleep(u32_t ms) { sched_sleep_until(deadline_after(ms ? ms : 1)); }

/* lwIP's short critical sections (pools, pbufs) on every CPU: one spinlock, taken again by the
 * CPU that holds it (lwIP nests them), with interrupts off while held. */
static struct spinlock protect_lock;
static int protect_owner = -1; /* the CPU holding protect_lock */
static unsigned protect_depth;

sys_prot_t sys_arch_protect(void)
{
	uint64_t flags = irq_save();
	int self = (int)smp_cpu_index();
	if (__atomic_load_n(&protect_owner, __ATOMIC_RELAXED) != self) {
		spin_lock(&protect_lock);
		__atomic_store_n(&protect_owner, self, __ATOMIC_RELAXED);
	}
	protect_depth++;
	return flags;
}

void sys_arch_unprotect(sys_prot_t pval)
{
	if (--protect_depth == 0) {
		__atomic_store_n(&protect_owner, -1, __ATOMIC_RELAXED);
		spin_unlock(&protect_lock);
	}
	irq_restore(pval);
}

void net_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(HERMIT_LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* ---- semaphores ---- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	ksem_init(&sem->sem, count);
	sem->valid = 1;
	return ERR_OK;
}

void sys_sem_signal(sys_sem_t *sem) { ksem_post(&sem->sem); }

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	uint64_t start = clock_ns();
	if (ksem_wait_as(&sem->sem, deadline_after(timeout), HERMIT_WAIT_NET, sem) < 0)
		return SYS_ARCH_TIMEOUT;
	u32_t waited = ms_since(start);
	return timeout && waited >= timeout ? timeout - 1 : waited;
}

void sys_sem_free(sys_sem_t *sem) { sem->valid = 0; }
int sys_sem_valid(sys_sem_t *sem) { return sem->valid; }
void sys_sem_set_invalid(sys_sem_t *sem) { sem->valid = 0; }

/*
 * Each thread waits for its netconn calls on its own semaphore, so two threads can use one socket
 * at once. The socket calls make it on a thread's first call (sys_arch_netconn_sem_make), where a
 * shortage is an errno; it is freed when the thread ends (a pthread key; kernel tasks make no
 * netconn calls and the main task never ends).
 */
static pthread_key_t netconn_sem_key;
static pthread_once_t netconn_sem_once = PTHREAD_ONCE_INIT;
static int netconn_sem_key_ok;

static void netconn_sem_free(void *sem)
{
	sys_sem_free(sem);
	free(sem);
}

static void netconn_sem_key_create(void)
{
	netconn_sem_key_ok = pthread_key_create(&netconn_sem_key, netconn_sem_free) == 0;
}

sys_sem_t *sys_arch_netconn_sem_make(void)
{
	pthread_once(&netconn_sem_once, netconn_sem_key_create);
	if (!netconn_sem_key_ok)
		return NULL;
	sys_sem_t *sem = pthread_getspecific(netconn_sem_key);
	if (sem)
		return sem;
	sem = malloc(sizeof(*sem));
	if (!sem)
		return NULL;
	if (pthread_setspecific(netconn_sem_key, sem) != 0) {
		free(sem);
		return NULL;
	}
	sys_sem_new(sem, 0);
	return sem;
}

sys_sem_t *sys_arch_netconn_sem(void)
{
	sys_sem_t *sem = sys_arch_netconn_sem_make();
	if (!sem)
		panic("lwip: a netconn call from a thread whose semaphore the socket layer did not make");
	return sem;
}

/* ---- mutexes ---- */

/* ---- the core lock ---- */

static struct task *tcpip_task; /* set once the tcpip task runs */

void sys_arch_mark_tcpip_thread(void) { tcpip_task = task_current(); }

void sys_arch_assert_core_locked(void)
{
	if (tcpip_task && lock_tcpip_core.mutex.owner != task_current())
		panic("lwip: a core function called without the core lock");
}

/*
 * lwIP's loopback poll (netif_poll, in the tcpip task) keeps the core lock for as long as its
 * queue refills, and two lwIP ends whose receive windows are both closed answer each other's ACKs
 * forever (an empty segment outside a zero window is ACKed): the threads that would read, and
 * so open the windows, wait for the lock for ever. So the tcpip task passes the lock to waiting
 * socket callers before each IPv4 packet it takes in (the kmutex hands it to the first waiter),
 * at a point where lwIP's state is whole.
 */
int sys_arch_pass_core_lock(void)
{
	if (task_current() == tcpip_task && !runqueue_empty(&lock_tcpip_core.mutex.waiters)) {
		UNLOCK_TCPIP_CORE();
		LOCK_TCPIP_CORE();
	}
	return 0;
}

err_t sys_mutex_new(sys_mutex_t *mutex)
{
	*mutex = (sys_mutex_t){ .valid = 1 };
	return ERR_OK;
}

void sys_mutex_lock(sys_mutex_t *mutex) { kmutex_lock(&mutex->mutex, 0); }
void sys_mutex_unlock(sys_mutex_t *mutex) { kmutex_unlock(&mutex->mutex); }
void sys_mutex_free(sys_mutex_t *mutex) { mutex->valid = 0; }
int sys_mutex_valid(sys_mutex_t *mutex) { return mutex->valid; }
void sys_mutex_set_invalid(sys_mutex_t *mutex) { mutex->valid = 0; }

/* ---- mailboxes ---- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	if (size <= 0)
		size = 64;
	*mbox = (sys_mbox_t){ .ring = calloc((size_t)size, sizeof(void *)), .size = (unsigned)size };
	if (!mbox->ring)
		return ERR_MEM;
	ksem_init(&mbox->items, 0);
	ksem_init(&mbox->space, size);
	mbox->valid = 1;
	return ERR_OK;
}

static void mbox_put(sys_mbox_t *mbox, void *msg)
{
	uint64_t f = spin_lock_irqsave(&mbox->lock);
	mbox->ring[(mbox->head + mbox->count) % mbox->size] = msg;
	mbox->count++;
	spin_unlock_irqrestore(&mbox->lock, f);
	ksem_post(&mbox->items);
}

static void *mbox_take(sys_mbox_t *mbox)
{
	uint64_t f = spin_lock_irqsave(&mbox->lock);
	void *msg = mbox->ring[mbox->head];
	mbox->head = (mbox->head + 1) % mbox->size;
	mbox->count--;
	spin_unlock_irqrestore(&mbox->lock, f);
	ksem_post(&mbox->space);
	return msg;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	ksem_wait_as(&mbox->space, 0, HERMIT_WAIT_NET, mbox);
	mbox_put(mbox, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	if (ksem_trywait(&mbox->space) < 0)
		return ERR_MEM;
	mbox_put(mbox, msg);
	return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg) { return sys_mbox_trypost(mbox, msg); }

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	uint64_t start = clock_ns();
	if (ksem_wait_as(&mbox->items, deadline_after(timeout), HERMIT_WAIT_NET, mbox) < 0)
		return SYS_ARCH_TIMEOUT;
	void *m = mbox_take(mbox);
	if (msg)
		*msg = m;
	u32_t waited = ms_since(start);
	return timeout && waited >= timeout ? timeout - 1 : waited;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	if (ksem_trywait(&mbox->items) < 0)
		return SYS_MBOX_EMPTY;
	void *m = mbox_take(mbox);
	if (msg)
		*msg = m;
	return 0;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
	free(mbox->ring);
	mbox->ring = NULL;
	mbox->valid = 0;
}

int sys_mbox_valid(sys_mbox_t *mbox) { return mbox->valid; }
void sys_mbox_set_invalid(sys_mbox_t *mbox) { mbox->valid = 0; }

/* ---- threads ---- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg, int stacksize, int prio)
{
	(void)prio;
	struct task *t = task_create(name, thread, arg, stacksize > 0 ? (size_t)stacksize : TASK_DEFAULT_STACK);
	if (!t)
		panic("lwip: no memory for task %s", name);
	task_detach(t);
	return t;
}
