/* Unit tests of the capture's per-frame comment (proxy/capture.c): what the kernel recorded of a
 * frame (task, CPU, socket) in the words tshark shows and gdb/hermit/pcap.py repeats; guest text
 * that is not printable is never copied out as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proxy.h"

static struct hermit_capture_record tcp_record(unsigned direction)
{
	struct hermit_capture_record r = {
		.direction = (uint16_t)direction, .cpu = 1, .proto = 6, .task = 5, .fd = 4, .family = 4,
		.local_port = 7777, .remote_port = 40000,
		.local_addr = { 10, 0, 5, 2 }, .remote_addr = { 10, 0, 5, 1 },
	};
	memcpy(r.task_name, "main", 5);
	return r;
}

static void test_sent_and_received_frames_of_a_socket(void **state)
{
	(void)state;
	char c[256];
	struct hermit_capture_record r = tcp_record(HERMIT_CAPTURE_OUT);
	capture_comment(&r, c, sizeof(c));
	assert_string_equal(c, "sent by task 5 (main) on CPU 1, socket 4: TCP 10.0.5.2:7777 > 10.0.5.1:40000");
	r = tcp_record(HERMIT_CAPTURE_IN);
	r.proto = 17;
	capture_comment(&r, c, sizeof(c));
	assert_string_equal(c, "received for task 5 (main) on CPU 1, socket 4: UDP 10.0.5.2:7777 < 10.0.5.1:40000");
}

static void test_ipv6_endpoints_are_bracketed(void **state)
{
	(void)state;
	char c[256];
	struct hermit_capture_record r = tcp_record(HERMIT_CAPTURE_OUT);
	static const uint8_t local[16] = { 0xfe, 0x80, [8] = 0x50, 0x54, 0, 0xff, 0xfe, 0x12, 0x34, 0x56 };
	static const uint8_t remote[16] = { 0xfe, 0xc0, [15] = 2 };
	r.family = 6;
	memcpy(r.local_addr, local, 16);
	memcpy(r.remote_addr, remote, 16);
	capture_comment(&r, c, sizeof(c));
	assert_string_equal(c, "sent by task 5 (main) on CPU 1, socket 4: TCP [fe80::5054:ff:fe12:3456]:7777 > [fec0::2]:40000");
}

static void test_no_socket_no_task(void **state)
{
	(void)state;
	char c[256] = "";
	struct hermit_capture_record r = tcp_record(HERMIT_CAPTURE_IN);
	r.proto = 0;
	r.fd = -1;
	memcpy(r.task_name, "virtio-net", 11);
	capture_comment(&r, c, sizeof(c));
	assert_string_equal(c, "received by task 5 (virtio-net) on CPU 1");
	r.family = 9; /* a socket the kernel could not have recorded: no socket part */
	r.proto = 6;
	r.fd = 3;
	capture_comment(&r, c, sizeof(c));
	assert_string_equal(c, "received by task 5 (virtio-net) on CPU 1");
	r.task = 0; /* HERMIT_CAPTURE_COMMENTS=0 */
	assert_int_equal(capture_comment(&r, c, sizeof(c)), 0);
}

static void test_guest_names_are_bounded_and_printable(void **state)
{
	(void)state;
	char c[256];
	struct hermit_capture_record r = tcp_record(HERMIT_CAPTURE_OUT);
	r.proto = 0;
	memset(r.task_name, 'x', sizeof(r.task_name)); /* no NUL */
	r.task_name[2] = '\n';
	r.task_name[3] = (char)0xc3;
	capture_comment(&r, c, sizeof(c));
	assert_string_equal(c, "sent by task 5 (xx??xxxxxxxxxxxx) on CPU 1");
	char small[12];
	assert_true(capture_comment(&r, small, sizeof(small)) >= sizeof(small));
	assert_string_equal(small, "sent by tas");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sent_and_received_frames_of_a_socket),
		cmocka_unit_test(test_ipv6_endpoints_are_bracketed),
		cmocka_unit_test(test_no_socket_no_task),
		cmocka_unit_test(test_guest_names_are_bounded_and_printable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
