/* Unit tests of proxy/settings.c: the HERMIT_* environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proxy.h"

struct parsed {
	int rc;
	struct settings s;
	char err[256];
};

/* Parses an environment of up to 8 "NAME=value" strings (NULL-ended list of arguments). */
static struct parsed parse(const char *first, ...)
{
	char *envp[9] = { 0 };
	struct parsed p;
	va_list ap;
	int n = 0;

	va_start(ap, first);
	for (const char *e = first; e && n < 8; e = va_arg(ap, const char *))
		envp[n++] = (char *)e;
	va_end(ap);
	memset(&p, 0, sizeof(p));
	p.rc = settings_parse(&p.s, envp, p.err, sizeof(p.err));
	return p;
}

static void expect_error(struct parsed p, const char *msg)
{
	assert_int_equal(p.rc, -1);
	assert_string_equal(p.err, msg);
}

static void test_defaults(void **state)
{
	(void)state;
	struct parsed p = parse("PATH=/bin", "HOME=/root", NULL);

	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.kvm, KVM_AUTO);
	assert_int_equal(p.s.mem_size, 2ULL << 30);
	assert_int_equal(p.s.cpus, 1);
	assert_false(p.s.verbose);
	assert_false(p.s.monitor);
	assert_false(p.s.debug);
	assert_int_equal(p.s.port, 18766);
	assert_int_equal(p.s.debug_port, 1234);
}

static void test_null_environment(void **state)
{
	(void)state;
	struct settings s;
	char err[64];

	assert_int_equal(settings_parse(&s, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.mem_size, SETTINGS_MEM_DEFAULT);
}

static void test_empty_value_is_unset(void **state)
{
	(void)state;
	struct parsed p = parse("HERMIT_MEM=", "HERMIT_ISLE=", "HERMIT_CPUS=", "HERMIT_KVM=",
				"HERMIT_PORT=", NULL);

	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.mem_size, SETTINGS_MEM_DEFAULT);
	assert_int_equal(p.s.kvm, KVM_AUTO);
	assert_int_equal(p.s.port, SETTINGS_PORT_DEFAULT);
}

static void test_size_parser(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int rc;
		uint64_t bytes;
	} cases[] = {
		{ "512M", 0, 512ULL << 20 },
		{ "512m", 0, 512ULL << 20 },
		{ "2G", 0, 2ULL << 30 },
		{ "2g", 0, 2ULL << 30 },
		{ "64K", 0, 64ULL << 10 },
		{ "64k", 0, 64ULL << 10 },
		{ "1048576", 0, 1048576 },
		{ "007M", 0, 7ULL << 20 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "17179869183G", 0, 17179869183ULL << 30 },
		{ "18446744073709551616", -1, 0 },
		{ "99999999999999999999", -1, 0 },
		{ "17179869184G", -1, 0 }, /* 2^64: one too many */
		{ "17592186044416M", -1, 0 },
		{ "0", -1, 0 },
		{ "0G", -1, 0 },
		{ "", -1, 0 },
		{ "G", -1, 0 },
		{ "lots", -1, 0 },
		{ "2GB", -1, 0 },
		{ "2T", -1, 0 },
		{ "2 G", -1, 0 },
		{ " 2G", -1, 0 },
		{ "2G ", -1, 0 },
		{ "-2G", -1, 0 },
		{ "+2G", -1, 0 },
		{ "0x100000", -1, 0 },
		{ "1.5G", -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t bytes = 12345;
		int rc = settings_parse_size(cases[i].text, &bytes);
		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d, expected %d", cases[i].text, rc, cases[i].rc);
		if (rc == 0 && bytes != cases[i].bytes)
			fail_msg("\"%s\": %llu bytes", cases[i].text, (unsigned long long)bytes);
		if (rc != 0 && bytes != 12345)
			fail_msg("\"%s\": output written on failure", cases[i].text);
	}
}

static void test_mem(void **state)
{
	(void)state;
	struct parsed p = parse("HERMIT_MEM=512M", NULL);

	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.mem_size, 512ULL << 20);
	p = parse("HERMIT_MEM=32M", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.mem_size, 32ULL << 20);
	p = parse("HERMIT_MEM=6g", NULL);
	assert_int_equal(p.s.mem_size, 6ULL << 30);
	/* Rounded up to whole 2 MiB so that QEMU's -m and the backend agree. */
	p = parse("HERMIT_MEM=100000000", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.mem_size, 48ULL << 21);
	p = parse("HERMIT_MEM=33555000", NULL);
	assert_int_equal(p.s.mem_size, 34ULL << 20);
}

static void test_mem_errors(void **state)
{
	(void)state;
	expect_error(parse("HERMIT_MEM=lots", NULL),
		     "hermit: HERMIT_MEM=lots: expected a size such as 512M or 2G");
	expect_error(parse("HERMIT_MEM=0", NULL),
		     "hermit: HERMIT_MEM=0: expected a size such as 512M or 2G");
	expect_error(parse("HERMIT_MEM=99999999999999999999G", NULL),
		     "hermit: HERMIT_MEM=99999999999999999999G: expected a size such as 512M or 2G");
	expect_error(parse("HERMIT_MEM=16M", NULL), "hermit: HERMIT_MEM=16M: at least 32M is needed");
	expect_error(parse("HERMIT_MEM=33554431", NULL),
		     "hermit: HERMIT_MEM=33554431: at least 32M is needed");
	expect_error(parse("HERMIT_MEM=1025G", NULL),
		     "hermit: HERMIT_MEM=1025G: at most 1024G is supported");
}

static void test_cpus(void **state)
{
	(void)state;
	struct parsed p = parse("HERMIT_CPUS=1", NULL);

	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.cpus, 1);
	p = parse("HERMIT_CPUS=4", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.cpus, 4);
	p = parse("HERMIT_CPUS=16", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.cpus, 16);
	expect_error(parse("HERMIT_CPUS=0", NULL),
		     "hermit: HERMIT_CPUS=0: expected a number of CPUs such as 1");
	expect_error(parse("HERMIT_CPUS=one", NULL),
		     "hermit: HERMIT_CPUS=one: expected a number of CPUs such as 1");
	expect_error(parse("HERMIT_CPUS=-1", NULL),
		     "hermit: HERMIT_CPUS=-1: expected a number of CPUs such as 1");
	expect_error(parse("HERMIT_CPUS=17", NULL),
		     "hermit: HERMIT_CPUS=17: at most 16 CPUs are supported");
	expect_error(parse("HERMIT_CPUS=99999999999999999999", NULL),
		     "hermit: HERMIT_CPUS=99999999999999999999: expected a number of CPUs such as 1");
}

static void test_isle(void **state)
{
	(void)state;
	assert_int_equal(parse("HERMIT_ISLE=qemu", NULL).rc, 0);
	expect_error(parse("HERMIT_ISLE=uhyve", NULL),
		     "hermit: HERMIT_ISLE=uhyve: the uhyve isle is not available yet");
	expect_error(parse("HERMIT_ISLE=xen", NULL), "hermit: HERMIT_ISLE=xen: expected qemu");
	expect_error(parse("HERMIT_ISLE=QEMU", NULL), "hermit: HERMIT_ISLE=QEMU: expected qemu");
}

static void test_kvm(void **state)
{
	(void)state;
	assert_int_equal(parse("HERMIT_KVM=0", NULL).s.kvm, KVM_OFF);
	assert_int_equal(parse("HERMIT_KVM=1", NULL).s.kvm, KVM_ON);
	expect_error(parse("HERMIT_KVM=yes", NULL), "hermit: HERMIT_KVM=yes: expected 0 or 1");
	expect_error(parse("HERMIT_KVM=2", NULL), "hermit: HERMIT_KVM=2: expected 0 or 1");
}

static void test_flags(void **state)
{
	(void)state;
	struct parsed p = parse("HERMIT_VERBOSE=1", "HERMIT_MONITOR=1", "HERMIT_DEBUG=1", NULL);

	assert_int_equal(p.rc, 0);
	assert_true(p.s.verbose);
	assert_true(p.s.monitor);
	assert_true(p.s.debug);
	p = parse("HERMIT_VERBOSE=0", "HERMIT_MONITOR=0", "HERMIT_DEBUG=0", NULL);
	assert_int_equal(p.rc, 0);
	assert_false(p.s.verbose || p.s.monitor || p.s.debug);
	expect_error(parse("HERMIT_VERBOSE=true", NULL),
		     "hermit: HERMIT_VERBOSE=true: expected 0 or 1");
	expect_error(parse("HERMIT_MONITOR=on", NULL), "hermit: HERMIT_MONITOR=on: expected 0 or 1");
	expect_error(parse("HERMIT_DEBUG=11", NULL), "hermit: HERMIT_DEBUG=11: expected 0 or 1");
}

static void test_ports(void **state)
{
	(void)state;
	struct parsed p = parse("HERMIT_PORT=65534", "HERMIT_DEBUG_PORT=65535", NULL);

	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.port, 65534);
	assert_int_equal(p.s.debug_port, 65535);
	p = parse("HERMIT_PORT=1", "HERMIT_DEBUG_PORT=1", NULL);
	assert_int_equal(p.s.port, 1);
	assert_int_equal(p.s.debug_port, 1);
	expect_error(parse("HERMIT_PORT=65535", NULL),
		     "hermit: HERMIT_PORT=65535: expected a port from 1 to 65534");
	expect_error(parse("HERMIT_PORT=0", NULL),
		     "hermit: HERMIT_PORT=0: expected a port from 1 to 65534");
	expect_error(parse("HERMIT_PORT=80x", NULL),
		     "hermit: HERMIT_PORT=80x: expected a port from 1 to 65534");
	expect_error(parse("HERMIT_PORT=4294967377", NULL), /* 2^32 + 81 must not wrap to 81 */
		     "hermit: HERMIT_PORT=4294967377: expected a port from 1 to 65534");
	expect_error(parse("HERMIT_DEBUG_PORT=65536", NULL),
		     "hermit: HERMIT_DEBUG_PORT=65536: expected a port from 1 to 65535");
	expect_error(parse("HERMIT_DEBUG_PORT=0", NULL),
		     "hermit: HERMIT_DEBUG_PORT=0: expected a port from 1 to 65535");
}

/* The original's network settings and their defaults; addresses in network byte order. */
static void test_network(void **state)
{
	(void)state;
	struct parsed p = parse("PATH=/bin", NULL);

	assert_int_equal(p.rc, 0);
	assert_memory_equal(&p.s.ip, "\x0a\x00\x05\x02", 4);
	assert_memory_equal(&p.s.gateway, "\x0a\x00\x05\x01", 4);
	assert_memory_equal(&p.s.mask, "\xff\xff\xff\x00", 4);
	assert_string_equal(p.s.netif, "");
	assert_int_equal(p.s.app_port, 0);
	assert_false(p.s.capture_net);
	assert_null(p.s.capture_live);
	assert_false(p.s.capture_pcap);
	assert_false(p.s.capture_bare);
	assert_null(p.s.trace_dir);
	assert_null(p.s.qemu_pcap);

	p = parse("HERMIT_IP=192.168.7.9", "HERMIT_GATEWAY=192.168.0.1", "HERMIT_MASK=255.255.0.0",
		  "HERMIT_NETIF=tap0", "HERMIT_APP_PORT=8080", "HERMIT_CAPTURE_NET=1",
		  "HERMIT_TRACE_DIR=/tmp/t", NULL);
	assert_int_equal(p.rc, 0);
	assert_memory_equal(&p.s.ip, "\xc0\xa8\x07\x09", 4);
	assert_memory_equal(&p.s.mask, "\xff\xff\x00\x00", 4);
	assert_string_equal(p.s.netif, "tap0");
	assert_int_equal(p.s.app_port, 8080);
	assert_true(p.s.capture_net);
	assert_string_equal(p.s.trace_dir, "/tmp/t");

	p = parse("HERMIT_CAPTURE_NET=live:/tmp/fifo", "HERMIT_CAPTURE_FORMAT=pcap", "HERMIT_CAPTURE_COMMENTS=0", NULL);
	assert_int_equal(p.rc, 0);
	assert_true(p.s.capture_net);
	assert_string_equal(p.s.capture_live, "/tmp/fifo");
	assert_true(p.s.capture_pcap);
	assert_true(p.s.capture_bare);
}

static void test_network_errors(void **state)
{
	(void)state;
	expect_error(parse("HERMIT_IP=10.0.5", NULL),
		     "hermit: HERMIT_IP=10.0.5: expected an IPv4 address such as 10.0.5.2");
	expect_error(parse("HERMIT_GATEWAY=gw", NULL),
		     "hermit: HERMIT_GATEWAY=gw: expected an IPv4 address such as 10.0.5.1");
	expect_error(parse("HERMIT_MASK=255.0.255.0", NULL),
		     "hermit: HERMIT_MASK=255.0.255.0: expected a netmask such as 255.255.255.0");
	expect_error(parse("HERMIT_GATEWAY=10.0.6.1", NULL),
		     "hermit: HERMIT_IP and HERMIT_GATEWAY are not in one network (HERMIT_MASK)");
	expect_error(parse("HERMIT_NETIF=tap0;rm", NULL),
		     "hermit: HERMIT_NETIF=tap0;rm: expected a network interface name such as tap0");
	expect_error(parse("HERMIT_APP_PORT=70000", NULL),
		     "hermit: HERMIT_APP_PORT=70000: expected a port from 1 to 65535");
	expect_error(parse("HERMIT_CAPTURE_NET=yes", NULL),
		     "hermit: HERMIT_CAPTURE_NET=yes: expected 0, 1 or live:PATH");
	expect_error(parse("HERMIT_CAPTURE_NET=live:", NULL),
		     "hermit: HERMIT_CAPTURE_NET=live:: expected live:PATH (a FIFO or a file)");
	expect_error(parse("HERMIT_CAPTURE_FORMAT=erf", NULL),
		     "hermit: HERMIT_CAPTURE_FORMAT=erf: expected pcapng or pcap");
	expect_error(parse("HERMIT_CAPTURE_COMMENTS=yes", NULL),
		     "hermit: HERMIT_CAPTURE_COMMENTS=yes: expected 0 or 1");
	expect_error(parse("HERMIT_NIC=e1000", NULL), "hermit: HERMIT_NIC=e1000: expected virtio or rtl8139");
	assert_int_equal(parse("HERMIT_NIC=rtl8139", NULL).s.nic, NIC_RTL8139);
	assert_int_equal(parse("HERMIT_NIC=virtio", NULL).s.nic, NIC_VIRTIO);
}

static void test_postmortem_settings(void **state)
{
	struct parsed p;

	(void)state;
	p = parse(NULL);
	assert_null(p.s.trace);
	assert_int_equal(p.s.timeout, 0);
	assert_false(p.s.bundle_always);
	p = parse("HERMIT_TRACE=sched_*,-sched_wakeup", "HERMIT_TIMEOUT=30", "HERMIT_BUNDLE=1", NULL);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.s.trace, "sched_*,-sched_wakeup");
	assert_int_equal(p.s.timeout, 30);
	assert_true(p.s.bundle_always);
	expect_error(parse("HERMIT_TRACE=nosuch_*", NULL),
		     "hermit: HERMIT_TRACE=nosuch_*: nosuch_* matches no event (traces/formats/events.md)");
	expect_error(parse("HERMIT_TIMEOUT=0", NULL), "hermit: HERMIT_TIMEOUT=0: expected a number of seconds");
	expect_error(parse("HERMIT_TIMEOUT=5s", NULL), "hermit: HERMIT_TIMEOUT=5s: expected a number of seconds");
	expect_error(parse("HERMIT_BUNDLE=2", NULL), "hermit: HERMIT_BUNDLE=2: expected 0 or 1");
}

static void test_replay_stall(void **state)
{
	struct parsed p;

	(void)state;
	p = parse("HERMIT_REPLAY=/r", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.replay_stall, WATCH_STALL_S_DEFAULT);
	p = parse("HERMIT_REPLAY=/r", "HERMIT_REPLAY_STALL=0", NULL);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.replay_stall, 0);
	p = parse("HERMIT_REPLAY=/r", "HERMIT_REPLAY_STALL=60", NULL);
	assert_int_equal(p.s.replay_stall, 60);
	expect_error(parse("HERMIT_REPLAY=/r", "HERMIT_REPLAY_STALL=5s", NULL),
		     "hermit: HERMIT_REPLAY_STALL=5s: expected a number of seconds (0: never)");
	expect_error(parse("HERMIT_REPLAY=/r", "HERMIT_REPLAY_STALL=99999999", NULL),
		     "hermit: HERMIT_REPLAY_STALL=99999999: expected a number of seconds (0: never)");
}

static void test_names_are_exact(void **state)
{
	(void)state;
	/* Longer names sharing a prefix, and names without '=', must not be taken. */
	struct parsed p = parse("HERMIT_MEMORY=lots", "HERMIT_DEBUG_PORT=4321", "HERMIT_CPUS",
				"XHERMIT_MEM=lots", NULL);

	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.mem_size, SETTINGS_MEM_DEFAULT);
	assert_false(p.s.debug);
	assert_int_equal(p.s.debug_port, 4321);
	assert_int_equal(p.s.cpus, 1);
}

static void test_first_definition_wins(void **state)
{
	(void)state;
	struct parsed p = parse("HERMIT_MEM=64M", "HERMIT_MEM=lots", NULL);

	assert_int_equal(p.rc, 0);
	assert_int_equal(p.s.mem_size, 64ULL << 20);
}

static void test_root(void **state)
{
	(void)state;
	struct parsed p = parse("HERMIT_ROOT=/tmp", NULL);
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.s.root, "/tmp");
	assert_null(parse(NULL).s.root);
	assert_null(parse("HERMIT_ROOT=", NULL).s.root);
	expect_error(parse("HERMIT_ROOT=/nonexistent/dir", NULL),
		     "hermit: HERMIT_ROOT=/nonexistent/dir: No such file or directory");
	expect_error(parse("HERMIT_ROOT=/dev/null", NULL), "hermit: HERMIT_ROOT=/dev/null: not a directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_null_environment),
		cmocka_unit_test(test_empty_value_is_unset),
		cmocka_unit_test(test_size_parser),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_mem_errors),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_isle),
		cmocka_unit_test(test_kvm),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_network_errors),
		cmocka_unit_test(test_postmortem_settings),
		cmocka_unit_test(test_replay_stall),
		cmocka_unit_test(test_names_are_exact),
		cmocka_unit_test(test_first_definition_wins),
		cmocka_unit_test(test_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
