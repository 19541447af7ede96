/*
 * kernel_host.h: what the host unit tests of the kernel's portable code (test_kernel_*.c) share:
 * panic() as a longjmp back into the test, so that a KASSERT can be expected to fire.
 *
 *	EXPECT_PANIC(page_free(p, 1));   the call must panic
 */
#ifndef KERNEL_HOST_H
#define KERNEL_HOST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

extern jmp_buf kernel_host_panic_jmp;
extern int kernel_host_panic_armed;
extern char kernel_host_panic_text[256];

#define EXPECT_PANIC(call)                                                                         \
	do {                                                                                       \
		kernel_host_panic_armed = 1;                                                       \
		if (setjmp(kernel_host_panic_jmp) == 0) {                                          \
			call;                                                                      \
			kernel_host_panic_armed = 0;                                               \
			fail_msg("%s did not panic", #call);                                       \
		}                                                                                  \
		kernel_host_panic_armed = 0;                                                       \
	} while (0)

#endif
