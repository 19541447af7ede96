/*
 * libc/dlfcn.c: dynamic loading in a static image. Nothing can be loaded, and no symbol can be
 * looked up by name (the image keeps no dynamic symbol table); each failure leaves one message
 * for dlerror, which returns it once, as POSIX says.
 */
#include <dlfcn.h>
#include <stddef.h>

static char *last_error;

static void *fail(char *message)
{
	last_error = message;
	return NULL;
}

void *dlopen(const char *file, int mode)
{
	(void)mode;
	if (!file)
		return fail("dlopen: a Hermit image has no dynamic symbol table");
	return fail("dlopen: Hermit images are static: no shared object can be loaded");
}

void *dlsym(void *handle, const char *name)
{
	(void)handle, (void)name;
	return fail("dlsym: a Hermit image has no dynamic symbol table");
}

int dlclose(void *handle)
{
	(void)handle;
	fail("dlclose: no shared object was loaded");
	return -1;
}

char *dlerror(void)
{
	char *message = last_error;
	last_error = NULL;
	return message;
}

int dladdr(const void *addr, Dl_info *info)
{
	(void)addr, (void)info;
	return 0;
}
