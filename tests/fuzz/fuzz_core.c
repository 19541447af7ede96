/* fuzz_core.c: the ELF core writer (core.c) on corrupted guest images; the core goes to
 * /dev/null, registers.txt to a memory stream. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guestview v;
	char *regs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&regs, &len);

	fuzz_guest_load(data, size);
	gv_init(&v, &fuzz_gm, FUZZ_ANCHOR);
	core_write(&v, "/nonexistent/app", "/dev/null", 11, f);
	fclose(f);
	free(regs);
	return 0;
}
