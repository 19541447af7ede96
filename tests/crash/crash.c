/* crash: dereferences NULL; the kernel's report must name this function and line. */
#include <stdio.h>

static int *volatile nowhere;

__attribute__((noinline)) static int read_through_null(void)
{
	return *nowhere; /* the faulting line */
}

int main(void)
{
	printf("crash: about to dereference NULL\n");
	fflush(stdout);
	int value = read_through_null();
	printf("crash: read %d through NULL\n", value); /* not reached; keeps main's frame */
	return 1;
}
