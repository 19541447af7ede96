/* fuzz_trace.c: the trace reader (tracedump.c) and the exporters of tracing/export.c on
 * corrupted guest images; the JSON and CTF streams go to /dev/null. */
#include <stdio.h>

#include "fuzz_guest.h"
#include "tracing/export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_snapshot s;
	struct guestview v;

	fuzz_guest_load(data, size);
	gv_init(&v, &fuzz_gm, FUZZ_ANCHOR);
	if (!trace_read(&v, &s))
		return 0;
	trace_write_json(&s, fuzz_null());
	for (unsigned i = 0; i < s.ncpus; i++)
		trace_write_ctf_stream(&s, i, fuzz_null());
	trace_snapshot_free(&s);
	return 0;
}
