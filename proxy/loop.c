/*
 * loop.c: runs the guest to its end with one poll() loop.
 *
 * Four things wake the proxy: console bytes (kept, error lines printed at once), doorbell bytes
 * (one per hypercall, served by hcall.c and answered with one byte; or the capture ring's notice
 * that it fills up), QEMU's stderr (kept for
 * the user), and signals through a signalfd: SIGINT/SIGTERM stop the VM, SIGCHLD may mean that
 * QEMU is gone. The loop only records how the guest ended (vm->end); vm_finish then stops and
 * reaps QEMU, prints what the user must see and picks the exit status, in that one place.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proxy.h"

#define READ_CHUNK 65536
/* QEMU's words when KVM cannot go on (seen with nested KVM instead of a triple fault). */
#define QEMU_STUCK "KVM internal error"
#define QEMU_QUIET_MS 50
#define CAPTURE_DRAIN_MS 20 /* how often the capture ring is emptied while the guest runs */
#define QEMU_QUIT_MS 10000  /* for QEMU to close its record log */

static void end(struct vm *vm, enum vm_end how)
{
	if (vm->end == VM_RUNNING)
		vm->end = how;
}

static void fail(struct vm *vm, const char *what)
{
	fprintf(stderr, "hermit: %s: %s\n", what, strerror(errno));
	end(vm, VM_FAILED);
}

/* Reads what the signalfd holds. SIGCHLD also comes from addr2line runs: check QEMU itself. */
static void take_signals(struct vm *vm)
{
	struct signalfd_siginfo si;
	int status;

	while (read(vm->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1 && vm->pm)
			pm_print_log(vm->pm, stderr); /* the guest runs on */
		if (si.ssi_signo == SIGUSR2 && vm->pm)
			pm_snapshot(vm->pm, stderr);
		if (si.ssi_signo == SIGALRM)
			end(vm, VM_TIMEOUT);
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) {
			vm->term_signal = (int)si.ssi_signo;
			end(vm, VM_SIGNALED);
		}
	}
	if (!vm->qemu_gone && waitpid(vm->qemu, &status, WNOHANG) == vm->qemu)
		vm->qemu_gone = true;
}

static void read_console(struct vm *vm)
{
	char buf[READ_CHUNK];
	ssize_t n;

	if (vm->console_fd < 0)
		return;
	while ((n = read(vm->console_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		console_feed(&vm->console, buf, (size_t)n);
	}
	/* EOF or error: QEMU is gone; SIGCHLD tells the rest. */
	close(vm->console_fd);
	vm->console_fd = -1;
}

static void read_qemu_err(struct vm *vm)
{
	char buf[4096];
	ssize_t n;

	if (vm->qemu_err_fd < 0)
		return;
	while ((n = read(vm->qemu_err_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		size_t keep = sizeof(vm->qemu_err) - vm->qemu_err_len;
		keep = (size_t)n < keep ? (size_t)n : keep;
		memcpy(vm->qemu_err + vm->qemu_err_len, buf, keep);
		vm->qemu_err_len += keep;
		/* QEMU does not exit after this: it pauses the VM for good. */
		if (memmem(vm->qemu_err, vm->qemu_err_len, QEMU_STUCK, sizeof(QEMU_STUCK) - 1))
			end(vm, VM_DIED);
	}
	close(vm->qemu_err_fd);
	vm->qemu_err_fd = -1;
}

/* Lets QEMU finish a report it is writing (a register dump) before it is killed. */
static void settle_qemu_err(struct vm *vm)
{
	struct pollfd p = { .fd = vm->qemu_err_fd, .events = POLLIN };

	for (int i = 0; i < 20 && vm->qemu_err_fd >= 0 && poll(&p, 1, QEMU_QUIET_MS) > 0; i++)
		read_qemu_err(vm);
}

/* The guest ended: a replay under gdb keeps QEMU running for gdb. */
static void guest_end(struct vm *vm, enum vm_end how)
{
	if (vm->hold_qemu)
		vm->held_end = how;
	else
		end(vm, how);
}

/* A recording answers through rec_doorbell itself; in a replay QEMU answers from its log. */
static enum hcall_outcome take_doorbell(struct vm *vm, unsigned char cpu)
{
	if (vm->rec)
		return rec_doorbell(vm->rec, &vm->hc, cpu);
	if (vm->replay)
		return replay_doorbell(vm->replay, &vm->hc, cpu);
	enum hcall_outcome out = hcall_doorbell(&vm->hc, cpu);
	if (out == HCALL_PARKED)
		vm->parked[cpu] = (struct pollfd){ .fd = vm->hc.park_fd, .events = vm->hc.park_events };
	/* A failed answer means QEMU is gone; SIGCHLD will tell. */
	if (out == HCALL_ANSWER && write(vm->doorbell_fd, &cpu, 1) < 0)
		return HCALL_ANSWER;
	return out;
}

/* Draining the capture ring frees its room, a write into guest RAM that a recording would not
 * see: while recording or replaying, the ring is written to its file only at the end. */
static bool capture_live(const struct vm *vm)
{
	return vm->capture && !vm->rec && !vm->replay;
}

static void serve_one(struct vm *vm, unsigned char cpu)
{
	if (cpu == HERMIT_DOORBELL_CAPTURE) { /* the capture ring fills up: no answer is owed */
		if (capture_live(vm))
			net_capture_drain(vm->capture);
		return;
	}
	switch (take_doorbell(vm, cpu)) {
	case HCALL_ANSWER:
	case HCALL_PARKED:
		break;
	case HCALL_EXIT:
		guest_end(vm, VM_EXITED);
		break;
	case HCALL_CRASH:
		guest_end(vm, VM_CRASHED);
		break;
	case HCALL_BAD:
		end(vm, VM_BAD);
		break;
	case HCALL_STOP:
		break; /* vm->end or qemu_gone already says why */
	}
}

/* Serves again each parked request whose descriptor poll found ready (or closed). */
static void serve_unparked(struct vm *vm, const struct pollfd *p)
{
	for (unsigned n = 0; n < HERMIT_MAX_CPUS && vm->end == VM_RUNNING; n++)
		if (vm->parked[n].fd >= 0 && p[n].revents) {
			vm->parked[n].fd = -1;
			serve_one(vm, (unsigned char)n);
		}
}

/* Serves every doorbell byte waiting, one hypercall per byte, until the guest ends. */
static void read_doorbell(struct vm *vm)
{
	unsigned char bytes[HERMIT_MAX_CPUS * 4];
	ssize_t n;

	while (vm->doorbell_fd >= 0 && vm->end == VM_RUNNING) {
		n = read(vm->doorbell_fd, bytes, sizeof(bytes));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			close(vm->doorbell_fd);
			vm->doorbell_fd = -1;
			return;
		}
		for (ssize_t i = 0; i < n && vm->end == VM_RUNNING; i++)
			serve_one(vm, bytes[i]);
	}
}

/*
 * hcall.c's wait: blocks until fd is ready (say, stdin has input), still taking signals and
 * console bytes meanwhile. False when the proxy must stop instead.
 */
static bool wait_fd(void *arg, int fd, short events)
{
	struct vm *vm = arg;

	while (vm->end == VM_RUNNING && !vm->qemu_gone) {
		struct pollfd p[3 + RELAY_POLLFDS] = {
			{ .fd = fd, .events = events },
			{ .fd = vm->signal_fd, .events = POLLIN },
			{ .fd = vm->console_fd, .events = POLLIN },
		};
		int n = vm->relay ? 3 + relay_pollfds(vm->relay, p + 3) : 3;
		if (poll(p, (nfds_t)n, capture_live(vm) ? CAPTURE_DRAIN_MS : -1) < 0 && errno != EINTR) {
			fail(vm, "poll");
			break;
		}
		if (capture_live(vm)) /* the guest's other tasks go on sending */
			net_capture_drain(vm->capture);
		if (p[1].revents)
			take_signals(vm);
		if (p[2].revents)
			read_console(vm);
		if (vm->relay) { /* gdb still works while the app waits for input */
			relay_handle(vm->relay, p + 3);
			if (relay_kill_requested(vm->relay))
				end(vm, VM_KILLED);
		}
		if (p[0].revents && vm->end == VM_RUNNING && !vm->qemu_gone)
			return true;
	}
	return false;
}

/* A replay of a run stopped by HERMIT_TIMEOUT or a signal: QEMU quits at the end of its log. */
static bool replay_ended_as_recorded(struct vm *vm)
{
	int how;
	int32_t status;

	if (!vm->replay || vm->held_end != VM_RUNNING || !replay_cut_short(vm->replay, &how, &status))
		return false;
	if (how == VM_SIGNALED)
		vm->term_signal = status;
	else
		vm->timeout = (unsigned)status;
	end(vm, how);
	return true;
}

/* A replay whose QEMU found the guest doing what its log has no entry for, and quit saying so. */
static bool replay_left_its_log(struct vm *vm)
{
	char said[256];

	if (!vm->replay || !replay_qemu_said(vm->qemu_err, vm->qemu_err_len, said, sizeof(said)))
		return false;
	snprintf(vm->diverged, sizeof(vm->diverged), "hermit: the replay left its recording after "
		 "%" PRIu64 " of its %" PRIu64 " hypercalls; QEMU says: %s", replay_heard(vm->replay),
		 replay_manifest(vm->replay)->hcalls, said);
	end(vm, VM_DIVERGED);
	return true;
}

/* A replay that stood still: ended, or under gdb, whose session goes on, said. */
static void watch_replay(struct vm *vm, const struct pollfd *p)
{
	char why[sizeof(vm->diverged)];

	if (!watch_handle(vm->watch, p))
		return;
	watch_describe(vm->watch, replay_manifest(vm->replay), replay_heard(vm->replay), why, sizeof(why));
	if (vm->hold_qemu) {
		fprintf(stderr, "%s; gdb's session goes on\n", why);
		return;
	}
	memcpy(vm->diverged, why, sizeof(why));
	end(vm, VM_DIVERGED);
}

/* QEMU is gone: whatever it sent before dying still counts, an EXIT above all. */
static void after_qemu(struct vm *vm)
{
	read_console(vm);
	read_doorbell(vm);
	read_qemu_err(vm);
	if (!replay_ended_as_recorded(vm) && !replay_left_its_log(vm))
		end(vm, vm->held_end != VM_RUNNING ? vm->held_end : vm->hold_qemu ? VM_KILLED : VM_DIED);
}

static void poll_once(struct vm *vm)
{
	struct pollfd p[4 + RELAY_POLLFDS + REC_POLLFDS + RSNAP_POLLFDS + WATCH_POLLFDS + HERMIT_MAX_CPUS] = {
		{ .fd = vm->console_fd, .events = POLLIN },
		{ .fd = vm->qemu_err_fd, .events = POLLIN },
		{ .fd = vm->doorbell_fd, .events = POLLIN },
		{ .fd = vm->signal_fd, .events = POLLIN },
	};

	int n = vm->relay ? 4 + relay_pollfds(vm->relay, p + 4) : 4;
	struct pollfd *rec_p = p + n;
	if (vm->rec)
		n += rec_pollfds(vm->rec, rec_p);
	struct pollfd *snaps_p = p + n;
	if (vm->snaps)
		n += rsnap_pollfds(vm->snaps, snaps_p);
	struct pollfd *watch_p = p + n;
	if (vm->watch)
		n += watch_pollfds(vm->watch, watch_p);
	struct pollfd *parked_p = p + n;
	memcpy(parked_p, vm->parked, sizeof(vm->parked));
	n += HERMIT_MAX_CPUS;

	if (poll(p, (nfds_t)n, capture_live(vm) ? CAPTURE_DRAIN_MS : -1) < 0) {
		if (errno != EINTR)
			fail(vm, "poll");
		return;
	}
	if (capture_live(vm))
		net_capture_drain(vm->capture);
	if (vm->rec)
		rec_handle(vm->rec, rec_p);
	if (vm->snaps)
		rsnap_handle(vm->snaps, snaps_p);
	if (vm->watch)
		watch_replay(vm, watch_p);
	/* Console first: a crash report must be printed before the crash is handled. */
	if (p[0].revents)
		read_console(vm);
	if (p[1].revents)
		read_qemu_err(vm);
	if (p[2].revents)
		read_doorbell(vm);
	if (p[3].revents)
		take_signals(vm);
	serve_unparked(vm, parked_p);
	if (vm->relay) {
		relay_handle(vm->relay, p + 4);
		if (relay_kill_requested(vm->relay))
			end(vm, VM_KILLED);
	}
}

/* A recording is whole only once QEMU closed its log: asked to quit, it does so at once. */
static void quit_qemu(struct vm *vm)
{
	int status;

	kill(vm->qemu, SIGTERM);
	for (int i = 0; i < QEMU_QUIT_MS / 10; i++) {
		if (waitpid(vm->qemu, &status, WNOHANG) == vm->qemu) {
			vm->qemu_gone = true;
			return;
		}
		usleep(10000);
	}
	fprintf(stderr, "hermit: QEMU did not quit within %d ms: its record log may be cut short\n",
		QEMU_QUIT_MS);
}

static void stop_qemu(struct vm *vm)
{
	int status;

	if (vm->qemu_gone)
		return;
	if (vm->end == VM_DIED)
		settle_qemu_err(vm);
	if (vm->rec)
		quit_qemu(vm);
	if (vm->qemu_gone)
		return;
	kill(vm->qemu, SIGKILL);
	while (waitpid(vm->qemu, &status, 0) < 0 && errno == EINTR)
		;
	vm->qemu_gone = true;
}

static void print_qemu_err(const struct vm *vm)
{
	if (vm->qemu_err_len == 0)
		return;
	fwrite(vm->qemu_err, 1, vm->qemu_err_len, stderr);
	if (vm->qemu_err[vm->qemu_err_len - 1] != '\n')
		fputc('\n', stderr);
}

/* The one place that tells the user how the guest ended, and picks the exit status. */
static int report(struct vm *vm)
{
	char name[32];

	switch (vm->end) {
	case VM_EXITED:
		return vm->hc.status & 0xff;
	case VM_CRASHED:
		fprintf(stderr, "hermit: the guest crashed (%s)\n",
			hcall_crash_name(vm->hc.status, name, sizeof(name)));
		return vm->hc.status == -1 ? EXIT_GUEST_PANIC : EXIT_GUEST_EXCEPTION;
	case VM_BAD:
		fprintf(stderr, "%s\n", vm->hc.why);
		return EXIT_PROXY_FAILURE;
	case VM_TIMEOUT:
		fprintf(stderr, "hermit: HERMIT_TIMEOUT=%u: the guest was stopped\n", vm->timeout);
		return EXIT_TIMEOUT;
	case VM_SIGNALED:
		return vm->term_signal == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	case VM_DIED:
		fprintf(stderr, "hermit: the guest died without exiting (triple fault or QEMU error)\n");
		print_qemu_err(vm);
		return EXIT_PROXY_FAILURE;
	case VM_KILLED:
		return EXIT_GUEST_KILLED;
	case VM_DIVERGED:
		fprintf(stderr, "%s\n", vm->diverged);
		return EXIT_PROXY_FAILURE;
	case VM_FAILED: /* already said by fail() */
	case VM_RUNNING:
		break;
	}
	return EXIT_PROXY_FAILURE;
}

/* What a recording keeps of the ending besides its kind, so that a replay ends the same way:
 * the exit status or crash vector, the signal, HERMIT_TIMEOUT's seconds. */
static int32_t end_status(const struct vm *vm)
{
	if (vm->end == VM_SIGNALED)
		return vm->term_signal;
	return vm->end == VM_TIMEOUT ? (int32_t)vm->timeout : vm->hc.status;
}

static int vm_finish(struct vm *vm)
{
	int status;

	if (vm->rec && !vm->qemu_gone)
		rec_note_end(vm->rec);
	stop_qemu(vm);
	if (vm->watch)
		watch_close(vm->watch);
	/* QEMU is dead, so these reads end at EOF: nothing it sent is lost. */
	read_console(vm);
	read_qemu_err(vm);
	console_finish(&vm->console);
	if (vm->capture)
		net_capture_finish(vm->capture, stderr);
	if (vm->verbose) {
		if (!vm->pm || !pm_print_log(vm->pm, stderr))
			console_dump(&vm->console, stderr);
		if (vm->end != VM_DIED)
			print_qemu_err(vm);
	}
	if (vm->pm)
		pm_finish(vm->pm, vm->end, vm->hc.status, stderr);
	status = report(vm);
	if (vm->rec && rec_finish(vm->rec, vm->end, end_status(vm), stderr) < 0 &&
	    status == 0)
		status = EXIT_PROXY_FAILURE;
	if (vm->replay && !replay_finish(vm->replay, vm->end, vm->hc.status, stderr) &&
	    status == 0)
		status = EXIT_PROXY_FAILURE;
	if (vm->snaps)
		rsnap_finish(vm->snaps);
	fflush(stderr);
	return status;
}

int vm_run(struct vm *vm)
{
	vm->hc.wait_fd = wait_fd;
	vm->hc.wait_arg = vm;
	/* A recorder or a replayer serves each request when it comes (its log is in that order). */
	vm->hc.park = !vm->rec && !vm->replay;
	for (unsigned n = 0; n < HERMIT_MAX_CPUS; n++)
		vm->parked[n] = (struct pollfd){ .fd = -1 };
	while (vm->end == VM_RUNNING) {
		poll_once(vm);
		if (vm->qemu_gone)
			after_qemu(vm);
	}
	return vm_finish(vm);
}
