/*
 * proxy.h: the proxy's internal interfaces, one section per file.
 *
 * The proxy runs one Hermit image in QEMU: main.c checks the settings and the image, sets up
 * guest memory and the two sockets, qemu.c starts QEMU, loop.c waits on QEMU and serves the
 * guest's hypercalls (hcall.c) and console (console.c) until the guest ends. Everything the
 * guest hands over is checked by guestmem.c before the proxy touches it.
 *
 * Unless said otherwise, functions are called from the single proxy thread, and functions
 * that return int return 0 on success and -1 (with a message for the user) on failure.
 */
#ifndef PROXY_H
#define PROXY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "gdbstub/rsp_framing.h"
#include "hermit/abi.h"
#include "tracing/logring.h"

/* Exit statuses of the proxy itself; the app's own status is passed through unchanged. */
#define EXIT_PROXY_FAILURE 1 /* the guest died or broke the ABI, or the host failed us */
#define EXIT_PROXY_USAGE 2   /* bad command line, settings or image: nothing was started */
#define EXIT_GUEST_EXCEPTION 139 /* as a shell reports SIGSEGV */
#define EXIT_GUEST_PANIC 134     /* as a shell reports SIGABRT */
#define EXIT_GUEST_KILLED 137    /* gdb killed it, as a shell reports SIGKILL */
#define EXIT_SIGINT 130
#define EXIT_SIGTERM 143
#define EXIT_TIMEOUT 124 /* as timeout(1) */

#define MIB (1024ULL * 1024)
#define GIB (1024ULL * MIB)

/* ---- settings.c: the HERMIT_* environment, parsed without side effects ---- */

enum kvm_mode { KVM_AUTO, KVM_ON, KVM_OFF };

struct settings {
	enum kvm_mode kvm;
	uint64_t mem_size;   /* bytes, a multiple of SETTINGS_MEM_ALIGN */
	unsigned cpus;
	bool verbose;
	bool monitor;
	bool debug;          /* HERMIT_DEBUG=1 or attach: the kernel's gdb stub, reached through the proxy */
	bool debug_attach;   /* HERMIT_DEBUG=attach: the guest runs until a gdb attaches (no stop at boot) */
	bool debug_qemu;     /* HERMIT_DEBUG=qemu: QEMU's own gdbstub, held before the first instruction */
	uint16_t port;       /* HERMIT_PORT; the monitor listens on port + 1 */
	uint16_t debug_port;
	/* The network: the guest's address, gateway and mask (network byte order), a tap device
	 * (HERMIT_NETIF, "" = QEMU's user network), the port forwarded from the host's 127.0.0.1
	 * to the guest (HERMIT_APP_PORT, 0 = none). */
	uint32_t ip, gateway, mask;
	char netif[16];
	uint16_t app_port;
	enum nic { NIC_VIRTIO, NIC_RTL8139 } nic; /* HERMIT_NIC: the guest's network card */
	bool capture_net;        /* HERMIT_CAPTURE_NET: write the guest's capture as a pcapng file */
	const char *capture_live; /* HERMIT_CAPTURE_NET=live:PATH: also stream it to PATH as it comes */
	bool capture_pcap;       /* HERMIT_CAPTURE_FORMAT=pcap: classic pcap instead of pcapng */
	bool capture_bare;       /* HERMIT_CAPTURE_COMMENTS=0: no task and socket per frame */
	const char *trace_dir;   /* HERMIT_TRACE_DIR: where; NULL = the working directory */
	const char *qemu_pcap;   /* HERMIT_QEMU_PCAP: also QEMU's own filter-dump capture, to FILE */
	const char *trace;       /* HERMIT_TRACE: event patterns, each matching an event; NULL = off */
	unsigned timeout;        /* HERMIT_TIMEOUT: seconds, 0 = none */
	bool bundle_always;      /* HERMIT_BUNDLE=1: a post-mortem bundle after any ending */
	const char *root;        /* HERMIT_ROOT: the guest's "/", a directory; NULL = the host's */
	const char *record;      /* HERMIT_RECORD: record the run into this directory (docs/replay.md) */
	const char *replay;      /* HERMIT_REPLAY: replay the recording in this directory */
	const char *snapshot_image; /* not the user's: a replay under gdb uses this copy of DIR's */
	unsigned replay_stall;   /* HERMIT_REPLAY_STALL: seconds a replay may stand still; 0 = forever */
};

#define SETTINGS_MEM_DEFAULT (2 * GIB)
#define SETTINGS_MEM_MIN (32 * MIB)
#define SETTINGS_MEM_MAX (1024 * GIB)
#define SETTINGS_MEM_ALIGN (2 * MIB) /* QEMU wants -m and the backend to agree to the byte */
#define SETTINGS_PORT_DEFAULT 18766
#define SETTINGS_DEBUG_PORT_DEFAULT 1234
#define SETTINGS_IP_DEFAULT "10.0.5.2"
#define SETTINGS_GATEWAY_DEFAULT "10.0.5.1"
#define SETTINGS_MASK_DEFAULT "255.255.255.0"
#define SETTINGS_CAPTURE_KIB (8 * 1024) /* the guest's capture ring */

/* Reads HERMIT_* from envp (NULL-ended "NAME=value" strings). On failure err holds the message
 * and the proxy must exit with EXIT_PROXY_USAGE. Does not look at /dev/kvm: see kvm_mode. */
int settings_parse(struct settings *s, char *const *envp, char *err, size_t errlen);

/* "512M", "2g", "65536": a size in bytes. Returns -1 on garbage, zero or overflow. */
int settings_parse_size(const char *text, uint64_t *bytes);
/* Decimal digits alone (no sign, blanks or base prefix) that fit 64 bits; -1 for anything else. */
int settings_parse_number(const char *text, uint64_t *out);

/* ---- image.c: is APP a Hermit image, and where is its anchor ---- */

struct image {
	hermit_gpa_t anchor; /* guest address of struct hermit_anchor */
	uint8_t build_id[64]; /* the linker's build id (NT_GNU_BUILD_ID), build_id_len bytes */
	unsigned build_id_len; /* 0: the image has none */
};

/* Checks an ELF file held in memory. On failure why holds the reason ("not x86_64", ...). */
int image_check(const uint8_t *bytes, size_t len, struct image *img, char *why, size_t whylen);

/* Opens and checks the file at path; err holds the full user message on failure. */
int image_load(const char *path, struct image *img, char *err, size_t errlen);
/* The whole regular file at path, mapped read-only (NULL and 0 when it is empty); -1 with err
 * ("PATH: why") when it cannot be read or is no regular file (a FIFO is refused, not waited on). */
int file_map(const char *path, uint8_t **bytes, size_t *len, char *err, size_t errlen);
void file_unmap(uint8_t *bytes, size_t len);
/* Calls take with each loaded segment [lo, hi) of the Hermit image at path (core.c); -1 when
 * the file cannot be read or its headers are broken. */
int image_segments(const char *path, void (*take)(void *arg, uint64_t lo, uint64_t hi), void *arg);

/* ---- guestmem.c: guest-physical addresses to host pointers, every access checked ---- */

#define GM_MAX_REGIONS 3

struct gm_region {
	hermit_gpa_t gpa;
	uint64_t size;
	uint64_t offset; /* into the memfd and so into gm->host */
};

/* The ranges handed out by gm_range while recording (record.c): what a hypercall may have written. */
struct gm_touched {
	unsigned n;
	bool overflow;
	struct { hermit_gpa_t gpa; uint64_t len; } range[64];
};

struct guestmem {
	uint8_t *host;   /* the proxy's MAP_SHARED mapping of all guest RAM */
	uint64_t size;
	unsigned nregions;
	struct gm_region region[GM_MAX_REGIONS];
	struct gm_touched *touched; /* NULL but while recording */
};

/* Describes RAM of size bytes mapped at host as QEMU's microvm lays it out for the guest. */
void gm_init(struct guestmem *gm, uint8_t *host, uint64_t size);

/* The host pointer for [gpa, gpa + len), or NULL unless the whole range is guest RAM. With
 * gm->touched (recording), the range is noted there. */
void *gm_range(const struct guestmem *gm, hermit_gpa_t gpa, uint64_t len);

/* Copies between guest RAM and the proxy; false (nothing copied) when the range is bad. */
bool gm_read(const struct guestmem *gm, hermit_gpa_t gpa, void *dst, uint64_t len);
bool gm_write(const struct guestmem *gm, hermit_gpa_t gpa, const void *src, uint64_t len);

enum gm_string { GM_STRING_OK, GM_STRING_TOO_LONG, GM_STRING_FAULT };

/* A NUL-ended guest string of at most max bytes with its NUL. TOO_LONG: no NUL in the first
 * max bytes (all of them guest RAM); FAULT: guest RAM ends before a NUL or before max bytes. */
enum gm_string gm_string(const struct guestmem *gm, hermit_gpa_t gpa, uint64_t max,
			 const char **str);

/* ---- guestview.c: the one checked accessor for the tables the kernel publishes ---- */

enum gv_table { GV_ANCHOR, GV_LOG, GV_TASKS, GV_TRACE, GV_DEBUG, GV_CAPTURE, GV_NTABLES };

#define GV_LOG_MAX (64 * MIB)          /* beyond any HERMIT_LOGSIZE */
#define GV_TASK_SIZE_MAX (64 * 1024)   /* struct task, with its offsets */
#define GV_FRAME_SIZE_MAX 4096         /* a trap frame */
#define GV_TRACE_SLOTS_MAX (1u << 24)  /* events per CPU ring */
#define GV_TASKS_MAX 4096              /* tasks walked */
#define GV_CAPTURE_MAX (1024 * MIB)    /* a capture ring's data */
#define GV_SNAPLEN_MAX 65535           /* bytes of a captured frame */

struct guestview {
	const struct guestmem *gm;
	hermit_gpa_t anchor;
	unsigned reported;   /* bit per enum gv_table: its breakage was said */
};

/* A task as the task table describes it, every field copied and its name NUL-ended. */
struct guest_task {
	uint64_t addr;
	uint32_t id, state, cpu;
	char name[32];
	uint64_t frame, stack_lo, stack_hi;
	struct hermit_wait wait; /* meaningful while blocked (state 2) */
};

void gv_init(struct guestview *v, const struct guestmem *gm, hermit_gpa_t anchor);
/* Prints "hermit: the guest's TABLE is broken: WHY" on stderr, once per table; returns false. */
bool gv_broken(struct guestview *v, enum gv_table t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool gv_anchor(struct guestview *v, struct hermit_anchor *a);
/* Copies table t (size bytes at the anchor's pointer) into out and checks its magic and version.
 * false: absent (a zero pointer or magic: quietly) or broken (said); *at gets its address. */
bool gv_table(struct guestview *v, enum gv_table t, void *out, size_t size, uint32_t magic,
	      uint32_t version, hermit_gpa_t *at);
/* Each reader below returns a copy whose every field was checked, or false / NULL / 0. */
bool gv_log(struct guestview *v, struct hermit_log_ring *hdr, struct log_ring_view *view);
bool gv_tasks(struct guestview *v, struct hermit_task_table *tt);
/* Up to max tasks from the list of a checked table; a longer list is broken (a cycle). */
size_t gv_task_walk(struct guestview *v, const struct hermit_task_table *tt, struct guest_task *out,
		    size_t max);
/* The task at addr among the n tasks walked, NULL when none is there. */
const struct guest_task *gv_task_at(const struct guest_task *tasks, size_t n, uint64_t addr);
/* The task the struct task * variable at slot (a wait record's owner) holds, among the n tasks
 * walked; NULL when slot is 0, unreadable, or holds no listed task. */
const struct guest_task *gv_wait_owner(struct guestview *v, const struct guest_task *tasks, size_t n,
				       hermit_gpa_t slot);
bool gv_trace(struct guestview *v, struct hermit_trace *hdr);
/* The capture ring's header with its interface table (taken after head, so every interface a
 * frame before head names is in it); its data is in guest memory. */
bool gv_capture(struct guestview *v, struct hermit_capture *hdr, hermit_gpa_t *at);
/* The live channel (its rings are read and written in place through gdbstub/debug_ring.h). */
struct hermit_debug_channel *gv_debug_channel(struct guestview *v);
/* A copy of the stub's table of int3s (the channel's breaks), its size checked. */
bool gv_debug_breaks(struct guestview *v, const struct hermit_debug_channel *c,
		     struct hermit_debug_breaks *out);

/* ---- guestwalk.c: guest-virtual memory read as the kernel's gdb stub reads it ---- */

enum gw_result {
	GW_OK,
	GW_UNMAPPED, /* not readable for the stub either: gdb gets the stub's error */
	GW_NOT_RAM,  /* a table or page outside guest RAM (device memory, ROM): ask the stub */
};

/* The guest-physical address of va through the page tables at root. */
enum gw_result gw_translate(const struct guestmem *gm, hermit_gpa_t root, uint64_t va,
			    hermit_gpa_t *pa);
/* Up to len bytes at va, a page at a time as the stub reads: the bytes before the first page
 * that is not readable, or -1 when not even the first is (*why says why). */
long gw_read(const struct guestmem *gm, hermit_gpa_t root, uint64_t va, void *buf, size_t len,
	     enum gw_result *why);

/* ---- files.c: the guest's descriptors, indexes into a table of host descriptors ---- */

#define FILES_MAX 1024 /* the kernel's descriptor table (FD_MAX): a guest can fill it with host files */
#define FILES_SPARE 64 /* descriptors the proxy keeps for itself beyond the guest's */

struct files {
	int host[FILES_MAX]; /* -1 when free */
	bool owned[FILES_MAX]; /* opened for the guest, so closed by the proxy */
	/* The guest's O_NONBLOCK, kept here rather than set on the host descriptor, which may be
	 * the proxy's stdio, shared with the shell that started it. */
	bool nonblock[FILES_MAX];
};

/* Guest 0, 1, 2 become the proxy's stdin, stdout, stderr (never closed by the guest). */
void files_init(struct files *f);
/* Raises the proxy's RLIMIT_NOFILE so that the guest's FILES_MAX fit beside the proxy's own, as
 * far as the hard limit allows (beyond it the guest's open fails with EMFILE). */
void files_make_room(void);
/* The host descriptor behind guest descriptor gfd, or -1 when gfd is not open. */
int files_host(const struct files *f, int64_t gfd);
/* Takes ownership of host_fd; returns the guest descriptor, or -EMFILE (host_fd closed). */
int files_add(struct files *f, int host_fd);
/* The guest's O_NONBLOCK on gfd (an open descriptor). */
bool files_nonblock(const struct files *f, int64_t gfd);
void files_set_nonblock(struct files *f, int64_t gfd, bool on);
/* Returns 0, -EBADF, or -errno from close(2). */
int files_close(struct files *f, int64_t gfd);
void files_close_all(struct files *f);

/* ---- fs.c: where the guest's paths lead (its current directory, HERMIT_ROOT) ---- */

#define FS_PATH_MAX 4096 /* a guest path with its NUL, as abi.h says */

struct fs {
	int root_fd;            /* HERMIT_ROOT, -1 = none (every host path is reachable) */
	char root[FS_PATH_MAX]; /* its host path, "" for none or "/" */
	int cwd_fd;             /* the guest's current directory (O_PATH) */
};

/* Opens root (NULL: none) and the starting directory (root, or the proxy's working directory). */
int fs_init(struct fs *fs, const char *root, char *err, size_t errlen);
void fs_close(struct fs *fs);
/* A new guest starts in the starting directory again. */
int fs_reset(struct fs *fs);

/* Where a path leads, for an *at() call: (dirfd, name) and AT_SYMLINK_NOFOLLOW in nofollow
 * when the caller asked not to follow a final link. fs_done releases what it held. */
struct fs_at {
	int dirfd;
	const char *name;
	int nofollow;
	int held;
	char name_buf[FS_PATH_MAX];
};

#define FS_CWD (-1) /* start: the guest's current directory */

/* 0 or -errno. A relative path starts at start: a host directory descriptor of the guest's, or
 * FS_CWD. follow: the target of a final symbolic link, else the link itself. */
int fs_resolve(const struct fs *fs, int start, const char *path, bool follow, struct fs_at *at);
void fs_done(struct fs_at *at);
/* openat() of a guest path (flags as given, O_CLOEXEC included by the caller): fd or -errno. */
int fs_open(const struct fs *fs, int start, const char *path, int flags, mode_t mode);
int fs_chdir(struct fs *fs, const char *path);
/* Makes a copy of the directory descriptor fd the current directory. */
int fs_chdir_fd(struct fs *fs, int fd);
/* The current directory, or the canonical path of path, as the guest sees them; length or
 * -errno (-ERANGE: does not fit in cap with its NUL). */
int fs_getcwd(const struct fs *fs, char *out, size_t cap);
int fs_realpath(const struct fs *fs, const char *path, char *out, size_t cap);
/* The host's path of descriptor fd (its /proc/self/fd link): length or -errno. */
int fs_host_path(int fd, char *out, size_t cap);

/* ---- clock.c: the host TSC frequency for the guest's clock ---- */

struct tsc_clock {
	uint64_t tsc0;
	uint64_t ns0;  /* CLOCK_MONOTONIC_RAW */
	bool stable;   /* constant and nonstop TSC: worth measuring */
};

void tsc_clock_start(struct tsc_clock *c);
/* kHz measured since tsc_clock_start, or 0 when the TSC is not stable. */
uint64_t tsc_clock_khz(const struct tsc_clock *c);
/* Whether /proc/cpuinfo text lists both constant_tsc and nonstop_tsc. */
bool cpuinfo_stable_tsc(const char *text);

/* ---- hcall.c: serving the guest's doorbell ---- */

enum hcall_outcome {
	HCALL_ANSWER, /* done: answer the doorbell */
	HCALL_EXIT,   /* the app ended with hcall_ctx.status */
	HCALL_CRASH,  /* the kernel died; hcall_ctx.status is the vector, or -1 for a panic */
	HCALL_BAD,    /* the guest broke the ABI; hcall_ctx.why says how */
	HCALL_STOP,   /* the proxy must stop (signal, QEMU gone) before the request was served */
	HCALL_PARKED, /* it would wait for hcall_ctx.park_fd: serve it again once that is ready */
};

struct hcall_ctx {
	const struct guestmem *gm;
	struct files *files;
	struct fs *fs;
	hermit_gpa_t anchor;
	char *const *argv;  /* the guest's argv: APP as given, then ARGS; NULL-ended */
	char *const *envp;  /* NULL-ended */
	bool verbose;
	bool debug;         /* CONFIG: HERMIT_CONFIG_DEBUG, start the gdb stub */
	bool debug_attach;  /* CONFIG: HERMIT_CONFIG_ATTACH, and run until gdb attaches */
	uint32_t net_ip, net_gateway, net_mask; /* for CONFIG, network byte order */
	uint32_t capture_kib;                   /* for CONFIG: the capture ring, 0 = off */
	bool capture_bare;                      /* CONFIG: HERMIT_CONFIG_CAPTURE_BARE */
	/* Host TSC frequency in kHz, 0 when unknown. */
	uint64_t (*tsc_khz)(void *arg);
	void *tsc_arg;
	/* Blocks until fd is ready for events (POLLIN/POLLOUT); returns false when the proxy
	 * must stop instead. NULL: never wait (unit tests). */
	bool (*wait_fd)(void *arg, int fd, short events);
	void *wait_arg;
	/* Park instead (a plain run): a request that would wait is left unanswered, its descriptor
	 * and events in park_fd and park_events, and the doorbell's other slots are served meanwhile. */
	bool park;
	int park_fd;
	short park_events;

	bool anchor_checked;
	int32_t status;     /* HCALL_EXIT / HCALL_CRASH */
	char why[256];      /* HCALL_BAD */
};

/* For the handlers in hcall_fs.c: HCALL_BAD with why set ("hermit: bad hypercall ...: <fmt>"). */
enum hcall_outcome hcall_bad(struct hcall_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum hcall_outcome hcall_bad_range(struct hcall_ctx *ctx, const char *what, hermit_gpa_t gpa,
				   uint64_t len);
/* Copies the guest string at gpa into path[FS_PATH_MAX]: 0, -ENAMETOOLONG, or -EFAULT (not a
 * string in guest memory: the caller answers HCALL_BAD). */
int hcall_copy_path(struct hcall_ctx *ctx, hermit_gpa_t gpa, char *path);
/* -errno when rc < 0, else rc. */
int64_t hcall_result(int64_t rc);

/* ---- hcall_fs.c: the PATH and FD requests ---- */

enum hcall_outcome hcall_path(struct hcall_ctx *ctx, struct hc_path *p);
enum hcall_outcome hcall_fd(struct hcall_ctx *ctx, struct hc_fd *f);

/* The size of request nr's struct, 0 for an unknown number; no request is larger than
 * HCALL_REQUEST_MAX. */
#define HCALL_REQUEST_MAX 128
size_t hcall_request_size(uint32_t nr);
/* Serves one doorbell byte (the number of the request's slot in the anchor). */
enum hcall_outcome hcall_doorbell(struct hcall_ctx *ctx, unsigned n);
/* Serves request nr at guest address req (the slot's contents). */
enum hcall_outcome hcall_handle(struct hcall_ctx *ctx, uint32_t nr, hermit_gpa_t req);
/* "page fault", "kernel panic", "exception 42": for the crash line. */
const char *hcall_crash_name(int32_t vector, char *buf, size_t len);

/* ---- symbols.c: code addresses to "0x... in FUNCTION at FILE:LINE" via addr2line ---- */

struct sym_entry {
	uint64_t addr;
	char *text; /* NULL: addr2line did not know it */
};

struct symbolizer {
	const char *app;
	struct sym_entry *entries;
	size_t count;
	size_t cap;
};

/* Makes sure every address has an entry, running addr2line once for those still unknown. */
void sym_resolve(struct symbolizer *s, const uint64_t *addrs, size_t n);
/* The text for addr, or NULL when unknown (print the raw address then). */
const char *sym_lookup(const struct symbolizer *s, uint64_t addr);
/* Parses `addr2line -a -f -i` output for addrs[0..n) into the cache (copies what it keeps). */
void sym_parse(struct symbolizer *s, const char *out, const uint64_t *addrs, size_t n);
void sym_free(struct symbolizer *s);

/* ---- console.c: the kernel's console log ---- */

#define CONSOLE_MAX (16 * MIB) /* beyond this the oldest lines are dropped */
#define CONSOLE_MARKER "<pc:0x"

struct console {
	char *buf;
	size_t len;
	size_t cap;
	size_t pending;     /* start of the line not yet ended by '\n' */
	uint64_t dropped;   /* bytes dropped from the front */
	struct symbolizer *sym;
	FILE *err;          /* where error lines go as they arrive */
};

/* Appends console bytes; prints each completed error line (symbolized) to c->err. */
void console_feed(struct console *c, const char *data, size_t n);
/* At the end: prints the last line too if it is an error line that never got its '\n'. */
void console_finish(struct console *c);
/* Prints the whole log, symbolized, to out. */
void console_dump(struct console *c, FILE *out);
/* 'D', 'I', 'W', 'E' for a "[   SSSSS.UUUUUU] L text" line, 0 for anything else. */
char console_level(const char *line, size_t len);
/* Prints text with each <pc:0x...> marker replaced by its symbol (raw address if unknown). */
void console_render(const struct symbolizer *s, const char *text, size_t len, FILE *out);
/* Collects the marker addresses in text, at most max; returns how many were found. */
size_t console_markers(const char *text, size_t len, uint64_t *addrs, size_t max);
void console_free(struct console *c);

/* ---- qemu.c: QEMU's command line and process ---- */

struct qemu_fds {
	int mem;     /* memfd of guest RAM */
	int console; /* QEMU's end of the console socket (COM1) */
	int doorbell; /* QEMU's end of the doorbell socket (COM2) */
	int debug;    /* QEMU's end of the gdb channel's doorbell (third UART), with settings.debug */
	int tap;      /* the tap device of settings.netif (tap_open), else -1 */
	int qmp;      /* QEMU's end of its monitor socket while recording (snapshots) or under the
		       * kernel's gdb stub (NMIs for gdb's ^C), else 0 */
	int watch_qmp; /* QEMU's end of the monitor socket of a replay's watch, else 0 */
};

/* The NULL-ended argv for QEMU (strings and array from malloc, see qemu_argv_free). Pure. */
char **qemu_argv(const struct settings *s, bool kvm, const char *app, const struct qemu_fds *fds);
void qemu_argv_free(char **argv);

/* Starts QEMU with fds inherited, in its own process group (so the terminal's ^C reaches only
 * the proxy), killed if the proxy dies, with stdout and stderr to err_fd. */
int qemu_spawn(char **argv, const struct qemu_fds *fds, int err_fd, pid_t *pid, char *err,
	       size_t errlen);

/* ---- tap.c: the tap device of HERMIT_NETIF ---- */

/* Attaches to the existing tap device name: its descriptor (close-on-exec), or -1 with err
 * saying why (no such interface, busy, not a tap); the proxy then exits with EXIT_PROXY_USAGE. */
int tap_open(const char *name, char *err, size_t errlen);

/* Whether KVM can run Hermit: dev ("/dev/kvm") opens read-write and modules ("/sys/module")
 * shows a KVM that runs ordinary guests. why gets the reason when not. */
bool kvm_check(const char *dev, const char *modules, char *why, size_t whylen);

/* ---- logdump.c: the kernel log ring as console lines ---- */

/* The log as console lines, oldest first (malloc'd, NUL-ended), and how many records were
 * overwritten; NULL when the guest has no ring or a broken one (said). */
char *log_text(struct guestview *v, size_t *len, uint64_t *lost);
/* Prints text with its code addresses symbolized. */
void log_render(struct symbolizer *sym, const char *text, size_t len, FILE *out);
/* Prints the whole log with a title; false when there is none (print the console then). */
bool log_print(struct guestview *v, struct symbolizer *sym, FILE *out);

/* ---- tracedump.c: the trace rings, exported by tracing/export.c ---- */

struct trace_snapshot;
/* The rings and the task names; false when there are none (or they are broken: said). */
bool trace_read(struct guestview *v, struct trace_snapshot *s);
/* BASE (CTF directory) and BASE.json (its name into json). */
int trace_write_files(const struct trace_snapshot *s, const char *base, char *json, size_t jsonlen);
/* trace_read and trace_write_files, saying on out what was written where. */
int trace_dump(struct guestview *v, const char *base, FILE *out);

/* ---- core.c: an ELF core with every task as a thread ---- */

/* Writes the core at path (sig: the crashed task's signal, 0 for none) and each task's
 * registers as text to regs_out. -1 when there is no task table, or the file fails. */
int core_write(struct guestview *v, const char *app, const char *path, int sig, FILE *regs_out);

/* ---- postmortem.c: the trace and the post-mortem bundle at the end ---- */

struct postmortem {
	struct guestview gv;
	struct symbolizer *sym;
	const char *app;
	const char *dir;     /* HERMIT_TRACE_DIR, default "." */
	const char *trace;   /* HERMIT_TRACE, NULL when unset */
	bool bundle_always;  /* HERMIT_BUNDLE=1: a bundle whatever the ending */
	unsigned snapshots;  /* bundles written on request so far */
	char recording[4096]; /* HERMIT_RECORD's directory, absolute; "" when not recording */
};

void pm_init(struct postmortem *pm, const struct guestmem *gm, hermit_gpa_t anchor,
	     struct symbolizer *sym, const char *app, const struct settings *s);
/* Prints the kernel log ring (symbolized); false when the guest has none (print the console). */
bool pm_print_log(struct postmortem *pm, FILE *out);
/* SIGUSR2: a bundle of the running guest (best effort: it runs on while it is read). */
void pm_snapshot(struct postmortem *pm, FILE *out);
/* At the end (end is an enum vm_end): the trace with HERMIT_TRACE, the post-mortem bundle
 * after a crash; says on out where they are. */
void pm_finish(struct postmortem *pm, int end, int32_t status, FILE *out);

/* ---- capture.c: the guest's network capture ring, written as a pcapng file ---- */

#define NET_CAPTURE_MARKS 64

struct net_capture {
	const struct guestmem *gm;
	struct guestview gv; /* reads the ring's header; a broken ring is said there, once */
	char path[4096];
	bool pcap;       /* classic pcap instead of pcapng */
	bool bare;       /* no comments */
	FILE *file;
	int live_fd;     /* HERMIT_CAPTURE_NET=live:PATH, -1: none */
	const char *live_path;
	uint8_t *buf;    /* the blocks of one drain */
	size_t len, cap;
	bool header_written;
	unsigned ifaces_written;
	uint64_t frames, dropped, last_ns;
	uint64_t iface_frames[HERMIT_CAPTURE_IFACES];
	bool failed;
	bool started;    /* pos is set */
	uint64_t pos;    /* the next record to write (the ring's byte count) */
	/* Record boundaries already written, kept so that room is freed lazily: the ring keeps the
	 * newest frames for gdb (hermit pcap) and post-mortem cores even after they went to the file. */
	uint64_t marks[NET_CAPTURE_MARKS];
	unsigned nmarks;
};

/* The file will be DIR/hermit-APP-PID.pcapng (.pcap; DIR NULL: the working directory), or
 * hermit-APP-PID-N.pcapng for the Nth guest of a gdb session (gdb's run). s (NULL: defaults)
 * gives the format; live_fd (or -1) from net_capture_open_live also gets every block. */
void net_capture_init(struct net_capture *c, const struct guestmem *gm, hermit_gpa_t anchor,
		      const char *dir, const char *app, unsigned guest, const struct settings *s, int live_fd);
/* live:PATH: a FIFO is opened once a reader has it open (waiting, and saying so, until then; -1
 * when a signal came first), anything else is created as a file. The descriptor, or -1 (said). */
int net_capture_open_live(const char *path, int signal_fd);
/* Moves the ring's complete records into the file (created on first use) and frees their room.
 * 0 also when the guest has no ring yet; -1 once the ring proved broken (said once). */
int net_capture_drain(struct net_capture *c);
/* At the end: drains, writes the statistics, closes the file and tells out where it is. */
void net_capture_finish(struct net_capture *c, FILE *out);
/* What is still in the guest's ring as a pcapng file (post-mortem bundles); frames, or -1. */
long net_capture_save(const struct guestmem *gm, hermit_gpa_t anchor, const char *path);
/* A frame's comment: its task, CPU and socket. The length written (as snprintf). */
size_t capture_comment(const struct hermit_capture_record *rec, char *out, size_t size);

/* ---- recording.c: a recording's directory, shared by record.c and replay.c (docs/replay.md) ---- */

#define REC_QEMU_LOG "qemu.rr"           /* QEMU's record log (-icount rr=record,rrfile=) */
#define REC_HCALL_LOG "hypercalls.log"     /* the proxy's own log: every hypercall and its answer */
#define REC_SNAPSHOTS "snapshots.qcow2"  /* QEMU's snapshots: "init" at the start, then periodic */
#define REC_ANSWERS "answers.disk"       /* the outputs of hypercalls, read by the guest as a disk */
#define REC_MANIFEST "manifest"          /* what was recorded, written last */
#define REC_SNAPSHOT_INIT "init"
#define REC_FORMAT 3 /* 2: hypercall outputs on the answer disk; 3: virtio-net sends from its timer */
#define REC_BUILD_ID_HEX (2 * sizeof(((struct image *)0)->build_id) + 1)

/* The manifest: everything a replay must reproduce or check. */
struct rec_manifest {
	unsigned format;
	char build_id[REC_BUILD_ID_HEX]; /* hex */
	char app[256];                   /* the recorded APP as given, for messages */
	uint64_t mem_size;
	unsigned nic;                    /* enum nic */
	unsigned capture_kib;            /* HERMIT_CAPTURE_NET: the ring the guest was given */
	bool network_in;                 /* a port was forwarded or a tap used: packets came in */
	uint64_t hcalls;                 /* hypercalls in the log */
	unsigned snapshots;              /* taken while recording, "init" included */
	int end;                         /* enum vm_end of the recorded run */
	int32_t status;                  /* exit status, crash vector, signal or timeout (s) */
	uint64_t duration_ms;
	uint64_t icount;                 /* instructions the run took; 0: not known (older formats) */
	struct rec_file { uint64_t size, hash; } qemu_log, hcall_log, answers;
};

/* One hypercall in the proxy's log, followed by req_size bytes of the request as the guest sent
 * it and echo_len bytes the app wrote to the proxy's stdout (echo_fd 1) or stderr (2), which a
 * replay prints again. Its outputs, frame_len bytes, are the next ones on the answer disk. */
#define REC_HCALL_MAGIC 0x4c414348u /* "HCAL" */
struct rec_hcall {
	uint32_t magic;
	uint32_t nr;
	uint32_t cpu;
	uint32_t req_size;
	hermit_gpa_t req;
	int32_t outcome;    /* enum hcall_outcome */
	int32_t echo_fd;
	uint64_t echo_len;
	uint64_t frame_len;
};
#define REC_HCALL_LOG_MAGIC "HRMTHCL1"

/* A file's size and FNV-1a hash; -1 with err when it cannot be read. */
int rec_file_sum(const char *path, uint64_t *size, uint64_t *hash, char *err, size_t errlen);
uint64_t rec_hash(uint64_t h, const void *data, size_t len);
#define REC_HASH_SEED 0xcbf29ce484222325ULL
/* DIR/NAME into out. */
void rec_path(char *out, size_t len, const char *dir, const char *name);
void rec_build_id_hex(const struct image *img, char *out);
int rec_manifest_write(const char *dir, const struct rec_manifest *m, char *err, size_t errlen);
/* Reads and checks DIR's manifest and the files it names (present, sizes, hashes); err says
 * what is missing or corrupt. */
int rec_manifest_read(const char *dir, struct rec_manifest *m, char *err, size_t errlen);

/* ---- qmp.c: QEMU's machine protocol on a socket, for snapshots and the replay's position ---- */

struct qmp {
	int fd;              /* the proxy's end, -1 when none */
	char buf[8192];
	size_t len;
	bool skipping;       /* in a line longer than buf, dropped to its end */
	unsigned pending;    /* commands whose answer has not come yet */
	bool failed;         /* an answer was an error: error holds it */
	char error[256];
	char answer[8192];   /* the last answer's "return" value; "" after an error */
	void (*on_answer)(void *arg, const char *line); /* each answer's line, if set */
	void *arg;
	bool running;        /* the guest runs: QEMU's last STOP or RESUME event said so */
	uint64_t stop_us;    /* the last STOP's time stamp */
	int64_t stopped_ms;  /* from the last STOP to the RESUME after it, by their time stamps */
};

/* The proxy's end of QEMU's -mon chardev; the capabilities are negotiated at once. */
void qmp_init(struct qmp *q, int fd);
/* Sends one command (a JSON object), without waiting for its answer. */
int qmp_send(struct qmp *q, const char *json);
/* Reads what QEMU sent; counts the answers. false when the socket is gone. */
bool qmp_drain(struct qmp *q);
/* Waits up to ms for every pending answer; false on timeout or a dead socket. */
bool qmp_settle(struct qmp *q, int ms);
/* The whole number member key of the last answer's object ({"icount": 12, ...}): false when
 * it has none. */
bool qmp_answer_number(const struct qmp *q, const char *key, uint64_t *n);
/* CLOCK_MONOTONIC in milliseconds: how long answers and snapshots take. */
int64_t monotonic_ms(void);
/* Where the value of the member named key of the JSON object at json begins (its own members
 * only, not those of objects inside it), or NULL. */
const char *qmp_member(const char *json, const char *key);

/* ---- record.c: HERMIT_RECORD, a run that leaves a recording behind ---- */

struct recorder;
struct pollfd;

/* Creates DIR and its snapshot image; before QEMU starts. err: the user's message. */
struct recorder *rec_create(const char *dir, const struct image *img, const char *app,
			    const struct settings *s, char *err, size_t errlen);
/* Maps the handlers' private view of guest RAM (memfd, described by gm), before QEMU starts. */
int rec_map(struct recorder *r, int memfd, const struct guestmem *gm);
/* QEMU runs: answers go out on doorbell_fd, snapshots are asked for on qmp_fd (the proxy's end
 * of QEMU's monitor). */
int rec_start(struct recorder *r, int doorbell_fd, int qmp_fd);
/* The guest memory hypercall handlers use while recording. */
const struct guestmem *rec_handler_gm(struct recorder *r);
/* Serves one doorbell byte: the request, its answer sent through the doorbell with the outputs,
 * both logged. */
enum hcall_outcome rec_doorbell(struct recorder *r, struct hcall_ctx *ctx, unsigned cpu);
/* For the poll loop: the monitor. */
#define REC_POLLFDS 1
int rec_pollfds(struct recorder *r, struct pollfd *p);
void rec_handle(struct recorder *r, const struct pollfd *p);
/* The guest ended, QEMU still runs: the run's instruction count, for the manifest. */
void rec_note_end(struct recorder *r);
/* After QEMU ended cleanly: the manifest, and a line saying where and how big. */
int rec_finish(struct recorder *r, int end, int32_t status, FILE *out);

/* ---- replay.c: HERMIT_REPLAY, a recorded run again without the outside world ---- */

struct replayer;

/* Checks DIR against APP (its build id) before anything starts; err: the refusal. */
struct replayer *replay_open(const char *dir, const struct image *img, const char *app,
			     bool debugging, char *err, size_t errlen);
const struct rec_manifest *replay_manifest(const struct replayer *p);
/* One doorbell byte: the next hypercall of the log; QEMU answers it from its own log. */
enum hcall_outcome replay_doorbell(struct replayer *p, struct hcall_ctx *ctx, unsigned cpu);
/* QEMU quit at the end of its log: true, with the recorded ending, when that is where the
 * recorded run was stopped (HERMIT_TIMEOUT or a signal: status is its seconds or the signal)
 * and the replay heard every recorded hypercall. */
bool replay_cut_short(const struct replayer *p, int *end, int32_t *status);
/* How many doorbell rings the replay heard so far. */
uint64_t replay_heard(const struct replayer *p);
/* At the end: whether the replay ended as the recording did (said on out when not). */
bool replay_finish(struct replayer *p, int end, int32_t status, FILE *out);

/* ---- replay_snap.c: snapshots while a replay runs forward under gdb, for reverse commands ---- */

#define SNAP_PERIOD_MS 500   /* of forward replay between two snapshots, at first (docs/replay.md) */
#define SNAP_COST_SHARE 5    /* the period is at least this many times what a snapshot took */
#define SNAP_KEEP_MAX 16     /* snapshots kept; when full, every other one goes */
#define SNAP_NAME_FORMAT "hermit%u"

struct snap_policy {
	uint64_t frontier;   /* the furthest instruction count seen */
	int64_t ahead_ms;    /* forward replay beyond every snapshot, since the newest one */
	int64_t period_ms;   /* the next one's: base_ms, or more after a slow snapshot */
	int64_t base_ms;     /* SNAP_PERIOD_MS, doubled each time the snapshots kept are thinned */
	unsigned names[SNAP_KEEP_MAX]; /* the numbers of those kept, oldest first */
	unsigned kept;
};

void snap_policy_init(struct snap_policy *p);
/* A look at the replay, elapsed_ms after the last one, at icount, the guest running or stopped
 * (by gdb): whether to take a snapshot. */
bool snap_policy_tick(struct snap_policy *p, uint64_t icount, int64_t elapsed_ms, bool running);
/* Snapshot number name was taken in took_ms: the numbers of those to delete now go into drop
 * (room for SNAP_KEEP_MAX); returns how many. */
unsigned snap_policy_taken(struct snap_policy *p, unsigned name, int64_t took_ms, unsigned *drop);

struct replay_snaps {
	char image[4200];    /* the copy of the recording's snapshot image QEMU uses */
	struct qmp qmp;
	int timer_fd;
	struct snap_policy policy;
	int64_t looked_at;   /* when the last instruction count came */
	bool saving;         /* a savevm is out */
	unsigned name;       /* the newest snapshot's number */
	unsigned drop[SNAP_KEEP_MAX], dropping; /* delvm still to send */
};

/* Copies DIR's snapshot image into TMPDIR, before QEMU starts; err: the user's message. */
struct replay_snaps *rsnap_open(const char *dir, char *err, size_t errlen);
const char *rsnap_image(const struct replay_snaps *s);
/* QEMU runs: its monitor is qmp_fd (the proxy's end). */
int rsnap_start(struct replay_snaps *s, int qmp_fd);
#define RSNAP_POLLFDS 2
int rsnap_pollfds(struct replay_snaps *s, struct pollfd *p);
void rsnap_handle(struct replay_snaps *s, const struct pollfd *p);
/* Removes the copy. */
void rsnap_finish(struct replay_snaps *s);
/* ---- replay_watch.c: a replay that stands still has left its recording ---- */

#define WATCH_PERIOD_MS 500
#define WATCH_STALL_S_DEFAULT 15 /* HERMIT_REPLAY_STALL's default: 5x the longest still measured */

/* The stall detector: how long the instruction count has stood still while QEMU ran the guest. */
struct stall {
	uint64_t icount;
	unsigned still_ms;
	bool known;
};

/* One sample, elapsed_ms after the last: true once the count stood still for limit_ms (0:
 * never) with the guest running; a count that moved, or a guest QEMU holds stopped, starts over. */
bool stall_sample(struct stall *s, bool running, uint64_t icount, unsigned elapsed_ms,
		  unsigned limit_ms);

struct replay_watch {
	struct qmp qmp;      /* QEMU's machine protocol, the proxy's end */
	int timer_fd;        /* every WATCH_PERIOD_MS; -1 when the watch is off */
	unsigned limit_ms;
	unsigned elapsed_ms; /* since the last sample */
	bool running;        /* QEMU's run state at the last query-status */
	struct stall stall;
	bool stalled, said;  /* a stall found, not yet handed out; handed out */
};

/* Watches the replay through qmp_fd (the capabilities negotiated at once); limit_ms 0: QEMU's
 * monitor only, no watch. -1 when the timer cannot be made (said). */
int watch_start(struct replay_watch *w, int qmp_fd, unsigned limit_ms);
/* elapsed_ms went by: asks QEMU again (when it answered the last questions). */
void watch_tick(struct replay_watch *w, unsigned elapsed_ms);
#define WATCH_POLLFDS 2
int watch_pollfds(struct replay_watch *w, struct pollfd *p);
/* Takes QEMU's answers and the timer; true once per stall, when the count stood still for the limit. */
bool watch_handle(struct replay_watch *w, const struct pollfd *p);
/* The user's message for a stall: where the replay stood, how far it got (heard hypercalls) of
 * the recording m. */
void watch_describe(const struct replay_watch *w, const struct rec_manifest *m, uint64_t heard,
		    char *out, size_t len);
/* QEMU's stderr (len bytes at err) holds its message for a replay that left its log: true, with
 * that line in line. */
bool replay_qemu_said(const char *err, size_t len, char *line, size_t linelen);
void watch_close(struct replay_watch *w);

/* ---- loop.c: running the guest to its end ---- */

enum vm_end {
	VM_RUNNING,
	VM_EXITED,  /* EXIT hypercall: the app's status */
	VM_CRASHED, /* CRASH hypercall */
	VM_BAD,     /* the guest broke the ABI */
	VM_DIED,    /* QEMU ended on its own */
	VM_TIMEOUT, /* HERMIT_TIMEOUT ran out (SIGALRM) */
	VM_SIGNALED, /* SIGINT or SIGTERM to the proxy */
	VM_FAILED,  /* the proxy itself failed (poll, read) */
	VM_KILLED,  /* gdb killed it (vKill, k) */
	VM_DIVERGED, /* a replay left its recording (replay_watch.c): never recorded */
};

#define VM_QEMU_ERR_MAX (64 * 1024) /* of QEMU's stderr kept for the user */

struct vm {
	pid_t qemu;
	int console_fd;   /* proxy ends of the sockets, non-blocking */
	int doorbell_fd;
	int qemu_err_fd;  /* QEMU's stdout and stderr, non-blocking */
	int signal_fd;    /* SIGINT, SIGTERM, SIGCHLD; non-blocking */
	struct relay *relay; /* HERMIT_DEBUG=1: gdb's side (gdb_relay.c), else NULL */
	struct console console;
	struct hcall_ctx hc;
	bool verbose;
	unsigned timeout;             /* HERMIT_TIMEOUT, for the message */
	struct net_capture *capture; /* NULL unless HERMIT_CAPTURE_NET=1 */

	enum vm_end end;
	int term_signal;
	struct postmortem *pm; /* NULL: no log, trace or bundle from guest memory */
	struct recorder *rec;  /* HERMIT_RECORD (record.c), else NULL */
	struct replayer *replay; /* HERMIT_REPLAY (replay.c), else NULL */
	struct replay_snaps *snaps; /* its snapshots under gdb (replay_snap.c), else NULL */
	struct replay_watch *watch; /* HERMIT_REPLAY: QEMU's instruction count (replay_watch.c) */
	char diverged[1024];     /* VM_DIVERGED: the message */
	/* A replay under gdb: the guest's ending is kept here and QEMU runs on (gdb may go back in
	 * time from there) until it ends, by gdb's kill or the proxy's signal. */
	bool hold_qemu;
	enum vm_end held_end;
	bool qemu_gone;   /* reaped */
	struct pollfd parked[HERMIT_MAX_CPUS]; /* per slot, a request that waits for fd; fd -1: none */
	char qemu_err[VM_QEMU_ERR_MAX];
	size_t qemu_err_len;
};

/* Runs until the guest ends, stops QEMU, prints the outcome; returns the proxy's exit status.
 * Before the call: QEMU runs, the signals are blocked and routed to signal_fd, the hcall
 * context and the console are ready; vm_run sets hc.wait_fd itself. */
int vm_run(struct vm *vm);

/* ---- gdb_relay.c: gdb's TCP connection <-> the kernel's stub (HERMIT_DEBUG=1) ---- */

#define RSP_FRAME_MAX 0x4100 /* payload bytes kept; the stub's PacketSize is 0x4000 */

#define RELAY_POLLFDS 4
#define RELAY_SCRIPT_MAX 4
#define RELAY_RUN_ARGS_MAX 64

struct pollfd;

#define RELAY_CACHE_MAX 32
#define RELAY_ASKED_MAX 64  /* the longest packet whose reply is cached */

/* A reply the proxy keeps to answer the same packet again itself (relay_cache.c). */
struct relay_cached {
	char *key, *reply;
	size_t key_len, reply_len;
	bool per_guest;       /* the same for the whole guest (target.xml); else until a resume */
};

/* Where a stepi's time goes, for `monitor relay-stats` (relay_stats.c); nanoseconds. */
struct relay_stats {
	uint64_t to_guest, answered;  /* packets of gdb's: relayed to the stub, answered here */
	uint64_t prefetched;          /* thread lists the relay asked of the stub itself */
	uint64_t guest_ns;            /* relayed packet out .. the stub's reply in */
	uint64_t relay_ns;            /* in the proxy: gdb's packet in .. out, the stub's reply in .. out */
	uint64_t gdb_ns;              /* a reply out to gdb .. gdb's next packet in */
	uint64_t mark_ns;             /* when the clock that runs now started */
	bool guest_clock, gdb_clock;  /* which clock runs */
	bool relayed;                 /* the packet being handled went to the stub */
};

/* What the relay answers itself while the stub holds the guest stopped (relay_fast.c). */
struct relay_fast {
	bool off;             /* monitor fastmem off: every packet goes to the stub */
	bool stopped;         /* gdb got a stop reply (T, S) and did not resume since */
	uint32_t seq;         /* the channel's stop_seq of that stop */
	bool awaiting;        /* a packet of gdb's is with the stub, its reply not back yet */
	char asked[RELAY_ASKED_MAX]; /* that packet's cache key, or the thread of its Hg */
	size_t asked_len;
	bool asked_hg;
	char hg[24];          /* the thread of g and p the stub took (Hg), "" for the stop's */
	bool prefetching;     /* the stub's next reply is the thread list the relay asked for */
	unsigned prefetch_gen; /* the cache's generation when it asked */
	char held[RELAY_ASKED_MAX]; /* gdb's qXfer:threads, waiting for that reply */
	size_t held_len;
	struct relay_cached cache[RELAY_CACHE_MAX];
	unsigned ncached;
	unsigned gen;         /* advances whenever the stop's replies are dropped */
	struct relay_stats stats;
};

struct relay_step {
	const char *packet; /* a payload, or "\x03" */
	bool forward;       /* the stub's answer goes to gdb */
};

struct relay {
	int listen_fd;        /* 127.0.0.1:HERMIT_DEBUG_PORT */
	int client_fd;        /* gdb, -1 when none */
	int doorbell_fd;      /* the debug UART's socket, -1 without a guest */
	const struct guestmem *gm;  /* NULL once the channel proved broken */
	struct guestview gv;
	struct hermit_debug_channel *chan; /* once the kernel made it ready */
	bool guest;           /* a guest runs (or is stopped in its stub) */
	bool linked;          /* gdb and the stub talk (the stub is in no-ack mode) */
	bool guest_running;   /* gdb resumed the guest and waits for a stop reply */
	bool gdb_noack, extended, client_gone, detaching;
	bool kill_requested, run_requested, run_answer_owed;
	struct relay_step script[RELAY_SCRIPT_MAX];
	int script_len, script_pos;
	char exit_reply[8];   /* W or X for '?' once the guest is gone */
	char *run_argv[RELAY_RUN_ARGS_MAX + 1]; /* vRun's program and arguments */
	int run_argc;
	struct rsp_framer from_gdb, from_guest; /* gdbstub/rsp_framing.h */
	char from_gdb_buf[RSP_FRAME_MAX], from_guest_buf[RSP_FRAME_MAX];
	char last[RSP_FRAME_MAX + 4]; /* the last packet to gdb, for a '-' */
	size_t last_len;
	char *out;            /* bytes for gdb waiting for its socket */
	size_t out_len, out_cap;
	char h2g[2 * RSP_FRAME_MAX]; /* bytes for the stub waiting for room in h2g */
	size_t h2g_len;
	struct relay_fast fast;
	struct qmp qmp;       /* QEMU's monitor, for an NMI (relay_nmi.c); fd -1 without a guest */
	int nmi_timer_fd;     /* fires when bytes for a stub that runs may need an NMI */
	bool unread_waiting;  /* bytes went to a stub that runs, and the timer runs */
	uint32_t unread_end;  /* h2g's count of bytes once the stub has read them */
	unsigned nmis;        /* NMIs asked of QEMU */
};

enum relay_next { RELAY_QUIT, RELAY_RUN };

int relay_listen(struct relay *r, uint16_t port);
/* A new guest runs in gm (its anchor at anchor); doorbell_fd is the proxy's end of its UART,
 * qmp_fd of QEMU's monitor (for NMIs). */
void relay_guest_start(struct relay *r, const struct guestmem *gm, hermit_gpa_t anchor,
		       int doorbell_fd, int qmp_fd);
/* For the poll loop: fills RELAY_POLLFDS entries, then handles what poll found in them. */
int relay_pollfds(struct relay *r, struct pollfd *p);
void relay_handle(struct relay *r, const struct pollfd *p);
bool relay_kill_requested(const struct relay *r);
/* The guest ended (how, the hcall status): a waiting gdb gets W or X. */
void relay_guest_ended(struct relay *r, enum vm_end how, int status);
/* Without a guest: serves gdb until it asks for a new one (RELAY_RUN, run_argv) or goes. */
enum relay_next relay_idle(struct relay *r, int signal_fd);
void relay_close(struct relay *r);

#endif
