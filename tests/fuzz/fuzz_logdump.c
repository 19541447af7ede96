/* fuzz_logdump.c: the proxy's kernel-log dump (logdump.c) on corrupted guest images. */
#include <stdlib.h>

#include "fuzz_guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guestview v;
	size_t len;
	uint64_t lost;

	fuzz_guest_load(data, size);
	gv_init(&v, &fuzz_gm, FUZZ_ANCHOR);
	free(log_text(&v, &len, &lost));
	return 0;
}
