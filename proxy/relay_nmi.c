/*
 * relay_nmi.c: gdb's bytes for a stub that runs when the guest's CPUs cannot take the stub's
 * doorbell interrupt (they all spin with interrupts off): a ^C, or the first packets of a gdb
 * attaching (HERMIT_DEBUG=attach, or after a detach). They go into h2g like any bytes; if the
 * stub has not read them NMI_AFTER_MS later, the proxy asks QEMU, through QEMU's machine protocol
 * on a socket only the proxy holds (qmp.c), for an NMI on every guest CPU, and the kernel's stub
 * reads them and stops there (kernel/debug/gdb_kernel.c, debug_nmi). A stub that read them stops
 * by itself (or was stopped already): no NMI.
 */
#include <sys/timerfd.h>
#include <unistd.h>

#include "relay.h"

#define NMI_AFTER_MS 200

int relay_nmi_init(struct relay *r)
{
	r->qmp.fd = -1;
	r->nmi_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return r->nmi_timer_fd < 0 ? -1 : 0;
}

void relay_nmi_close(struct relay *r)
{
	if (r->nmi_timer_fd >= 0)
		close(r->nmi_timer_fd);
	r->nmi_timer_fd = -1;
}

static bool stub_stopped(struct hermit_debug_channel *c)
{
	return __atomic_load_n(&c->stopped, __ATOMIC_ACQUIRE) != 0;
}

void relay_nmi_arm(struct relay *r)
{
	struct itimerspec at = { .it_value = { .tv_nsec = NMI_AFTER_MS * 1000000L } };
	struct hermit_debug_channel *c = relay_channel(r);

	if (!c || r->qmp.fd < 0 || r->nmi_timer_fd < 0 || stub_stopped(c))
		return;
	/* Where the bytes end in h2g once every queued byte is in: read when tail passes it. */
	r->unread_end = __atomic_load_n(&c->h2g.head, __ATOMIC_ACQUIRE) + (uint32_t)r->h2g_len;
	r->unread_waiting = true;
	timerfd_settime(r->nmi_timer_fd, 0, &at, NULL);
}

void relay_nmi_expired(struct relay *r)
{
	struct hermit_debug_channel *c = relay_channel(r);
	uint64_t ticks;

	if (read(r->nmi_timer_fd, &ticks, sizeof(ticks)) < 0 || !r->unread_waiting)
		return;
	r->unread_waiting = false;
	if (!c || !r->guest || stub_stopped(c))
		return;
	if ((int32_t)(__atomic_load_n(&c->h2g.tail, __ATOMIC_ACQUIRE) - r->unread_end) >= 0)
		return; /* the stub read them: its stop (or its answer) is on the way */
	qmp_drain(&r->qmp); /* the answers so far (the greeting, earlier NMIs): read and dropped */
	if (qmp_send(&r->qmp, "{\"execute\": \"inject-nmi\"}") == 0)
		r->nmis++;
}
