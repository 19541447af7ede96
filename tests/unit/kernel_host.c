/* kernel_host.c: panic() for the host unit tests of the kernel (kernel_host.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "kernel_host.h"

jmp_buf kernel_host_panic_jmp;
int kernel_host_panic_armed;
char kernel_host_panic_text[256];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kernel_host_panic_text, sizeof(kernel_host_panic_text), fmt, ap);
	va_end(ap);
	if (!kernel_host_panic_armed) {
		fprintf(stderr, "unexpected panic: %s\n", kernel_host_panic_text);
		abort();
	}
	longjmp(kernel_host_panic_jmp, 1);
}

/* Tracepoints are off in these tests; the out-of-line half is never reached. */
void trace_emit(unsigned id, uint64_t a0, uint64_t a1)
{
	(void)id;
	(void)a0;
	(void)a1;
}
