/*
 * libc/start.c: the app's environment and its main task. At boot the host hands over argv and the
 * environment (hcall CONFIG); the main task runs the constructors, then exit(main(argc, argv, envp)).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "hermit/abi.h"
#include "kernel/clock.h"
#include "kernel/hcall.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/net.h"
#include "kernel/panic.h"
#include "kernel/task.h"
#include "libc/libc.h"

#define MAIN_STACK_SIZE (8 * 1024 * 1024) /* as Linux's default ulimit -s */

extern int main(int argc, char **argv, char **envp);
typedef void (*constructor_fn)(void);
extern constructor_fn __preinit_array_start[], __preinit_array_end[];
extern constructor_fn __init_array_start[], __init_array_end[];
extern char **environ;

static char strings[HERMIT_ARGS_MAX];
static int app_argc;
static char **app_argv;
static uint32_t config_flags;

/* Splits the packed strings into a NULL-ended argv then a NULL-ended envp, in one array. */
static char **split_strings(uint32_t argc, uint32_t envc)
{
	char **v = page_alloc(((argc + envc + 2) * sizeof(char *) + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!v)
		panic("boot: no memory for argv");
	char *s = strings;
	for (uint32_t i = 0; i < argc + envc + 1; i++) {
		if (i == argc) {
			v[i] = NULL;
			continue;
		}
		v[i] = s;
		s += strlen(s) + 1;
	}
	v[argc + envc + 1] = NULL;
	return v;
}

void libc_boot_config(void)
{
	struct hc_config cfg = { .strings = (hermit_gpa_t)(uintptr_t)strings, .strings_cap = sizeof(strings) };
	hcall(HERMIT_HC_CONFIG, &cfg);
	clock_init(cfg.tsc_khz);
	clock_set_realtime(cfg.realtime_ns);
	log_set_console_level((int)cfg.log_level);
	if (cfg.ret < 0)
		panic("boot: the arguments and environment do not fit in %d bytes", HERMIT_ARGS_MAX);
	config_flags = cfg.flags;
	app_argc = (int)cfg.argc;
	app_argv = split_strings(cfg.argc, cfg.envc);
	environ = app_argv + cfg.argc + 1;
	log_info("clock: TSC at %lu kHz", clock_tsc_khz());
	struct net_config net = { .ip = cfg.net_ip, .gateway = cfg.net_gateway, .mask = cfg.net_mask };
	net_boot_config(&net, cfg.capture_kib, cfg.flags & HERMIT_CONFIG_CAPTURE_BARE);
}

uint32_t libc_config_flags(void) { return config_flags; }

/* The app's (and libraries') constructors, in link order (hermit.ld collects them). */
static void run_constructors(void)
{
	for (constructor_fn *f = __preinit_array_start; f < __preinit_array_end; f++)
		(*f)();
	for (constructor_fn *f = __init_array_start; f < __init_array_end; f++)
		(*f)();
}

static void main_task(void *unused)
{
	(void)unused;
	task_current()->sig_blocked = 0; /* the app's first thread takes signals */
	pthread_self();                   /* and is the main thread (libc_main_thread_task) */
	run_constructors();
	log_info("hermit: entering main() %lu us after the first instruction", clock_ns() / 1000);
	exit(main(app_argc, app_argv, environ));
}

void libc_start_main_task(void)
{
	if (!task_create("main", main_task, NULL, MAIN_STACK_SIZE))
		panic("boot: no memory for the main task");
}
