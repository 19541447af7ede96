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
 * the request's number and address in a free slot of the anchor (any of the HERMIT_MAX_CPUS, not
 * tied to a CPU: one task may wait for the host while others make requests), and rings the
 * doorbell with the slot's number. The host checks the address and every pointer and length
 * inside the request against guest memory, carries the request out, writes the fields marked
 * "out", and answers the doorbell. Requests are answered in any order: one that waits (a read of
 * the host's stdin) does not hold up the others. An exit or a crash report uses the slot of its
 * CPU's number, whoever holds it: the host ends the run there.
 *   QEMU isle: the doorbell is a second 16550 UART (HERMIT_QEMU_DOORBELL_PORT); the kernel writes
 *   one byte (the slot's number) and the host writes the same byte back when the request is done.
 *   A host that records the run (HERMIT_RECORD, docs/replay.md) answers with the byte
 *   HERMIT_ANSWER_DATA | cpu instead when the request has outputs, followed by the length of
 *   those outputs (4 bytes, little-endian), because QEMU's record/replay sees what comes in
 *   through its devices but not what the host writes into guest RAM. The outputs themselves
 *   (struct hermit_answer_chunk) are on the answer disk, a virtio-blk device QEMU records, from
 *   the first HERMIT_ANSWER_SECTOR boundary after the previous answer's (the first at 0): the
 *   kernel reads them from there, copies them into place, then takes the answer.
 * Every buffer a request names must be RAM the kernel owns (not firmware or device memory), and
 * must not cross a hole in the guest's memory map; the host refuses the request otherwise.
 * Results follow the Linux convention: ret >= 0 on success, -errno on failure, with Linux's errno
 * numbers and Linux's open(2) flags; the kernel translates to and from its C library's values.
 */
#ifndef HERMIT_ABI_H
#define HERMIT_ABI_H

#include <stdint.h>

#define HERMIT_ABI_VERSION 11
#define HERMIT_ELFOSABI 0x42
#define HERMIT_NOTE_NAME "Hermit"
#define HERMIT_NOTE_ANCHOR 1
#define HERMIT_ANCHOR_MAGIC 0x54494d524548ULL /* "HERMIT" read as little-endian bytes */
#define HERMIT_MAX_CPUS 16
#define HERMIT_QEMU_DOORBELL_PORT 0x2f8
#define HERMIT_QEMU_DEBUG_PORT 0x3e8     /* third 16550: the gdb channel's doorbell */
#define HERMIT_QEMU_DEBUG_IRQ 4
/* argv and environment strings together, as Linux's ARG_MAX: CONFIG answers -E2BIG above it,
 * whatever the size of the kernel's buffer. */
#define HERMIT_ARGS_MAX (128 * 1024)

/* A guest address. Never a host pointer: the host translates it after a bounds check. */
typedef uint64_t hermit_gpa_t;

enum hermit_hcall_nr {
	HERMIT_HC_CONFIG = 1, /* struct hc_config */
	HERMIT_HC_WRITE = 2,  /* struct hc_rw */
	HERMIT_HC_READ = 3,   /* struct hc_rw */
	HERMIT_HC_PATH = 4,   /* struct hc_path: the calls that name a file by its path */
	HERMIT_HC_FD = 5,     /* struct hc_fd: the calls on a host descriptor */
	/* 6, 7, 8: retired with ABI 3 (LSEEK, UNLINK, FSTAT are now FD and PATH operations) */
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
	/* The network (HERMIT_IP, HERMIT_GATEWAY, HERMIT_MASK); IPv4 addresses in network byte
	 * order, as they appear on the wire. */
	uint32_t net_ip;        /* out */
	uint32_t net_gateway;   /* out */
	uint32_t net_mask;      /* out */
	uint32_t capture_kib;   /* out: capture ring size in KiB (HERMIT_CAPTURE_NET), 0 = off */
};
#define HERMIT_CONFIG_VERBOSE (1u << 0)
#define HERMIT_CONFIG_DEBUG (1u << 1) /* HERMIT_DEBUG=1: start the gdb stub, stop before main */
#define HERMIT_CONFIG_CAPTURE_BARE (1u << 2) /* capture frames without their task and socket */
#define HERMIT_CONFIG_ATTACH (1u << 3) /* with DEBUG (HERMIT_DEBUG=attach): no stop; gdb attaches at will */

enum hermit_log_level { HERMIT_LOG_DEBUG, HERMIT_LOG_INFO, HERMIT_LOG_WARN, HERMIT_LOG_ERROR };

/* read(2) and write(2) on a host descriptor the proxy handed out (0, 1, 2 are its stdio), or
 * pread(2) and pwrite(2) with HERMIT_RW_AT. */
struct hc_rw {
	int32_t fd;        /* in */
	uint32_t flags;    /* in: HERMIT_RW_*; others: -EINVAL */
	hermit_gpa_t buf;  /* in */
	uint64_t len;      /* in */
	int64_t offset;    /* in: with HERMIT_RW_AT */
	int64_t ret;       /* out: bytes moved or -errno (-EAGAIN: O_NONBLOCK and nothing ready) */
};
#define HERMIT_RW_AT 1     /* at offset, leaving the descriptor's own offset where it is */

/*
 * Files by path (hc_path) and by descriptor (hc_fd). Paths are NUL-terminated, at most 4096 bytes
 * with the NUL (-ENAMETOOLONG beyond), and relative ones start at the directory descriptor dirfd
 * (dirfd2 for path2), or with HERMIT_AT_CWD at the guest's current directory, which the host
 * keeps (PATH_CHDIR, FD_CHDIR): the host's own working directory never changes.
 * The host may confine every path to one directory (the proxy's HERMIT_ROOT): "/" is then that
 * directory, and neither ".." nor a symbolic link leads out of it. Modes, open flags, access bits
 * and errno values are Linux's.
 */
enum hermit_path_op {
	HERMIT_PATH_OPEN = 1,  /* flags: O_*, arg: mode; ret: the new descriptor */
	HERMIT_PATH_STAT,      /* buf: struct hermit_stat; flags: HERMIT_AT_NOFOLLOW (lstat) */
	HERMIT_PATH_ACCESS,    /* arg: R_OK 4 | W_OK 2 | X_OK 1, or F_OK 0 */
	HERMIT_PATH_UNLINK,
	HERMIT_PATH_MKDIR,     /* arg: mode */
	HERMIT_PATH_RMDIR,
	HERMIT_PATH_RENAME,    /* path2: the new name */
	HERMIT_PATH_LINK,      /* path2: the new name; flags: HERMIT_AT_FOLLOW (a final link's target) */
	HERMIT_PATH_SYMLINK,   /* path: the link to create, path2: what it points to */
	HERMIT_PATH_READLINK,  /* buf, len: the link's contents, not NUL-ended; ret: their length */
	HERMIT_PATH_REALPATH,  /* buf, len: the canonical path, NUL-ended; ret: its length */
	HERMIT_PATH_TRUNCATE,  /* arg: the new length */
	HERMIT_PATH_CHMOD,     /* arg: mode */
	HERMIT_PATH_UTIMENS,   /* buf: struct hermit_timespec[2] (atime, mtime), 0 = both now;
				  flags: HERMIT_AT_NOFOLLOW */
	HERMIT_PATH_CHDIR,
	HERMIT_PATH_GETCWD,    /* path unused; buf, len: the current directory, NUL-ended; ret: its
				  length with the NUL */
	HERMIT_PATH_OPS
};
#define HERMIT_AT_NOFOLLOW 1   /* act on a symbolic link itself */
#define HERMIT_AT_FOLLOW 2     /* LINK: link what a final symbolic link points to */
#define HERMIT_AT_CWD (-100)   /* dirfd: the current directory (Linux's AT_FDCWD) */

struct hc_path {
	uint32_t op;           /* in: HERMIT_PATH_* */
	int32_t flags;         /* in */
	int32_t dirfd;         /* in: where a relative path starts: a descriptor or HERMIT_AT_CWD */
	int32_t dirfd2;        /* in: the same for path2 */
	hermit_gpa_t path;     /* in */
	hermit_gpa_t path2;    /* in: RENAME, LINK, SYMLINK */
	hermit_gpa_t buf;      /* in: the op's buffer */
	uint64_t len;          /* in: buf's size */
	int64_t arg;           /* in */
	int64_t ret;           /* out: 0 or what the op says, or -errno */
};

enum hermit_fd_op {
	HERMIT_FD_CLOSE = 1,
	HERMIT_FD_LSEEK,       /* arg: offset, arg2: SEEK_SET 0, SEEK_CUR 1, SEEK_END 2; ret: offset */
	HERMIT_FD_STAT,        /* buf: struct hermit_stat */
	HERMIT_FD_TRUNCATE,    /* arg: the new length */
	HERMIT_FD_SYNC,        /* arg: 1 = data only (fdatasync) */
	HERMIT_FD_CHMOD,       /* arg: mode */
	HERMIT_FD_UTIMENS,     /* buf: as PATH_UTIMENS */
	HERMIT_FD_GETDENTS,    /* buf, len: struct hermit_dirent records; ret: bytes, 0 at the end */
	HERMIT_FD_GETFL,       /* ret: O_ACCMODE, O_APPEND and O_NONBLOCK bits */
	HERMIT_FD_SETFL,       /* arg: O_APPEND and O_NONBLOCK (others ignored); O_NONBLOCK is kept
				  by the host for READ and WRITE, never set on a host descriptor */
	HERMIT_FD_LOCK,        /* arg: HERMIT_LOCK_GET or HERMIT_LOCK_SET; buf: struct hermit_flock */
	HERMIT_FD_CHDIR,       /* the directory fd becomes the current directory */
	HERMIT_FD_FLOCK,       /* arg: LOCK_SH 1 or LOCK_EX 2 or LOCK_UN 8; never waits (-EWOULDBLOCK) */
	HERMIT_FD_POLL,        /* arg: poll(2) events; ret: the revents ready now (Linux's values:
				  POLLIN 1, POLLOUT 4, POLLERR 8, POLLHUP 0x10); never waits */
	HERMIT_FD_OPS
};

struct hc_fd {
	uint32_t op;           /* in: HERMIT_FD_* */
	int32_t fd;            /* in */
	hermit_gpa_t buf;      /* in */
	uint64_t len;          /* in */
	int64_t arg;           /* in */
	int64_t arg2;          /* in */
	int64_t ret;           /* out */
};

struct hermit_timespec {
	int64_t sec;
	int64_t nsec;          /* or UTIME_NOW ((1 << 30) - 1), UTIME_OMIT ((1 << 30) - 2) */
};

struct hermit_stat {
	uint64_t dev;
	uint64_t ino;
	uint32_t mode;         /* S_IF* type and permission bits */
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t rdev;
	int64_t size;
	int64_t blksize;
	int64_t blocks;        /* of 512 bytes */
	struct hermit_timespec atime, mtime, ctime;
};

/*
 * Record locks (fcntl F_GETLK, F_SETLK), held by the host process for the guest: as on Linux,
 * the locks belong to the process (one guest), so two guests sharing a file exclude each other
 * and closing any descriptor of a file drops the guest's locks on it. The host never waits for a
 * lock (a waiting host would stop every other request); SET answers -EAGAIN or -EACCES instead.
 */
#define HERMIT_LOCK_GET 0
#define HERMIT_LOCK_SET 1

struct hermit_flock {
	int16_t type;          /* F_RDLCK 0, F_WRLCK 1, F_UNLCK 2 */
	int16_t whence;        /* SEEK_* */
	int32_t pid;           /* GET: the holder's host process id */
	int64_t start;
	int64_t len;           /* 0: to the end of the file, however long */
};

/* One directory entry as FD_GETDENTS writes them: Linux's struct linux_dirent64, each record
 * reclen bytes long (a multiple of 8), the name NUL-ended. */
struct hermit_dirent {
	uint64_t ino;
	int64_t off;           /* where the next entry starts, for FD_LSEEK */
	uint16_t reclen;
	uint8_t type;          /* DT_* */
	char name[];
};

#define HERMIT_CRASH_PANIC (-1) /* hc_exit.status of a CRASH that was a kernel panic */

struct hc_exit {
	int32_t status;    /* in: EXIT: the app's exit status (0-255); CRASH: the exception vector or
			      HERMIT_CRASH_PANIC */
	uint32_t reserved;
};

/*
 * The outputs of an answer with HERMIT_ANSWER_DATA: chunks, each this header then len bytes for
 * guest address gpa (inside the request struct or the buffer it named), ended by a chunk of
 * len 0. Little-endian, unaligned, one after the other on the answer disk.
 */
#define HERMIT_ANSWER_DATA 0x80
#define HERMIT_ANSWER_CPU_MASK 0x7f
#define HERMIT_ANSWER_SECTOR 512 /* each answer's outputs start on the answer disk's sector */

struct hermit_answer_chunk {
	hermit_gpa_t gpa;
	uint64_t len;
};

/* One per CPU: the request in flight. Written by the kernel before it rings the doorbell. */
struct hermit_hcall_slot {
	uint32_t nr;       /* enum hermit_hcall_nr */
	uint32_t seq;      /* hypercalls rung so far by all CPUs, this one included: a replay under
			      gdb tells by it which recorded hypercall it hears (docs/replay.md) */
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

/*
 * The kernel log (anchor.log): a ring of variable-size records in guest memory, written only by
 * the kernel under its log lock, readable by the host at any time, also after the guest died.
 * Byte positions only grow; a record at position p lies at data[p % size] and never wraps: when
 * the next record would cross the end, a HERMIT_LOG_PAD record fills the rest. The kernel moves
 * tail past the records it is about to overwrite, writes the record, then advances head (last).
 * A reader walks [tail, head), checking every size; records are in seq order.
 */
#define HERMIT_LOG_MAGIC 0x474f4c48u /* "HLOG" */
#define HERMIT_LOG_VERSION 1
#define HERMIT_LOG_PAD 0xff          /* record level of a filler */

struct hermit_log_ring {
	uint32_t magic;         /* HERMIT_LOG_MAGIC */
	uint32_t version;       /* HERMIT_LOG_VERSION */
	hermit_gpa_t data;      /* size bytes */
	uint32_t size;          /* a power of two, at least 4096 */
	uint32_t console_level; /* records at or above it also went to the console */
	uint64_t head;          /* position after the newest record */
	uint64_t tail;          /* position of the oldest whole record */
	uint64_t next_seq;      /* seq of the next record; next_seq - records in the ring = lost */
	uint64_t reserved[2];
};

struct hermit_log_record {
	uint16_t size;          /* header + text + NUL, rounded up to 8 */
	uint8_t level;          /* enum hermit_log_level, or HERMIT_LOG_PAD */
	uint8_t cpu;
	uint32_t task;          /* task id, 0 before the first task */
	uint64_t seq;           /* 0, 1, 2, ... */
	uint64_t ns;            /* since boot */
	/* followed by the text, NUL-ended, no newline */
};

/*
 * The tracer (anchor.trace): one ring of fixed-size events per CPU, overwrite-oldest. A writer
 * reserves position p by incrementing head (one instruction, so interrupts nest safely), fills
 * slot p & (nslots - 1) and writes commit = (uint32_t)(p + 1) last. A reader takes the positions
 * [max(head, nslots) - nslots, head) and keeps the slots whose commit matches their position;
 * lost = events overwritten = max(head, nslots) - nslots. Event ids and their fields are listed
 * in tracing/events.h (the catalogue, versioned with HERMIT_TRACE_VERSION); docs/tracing.md.
 */
#define HERMIT_TRACE_MAGIC 0x43525448u /* "HTRC" */
#define HERMIT_TRACE_VERSION 1

struct hermit_trace_event {
	uint64_t tsc;           /* raw TSC */
	uint32_t commit;        /* (uint32_t)(position + 1) once complete; written last */
	uint16_t id;            /* tracing/events.h */
	uint16_t task;          /* id of the running task */
	uint64_t arg[2];        /* the event's fields, in catalogue order */
};

struct hermit_trace_cpu {
	uint64_t head;          /* events ever reserved on this CPU */
	hermit_gpa_t slots;     /* nslots struct hermit_trace_event, 0 = no ring */
	uint32_t nslots;        /* a power of two */
	uint32_t cpu;
	uint64_t reserved[5];
};

struct hermit_trace {
	uint32_t magic;         /* HERMIT_TRACE_MAGIC */
	uint32_t version;       /* HERMIT_TRACE_VERSION */
	uint32_t ncpus;         /* rings in cpu[] */
	uint32_t event_size;    /* sizeof(struct hermit_trace_event) */
	uint64_t tsc_khz;       /* to turn tsc into time */
	uint64_t tsc_base;      /* TSC at the kernel's first instruction (time 0) */
	uint32_t nevents;       /* ids 0..nevents-1 exist in this kernel */
	uint32_t reserved0;
	uint64_t enabled[4];    /* bit id: the event is on (a copy for tools; the kernel patches code) */
	uint64_t reserved[3];
	struct hermit_trace_cpu cpu[HERMIT_MAX_CPUS];
};

/*
 * The task table (anchor.tasks): how to walk the kernel's tasks without DWARF (post-mortem tools,
 * the proxy's core files), like VMCOREINFO. All offsets are byte offsets in the kernel's structs.
 * A running task's frame is stale, except after a crash: the crash's NMI to every other CPU
 * stores where that CPU's task stood (its live registers) as the task's frame.
 */
#define HERMIT_TASKS_MAGIC 0x4b534154u /* "TASK" */
#define HERMIT_TASKS_VERSION 3         /* 2: task_wait; 3: task_cpu, cpu_online, cpu_idle */

/* Order of hermit_task_table.frame[]: offsets of each register in a saved trap frame. */
enum hermit_frame_reg {
	HERMIT_REG_RAX, HERMIT_REG_RBX, HERMIT_REG_RCX, HERMIT_REG_RDX, HERMIT_REG_RSI,
	HERMIT_REG_RDI, HERMIT_REG_RBP, HERMIT_REG_RSP, HERMIT_REG_R8, HERMIT_REG_R9,
	HERMIT_REG_R10, HERMIT_REG_R11, HERMIT_REG_R12, HERMIT_REG_R13, HERMIT_REG_R14,
	HERMIT_REG_R15, HERMIT_REG_RIP, HERMIT_REG_RFLAGS, HERMIT_REG_CS, HERMIT_REG_SS,
	HERMIT_REG_COUNT
};

struct hermit_task_table {
	uint32_t magic;          /* HERMIT_TASKS_MAGIC */
	uint32_t version;        /* HERMIT_TASKS_VERSION */
	hermit_gpa_t list;       /* a struct task * variable: the newest task; then task.next */
	hermit_gpa_t cpus;       /* the struct cpu array, ncpus of cpu_size bytes */
	uint32_t ncpus;
	uint32_t cpu_size;
	uint32_t cpu_current;    /* offsetof(struct cpu, current) */
	uint32_t task_next;      /* offsets in struct task: */
	uint32_t task_id;        /*   uint32_t */
	uint32_t task_name;      /*   char[name_max] */
	uint32_t name_max;
	uint32_t task_state;     /*   uint32_t: 0 ready, 1 running, 2 blocked, 3 dead */
	uint32_t task_frame;     /*   trap frame pointer, valid while not running */
	uint32_t task_stack_lo;  /*   uint64_t stack bounds */
	uint32_t task_stack_hi;
	uint32_t task_size;      /*   sizeof(struct task), which sits at the top of its stack */
	uint32_t frame_size;     /* sizeof the trap frame */
	uint32_t frame[HERMIT_REG_COUNT];
	uint32_t task_wait;      /* offset in struct task: struct hermit_wait */
	hermit_gpa_t heap_start; /* uint64_t variables: the program break's range (malloc's heap) */
	hermit_gpa_t heap_end;
	hermit_gpa_t crash_task; /* a struct task * variable: the task that crashed, 0 if none */
	uint32_t task_cpu;       /* offset in struct task: uint32_t, the CPU it is placed on */
	uint32_t cpu_online;     /* offsets in struct cpu: uint8_t, 1 once the CPU runs */
	uint32_t cpu_idle;       /*   struct task *, the CPU's idle task */
	uint32_t reserved0;
	uint64_t reserved[2];
};

/*
 * What a blocked task waits for (struct hermit_wait in each task, at task_wait): the blocking
 * primitive records it before the task sleeps, so a debugger can tell a deadlock from a wait for
 * the network. It means something only while the task's state is blocked (2). object is the
 * primitive's address (a symbol names it when it is a variable); owner, when not 0, is the address
 * of a struct task * variable holding the task that has object now (a mutex's owner), to be read
 * when looked at; fd is 1 + the descriptor of the call the task is in (read, recv, accept ...), 0
 * for none.
 */
enum hermit_wait_kind {
	HERMIT_WAIT_NONE,    /* not recorded (the scheduler's own waits) */
	HERMIT_WAIT_MUTEX,   /* object: the mutex (pthread_mutex_t, a C library lock, lwIP's); owner */
	HERMIT_WAIT_COND,    /* object: the condition variable */
	HERMIT_WAIT_SEM,     /* object: the semaphore */
	HERMIT_WAIT_JOIN,    /* object: the struct task it waits to end (pthread_join) */
	HERMIT_WAIT_NET,     /* object: an lwIP mailbox or semaphore: a socket's data, connection or
				call, or the network thread's input; with fd, that socket */
	HERMIT_WAIT_SLEEP,   /* a sleep (nanosleep ...), until its deadline or a signal */
	HERMIT_WAIT_SIGNAL,  /* pause, sigsuspend, sigwait: a signal */
	HERMIT_WAIT_TIMER,   /* the kernel's timer task: the next timer to expire */
	HERMIT_WAIT_HOST,    /* object: the hypercall's request (hc_*): a file call, a read of stdin */
	HERMIT_WAIT_KINDS
};

/* Each kind's name, for tools that print them: HERMIT_WAIT_NAMES[kind]. */
#define HERMIT_WAIT_NAMES { "nothing recorded", "mutex", "condition variable", "semaphore", "join", \
			    "lwIP", "sleep", "signal", "timer", "host call" }

struct hermit_wait {
	uint32_t kind;       /* enum hermit_wait_kind */
	uint32_t fd;         /* 1 + the descriptor of the task's call, 0: none */
	hermit_gpa_t object;
	hermit_gpa_t owner;  /* a struct task * variable, 0: nobody holds object */
};

/*
 * The network capture ring (anchor.capture): every Ethernet frame in and out of every interface,
 * copied at the driver boundary. The kernel writes records at head; a reader (the proxy, live or
 * after the guest ended) takes them from tail and advances it. A record that does not fit in the
 * free space is not written and counted in dropped. Records never wrap: when the room left before
 * the end of data is too small, the kernel writes a record with cap_len HERMIT_CAPTURE_WRAP there
 * and goes on at offset 0. head and tail are byte counts since the start (offset = count % size).
 * A reader may keep records it has taken in the ring (for gdb and cores) and say how far it has
 * read in read: each time head passes read by another HERMIT_CAPTURE_NOTIFY_BYTES, the kernel
 * sends the doorbell byte HERMIT_DOORBELL_CAPTURE (no answer comes), so the reader drains by fill
 * level and not only by its clock.
 */
#define HERMIT_CAPTURE_MAGIC 0x50414352u /* "RCAP" */
#define HERMIT_CAPTURE_VERSION 2
#define HERMIT_CAPTURE_WRAP 0xffffffffu
#define HERMIT_CAPTURE_LINKTYPE_ETHERNET 1 /* pcap's LINKTYPE_ETHERNET */
#define HERMIT_CAPTURE_IN 0
#define HERMIT_CAPTURE_OUT 1
#define HERMIT_CAPTURE_IFACES 4
#define HERMIT_CAPTURE_IPV6 3
#define HERMIT_CAPTURE_NOTIFY_BYTES (1024 * 1024)
#define HERMIT_DOORBELL_CAPTURE 0xc0 /* a doorbell byte that is no CPU: "drain the capture ring" */

/* An interface as the kernel set it up, for the capture file's interface block. */
struct hermit_capture_iface {
	char name[8];              /* the stack's name, NUL-ended: "en1" */
	char model[16];            /* the card, NUL-ended: "virtio-net", "rtl8139" */
	uint8_t mac[6];
	uint8_t nipv6;             /* ipv6[0, nipv6) are valid */
	uint8_t reserved0;
	uint32_t ipv4;             /* network byte order, 0: none */
	uint32_t ipv4_mask;
	uint8_t ipv6[HERMIT_CAPTURE_IPV6][16];
	uint8_t ipv6_prefix[HERMIT_CAPTURE_IPV6];
	uint8_t reserved1[5];
};

struct hermit_capture {
	uint32_t magic;            /* HERMIT_CAPTURE_MAGIC */
	uint32_t version;          /* HERMIT_CAPTURE_VERSION */
	uint32_t linktype;         /* HERMIT_CAPTURE_LINKTYPE_* */
	uint32_t snaplen;          /* bytes kept of each frame at most */
	hermit_gpa_t data;         /* the ring's bytes */
	uint64_t size;             /* of data, a multiple of 8 */
	int64_t realtime_at_zero;  /* wall clock (ns since 1970) when the kernel clock read 0 */
	volatile uint64_t head;    /* kernel: bytes written; advanced after the record is complete */
	volatile uint64_t tail;    /* reader: bytes consumed */
	volatile uint64_t dropped; /* kernel: frames not recorded for lack of room */
	volatile uint64_t frames;  /* kernel: frames recorded */
	volatile uint64_t read;    /* reader: bytes read (tail <= read <= head) */
	volatile uint32_t nifaces; /* kernel: ifaces[0, nifaces) are set, before their first frame */
	uint32_t reserved;
	struct hermit_capture_iface ifaces[HERMIT_CAPTURE_IFACES];
};

/* One record, 8-byte aligned, followed by cap_len bytes of the frame and padding to 8. What the
 * kernel knew of the frame: the task it belongs to (the sender; for a received frame the task
 * that last used its socket, else the one that took it in), the CPU, and its socket. */
struct hermit_capture_record {
	uint64_t time_ns;          /* kernel clock (clock_ns, the tracer's clock) */
	uint32_t orig_len;         /* the frame's length on the wire */
	uint32_t cap_len;          /* bytes kept, <= snaplen; HERMIT_CAPTURE_WRAP: go on at 0 */
	uint16_t iface;            /* interface number, 0 for the first */
	uint16_t direction;        /* HERMIT_CAPTURE_IN or HERMIT_CAPTURE_OUT */
	uint16_t cpu;
	uint16_t proto;            /* of the socket: 6 TCP, 17 UDP; 0: no socket known */
	uint32_t task;             /* task id, 0: none */
	int32_t fd;                /* the socket's descriptor, -1: none known */
	char task_name[16];        /* NUL-ended unless 16 long */
	uint32_t dropped_before;   /* frames dropped since the record before this one */
	uint16_t local_port;       /* the socket's addresses, host byte order; family 4 or 6 */
	uint16_t remote_port;
	uint8_t family;
	uint8_t reserved[7];
	uint8_t local_addr[16];    /* IPv4: the first 4 bytes, network byte order */
	uint8_t remote_addr[16];
};

_Static_assert(sizeof(struct hc_config) == 72, "hc_config layout");
_Static_assert(sizeof(struct hc_rw) == 40, "hc_rw layout");
_Static_assert(sizeof(struct hc_path) == 64, "hc_path layout");
_Static_assert(sizeof(struct hc_fd) == 48, "hc_fd layout");
_Static_assert(sizeof(struct hermit_stat) == 112, "hermit_stat layout");
_Static_assert(sizeof(struct hermit_flock) == 24, "hermit_flock layout");
_Static_assert(sizeof(struct hermit_dirent) == 24, "hermit_dirent layout");
_Static_assert(sizeof(struct hc_exit) == 8, "hc_exit layout");
_Static_assert(sizeof(struct hermit_answer_chunk) == 16, "hermit_answer_chunk layout");
_Static_assert(HERMIT_MAX_CPUS <= HERMIT_ANSWER_CPU_MASK, "the answer byte holds a CPU number");
_Static_assert(sizeof(struct hermit_hcall_slot) == 16, "hcall slot layout");
_Static_assert(sizeof(struct hermit_capture_iface) == 96, "capture iface layout");
_Static_assert(sizeof(struct hermit_capture) == 88 + 96 * HERMIT_CAPTURE_IFACES, "capture layout");
_Static_assert(sizeof(struct hermit_capture_record) == 96, "capture record layout");
_Static_assert(sizeof(struct hermit_anchor) == 16 + 16 * HERMIT_MAX_CPUS + 8 * 8, "anchor layout");

_Static_assert(sizeof(struct hermit_log_ring) == 64, "log ring layout");
_Static_assert(sizeof(struct hermit_log_record) == 24, "log record layout");
_Static_assert(sizeof(struct hermit_trace_event) == 32, "trace event layout");
_Static_assert(sizeof(struct hermit_trace_cpu) == 64, "trace cpu layout");
_Static_assert(sizeof(struct hermit_trace) == 96 + 64 * HERMIT_MAX_CPUS, "trace layout");
_Static_assert(sizeof(struct hermit_task_table) == 216, "task table layout");
_Static_assert(sizeof(struct hermit_wait) == 24, "wait record layout");

/*
 * The gdb stub's transport (anchor.debug_channel), present only when the kernel runs its stub
 * (HERMIT_CONFIG_DEBUG). Two byte rings in kernel memory carry the GDB remote protocol unchanged:
 * h2g from the host (the proxy, which holds gdb's TCP connection) to the kernel, g2h back.
 *
 * Each ring has one producer and one consumer. head counts the bytes ever written and is written
 * only by the producer; tail counts the bytes ever consumed and is written only by the consumer;
 * both are free-running 32-bit counters (used = head - tail, never more than ring_size), and byte
 * n lives at data[n % ring_size]. The producer stores the bytes, then head (a release store); the
 * consumer loads head (acquire), reads the bytes, then stores tail (release). A side that finds
 * used > ring_size or a bad magic treats the channel as broken and stops using it.
 *
 * Doorbell (QEMU isle): a third 16550 at HERMIT_QEMU_DEBUG_PORT, IRQ HERMIT_QEMU_DEBUG_IRQ. After
 * advancing g2h.head the kernel writes one byte to the UART (the port write orders the ring
 * stores before it); the host then drains g2h. After advancing h2g.head the host writes one byte
 * to the UART's other end unless guest_polling is 1 (it reads the flag after a full barrier
 * following its head store); the receive interrupt makes the kernel drain h2g. While the stub
 * holds the guest stopped it polls h2g with interrupts off and sets guest_polling; after clearing
 * it (and a full barrier) the kernel looks at h2g once more, so no byte is left waiting.
 * The kernel also rings once when the channel becomes ready (magic written last).
 *
 * While the stub holds the guest stopped, the host may read guest memory itself instead of asking
 * the stub (the proxy's fast path for gdb's memory reads): stopped is 1 from the moment the stub
 * has lifted its int3s until it resumes the guest, and stop_seq changes with every stop, so the
 * host can tell a stop it has seen from the next one. page_table is the root of the page tables
 * every CPU uses (CR3), which the host walks as the stub does; breaks is the stub's table of
 * int3s, whose saved bytes the host shows in place of the int3s as the stub does. Each of these
 * is written before stopped is set (release) and read after it (acquire).
 */
#define HERMIT_DEBUG_MAGIC 0x47444248u /* "HDBG" */
#define HERMIT_DEBUG_VERSION 2
#define HERMIT_DEBUG_BREAKS_MAX 64

/* One software breakpoint of the stub's table (anchor.debug_channel->breaks). */
struct hermit_debug_break {
	uint64_t addr;                  /* where the int3 goes */
	uint8_t saved;                  /* the byte it replaces */
	uint8_t used;                   /* 1: an inserted breakpoint, 0: a free entry */
	uint8_t reserved[6];
};

struct hermit_debug_breaks {
	uint32_t count;                 /* entries in bp[]: HERMIT_DEBUG_BREAKS_MAX */
	volatile uint32_t planted;      /* 1 while the int3s are in memory (tasks run) */
	struct hermit_debug_break bp[HERMIT_DEBUG_BREAKS_MAX];
};
#define HERMIT_DEBUG_RING_SIZE 65536   /* a power of two */

struct hermit_debug_ring {
	volatile uint32_t head;         /* producer: bytes ever written */
	uint32_t reserved0[15];         /* head and tail on cache lines of their own */
	volatile uint32_t tail;         /* consumer: bytes ever consumed */
	uint32_t reserved1[15];
	uint8_t data[HERMIT_DEBUG_RING_SIZE];
};

struct hermit_debug_channel {
	volatile uint32_t magic;        /* kernel: HERMIT_DEBUG_MAGIC once both rings are usable */
	uint32_t version;               /* kernel: HERMIT_DEBUG_VERSION */
	uint32_t ring_size;             /* kernel: HERMIT_DEBUG_RING_SIZE */
	volatile uint32_t guest_polling; /* kernel: 1 while the stub polls h2g (no doorbell needed) */
	volatile uint32_t stopped;      /* kernel: 1 while the stub holds the guest stopped */
	volatile uint32_t stop_seq;     /* kernel: stops so far, advanced before stopped is set */
	hermit_gpa_t page_table;        /* kernel: the page-table root (CR3) while stopped */
	hermit_gpa_t breaks;            /* kernel: struct hermit_debug_breaks */
	uint32_t reserved[6];
	struct hermit_debug_ring h2g;   /* host produces, kernel consumes */
	struct hermit_debug_ring g2h;   /* kernel produces, host consumes */
};

_Static_assert(sizeof(struct hermit_debug_ring) == 128 + HERMIT_DEBUG_RING_SIZE, "debug ring layout");
_Static_assert(sizeof(struct hermit_debug_channel) == 64 + 2 * (128 + HERMIT_DEBUG_RING_SIZE),
	       "debug channel layout");
_Static_assert((HERMIT_DEBUG_RING_SIZE & (HERMIT_DEBUG_RING_SIZE - 1)) == 0, "ring size");
_Static_assert(sizeof(struct hermit_debug_break) == 16, "debug break layout");
_Static_assert(sizeof(struct hermit_debug_breaks) == 8 + 16 * HERMIT_DEBUG_BREAKS_MAX, "debug breaks layout");

#endif
