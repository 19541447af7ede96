/* Unit tests of proxy/postmortem.c: the kernel log and the core file, read from fabricated
 * guest memory laid out as hermit/abi.h says. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tracing/logring.h"
#include "proxy.h"

#define RAM (512 * 1024)
#define ANCHOR 0x1000
#define RING 0x2000
#define DATA 0x3000
#define DATA_SIZE 4096
#define TABLE 0x5000
#define LIST 0x5400
#define TASKS 0x10000 /* two task structs of 256 bytes, stacks below */
#define FRAMES 0x20000

static uint8_t ram[RAM] __attribute__((aligned(4096)));
static struct guestmem gm;
static struct postmortem pm;

static struct hermit_log_ring *ring(void) { return (struct hermit_log_ring *)(ram + RING); }

static void setup_memory(void)
{
	memset(ram, 0, sizeof(ram));
	gm_init(&gm, ram, RAM);
	struct hermit_anchor *a = (struct hermit_anchor *)(ram + ANCHOR);
	a->magic = HERMIT_ANCHOR_MAGIC;
	a->version = HERMIT_ABI_VERSION;
	a->log = RING;
	*ring() = (struct hermit_log_ring){ .magic = HERMIT_LOG_MAGIC, .version = HERMIT_LOG_VERSION,
					    .data = DATA, .size = DATA_SIZE };
	memset(&pm, 0, sizeof(pm));
	gv_init(&pm.gv, &gm, ANCHOR);
	pm.app = "/nonexistent/app";
	pm.dir = ".";
}

/* Appends a record with the kernel's own writer (tracing/logring.h). */
static void log_record(uint8_t level, const char *text)
{
	struct hermit_log_ring *r = ring();
	struct hermit_log_record *rec = log_ring_reserve(r, ram + DATA, strlen(text));
	uint64_t seq = r->next_seq++;
	rec->level = level;
	rec->seq = seq;
	rec->ns = 1500000000ull + seq * 1000;
	strcpy((char *)(rec + 1), text);
	log_ring_commit(r, rec);
}

static char *print_log(bool *ok)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	*ok = pm_print_log(&pm, f);
	fclose(f);
	return out;
}

static void test_log_lines(void **state)
{
	(void)state;
	setup_memory();
	log_record(HERMIT_LOG_INFO, "hello");
	log_record(HERMIT_LOG_ERROR, "kernel panic: x");
	bool ok;
	char *out = print_log(&ok);
	assert_true(ok);
	assert_string_equal(out, "hermit: kernel log (from guest memory):\n"
				 "[    1.500000] I hello\n"
				 "[    1.500001] E kernel panic: x\n");
	free(out);
}

static void test_log_wraps_and_counts_overwritten(void **state)
{
	(void)state;
	setup_memory();
	char text[64];
	for (int i = 0; i < 300; i++) {
		snprintf(text, sizeof(text), "message %d", i);
		log_record(HERMIT_LOG_WARN, text);
	}
	bool ok;
	char *out = print_log(&ok);
	assert_true(ok);
	assert_non_null(strstr(out, "older records were overwritten)\n"));
	assert_non_null(strstr(out, "] W message 299\n"));
	assert_null(strstr(out, "] W message 0\n"));
	free(out);
}

static void test_torn_record_ends_the_log(void **state)
{
	(void)state;
	setup_memory();
	log_record(HERMIT_LOG_INFO, "whole");
	log_record(HERMIT_LOG_INFO, "torn");
	((struct hermit_log_record *)(ram + DATA + 32))->size = 3; /* the second one, half written */
	bool ok;
	char *out = print_log(&ok);
	assert_true(ok);
	assert_non_null(strstr(out, "I whole\n"));
	assert_null(strstr(out, "torn"));
	free(out);
}

static void test_no_ring_no_log(void **state)
{
	(void)state;
	setup_memory();
	((struct hermit_anchor *)(ram + ANCHOR))->log = 0;
	bool ok;
	free(print_log(&ok));
	assert_false(ok);
	((struct hermit_anchor *)(ram + ANCHOR))->log = RAM + 4096; /* outside guest memory */
	free(print_log(&ok));
	assert_false(ok);
}

/* Two tasks, the second (crashed) one's struct at TASKS + 0x4000, listed from LIST; the first
 * blocked on a mutex at LIST + 32 held by the second, in a call on descriptor 3. */
static struct hermit_task_table *setup_tasks(void)
{
	setup_memory();
	struct hermit_anchor *a = (struct hermit_anchor *)(ram + ANCHOR);
	a->tasks = TABLE;
	struct hermit_task_table *t = (struct hermit_task_table *)(ram + TABLE);
	*t = (struct hermit_task_table){ .magic = HERMIT_TASKS_MAGIC, .version = HERMIT_TASKS_VERSION,
					 .list = LIST, .task_next = 0, .task_id = 8, .task_name = 16,
					 .name_max = 32, .task_state = 12, .task_frame = 48,
					 .task_stack_lo = 56, .task_stack_hi = 64, .task_size = 256,
					 .frame_size = 20 * 8, .task_wait = 80, .heap_start = LIST + 8,
					 .heap_end = LIST + 16, .crash_task = LIST + 24, .task_cpu = 72 };
	for (int r = 0; r < HERMIT_REG_COUNT; r++)
		t->frame[r] = (uint32_t)(8 * r);
	for (uint64_t i = 0; i < 2; i++) {
		uint8_t *task = ram + TASKS + i * 0x4000;
		uint64_t next = i ? 0 : TASKS + 0x4000, frame = FRAMES + i * 0x100;
		uint32_t id = (uint32_t)(i + 1);
		memcpy(task, &next, 8);
		memcpy(task + 8, &id, 4);
		strcpy((char *)task + 16, i ? "main" : "idle");
		memcpy(task + 48, &frame, 8);
		uint64_t lo = TASKS + i * 0x4000 - 0x3000, hi = TASKS + i * 0x4000;
		memcpy(task + 56, &lo, 8);
		uint32_t cpu = (uint32_t)i;
		memcpy(task + 72, &cpu, 4);
		memcpy(task + 64, &hi, 8);
		uint64_t rip = 0x200000 + i, rsp = hi - 64;
		memcpy(ram + frame + 8 * HERMIT_REG_RIP, &rip, 8);
		memcpy(ram + frame + 8 * HERMIT_REG_RSP, &rsp, 8);
	}
	uint64_t first = TASKS, crashed = TASKS + 0x4000;
	memcpy(ram + LIST, &first, 8);
	memcpy(ram + LIST + 24, &crashed, 8);
	uint32_t blocked = 2;
	struct hermit_wait w = { .kind = HERMIT_WAIT_MUTEX, .fd = 4, .object = LIST + 32, .owner = LIST + 40 };
	memcpy(ram + TASKS + 12, &blocked, 4);
	memcpy(ram + TASKS + 80, &w, sizeof(w));
	memcpy(ram + LIST + 40, &crashed, 8); /* the mutex's owner */
	return t;
}

/* The bundle of a crash into a new directory (dir: its template); what the proxy said. */
static char *finish_crashed(char *dir)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	pm.dir = dir;
	f = open_memstream(&out, &len);
	pm_finish(&pm, VM_CRASHED, 14, f);
	fclose(f);
	return out;
}

static void remove_dir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A broken task table costs the core, never the proxy: no read outside the task, no endless walk. */
static void test_broken_task_tables_are_refused(void **state)
{
	char dir[] = "/tmp/hermit-pm-test-XXXXXX";
	char *out;

	(void)state;
	for (int how = 0; how < 5; how++) {
		struct hermit_task_table *t = setup_tasks();
		uint64_t self = TASKS;
		switch (how) {
		case 0: t->task_name = 250; break;       /* the name runs past the task */
		case 1: t->name_max = 0; break;          /* no room for the NUL */
		case 2: t->task_size = 1u << 30; break;  /* larger than any task */
		case 3: t->frame[HERMIT_REG_RIP] = 4096; break; /* outside the frame */
		case 4: memcpy(ram + TASKS, &self, 8); break;   /* the list is a cycle: one task left */
		}
		memcpy(dir, "/tmp/hermit-pm-test-XXXXXX", sizeof(dir));
		out = finish_crashed(dir);
		assert_true((strstr(out, "core missing") != NULL) == (how != 4));
		free(out);
		remove_dir(dir);
	}
}

/* Two tasks, the second crashed: the core has its NT_PRSTATUS first, then the other. */
static void test_core_has_a_thread_per_task(void **state)
{
	(void)state;
	setup_tasks();

	char dir[] = "/tmp/hermit-pm-test-XXXXXX";
	char *out = finish_crashed(dir);
	assert_non_null(strstr(out, "hermit: post-mortem bundle in "));
	free(out);

	char path[256];
	snprintf(path, sizeof(path), "%s/hermit-postmortem-app-%d/core", dir, (int)getpid());
	FILE *core = fopen(path, "rb");
	assert_non_null(core);
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), core);
	fclose(core);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	assert_int_equal(eh->e_type, ET_CORE);
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + eh->e_phoff);
	assert_int_equal(ph[0].p_type, PT_NOTE);
	assert_true(ph[0].p_offset + ph[0].p_filesz <= n);
	int pids[4], npids = 0;
	for (uint64_t off = ph[0].p_offset; off < ph[0].p_offset + ph[0].p_filesz;) {
		Elf64_Nhdr *nh = (Elf64_Nhdr *)(buf + off);
		uint64_t desc = off + sizeof(*nh) + ((nh->n_namesz + 3) & ~3u);
		if (nh->n_type == NT_PRSTATUS && npids < 4) {
			pids[npids++] = *(int32_t *)(buf + desc + 32);
			if (npids == 1) {
				assert_int_equal(*(int32_t *)(buf + desc), 11); /* SIGSEGV */
				assert_int_equal(*(uint64_t *)(buf + desc + 112 + 16 * 8), 0x200001); /* rip */
			}
		}
		off = desc + ((nh->n_descsz + 3) & ~3u);
	}
	assert_int_equal(npids, 2);
	assert_int_equal(pids[0], 2);
	assert_int_equal(pids[1], 1);
	/* the stacks are in, from the saved frame up to the task struct */
	int covered = 0;
	for (int i = 1; i < eh->e_phnum; i++)
		covered += ph[i].p_type == PT_LOAD && ph[i].p_vaddr <= TASKS + 0x4000 - 64 &&
			   ph[i].p_vaddr + ph[i].p_memsz >= TASKS + 0x4000 + 256;
	assert_int_equal(covered, 1);

	/* registers.txt says what the blocked task waits for, and who holds it */
	snprintf(path, sizeof(path), "%s/hermit-postmortem-app-%d/registers.txt", dir, (int)getpid());
	FILE *regs = fopen(path, "r");
	assert_non_null(regs);
	n = fread(buf, 1, sizeof(buf) - 1, regs);
	fclose(regs);
	buf[n] = 0;
	char want[128];
	snprintf(want, sizeof(want), "task 1 \"idle\" blocked on CPU 0: rip");
	assert_non_null(strstr((char *)buf, want));
	assert_non_null(strstr((char *)buf, "task 2 \"main\" ready on CPU 1")); /* each task's CPU */
	snprintf(want, sizeof(want), "  waits for mutex %#llx held by task 2 \"main\", in a call on fd 3\n",
		 (unsigned long long)(LIST + 32));
	assert_non_null(strstr((char *)buf, want));
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_lines),
		cmocka_unit_test(test_log_wraps_and_counts_overwritten),
		cmocka_unit_test(test_torn_record_ends_the_log),
		cmocka_unit_test(test_no_ring_no_log),
		cmocka_unit_test(test_core_has_a_thread_per_task),
		cmocka_unit_test(test_broken_task_tables_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
