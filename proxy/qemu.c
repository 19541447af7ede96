/*
 * qemu.c: the QEMU isle: QEMU's command line, and QEMU's process.
 *
 * The VM is a microvm without firmware tables or legacy timers; the kernel is loaded by QEMU's
 * -kernel (PVH). Guest RAM is the proxy's memfd, reopened by QEMU through /proc/self/fd so that
 * both processes see the same pages. COM1 is the console and a second 16550 at
 * HERMIT_QEMU_DOORBELL_PORT the doorbell, each backed by one end of a socketpair the proxy
 * made; QEMU inherits those descriptors and the memfd, and nothing else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proxy.h"

#define QEMU_BINARY "qemu-system-x86_64" /* the name the original proxy's users install */
#define QEMU_MACHINE "microvm,x-option-roms=off,pit=off,pic=off,rtc=off,acpi=off"
/* An RTL8139 is a PCI card: microvm's PCIe root complex, which needs its ACPI tables. */
#define QEMU_MACHINE_PCI "microvm,x-option-roms=off,pit=off,pic=off,rtc=off,pcie=on"
/* Plain "-cpu host" fails on some hosts with "failed to set MSR 0x10a". */
#define QEMU_CPU_KVM "host,-arch-capabilities"
#define QEMU_CPU_TCG "max"
#define QEMU_ARGS_MAX 80

struct args {
	char **v;
	size_t n;
	bool failed;
};

static void __attribute__((format(printf, 2, 3))) push(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->failed || a->n + 1 >= QEMU_ARGS_MAX) {
		a->failed = true;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		a->failed = true;
	else
		a->v[a->n++] = s;
	va_end(ap);
}

/* The recording's directory with HERMIT_RECORD or HERMIT_REPLAY, else NULL. */
static const char *rr_dir(const struct settings *s)
{
	return s->record ? s->record : s->replay;
}

static void push_machine(struct args *a, const struct settings *s, bool kvm)
{
	push(a, QEMU_BINARY);
	push(a, "-M");
	push(a, s->nic == NIC_RTL8139 ? QEMU_MACHINE_PCI : QEMU_MACHINE);
	push(a, "-accel");
	/* Multi-threaded TCG: one host thread per vCPU, so guest CPUs really run in parallel; but
	 * QEMU records and replays only single-threaded TCG. */
	push(a, kvm ? "kvm" : rr_dir(s) ? "tcg,thread=single" : "tcg,thread=multi");
	push(a, "-cpu");
	push(a, kvm ? QEMU_CPU_KVM : QEMU_CPU_TCG);
	push(a, "-smp");
	push(a, "%u", s->cpus);
	/* -m and the backend must agree to the byte: mem_size is a whole number of MiB. */
	push(a, "-m");
	push(a, "%lluM", (unsigned long long)(s->mem_size / MIB));
	push(a, "-nodefaults");
	push(a, "-no-user-config");
	push(a, "-nographic");
	push(a, "-no-reboot");
}

static void push_devices(struct args *a, const struct settings *s, const struct qemu_fds *fds)
{
	push(a, "-object");
	push(a, "memory-backend-file,id=ram,size=%lluM,mem-path=/proc/self/fd/%d,share=on",
	     (unsigned long long)(s->mem_size / MIB), fds->mem);
	push(a, "-machine");
	push(a, "memory-backend=ram");
	push(a, "-chardev");
	/* Recording: a pipe, never full in practice (main.c), because QEMU retries a console byte
	 * the socket refused from its main loop, at a moment a replay cannot reproduce. */
	if (rr_dir(s))
		push(a, "file,id=con,path=/proc/self/fd/%d", fds->console);
	else
		push(a, "socket,id=con,fd=%d", fds->console);
	push(a, "-serial");
	push(a, "chardev:con");
	push(a, "-chardev");
	push(a, "socket,id=hc,fd=%d", fds->doorbell);
	push(a, "-device");
	push(a, "isa-serial,chardev=hc,iobase=0x%x,irq=3", HERMIT_QEMU_DOORBELL_PORT);
	/* QEMU records the input of the UARTs -serial names (docs/replay.md): the doorbell's too. */
	if (rr_dir(s)) {
		push(a, "-serial");
		push(a, "chardev:hc");
	}
	/* A last way out for a kernel that cannot reach the doorbell any more. */
	push(a, "-device");
	push(a, "isa-debug-exit,iobase=0xf4,iosize=4");
}

/*
 * The guest's network card: virtio-net on a virtio-mmio transport (virtio 1.x, not the legacy
 * layout QEMU 7 defaults to). Without HERMIT_NETIF it is QEMU's user network, laid out so that
 * HERMIT_IP, HERMIT_GATEWAY and HERMIT_MASK hold without root, restricted so the guest reaches
 * nothing beyond it. HERMIT_APP_PORT forwards TCP and UDP from the host's 127.0.0.1 to the guest;
 * QEMU's restricted mode would also drop the guest's UDP answers to forwarded peers, so with a
 * forward the guest may reach out through QEMU's NAT, as in the original's user network.
 */
static void push_network(struct args *a, const struct settings *s, const struct qemu_fds *fds)
{
	char ip[16], net[16], gw[16];
	uint32_t mask = ntohl(s->mask);
	int prefix = 0;

	for (; prefix < 32 && (mask & (0x80000000u >> prefix)); prefix++)
		;
	uint32_t network = s->ip & s->mask;
	inet_ntop(AF_INET, &s->ip, ip, sizeof(ip));
	inet_ntop(AF_INET, &network, net, sizeof(net));
	inet_ntop(AF_INET, &s->gateway, gw, sizeof(gw));
	push(a, "-netdev");
	if (s->replay) /* a replay takes nothing from the outside: filter-replay drops it all */
		push(a, "user,id=net0,net=%s/%d,host=%s,restrict=on", net, prefix, gw);
	else if (s->netif[0])
		push(a, "tap,id=net0,fd=%d", fds->tap);
	else if (s->app_port)
		push(a, "user,id=net0,net=%s/%d,host=%s,restrict=off,"
		     "hostfwd=tcp:127.0.0.1:%u-%s:%u,hostfwd=udp:127.0.0.1:%u-%s:%u", net, prefix, gw,
		     s->app_port, ip, s->app_port, s->app_port, ip, s->app_port);
	else
		push(a, "user,id=net0,net=%s/%d,host=%s,restrict=on", net, prefix, gw);
	push(a, "-device");
	if (s->nic == NIC_RTL8139) {
		push(a, "rtl8139,netdev=net0");
	} else {
		/* QEMU's virtio-net sends from a bottom half of its main loop by default, which
		 * marks the frames sent (the transmit ring's used index) at no instruction count
		 * the record log knows: a replay's guest then saw them at another point and
		 * diverged. Its transmit timer runs on the virtual clock, which icount makes run in
		 * the vCPU at a recorded instruction (docs/replay.md). */
		push(a, rr_dir(s) ? "virtio-net-device,netdev=net0,tx=timer" : "virtio-net-device,netdev=net0");
		push(a, "-global");
		push(a, "virtio-mmio.force-legacy=false");
	}
	if (rr_dir(s)) {
		push(a, "-object");
		push(a, "filter-replay,id=replay,netdev=net0");
	}
	if (s->qemu_pcap) {
		push(a, "-object");
		push(a, "filter-dump,id=dump0,netdev=net0,file=%s", s->qemu_pcap);
	}
}

/* Every port binds 127.0.0.1 only: the monitor and the gdbstub control the whole VM. */
static void push_debugging(struct args *a, const struct settings *s)
{
	if (s->monitor) {
		push(a, "-monitor");
		push(a, "telnet:127.0.0.1:%u,server=on,wait=off", s->port + 1u);
	}
	if (s->debug_qemu) {
		push(a, "-gdb");
		push(a, "tcp:127.0.0.1:%u", s->debug_port);
		push(a, "-S");
	}
	/* A replay under gdb reaches the recording's end, where QEMU quit: it stops there instead,
	 * so that gdb can go back from it. */
	if (s->debug_qemu && s->replay)
		push(a, "-no-shutdown");
}

/*
 * HERMIT_RECORD, HERMIT_REPLAY: QEMU's record/replay with its log and snapshot image in the
 * recording's directory, the "init" snapshot taken at the start of recording and loaded at the
 * start of replay (push_qmp's monitor takes the others).
 */
static void push_rr(struct args *a, const struct settings *s)
{
	const char *dir = rr_dir(s);

	if (!dir)
		return;
	push(a, "-icount");
	push(a, "shift=auto,rr=%s,rrfile=%s/%s,rrsnapshot=%s", s->record ? "record" : "replay", dir,
	     REC_QEMU_LOG, REC_SNAPSHOT_INIT);
	push(a, "-drive");
	if (s->snapshot_image) /* a replay under gdb takes snapshots of its own (replay_snap.c) */
		push(a, "file=%s,if=none,id=rr,format=qcow2", s->snapshot_image);
	else
		push(a, "file=%s/%s,if=none,id=rr,format=qcow2", dir, REC_SNAPSHOTS);
	/* The answer disk (record.c): blkreplay logs when each read completed; what it read is
	 * the file, which the recorder only appends to, so a replay reads the same bytes. Read-only,
	 * so that snapshots leave it out. */
	push(a, "-drive");
	push(a, "file=%s/%s,if=none,id=answers-file,format=raw,readonly=on", dir, REC_ANSWERS);
	push(a, "-drive");
	push(a, "driver=blkreplay,if=none,image=answers-file,id=answers,readonly=on");
	push(a, "-device");
	push(a, "virtio-blk-device,drive=answers");
	push(a, "-global");
	push(a, "virtio-mmio.force-legacy=false");
	/* The APIC's TPR-patching helper (kvmvapic, for old Windows guests) waits on the vCPU from
	 * its reset, which loading a snapshot does in the main loop while the vCPU waits for the
	 * replay lock the main loop holds: QEMU 7.2 deadlocks in reverse execution. */
	push(a, "-global");
	push(a, "apic-common.vapic=off");
}

/* QEMU's machine protocol on sockets only the proxy holds: snapshots while recording and while
 * a replay runs under gdb, the NMI of a ^C under the kernel's gdb stub (relay_nmi.c); a replay's
 * watch (replay_watch.c) has a monitor of its own. */
static void push_qmp(struct args *a, const char *id, int fd)
{
	if (fd <= 0)
		return;
	push(a, "-chardev");
	push(a, "socket,id=%s,fd=%d", id, fd);
	push(a, "-mon");
	push(a, "chardev=%s,mode=control", id);
}

char **qemu_argv(const struct settings *s, bool kvm, const char *app, const struct qemu_fds *fds)
{
	struct args a = { .v = calloc(QEMU_ARGS_MAX, sizeof(char *)) };

	if (!a.v)
		return NULL;
	push_machine(&a, s, kvm);
	push_devices(&a, s, fds);
	push_network(&a, s, fds);
	push_debugging(&a, s);
	push_rr(&a, s);
	push_qmp(&a, "qmp", fds->qmp);
	push_qmp(&a, "qmp-watch", fds->watch_qmp);
	if (s->debug) { /* the kernel's gdb stub: its channel's doorbell */
		push(&a, "-chardev");
		push(&a, "socket,id=dbg,fd=%d", fds->debug);
		push(&a, "-device");
		push(&a, "isa-serial,chardev=dbg,iobase=0x%x,irq=%d", HERMIT_QEMU_DEBUG_PORT,
		     HERMIT_QEMU_DEBUG_IRQ);
	}
	push(&a, "-kernel");
	push(&a, "%s", app);
	if (a.failed) {
		qemu_argv_free(a.v);
		return NULL;
	}
	return a.v;
}

void qemu_argv_free(char **argv)
{
	for (size_t i = 0; argv && i < QEMU_ARGS_MAX && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static bool module_loaded(const char *modules, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", modules, name);
	return access(path, F_OK) == 0;
}

bool kvm_check(const char *dev, const char *modules, char *why, size_t whylen)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", dev, strerror(errno));
		return false;
	}
	close(fd);
	/* kvm-pvm opens like any KVM, then fails on the first guest that is not PVM-aware. */
	if (module_loaded(modules, "kvm_pvm") && !module_loaded(modules, "kvm_intel") &&
	    !module_loaded(modules, "kvm_amd")) {
		snprintf(why, whylen, "this host's KVM is kvm-pvm, which runs only PVM-aware guest "
			 "kernels (HERMIT_KVM=0 uses TCG)");
		return false;
	}
	return true;
}

/* ---- the QEMU process ---- */

static void keep_open(int fd)
{
	fcntl(fd, F_SETFD, 0);
}

/* In the child: never returns. Reports an exec failure's errno on report_fd. */
static void exec_qemu(char **argv, const struct qemu_fds *fds, int err_fd, int report_fd,
		      pid_t parent)
{
	sigset_t none;
	int null_fd, e;

	/* No QEMU may outlive the proxy, even when the proxy is SIGKILLed. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	keep_open(fds->mem);
	keep_open(fds->console);
	keep_open(fds->doorbell);
	if (fds->debug > 0)
		keep_open(fds->debug);
	if (fds->qmp > 0)
		keep_open(fds->qmp);
	if (fds->watch_qmp > 0)
		keep_open(fds->watch_qmp);
	if (fds->tap >= 0)
		keep_open(fds->tap);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	dup2(err_fd, STDOUT_FILENO);
	dup2(err_fd, STDERR_FILENO);
	execvp(argv[0], argv);
	e = errno;
	if (write(report_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int qemu_spawn(char **argv, const struct qemu_fds *fds, int err_fd, pid_t *pid, char *err,
	       size_t errlen)
{
	pid_t parent = getpid();
	int report[2], e = 0;

	/* Close-on-exec: it reads EOF when exec worked, the errno when it did not. */
	if (pipe2(report, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "hermit: pipe: %s", strerror(errno));
		return -1;
	}
	*pid = fork();
	if (*pid == 0)
		exec_qemu(argv, fds, err_fd, report[1], parent);
	close(report[1]);
	if (*pid < 0) {
		snprintf(err, errlen, "hermit: fork: %s", strerror(errno));
		close(report[0]);
		return -1;
	}
	if (read(report[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		waitpid(*pid, NULL, 0);
		snprintf(err, errlen, "hermit: cannot run %s: %s (Debian: apt-get install "
			 "qemu-system-x86)", argv[0], strerror(e));
		close(report[0]);
		return -1;
	}
	close(report[0]);
	return 0;
}
