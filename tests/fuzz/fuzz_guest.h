/*
 * fuzz_guest.h: the guest memory image the proxy's readers are fuzzed on. A template is laid out
 * as the kernel lays out its tables (anchor, log ring written with the kernel's own writer, task
 * table with two tasks, trace rings, capture ring with frames, debug channel stopped for gdb with
 * its page tables and breakpoint table, a hypercall in flight); each input is a list of patches over it, so the fuzzer corrupts real structures
 * field by field rather than guessing them from nothing:
 *
 *	input := patch*      patch := u32 offset (little-endian, modulo the image), u8 n, n bytes
 */
#ifndef FUZZ_GUEST_H
#define FUZZ_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proxy.h"

#define FUZZ_RAM 0xe0000u /* below microvm's BIOS hole: one region */
#define FUZZ_ANCHOR 0x1000u
#define FUZZ_LOG 0x2000u
#define FUZZ_LOG_DATA 0x3000u
#define FUZZ_LOG_SIZE 0x1000u
#define FUZZ_TASKS 0x5000u
#define FUZZ_TASK_LIST 0x5400u
#define FUZZ_TASK0 0x10000u      /* two task structs 0x4000 apart, stacks below each */
#define FUZZ_FRAMES 0x20000u
#define FUZZ_TRACE 0x6000u
#define FUZZ_TRACE_SLOTS 0x30000u
#define FUZZ_TRACE_NSLOTS 64u
#define FUZZ_CAPTURE 0x8000u
#define FUZZ_CAPTURE_DATA 0x40000u
#define FUZZ_CAPTURE_SIZE 0x2000u
#define FUZZ_DEBUG 0x50000u      /* struct hermit_debug_channel, 0x20140 bytes */
#define FUZZ_PAGE_TABLE 0x71000u /* its page tables (4 pages): va 0x1000-0x1fffff 4 KiB, identity; */
				 /* va 0x200000 a 2 MiB page beyond RAM */
#define FUZZ_BREAKS 0x75000u     /* its breakpoint table: an int3 planted at FUZZ_INT3 */
#define FUZZ_INT3 0x90010u
#define FUZZ_REQUEST 0x80000u    /* the hypercall's request and its buffers */

extern uint8_t fuzz_ram[FUZZ_RAM];
extern struct guestmem fuzz_gm;

/* Before each input, the image: the template (made on the first call) with the input's patches. */
void fuzz_guest_load(const uint8_t *data, size_t size);
/* Where the readers' files and text go: /dev/null. */
FILE *fuzz_null(void);

#endif
