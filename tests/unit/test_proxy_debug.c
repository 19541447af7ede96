/* Unit tests of HERMIT_DEBUG in the proxy: the setting's values and what each adds to
 * QEMU's command line (the kernel stub's doorbell UART, or QEMU's own gdbstub). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proxy.h"
#include "qemu_argv.h"

static struct settings parsed(const char *debug)
{
	char var[64], err[256];
	char *envp[] = { var, NULL };
	struct settings s;

	snprintf(var, sizeof(var), "HERMIT_DEBUG=%s", debug);
	assert_int_equal(settings_parse(&s, envp, err, sizeof(err)), 0);
	return s;
}

static void test_setting(void **state)
{
	char err[256];
	char *bad[] = { "HERMIT_DEBUG=gdb", NULL };
	struct settings s;

	(void)state;
	s = parsed("1");
	assert_true(s.debug);
	assert_false(s.debug_qemu || s.debug_attach);
	s = parsed("attach"); /* the stub, without the stop at boot */
	assert_true(s.debug && s.debug_attach);
	assert_false(s.debug_qemu);
	s = parsed("qemu");
	assert_false(s.debug);
	assert_true(s.debug_qemu);
	s = parsed("0");
	assert_false(s.debug || s.debug_qemu);
	assert_int_equal(settings_parse(&s, bad, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "HERMIT_DEBUG=gdb"));
}

static void test_stub_gets_a_doorbell_uart_and_no_qemu_gdbstub(void **state)
{
	struct qemu_fds fds = { .mem = 3, .console = 5, .doorbell = 7, .debug = 9, .qmp = 11 };
	struct settings s = parsed("1");
	char **argv;

	(void)state;
	s.mem_size = 64 * MIB;
	s.cpus = 1;
	argv = qemu_argv(&s, false, "app", &fds);
	assert_non_null(argv);
	assert_true(argv_find(argv, "-chardev", "socket,id=dbg,fd=9") > 0);
	assert_true(argv_find(argv, "-device", "isa-serial,chardev=dbg,iobase=0x3e8,irq=4") > 0);
	/* QEMU's monitor on the proxy's socket, for the NMI of a ^C that interrupts cannot bring */
	assert_true(argv_find(argv, "-chardev", "socket,id=qmp,fd=11") > 0);
	assert_true(argv_find(argv, "-mon", "chardev=qmp,mode=control") > 0);
	assert_int_equal(argv_find(argv, "-gdb", NULL), -1);
	assert_int_equal(argv_find(argv, "-S", NULL), -1);
	qemu_argv_free(argv);

	s = parsed("qemu");
	s.mem_size = 64 * MIB;
	s.cpus = 1;
	s.debug_port = 4321;
	argv = qemu_argv(&s, false, "app", &fds);
	assert_true(argv_find(argv, "-gdb", "tcp:127.0.0.1:4321") > 0);
	assert_true(argv_find(argv, "-S", NULL) > 0);
	assert_int_equal(argv_find(argv, "-chardev", "socket,id=dbg,fd=9"), -1);
	qemu_argv_free(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setting),
		cmocka_unit_test(test_stub_gets_a_doorbell_uart_and_no_qemu_gdbstub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
