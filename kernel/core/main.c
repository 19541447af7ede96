/*
 * core/main.c: the kernel's start-up, in dependency order, then the app's main task.
 */
#include <string.h>

#include "arch/x86_64/uart.h"
#include "kernel/boot.h"
#include "kernel/clock.h"
#include "kernel/debug.h"
#include "kernel/hcall.h"
#include "kernel/irq.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/task.h"
#include "kernel/trace.h"
#include "libc/libc.h"

extern char __image_start[], __image_end[], boot_stack_bottom[], boot_stack_top[];

static void log_memory(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->nr_ram; i++)
		log_info("memory: RAM 0x%lx-0x%lx", bi->ram[i].base, bi->ram[i].base + bi->ram[i].size);
	log_info("memory: %lu MiB free of %lu MiB", page_free_count() * PAGE_SIZE >> 20,
		 page_total_count() * PAGE_SIZE >> 20);
}

void kernel_main(const struct boot_info *bi)
{
	percpu_init(&cpus[0], 0);
	debug_tables_init();
	task_init_idle((uintptr_t)boot_stack_bottom, (uintptr_t)boot_stack_top);
	idt_init();
	uart_init(UART_COM1, false);
	hcall_init();
	if (!bi->nr_ram)
		panic("boot: the loader gave no memory map");
	page_alloc_init(bi, (uintptr_t)__image_end);
	mmu_init(bi);
	libc_boot_config();
	debug_boot(libc_config_flags());
	trace_boot();
	log_info("hermit: image 0x%lx-0x%lx", (unsigned long)__image_start, (unsigned long)__image_end);
	log_memory(bi);
	apic_init();
	smp_boot(bi);
	hcall_enable_irq();
	libc_start_main_task();
	sched_idle_loop();
}
