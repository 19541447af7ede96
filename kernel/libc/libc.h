/*
 * libc/libc.h: the kernel's side of the C library: what newlib needs underneath (system calls,
 * locks, per-task state), POSIX threads and the app's start. Functions here run in task context.
 */
#ifndef LIBC_LIBC_H
#define LIBC_LIBC_H

#include <stdint.h>

struct task;

/* Boot: asks the host for the settings, argv and environment; sets clock and log level. */
void libc_boot_config(void);
/* HERMIT_CONFIG_* flags the host gave with the settings. */
uint32_t libc_config_flags(void);
/* Boot: creates the task that runs the app's constructors and main(). */
void libc_start_main_task(void);

/* Per-thread C library state (errno, strtok, ...) for task.libc; NULL when memory is short.
 * Free it only once no task uses it any more. */
void *libc_task_state_new(void);
void libc_task_state_free(void *state);

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

/* Ends the app with status; flushes nothing (exit() did). */
void libc_terminate(int status) __attribute__((noreturn));

#endif
