/*
 * fuzz_hcall.c: the hypercall handler (hcall.c, as the proxy's loop calls it: a doorbell from a
 * CPU, its slot, its request) on corrupted guest images. The first byte picks the CPU.
 *
 * The handler does real file work on the host; the fuzzer runs it in an empty scratch directory
 * with the guest's descriptors 0-2 on /dev/null, and runs only requests that cannot reach beyond
 * that directory: PATH operations on names without '/' (but SYMLINK, whose link could point
 * anywhere), the FD operations, CONFIG, EXIT, CRASH, and numbers the ABI does not have (which
 * must be refused).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_guest.h"

static struct files files;
static struct fs fs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/hermit-fuzz-hcall-XXXXXX";

	(void)argc;
	(void)argv;
	char err[256];
	if (!mkdtemp(dir) || chdir(dir) < 0 || fs_init(&fs, NULL, err, sizeof(err)) < 0)
		abort();
	return 0;
}

/* A path that names something in the scratch directory (or is refused before any file work). */
static bool local_name(hermit_gpa_t gpa)
{
	const char *s;

	if (gm_string(&fuzz_gm, gpa, 4096, &s) != GM_STRING_OK)
		return true;
	return !strchr(s, '/') && strcmp(s, "..") != 0;
}

/* Whether the request in flight stays inside the scratch directory. */
static bool harmless(unsigned cpu)
{
	const struct hermit_anchor *a = (const void *)(fuzz_ram + FUZZ_ANCHOR);
	struct hermit_hcall_slot slot = a->hcall[cpu % HERMIT_MAX_CPUS];
	struct hc_path p;

	switch (slot.nr) {
	case HERMIT_HC_PATH:
		if (!gm_read(&fuzz_gm, slot.req, &p, sizeof(p)))
			return true; /* refused before any file work */
		return p.op != HERMIT_PATH_SYMLINK && local_name(p.path) && local_name(p.path2);
	case HERMIT_HC_CONFIG: case HERMIT_HC_WRITE: case HERMIT_HC_READ: case HERMIT_HC_FD:
	case HERMIT_HC_EXIT: case HERMIT_HC_CRASH:
		return true;
	default:
		return slot.nr == 0 || slot.nr >= HERMIT_HC_COUNT; /* unknown: refused */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const argv[] = { "app", "a", NULL }, *const envp[] = { "HERMIT_X=1", NULL };
	unsigned cpu = size ? data[0] % 4 : 0;
	struct hcall_ctx ctx = { .gm = &fuzz_gm, .files = &files, .fs = &fs, .anchor = FUZZ_ANCHOR,
				 .argv = argv, .envp = envp };

	fuzz_guest_load(size ? data + 1 : data, size ? size - 1 : 0);
	if (!harmless(cpu))
		return 0;
	files_init(&files);
	for (int fd = 0; fd < 3; fd++) /* the guest's stdio goes nowhere */
		files.host[fd] = open("/dev/null", O_RDWR | O_CLOEXEC), files.owned[fd] = true;
	hcall_doorbell(&ctx, cpu);
	if (harmless(cpu)) /* the answer may have rewritten the slot */
		hcall_doorbell(&ctx, cpu); /* the same slot again, after the handler wrote its answer */
	files_close_all(&files);
	fs_reset(&fs); /* FD_CHDIR may have moved into a directory made meanwhile */
	return 0;
}
