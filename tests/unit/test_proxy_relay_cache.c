/*
 * Unit tests of proxy/relay_cache.c: which of the stub's replies the relay keeps, for which
 * thread, and when they go (a resume, a stop, a packet that may change the target, a new guest).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "relay.h"

static struct relay_fast f;

static int fresh(void **state)
{
	(void)state;
	relay_cache_clear(&f, true);
	memset(&f, 0, sizeof(f));
	return 0;
}

/* gdb asks p, the stub answers reply. */
static void exchange(const char *p, const char *reply)
{
	relay_cache_asking(&f, p, strlen(p));
	relay_cache_answered(&f, reply, strlen(reply));
}

static const char *cached(const char *p)
{
	static char text[256];
	const struct relay_cached *c = relay_cache_find(&f, p, strlen(p));

	if (!c)
		return NULL;
	memcpy(text, c->reply, c->reply_len);
	text[c->reply_len] = '\0';
	return text;
}

static void test_registers_are_kept_per_thread(void **state)
{
	(void)state;
	exchange("g", "0011");
	assert_string_equal(cached("g"), "0011");
	exchange("Hg3", "OK");
	assert_null(cached("g")); /* another thread's */
	exchange("g", "2233");
	exchange("p10", "44");
	assert_string_equal(cached("g"), "2233");
	assert_string_equal(cached("p10"), "44");
	exchange("Hg7", "E03"); /* refused: the stub kept thread 3 */
	assert_string_equal(cached("g"), "2233");
	exchange("Hg0", "OK");
	assert_string_equal(f.hg, "0");
}

static void test_errors_and_partial_thread_lists_are_not_kept(void **state)
{
	(void)state;
	exchange("qThreadExtraInfo,5", "E03");
	assert_null(cached("qThreadExtraInfo,5"));
	exchange("qXfer:threads:read::0,1000", "m<threads><thread id=\"1\"/>");
	assert_null(cached("qXfer:threads:read::0,1000"));
	exchange("qXfer:threads:read::0,1000", "l<threads/>");
	assert_string_equal(cached("qXfer:threads:read::0,1000"), "l<threads/>");
	exchange("qXfer:threads:read::1a,1000", "l");
	assert_null(cached("qXfer:threads:read::1a,1000")); /* a later piece: the stub's snapshot */
	exchange("m1000,4", "00000000");
	assert_null(cached("m1000,4")); /* memory is never kept: relay_fast.c reads it afresh */
}

static void test_a_change_drops_the_stops_replies_not_the_guests(void **state)
{
	(void)state;
	exchange("qXfer:features:read:target.xml:0,ffb", "l<target/>");
	exchange("vCont?", "vCont;c;s");
	exchange("g", "0011");
	exchange("qC", "QC2");
	exchange("m1000,4", "00000000"); /* a read changes nothing */
	exchange("qfThreadInfo", "m1,2");
	exchange("Hc-1", "OK");
	assert_string_equal(cached("g"), "0011");
	exchange("M1000,1:00", "OK"); /* a write may change anything */
	assert_null(cached("g"));
	assert_null(cached("qC"));
	assert_string_equal(cached("qXfer:features:read:target.xml:0,ffb"), "l<target/>");
	assert_string_equal(cached("vCont?"), "vCont;c;s");
	exchange("g", "0011");
	exchange("qRcmd,7461736b73", "OK"); /* a monitor command too */
	assert_null(cached("g"));
	exchange("g", "0011");
	exchange("Z0,201000,1", "OK");
	assert_null(cached("g"));
	relay_cache_clear(&f, true); /* a new guest */
	assert_null(cached("vCont?"));
}

static void test_a_full_cache_only_stops_keeping(void **state)
{
	char p[32], reply[32];

	(void)state;
	for (int i = 0; i < RELAY_CACHE_MAX + 5; i++) {
		snprintf(p, sizeof(p), "p%x", i);
		snprintf(reply, sizeof(reply), "%02x", i);
		exchange(p, reply);
	}
	assert_int_equal(f.ncached, RELAY_CACHE_MAX);
	assert_string_equal(cached("p0"), "00");
	assert_null(cached("p24"));
	exchange("M0,1:00", "OK");
	assert_int_equal(f.ncached, 0);
}

static void test_long_packets_are_not_kept(void **state)
{
	char p[RELAY_ASKED_MAX + 8];

	(void)state;
	memset(p, 'a', sizeof(p) - 1);
	memcpy(p, "qThreadExtraInfo,", 17);
	p[sizeof(p) - 1] = '\0';
	exchange(p, "6869");
	assert_null(cached(p));
	exchange("Hg123456789012345678901234567890", "OK"); /* a thread id longer than hg holds */
	assert_string_equal(f.hg, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_registers_are_kept_per_thread, fresh),
		cmocka_unit_test_setup(test_errors_and_partial_thread_lists_are_not_kept, fresh),
		cmocka_unit_test_setup(test_a_change_drops_the_stops_replies_not_the_guests, fresh),
		cmocka_unit_test_setup(test_a_full_cache_only_stops_keeping, fresh),
		cmocka_unit_test_setup(test_long_packets_are_not_kept, fresh),
	};

	return cmocka_run_group_tests(tests, NULL, fresh);
}
