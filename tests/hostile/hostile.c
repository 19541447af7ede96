/*
 * hostile: `hostile TABLE ENDING` breaks one of the tables the kernel publishes for the host
 * (hermit/abi.h), as any app could, since it shares memory with the kernel, then ends:
 *
 *   TABLE   anchor (its table pointers outside guest memory), log (the ring's data pointer and
 *           version), tasks (offsets past the task, no room for a name, a list that loops),
 *           trace (the event size and a misaligned ring), capture (a size that is no ring),
 *           hcall (a request outside guest memory, rung by hand: the guest breaks the ABI)
 *   ENDING  exit (status 3), crash (a page fault: 139), abort (134), hang (until HERMIT_TIMEOUT)
 *
 * Only fields the kernel itself never uses are broken, so that the guest ends the way it was
 * told to; the proxy must then read what it can, say in one line what is broken, and end with
 * the guest's status (tests/integration/test_hostile.py).
 */
#include <hermit/abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern struct hermit_anchor hermit_anchor;

#define OUTSIDE 0x7ff0000000000ull /* no guest has RAM there */

static void *table(hermit_gpa_t gpa)
{
	if (!gpa) {
		printf("hostile: the kernel published no such table\n");
		exit(2);
	}
	return (void *)(uintptr_t)gpa;
}

static void break_tasks(void)
{
	struct hermit_task_table *t = table(hermit_anchor.tasks);

	t->task_name = t->task_size - 4; /* the name would run past the task */
	t->name_max = 0;
	t->task_next = 0x7ffffff0;
}

/* Rings the doorbell by hand for a request that lies outside guest memory. */
static void break_hcall(void)
{
	hermit_anchor.hcall[0] = (struct hermit_hcall_slot){ .nr = HERMIT_HC_PATH, .req = OUTSIDE };
	__asm__ volatile("outb %0, %1" : : "a"((uint8_t)0), "Nd"((uint16_t)HERMIT_QEMU_DOORBELL_PORT));
	for (;;)
		__asm__ volatile("pause");
}

static int break_table(const char *name)
{
	if (strcmp(name, "anchor") == 0) {
		hermit_anchor.log = hermit_anchor.tasks = hermit_anchor.trace = OUTSIDE;
		hermit_anchor.capture = OUTSIDE + 4096;
	} else if (strcmp(name, "log") == 0) {
		struct hermit_log_ring *r = table(hermit_anchor.log);
		r->data = OUTSIDE;
	} else if (strcmp(name, "tasks") == 0) {
		break_tasks();
	} else if (strcmp(name, "trace") == 0) {
		struct hermit_trace *t = table(hermit_anchor.trace);
		t->event_size = 7;
	} else if (strcmp(name, "capture") == 0) {
		struct hermit_capture *c = table(hermit_anchor.capture);
		c->size = 7;
	} else if (strcmp(name, "hcall") == 0) {
		break_hcall();
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 || break_table(argv[1]) < 0) {
		printf("usage: hostile anchor|log|tasks|trace|capture|hcall exit|crash|abort|hang\n");
		return 2;
	}
	printf("hostile: %s broken, now %s\n", argv[1], argv[2]);
	fflush(stdout);
	if (strcmp(argv[2], "crash") == 0) {
		int *volatile nowhere = NULL;
		return nowhere[2]; /* a page fault: page 0 is not mapped */
	}
	if (strcmp(argv[2], "abort") == 0)
		abort();
	if (strcmp(argv[2], "hang") == 0)
		for (;;)
			__asm__ volatile("pause");
	return 3;
}
