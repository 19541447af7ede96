/* tracing/ctf_metadata.c: prints the CTF metadata the proxy writes (for the gdb scripts' build). */
#include <stdio.h>

#include "export.h"

int main(void)
{
	trace_write_ctf_metadata(stdout);
	return ferror(stdout) ? 1 : 0;
}
