/* Unit tests of proxy/qemu.c: the QEMU command line. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "proxy.h"
#include "qemu_argv.h"

static const struct qemu_fds fds = { .mem = 3, .console = 5, .doorbell = 7 };

static struct settings defaults(void)
{
	struct settings s;
	char err[128];
	char *envp[] = { NULL };

	assert_int_equal(settings_parse(&s, envp, err, sizeof(err)), 0);
	return s;
}

static size_t count(char **argv)
{
	size_t n = 0;

	while (argv[n])
		n++;
	return n;
}

/* The value after option opt (the first such option). */
static const char *value(char **argv, const char *opt)
{
	int i = argv_find(argv, opt, NULL);

	assert_true(i >= 0);
	assert_non_null(argv[i + 1]);
	return argv[i + 1];
}

static void test_kvm_default(void **state)
{
	(void)state;
	struct settings s = defaults();
	char **argv = qemu_argv(&s, true, "path/to app", &fds);

	assert_non_null(argv);
	assert_string_equal(argv[0], "qemu-system-x86_64");
	assert_string_equal(value(argv, "-M"),
			    "microvm,x-option-roms=off,pit=off,pic=off,rtc=off,acpi=off");
	assert_string_equal(value(argv, "-accel"), "kvm");
	assert_string_equal(value(argv, "-cpu"), "host,-arch-capabilities");
	assert_string_equal(value(argv, "-smp"), "1");
	assert_string_equal(value(argv, "-m"), "2048M");
	assert_string_equal(value(argv, "-object"),
			    "memory-backend-file,id=ram,size=2048M,mem-path=/proc/self/fd/3,share=on");
	assert_string_equal(value(argv, "-machine"), "memory-backend=ram");
	assert_true(has_pair(argv, "-chardev", "socket,id=con,fd=5"));
	assert_true(has_pair(argv, "-chardev", "socket,id=hc,fd=7"));
	assert_string_equal(value(argv, "-serial"), "chardev:con");
	assert_true(has_pair(argv, "-device", "isa-serial,chardev=hc,iobase=0x2f8,irq=3"));
	assert_true(has_pair(argv, "-device", "isa-debug-exit,iobase=0xf4,iosize=4"));
	for (const char *o = "-nodefaults\0-no-user-config\0-nographic\0-no-reboot\0"; *o;
	     o += strlen(o) + 1)
		assert_true(argv_find(argv, o, NULL) > 0);
	/* Nothing listens unless asked. */
	assert_int_equal(argv_find(argv, "-monitor", NULL), -1);
	assert_int_equal(argv_find(argv, "-gdb", NULL), -1);
	assert_int_equal(argv_find(argv, "-S", NULL), -1);
	/* The kernel comes last, as one argument whatever it contains. */
	size_t n = count(argv);
	assert_string_equal(argv[n - 2], "-kernel");
	assert_string_equal(argv[n - 1], "path/to app");
	qemu_argv_free(argv);
}

static void test_tcg(void **state)
{
	(void)state;
	struct settings s = defaults();
	s.cpus = 4;
	char **argv = qemu_argv(&s, false, "app", &fds);

	assert_string_equal(value(argv, "-accel"), "tcg,thread=multi");
	assert_string_equal(value(argv, "-cpu"), "max");
	assert_string_equal(value(argv, "-smp"), "4");
	qemu_argv_free(argv);
}

static void test_memory_sizes_agree(void **state)
{
	(void)state;
	struct settings s = defaults();

	s.mem_size = 6 * GIB;
	char **argv = qemu_argv(&s, true, "app", &fds);
	assert_string_equal(value(argv, "-m"), "6144M");
	assert_non_null(strstr(value(argv, "-object"), ",size=6144M,"));
	qemu_argv_free(argv);
	s.mem_size = 34 * MIB;
	argv = qemu_argv(&s, true, "app", &fds);
	assert_string_equal(value(argv, "-m"), "34M");
	assert_non_null(strstr(value(argv, "-object"), ",size=34M,"));
	qemu_argv_free(argv);
}

static void test_monitor_and_gdb_on_localhost(void **state)
{
	(void)state;
	struct settings s = defaults();

	s.monitor = true;
	s.debug_qemu = true;
	s.port = 20000;
	s.debug_port = 4321;
	char **argv = qemu_argv(&s, true, "app", &fds);
	assert_string_equal(value(argv, "-monitor"), "telnet:127.0.0.1:20001,server=on,wait=off");
	assert_string_equal(value(argv, "-gdb"), "tcp:127.0.0.1:4321");
	assert_true(argv_find(argv, "-S", NULL) > 0);
	size_t n = count(argv);
	assert_string_equal(argv[n - 2], "-kernel");
	qemu_argv_free(argv);

	s.port = 65534;
	s.debug_qemu = false;
	argv = qemu_argv(&s, true, "app", &fds);
	assert_string_equal(value(argv, "-monitor"), "telnet:127.0.0.1:65535,server=on,wait=off");
	assert_int_equal(argv_find(argv, "-S", NULL), -1);
	qemu_argv_free(argv);
}

/* A fake /dev/kvm (a regular file) and /sys/module in a temporary directory. */
static void test_network(void **state)
{
	(void)state;
	struct settings s = defaults();
	char **argv = qemu_argv(&s, false, "app", &fds);

	assert_true(has_pair(argv, "-netdev", "user,id=net0,net=10.0.5.0/24,host=10.0.5.1,restrict=on"));
	assert_true(has_pair(argv, "-device", "virtio-net-device,netdev=net0"));
	assert_true(has_pair(argv, "-global", "virtio-mmio.force-legacy=false"));
	assert_false(has_pair(argv, "-object", "filter-dump,id=dump0,netdev=net0,file=q.pcap"));
	qemu_argv_free(argv);

	s.app_port = 8080;
	s.qemu_pcap = "q.pcap";
	argv = qemu_argv(&s, false, "app", &fds);
	assert_true(has_pair(argv, "-netdev", "user,id=net0,net=10.0.5.0/24,host=10.0.5.1,restrict=off,"
				   "hostfwd=tcp:127.0.0.1:8080-10.0.5.2:8080,"
				   "hostfwd=udp:127.0.0.1:8080-10.0.5.2:8080"));
	assert_true(has_pair(argv, "-object", "filter-dump,id=dump0,netdev=net0,file=q.pcap"));
	qemu_argv_free(argv);

	strcpy(s.netif, "tap3"); /* the proxy opened it: QEMU gets the descriptor */
	struct qemu_fds with_tap = fds;
	with_tap.tap = 9;
	argv = qemu_argv(&s, false, "app", &with_tap);
	assert_true(has_pair(argv, "-netdev", "tap,id=net0,fd=9"));
	qemu_argv_free(argv);

	/* An RTL8139 sits on microvm's PCIe root complex, which needs ACPI. */
	s.nic = NIC_RTL8139;
	argv = qemu_argv(&s, false, "app", &fds);
	assert_string_equal(value(argv, "-M"), "microvm,x-option-roms=off,pit=off,pic=off,rtc=off,pcie=on");
	assert_true(has_pair(argv, "-device", "rtl8139,netdev=net0"));
	assert_int_equal(argv_find(argv, "-global", NULL), -1);
	qemu_argv_free(argv);
}

static void test_kvm_check(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_proxy_qemu.XXXXXX", dev[64], mods[64], mod[96], why[256];

	assert_non_null(mkdtemp(dir));
	snprintf(dev, sizeof(dev), "%s/kvm", dir);
	snprintf(mods, sizeof(mods), "%s/module", dir);
	assert_int_equal(mkdir(mods, 0700), 0);

	assert_false(kvm_check(dev, mods, why, sizeof(why)));
	char expect[128];
	snprintf(expect, sizeof(expect), "%s: No such file or directory", dev);
	assert_string_equal(why, expect);

	int fd = open(dev, O_RDWR | O_CREAT, 0600);
	close(fd);
	assert_true(kvm_check(dev, mods, why, sizeof(why)));
	snprintf(mod, sizeof(mod), "%s/kvm_pvm", mods);
	assert_int_equal(mkdir(mod, 0700), 0);
	assert_false(kvm_check(dev, mods, why, sizeof(why)));
	assert_string_equal(why, "this host's KVM is kvm-pvm, which runs only PVM-aware guest "
				 "kernels (HERMIT_KVM=0 uses TCG)");
	snprintf(mod, sizeof(mod), "%s/kvm_amd", mods);
	assert_int_equal(mkdir(mod, 0700), 0);
	assert_true(kvm_check(dev, mods, why, sizeof(why)));
	rmdir(mod);
	snprintf(mod, sizeof(mod), "%s/kvm_intel", mods);
	assert_int_equal(mkdir(mod, 0700), 0);
	assert_true(kvm_check(dev, mods, why, sizeof(why)));

	/* Read-only access is not enough (root opens it anyway, so only others can check). */
	chmod(dev, 0400);
	if (geteuid() != 0)
		assert_false(kvm_check(dev, mods, why, sizeof(why)));
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvm_default),
		cmocka_unit_test(test_tcg),
		cmocka_unit_test(test_memory_sizes_agree),
		cmocka_unit_test(test_monitor_and_gdb_on_localhost),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_kvm_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
