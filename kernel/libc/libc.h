/*
 * libc/libc.h: the kernel's side of the C library: what newlib needs underneath (system calls,
 * locks, per-task state), POSIX threads and the app's start. Functions here run in task context.
 */
#ifndef LIBC_LIBC_H
#define LIBC_LIBC_H

#include <stdint.h>
#include <sys/types.h>

struct task;

/* Boot: asks the host for the settings, argv and environment; sets clock and log level. */
void libc_boot_config(void);
/* HERMIT_CONFIG_* flags the host gave with the settings. */
uint32_t libc_config_flags(void);
/* Boot: creates the task that runs the app's constructors and main(). */
void libc_start_main_task(void);

/* The task behind a thread (pthread.c), NULL for none; the main thread's (known once it runs). */
struct __hermit_pthread;
struct task *libc_thread_task(struct __hermit_pthread *thread);
struct task *libc_main_thread_task(void);

/* Per-thread C library state (errno, strtok, ...) for task.libc; NULL when memory is short.
 * Free it only once no task uses it any more. */
void *libc_task_state_new(void);
void libc_task_state_free(void *state);

/* An absolute time on clock (POSIX timed waits) as a kernel clock deadline, never 0. */
struct timespec;
uint64_t libc_deadline(clockid_t clock, const struct timespec *abstime);

/* The host's errno (Linux numbering, hermit/abi.h) as this C library's errno. */
int libc_errno_from_host(int64_t host_errno);
/* This C library's open() flags as Linux's. */
int32_t libc_open_flags_to_host(int flags);

/* Signals (signal.c): marks sig pending for task t, or the process when t is NULL (code: its
 * si_code), and wakes whoever can take it. Task context. */
void signal_send(struct task *t, int sig, int code);
/* The same for a valid sig (else EINVAL; 0 only checks), then runs the caller's pending handlers. */
int signal_send_now(struct task *t, int sig, int code);
/* Sleeps until the deadline (clock ns, 0: none), or until a signal the caller takes is pending:
 * then runs its handler and returns 1 (the caller fails with EINTR). */
int signal_sleep_until(uint64_t deadline);
/* Has the signal task (sigtimer.c) see that a pending signal reaches a task that takes it. */
void signal_task_kick(void);

/* This C library's O_* status flags from Linux's (F_GETFL). */
int libc_open_flags_from_host(int32_t flags);

/* The file requests (hermit/abi.h): carry one out; the result, or -1 with errno set from the
 * host's -errno. */
struct hc_path;
struct hc_fd;
int64_t libc_host_path(struct hc_path *req);
int64_t libc_host_fd(struct hc_fd *req);
/* The proxy's descriptor behind fd: 0, or -1 with errno EBADF (not open) or not_host (another
 * kind of descriptor). */
int libc_host_file(int fd, int not_host, int32_t *host);
/* Fills a struct stat from the host's. */
struct stat;
struct hermit_stat;
void libc_stat_from_host(const struct hermit_stat *hs, struct stat *st);
/* utimensat's times as the host's, in out; NULL for NULL (both now). */
struct timespec;
struct hermit_timespec;
struct hermit_timespec *libc_times_to_host(const struct timespec *times, struct hermit_timespec *out);
/* A creation mode less the guest's umask. */
mode_t libc_umask_apply(mode_t mode);
/* fcntl's F_GETLK, F_SETLK and F_SETLKW on a host file (record_locks.c). */
struct flock;
int libc_record_lock(intptr_t host, int cmd, struct flock *fl);

/* Ends the app with status; flushes nothing (exit() did). */
void libc_terminate(int status) __attribute__((noreturn));

#endif
