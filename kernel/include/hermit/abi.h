/*
 * hermit/abi.h: the contract between a Hermit kernel and the host program that runs it (the proxy).
 *
 * Self-contained and used by both sides; every shared layout is pinned by _Static_assert. Change
 * a layout only together with HERMIT_ABI_VERSION.
 *
 * How the host finds the kernel: every Hermit image is an x86_64 ELF whose EI_OSABI byte is
 * HERMIT_ELFOSABI and which carries an ELF note (name HERMIT_NOTE_NAME, type HERMIT_NOTE_ANCHOR)
 * holding the guest address of its struct hermit_anchor. The kernel maps all guest memory 1:1, so
 * a guest address handed to the host is a guest-physical address, and a symbol's ELF address is
 * where the host finds it in guest memory.
 *
 * How a hypercall works: the kernel fills one request struct (hc_* below) in its own memory, stores
 * the request's number and address in its CPU's slot of the anchor, and rings the doorbell. The
 * host checks the address and every pointer and length inside the request against guest memory,
 * carries the request out, writes the fields marked "out", and answers the doorbell.
 *   QEMU isle: the doorbell is a second 16550 UART (HERMIT_QEMU_DOORBELL_PORT); the kernel writes
 *   one byte (its CPU number) and the host writes one byte back when the request is done.
 * Results follow the Linux convention: ret >= 0 on success, -errno on failure, with Linux's errno
 * numbers and Linux's open(2) flags; the kernel translates to and from its C library's values.
 */
#ifndef HERMIT_ABI_H
#define HERMIT_ABI_H

#include <stdint.h>

#define HERMIT_ABI_VERSION 1
#define HERMIT_ELFOSABI 0x42
#define HERMIT_NOTE_NAME "Hermit"
#define HERMIT_NOTE_ANCHOR 1
#define HERMIT_ANCHOR_MAGIC 0x54494d524548ULL /* "HERMIT" read as little-endian bytes */
#define HERMIT_MAX_CPUS 16
#define HERMIT_QEMU_DOORBELL_PORT 0x2f8
#define HERMIT_QEMU_DEBUG_PORT 0x3e8     /* third 16550: the gdb channel's doorbell */
#define HERMIT_QEMU_DEBUG_IRQ 4
#define HERMIT_ARGS_MAX (128 * 1024) /* argv and environment strings together, as Linux's ARG_MAX */

/* A guest address. Never a host pointer: the host translates it after a bounds check. */
typedef uint64_t hermit_gpa_t;

enum hermit_hcall_nr {
	HERMIT_HC_CONFIG = 1, /* struct hc_config */
	HERMIT_HC_WRITE = 2,  /* struct hc_rw */
	HERMIT_HC_READ = 3,   /* struct hc_rw */
	HERMIT_HC_OPEN = 4,   /* struct hc_open */
	HERMIT_HC_CLOSE = 5,  /* struct hc_close */
	HERMIT_HC_LSEEK = 6,  /* struct hc_lseek */
	HERMIT_HC_UNLINK = 7, /* struct hc_unlink */
	HERMIT_HC_FSTAT = 8,  /* struct hc_fstat */
	HERMIT_HC_EXIT = 9,   /* struct hc_exit: the app ended; no answer comes */
	HERMIT_HC_CRASH = 10, /* struct hc_exit: the kernel died; its report is on the console */
	HERMIT_HC_COUNT
};

/* Boot-time settings and the app's argv and environment. */
struct hc_config {
	hermit_gpa_t strings;   /* in: buffer of strings_cap bytes */
	uint64_t strings_cap;   /* in */
	uint64_t tsc_khz;       /* out: TSC frequency, 0 when the host does not know it */
	int64_t realtime_ns;    /* out: host CLOCK_REALTIME when the answer was written */
	uint32_t argc;          /* out: argv[0..argc) then envc environment strings, each NUL-ended, */
	uint32_t envc;          /* out:   packed in strings */
	uint32_t flags;         /* out: HERMIT_CONFIG_* */
	uint32_t log_level;     /* out: console threshold, HERMIT_LOG_* */
	int64_t ret;            /* out: 0, or -E2BIG when the strings do not fit */
};
#define HERMIT_CONFIG_VERBOSE (1u << 0)

enum hermit_log_level { HERMIT_LOG_DEBUG, HERMIT_LOG_INFO, HERMIT_LOG_WARN, HERMIT_LOG_ERROR };

/* read(2) and write(2) on a host descriptor the proxy handed out (0, 1, 2 are its stdio). */
struct hc_rw {
	int32_t fd;        /* in */
	uint32_t reserved;
	hermit_gpa_t buf;  /* in */
	uint64_t len;      /* in */
	int64_t ret;       /* out: bytes moved or -errno */
};

struct hc_open {
	hermit_gpa_t path; /* in: NUL-terminated, at most 4096 bytes with the NUL */
	int32_t flags;     /* in: Linux O_* flags */
	int32_t mode;      /* in */
	int64_t ret;       /* out: descriptor or -errno */
};

struct hc_close {
	int32_t fd;        /* in */
	uint32_t reserved;
	int64_t ret;       /* out */
};

struct hc_lseek {
	int32_t fd;        /* in */
	int32_t whence;    /* in: SEEK_SET 0, SEEK_CUR 1, SEEK_END 2 */
	int64_t offset;    /* in */
	int64_t ret;       /* out: new offset or -errno */
};

struct hc_unlink {
	hermit_gpa_t path; /* in: as in hc_open */
	int64_t ret;       /* out */
};

struct hermit_stat {
	uint64_t size;
	uint32_t mode;     /* Linux S_IF* and permission bits */
	uint32_t reserved;
	int64_t mtime_ns;
	uint64_t blksize;
};

struct hc_fstat {
	int32_t fd;        /* in */
	uint32_t reserved;
	hermit_gpa_t st;   /* in: struct hermit_stat, written by the host */
	int64_t ret;       /* out */
};

struct hc_exit {
	int32_t status;    /* in: the app's exit status, or the crash's exception vector */
	uint32_t reserved;
};

/* One per CPU: the request in flight. Written by the kernel before it rings the doorbell. */
struct hermit_hcall_slot {
	uint32_t nr;       /* enum hermit_hcall_nr */
	uint32_t reserved;
	hermit_gpa_t req;  /* the hc_* struct */
};

/* The kernel's self-description for tools that have no DWARF (the proxy, post-mortem tools). */
struct hermit_anchor {
	uint64_t magic;    /* HERMIT_ANCHOR_MAGIC */
	uint32_t version;  /* HERMIT_ABI_VERSION */
	uint32_t size;     /* sizeof(struct hermit_anchor) */
	struct hermit_hcall_slot hcall[HERMIT_MAX_CPUS];
	/* Where the kernel's rings and tables are, for tools that read guest memory directly (the
	 * proxy, also after the guest died). 0 = not present. Each points at a structure defined
	 * below in this header, which says who writes what. */
	hermit_gpa_t debug_channel; /* gdb stub transport */
	hermit_gpa_t log;           /* kernel log ring */
	hermit_gpa_t trace;         /* tracer rings */
	hermit_gpa_t capture;       /* network capture ring */
	hermit_gpa_t tasks;         /* task list and the offsets to walk it */
	hermit_gpa_t reserved[3];
};

_Static_assert(sizeof(struct hc_config) == 56, "hc_config layout");
_Static_assert(sizeof(struct hc_rw) == 32, "hc_rw layout");
_Static_assert(sizeof(struct hc_open) == 24, "hc_open layout");
_Static_assert(sizeof(struct hc_close) == 16, "hc_close layout");
_Static_assert(sizeof(struct hc_lseek) == 24, "hc_lseek layout");
_Static_assert(sizeof(struct hc_unlink) == 16, "hc_unlink layout");
_Static_assert(sizeof(struct hermit_stat) == 32, "hermit_stat layout");
_Static_assert(sizeof(struct hc_fstat) == 24, "hc_fstat layout");
_Static_assert(sizeof(struct hc_exit) == 8, "hc_exit layout");
_Static_assert(sizeof(struct hermit_hcall_slot) == 16, "hcall slot layout");
_Static_assert(sizeof(struct hermit_anchor) == 16 + 16 * HERMIT_MAX_CPUS + 8 * 8, "anchor layout");

#endif
