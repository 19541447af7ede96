/*
 * main.c: `proxy APP [ARGS...]` runs the Hermit image APP in QEMU.
 *
 * Order matters: everything the user can get wrong (settings, APP) is checked before anything
 * is created, and exits with EXIT_PROXY_USAGE; then guest RAM, the two sockets and the signal
 * routing are set up, QEMU is started, and loop.c runs the guest to its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"

extern char **environ;

#define CONSOLE_PIPE_SIZE (1 << 20) /* /proc/sys/fs/pipe-max-size's default */

static const char usage_text[] =
	"usage: proxy APP [ARGS...]\n"
	"Runs the Hermit image APP with ARGS in a QEMU virtual machine.\n"
	"Environment: HERMIT_ISLE=qemu, HERMIT_KVM=0|1, HERMIT_MEM=2G, HERMIT_CPUS=1,\n"
	"  HERMIT_VERBOSE=1 (kernel log at the end), HERMIT_MONITOR=1 (QEMU monitor over telnet\n"
	"  on 127.0.0.1 at HERMIT_PORT+1), HERMIT_PORT=18766, HERMIT_DEBUG=1 (wait for gdb on\n"
	"  127.0.0.1 at HERMIT_DEBUG_PORT=1234), HERMIT_DEBUG=attach (run; gdb attaches at will).\n"
	"Tracing and post-mortem (docs/tracing.md): HERMIT_TRACE=patterns, HERMIT_TRACE_DIR=.,\n"
	"  HERMIT_TIMEOUT=seconds, HERMIT_LOGSIZE, HERMIT_TRACE_EVENTS, HERMIT_BUNDLE=1;\n"
	"  SIGUSR1 prints the kernel log of the running guest, SIGUSR2 writes a bundle of it.\n"
	"Network (docs/network.md): HERMIT_IP=10.0.5.2, HERMIT_GATEWAY=10.0.5.1,\n"
	"  HERMIT_MASK=255.255.255.0, HERMIT_APP_PORT=port (forwarded from 127.0.0.1), HERMIT_NETIF=tap,\n"
	"  HERMIT_NIC=virtio|rtl8139, HERMIT_CAPTURE_NET=1 (a pcapng file in HERMIT_TRACE_DIR) or\n"
	"  live:PATH (also streamed to a FIFO or file: tshark -i PATH), HERMIT_CAPTURE_FORMAT=pcap,\n"
	"  HERMIT_CAPTURE_COMMENTS=0 (no task and socket per frame).\n"
	"Files: HERMIT_ROOT=DIR (the guest's / is DIR; default: the host's files, relative paths\n"
	"  from the proxy's working directory).\n"
	"Record and replay (docs/replay.md): HERMIT_RECORD=DIR, HERMIT_REPLAY=DIR (with\n"
	"  HERMIT_DEBUG=1: reverse debugging with gdb on 127.0.0.1 at HERMIT_DEBUG_PORT).\n";

/* Everything main sets up, so that failures can be reported from one place. */
struct setup {
	struct settings settings;
	struct image image;
	bool kvm;
	int memfd;
	uint8_t *ram;
	int console[2]; /* [0] the proxy's end, [1] QEMU's */
	int doorbell[2];
	int debug[2];    /* the gdb channel's doorbell (HERMIT_DEBUG=1), else -1 */
	int qemu_err[2]; /* [0] the proxy reads what QEMU writes on [1] */
	int tap;         /* HERMIT_NETIF's tap device, else -1 */
	int qmp[2];      /* QEMU's monitor for snapshots (recording, a replay under gdb) or under the
			  * kernel's gdb stub (NMIs), else -1 */
	int watch_qmp[2]; /* QEMU's monitor for a replay's watch (replay_watch.c), else -1 */
	struct recorder *rec;    /* HERMIT_RECORD */
	struct replayer *replay; /* HERMIT_REPLAY */
	struct replay_snaps *snaps; /* its snapshots under gdb */
	int signal_fd;
	pid_t qemu;
};

static int die_usage(const char *msg)
{
	fprintf(stderr, "%s\n", msg);
	return EXIT_PROXY_USAGE;
}

static int fail(const char *what)
{
	fprintf(stderr, "hermit: %s: %s\n", what, strerror(errno));
	return -1;
}

/* HERMIT_KVM unset: KVM when it works, else TCG, silently; HERMIT_KVM=1 insists. */
static int pick_accel(struct setup *s, char *err, size_t errlen)
{
	char why[256];
	bool usable = s->settings.kvm != KVM_OFF && kvm_check("/dev/kvm", "/sys/module", why,
								sizeof(why));

	if (s->settings.kvm == KVM_ON && !usable) {
		snprintf(err, errlen, "hermit: HERMIT_KVM=1: %s", why);
		return -1;
	}
	s->kvm = usable;
	return 0;
}

/* Guest RAM: a memfd that QEMU maps as the VM's RAM and the proxy maps to serve requests. */
static int make_ram(struct setup *s)
{
	uint64_t size = s->settings.mem_size;

	s->memfd = memfd_create("hermit-guest-ram", MFD_CLOEXEC);
	if (s->memfd < 0)
		return fail("memfd_create");
	if (ftruncate(s->memfd, (off_t)size) < 0)
		return fail("ftruncate of guest memory");
	s->ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
	if (s->ram == MAP_FAILED)
		return fail("mmap of guest memory");
	return 0;
}

static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/*
 * The console while recording or replaying: a pipe as large as Linux lets anyone make one. A
 * socket takes a whole buffer per byte QEMU writes and refuses more after a few hundred, and QEMU
 * then writes that byte later from its main loop, which a replay cannot reproduce.
 */
static int make_console_pipe(struct setup *s)
{
	int ends[2];

	if (pipe2(ends, O_CLOEXEC) < 0)
		return -1;
	s->console[0] = ends[0];
	s->console[1] = ends[1];
	fcntl(ends[1], F_SETPIPE_SZ, CONSOLE_PIPE_SIZE); /* the default 64 KiB where refused */
	return 0;
}

/* A socket pair when wanted, the proxy's end [0] non-blocking; else both -1. */
static int make_socket(bool wanted, int ends[2])
{
	ends[0] = ends[1] = -1;
	if (wanted && (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) < 0 || set_nonblock(ends[0]) < 0))
		return fail("socketpair");
	return 0;
}

/* The proxy's ends are non-blocking so the loop can drain them; QEMU's ends are QEMU's affair. */
static int make_channels(struct setup *s)
{
	bool rr = s->settings.record || s->settings.replay;

	if ((rr ? make_console_pipe(s) : socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s->console)) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s->doorbell) < 0)
		return fail("socketpair");
	if (make_socket(s->settings.debug, s->debug) < 0 ||
	    make_socket(s->rec || s->snaps || s->settings.debug, s->qmp) < 0 ||
	    make_socket(s->replay, s->watch_qmp) < 0)
		return -1;
	if (pipe2(s->qemu_err, O_CLOEXEC) < 0)
		return fail("pipe");
	if (set_nonblock(s->console[0]) < 0 || set_nonblock(s->doorbell[0]) < 0 ||
	    set_nonblock(s->qemu_err[0]) < 0)
		return fail("fcntl");
	return 0;
}

/* Signals become events in the loop; blocked before QEMU starts so none is missed. */
static int route_signals(struct setup *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGUSR1); /* print the kernel log */
	sigaddset(&set, SIGUSR2); /* a post-mortem bundle of the running guest */
	sigaddset(&set, SIGALRM); /* HERMIT_TIMEOUT */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail("sigprocmask");
	s->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->signal_fd < 0)
		return fail("signalfd");
	/* A guest writing to a closed pipe gets -EPIPE, as a Linux process would. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* HERMIT_NETIF: attaches to the tap device, which QEMU inherits (start_qemu closes ours). */
static int open_tap(struct setup *s, char *err, size_t errlen)
{
	if (!s->settings.netif[0])
		return 0;
	s->tap = tap_open(s->settings.netif, err, errlen);
	return s->tap < 0 ? -1 : 0;
}

static int start_qemu(struct setup *s, const char *app)
{
	struct qemu_fds fds = { .mem = s->memfd, .console = s->console[1], .doorbell = s->doorbell[1],
				.debug = s->debug[1], .tap = s->tap, .qmp = s->qmp[1],
				.watch_qmp = s->watch_qmp[1] };
	char **argv = qemu_argv(&s->settings, s->kvm, app, &fds);
	char err[512];
	int rc;

	if (!argv) {
		fprintf(stderr, "hermit: out of memory\n");
		return -1;
	}
	rc = qemu_spawn(argv, &fds, s->qemu_err[1], &s->qemu, err, sizeof(err));
	qemu_argv_free(argv);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	/* Only QEMU keeps these: closing ours lets the sockets report EOF when it dies. */
	close(s->memfd);
	close(s->console[1]);
	close(s->doorbell[1]);
	close(s->qemu_err[1]);
	if (s->debug[1] >= 0)
		close(s->debug[1]);
	if (s->qmp[1] >= 0)
		close(s->qmp[1]);
	if (s->watch_qmp[1] >= 0)
		close(s->watch_qmp[1]);
	if (s->tap >= 0)
		close(s->tap);
	s->tap = -1;
	if (s->settings.debug_attach)
		fprintf(stderr, "hermit: gdb can attach on 127.0.0.1:%u\n", s->settings.debug_port);
	else if (s->settings.debug || s->settings.debug_qemu)
		fprintf(stderr, "hermit: waiting for gdb on 127.0.0.1:%u\n", s->settings.debug_port);
	return 0;
}

static uint64_t measured_tsc_khz(void *arg)
{
	return tsc_clock_khz(arg);
}

static struct fs guest_fs; /* the guest's current directory and HERMIT_ROOT */

static void init_vm(struct vm *vm, struct setup *s, struct guestmem *gm, struct files *files,
		    struct symbolizer *sym, struct tsc_clock *clock, char **guest_argv)
{
	memset(vm, 0, sizeof(*vm));
	vm->qemu = s->qemu;
	vm->console_fd = s->console[0];
	vm->doorbell_fd = s->doorbell[0];
	vm->qemu_err_fd = s->qemu_err[0];
	vm->signal_fd = s->signal_fd;
	vm->verbose = s->settings.verbose;
	vm->timeout = s->settings.timeout;
	vm->console = (struct console){ .sym = sym, .err = stderr };
	vm->hc = (struct hcall_ctx){
		.gm = gm, .files = files, .fs = &guest_fs, .anchor = s->image.anchor,
		.argv = guest_argv, .envp = environ, .verbose = s->settings.verbose,
		.debug = s->settings.debug, .debug_attach = s->settings.debug_attach,
		.net_ip = s->settings.ip, .net_gateway = s->settings.gateway, .net_mask = s->settings.mask,
		.capture_kib = s->settings.capture_net ? SETTINGS_CAPTURE_KIB : 0,
		.capture_bare = s->settings.capture_bare,
		.tsc_khz = measured_tsc_khz, .tsc_arg = clock,
	};
	vm->rec = s->rec;
	vm->replay = s->replay;
	vm->snaps = s->snaps;
	vm->hold_qemu = s->replay && s->settings.debug_qemu;
	if (s->rec)
		vm->hc.gm = rec_handler_gm(s->rec);
}

/*
 * HERMIT_RECORD, HERMIT_REPLAY (docs/replay.md): the recorder is set up before anything starts;
 * a replay checks the recording against APP and takes the recorded machine from its manifest,
 * with no network from outside.
 */
static int open_rr(struct setup *s, int argc, char **argv, char *err, size_t errlen)
{
	struct settings *set = &s->settings;

	if (set->record) {
		s->rec = rec_create(set->record, &s->image, argv[1], set, err, errlen);
		return s->rec ? 0 : -1;
	}
	if (!set->replay)
		return 0;
	if (argc > 2) {
		snprintf(err, errlen, "hermit: HERMIT_REPLAY replays the recorded arguments: give only APP");
		return -1;
	}
	s->replay = replay_open(set->replay, &s->image, argv[1], set->debug_qemu, err, errlen);
	if (!s->replay)
		return -1;
	const struct rec_manifest *m = replay_manifest(s->replay);
	set->mem_size = m->mem_size;
	set->nic = m->nic == NIC_RTL8139 ? NIC_RTL8139 : NIC_VIRTIO;
	set->capture_net = m->capture_kib != 0;
	set->netif[0] = '\0';
	set->app_port = 0;
	return 0;
}

/* A replay under gdb takes snapshots into a copy of the recording's image (replay_snap.c). */
static int open_snapshots(struct setup *s)
{
	char err[4400];

	if (!s->replay || !s->settings.debug_qemu)
		return 0;
	s->snaps = rsnap_open(s->settings.replay, err, sizeof(err));
	if (!s->snaps) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	s->settings.snapshot_image = rsnap_image(s->snaps);
	return 0;
}

/* Between two guests of a debug session: what the last one held goes. */
static void guest_cleanup(struct setup *s, struct vm *vm, struct files *files)
{
	int fds[] = { vm->console_fd, vm->doorbell_fd, vm->qemu_err_fd, s->debug[0], s->qmp[0] };

	munmap(s->ram, s->settings.mem_size);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	console_free(&vm->console);
	files_close_all(files);
	files_init(files);
	fs_reset(&guest_fs);
}

/*
 * HERMIT_DEBUG=1 or attach: guests one after another in one gdb session. When a guest ends (exit,
 * crash, gdb's kill), gdb may `run` again (vRun): a fresh VM of the same image with the new
 * arguments, which stops before main whatever the first did, since gdb waits for that stop.
 * The proxy ends with the last guest's status once gdb is gone.
 */
static int debug_session(struct setup *s, struct vm *vm, struct relay *relay, struct guestmem *gm,
			 struct files *files, struct symbolizer *sym, struct tsc_clock *clock,
			 char *app)
{
	static char *guest_argv[RELAY_RUN_ARGS_MAX + 2];
	unsigned guests = 1;
	int status;

	for (;;) {
		vm->relay = relay;
		relay_guest_start(relay, gm, s->image.anchor, s->debug[0], s->qmp[0]);
		status = vm_run(vm);
		relay_guest_ended(relay, vm->end, vm->hc.status);
		guest_cleanup(s, vm, files);
		if (vm->end == VM_SIGNALED || relay_idle(relay, s->signal_fd) != RELAY_RUN)
			break;
		int n = 0;
		guest_argv[n++] = app;
		for (int i = 1; i < relay->run_argc; i++)
			guest_argv[n++] = relay->run_argv[i];
		guest_argv[n] = NULL;
		char err[512];
		if (open_tap(s, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			status = EXIT_PROXY_FAILURE;
			break;
		}
		if (make_ram(s) < 0 || make_channels(s) < 0 || start_qemu(s, app) < 0) {
			status = EXIT_PROXY_FAILURE;
			break;
		}
		struct postmortem *pm = vm->pm;
		struct net_capture *capture = vm->capture;

		gm_init(gm, s->ram, s->settings.mem_size);
		init_vm(vm, s, gm, files, sym, clock, guest_argv);
		vm->hc.debug_attach = false;
		if (pm) { /* post-mortem bundles for the new guest too */
			pm_init(pm, gm, s->image.anchor, sym, app, &s->settings);
			vm->pm = pm;
		}
		if (capture) { /* and its own capture file */
			/* the live stream was the first guest's */
			net_capture_init(capture, gm, s->image.anchor, s->settings.trace_dir, app, ++guests,
					 &s->settings, -1);
			vm->capture = capture;
		}
	}
	relay_close(relay);
	return status;
}

int main(int argc, char **argv)
{
	static struct vm vm; /* large (QEMU's stderr buffer): not on the stack */
	static struct relay relay;
	static struct net_capture capture;
	struct setup s = { .memfd = -1, .tap = -1 };
	struct tsc_clock clock;
	struct guestmem gm;
	struct files files;
	struct symbolizer sym = { 0 };
	char err[512];

	tsc_clock_start(&clock); /* first: the longer the span, the better the measurement */
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_PROXY_USAGE;
	}
	if (settings_parse(&s.settings, environ, err, sizeof(err)) < 0 ||
	    image_load(argv[1], &s.image, err, sizeof(err)) < 0 ||
	    pick_accel(&s, err, sizeof(err)) < 0 || open_rr(&s, argc, argv, err, sizeof(err)) < 0 ||
	    open_tap(&s, err, sizeof(err)) < 0 ||
	    fs_init(&guest_fs, s.settings.root, err, sizeof(err)) < 0)
		return die_usage(err);
	if (s.settings.debug && relay_listen(&relay, s.settings.debug_port) < 0)
		return EXIT_PROXY_FAILURE;
	if (open_snapshots(&s) < 0 || make_ram(&s) < 0 || make_channels(&s) < 0 || route_signals(&s) < 0)
		return EXIT_PROXY_FAILURE;
	int live_fd = -1; /* before QEMU: a reader of the FIFO sees the guest from its first frame */
	if (s.settings.capture_live && (live_fd = net_capture_open_live(s.settings.capture_live, s.signal_fd)) < 0)
		return EXIT_PROXY_USAGE;
	gm_init(&gm, s.ram, s.settings.mem_size);
	static struct replay_watch watch;
	if ((s.rec && rec_map(s.rec, s.memfd, &gm) < 0) || start_qemu(&s, argv[1]) < 0 ||
	    (s.rec && rec_start(s.rec, s.doorbell[0], s.qmp[0]) < 0) ||
	    (s.snaps && rsnap_start(s.snaps, s.qmp[0]) < 0) ||
	    (s.replay && watch_start(&watch, s.watch_qmp[0], s.settings.replay_stall * 1000) < 0))
		return EXIT_PROXY_FAILURE;
	files_make_room();
	files_init(&files);
	sym.app = argv[1];
	init_vm(&vm, &s, &gm, &files, &sym, &clock, argv + 1);
	vm.watch = s.replay ? &watch : NULL;
	if (s.settings.capture_net) {
		net_capture_init(&capture, &gm, s.image.anchor, s.settings.trace_dir, argv[1], 1, &s.settings, live_fd);
		vm.capture = &capture;
	}
	static struct postmortem pm;
	pm_init(&pm, &gm, s.image.anchor, &sym, argv[1], &s.settings);
	vm.pm = &pm;
	if (s.settings.timeout)
		alarm(s.settings.timeout);
	int status = s.settings.debug ? debug_session(&s, &vm, &relay, &gm, &files, &sym, &clock, argv[1])
				      : vm_run(&vm);
	sym_free(&sym);
	return status;
}
