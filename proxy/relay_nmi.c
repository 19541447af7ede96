/*
 * relay_nmi.c: gdb's ^C for a guest whose CPUs cannot take the stub's doorbell interrupt (they
 * all spin with interrupts off). The ^C goes into h2g like any byte; if the stub has not read it
 * NMI_AFTER_MS later while gdb waits for a stop, the proxy asks QEMU, through QEMU's machine
 * protocol on a socket only the proxy holds (qmp.c), for an NMI on every guest CPU, and the
 * kernel's stub stops there (kernel/debug/gdb_kernel.c, debug_nmi). A stub that read the ^C
 * stops by itself: no NMI.
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

void relay_nmi_arm(struct relay *r)
{
	struct itimerspec at = { .it_value = { .tv_nsec = NMI_AFTER_MS * 1000000L } };
	struct hermit_debug_channel *c = relay_channel(r);

	if (!c || r->qmp.fd < 0 || r->nmi_timer_fd < 0)
		return;
	/* Where the ^C ends in h2g once every queued byte is in: read when tail passes it. */
	r->ctrl_c_end = __atomic_load_n(&c->h2g.head, __ATOMIC_ACQUIRE) + (uint32_t)r->h2g_len;
	r->ctrl_c_waiting = true;
	timerfd_settime(r->nmi_timer_fd, 0, &at, NULL);
}

void relay_nmi_expired(struct relay *r)
{
	struct hermit_debug_channel *c = relay_channel(r);
	uint64_t ticks;

	if (read(r->nmi_timer_fd, &ticks, sizeof(ticks)) < 0 || !r->ctrl_c_waiting)
		return;
	r->ctrl_c_waiting = false;
	if (!c || !r->guest || !r->guest_running)
		return;
	if ((int32_t)(__atomic_load_n(&c->h2g.tail, __ATOMIC_ACQUIRE) - r->ctrl_c_end) >= 0)
		return; /* the stub read it: its stop is on the way */
	qmp_drain(&r->qmp); /* the answers so far (the greeting, earlier NMIs): read and dropped */
	if (qmp_send(&r->qmp, "{\"execute\": \"inject-nmi\"}") == 0)
		r->nmis++;
}
