/* fuzz_capture.c: the capture ring's live drain and its post-mortem save (capture.c) on
 * corrupted guest images; the pcapng files go to /dev/null. */
#include <stdio.h>

#include "fuzz_guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_capture c;

	fuzz_guest_load(data, size);
	net_capture_init(&c, &fuzz_gm, FUZZ_ANCHOR, NULL, "fuzz", 1, NULL, -1);
	snprintf(c.path, sizeof(c.path), "/dev/null");
	net_capture_drain(&c);
	net_capture_drain(&c); /* again, from where the first stopped */
	net_capture_finish(&c, fuzz_null());
	net_capture_save(&fuzz_gm, FUZZ_ANCHOR, "/dev/null");
	return 0;
}
