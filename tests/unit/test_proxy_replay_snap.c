/* Unit tests of replay_snap.c's policy: when a replay under gdb takes a snapshot (each period of
 * forward replay over new ground), how the period follows what a snapshot costs, and which go
 * when the snapshots kept fill up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "proxy.h"

/* Looks every 100 ms as the replay runs forward by 1000 instructions: how many looks until the
 * policy asks for a snapshot. */
static unsigned looks_until_snapshot(struct snap_policy *p, uint64_t *icount)
{
	for (unsigned looks = 1; looks < 10000; looks++) {
		*icount += 1000;
		if (snap_policy_tick(p, *icount, 100, true))
			return looks;
	}
	return 0;
}

static void test_a_snapshot_each_period_of_forward_replay(void **state)
{
	(void)state;
	struct snap_policy p;
	uint64_t icount = 500;
	unsigned drop[SNAP_KEEP_MAX];

	snap_policy_init(&p);
	/* The first look only says where the replay starts (gdb may have taken a while). */
	assert_false(snap_policy_tick(&p, icount, 60000, true));
	assert_int_equal(looks_until_snapshot(&p, &icount), SNAP_PERIOD_MS / 100);
	assert_int_equal(snap_policy_taken(&p, 1, 10, drop), 0);
	assert_int_equal(looks_until_snapshot(&p, &icount), SNAP_PERIOD_MS / 100);
}

static void test_no_snapshot_while_stopped_or_going_over_old_ground(void **state)
{
	(void)state;
	struct snap_policy p;

	snap_policy_init(&p);
	assert_false(snap_policy_tick(&p, 1000, 0, true));
	assert_false(snap_policy_tick(&p, 5000, SNAP_PERIOD_MS - 1, true));
	/* gdb stopped it, however long */
	assert_false(snap_policy_tick(&p, 5000, 100 * SNAP_PERIOD_MS, false));
	/* a reverse command replays from an older snapshot up to where it was */
	assert_false(snap_policy_tick(&p, 2000, SNAP_PERIOD_MS, true));
	assert_false(snap_policy_tick(&p, 4999, SNAP_PERIOD_MS, true));
	/* new ground again */
	assert_true(snap_policy_tick(&p, 5001, 1, true));
}

/* QEMU reports a new count only at its next recorded event: running at the furthest count seen
 * is going forward all the same. */
static void test_a_count_that_stands_still_while_running_is_forward_time(void **state)
{
	(void)state;
	struct snap_policy p;
	unsigned looks = 0;

	snap_policy_init(&p);
	snap_policy_tick(&p, 1000, 0, true);
	while (!snap_policy_tick(&p, 1000, 100, true) && looks < 1000)
		looks++;
	assert_int_equal(looks + 1, SNAP_PERIOD_MS / 100);
}

static void test_the_period_is_a_multiple_of_what_a_snapshot_took(void **state)
{
	(void)state;
	struct snap_policy p;
	uint64_t icount = 1;
	unsigned drop[SNAP_KEEP_MAX];
	int64_t slow = SNAP_PERIOD_MS; /* a snapshot as long as the period */

	snap_policy_init(&p);
	snap_policy_tick(&p, icount, 0, true);
	looks_until_snapshot(&p, &icount);
	snap_policy_taken(&p, 1, slow, drop);
	assert_int_equal(p.period_ms, slow * SNAP_COST_SHARE);
	assert_int_equal(looks_until_snapshot(&p, &icount), slow * SNAP_COST_SHARE / 100);
	/* one slow snapshot (a busy host) does not stretch the ones after a quick one */
	snap_policy_taken(&p, 2, 1, drop);
	assert_int_equal(p.period_ms, SNAP_PERIOD_MS);
}

static void test_when_full_every_other_goes_and_the_period_doubles(void **state)
{
	(void)state;
	struct snap_policy p;
	unsigned drop[SNAP_KEEP_MAX], n = 0;

	snap_policy_init(&p);
	for (unsigned name = 1; name < SNAP_KEEP_MAX; name++)
		assert_int_equal(snap_policy_taken(&p, name, 1, drop), 0);
	n = snap_policy_taken(&p, SNAP_KEEP_MAX, 1, drop);
	assert_int_equal(n, SNAP_KEEP_MAX / 2);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(drop[i], 2 * i + 1); /* 1, 3, 5 ... */
	assert_int_equal(p.kept, SNAP_KEEP_MAX / 2);
	assert_int_equal(p.names[p.kept - 1], SNAP_KEEP_MAX); /* the newest stays */
	assert_int_equal(p.period_ms, 2 * SNAP_PERIOD_MS);
	/* and the next round thins the survivors the same way */
	for (unsigned name = SNAP_KEEP_MAX + 1; p.kept < SNAP_KEEP_MAX - 1; name++)
		assert_int_equal(snap_policy_taken(&p, name, 1, drop), 0);
	assert_int_equal(snap_policy_taken(&p, 99, 1, drop), SNAP_KEEP_MAX / 2);
	assert_int_equal(drop[0], 2);
	assert_int_equal(p.period_ms, 4 * SNAP_PERIOD_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_snapshot_each_period_of_forward_replay),
		cmocka_unit_test(test_no_snapshot_while_stopped_or_going_over_old_ground),
		cmocka_unit_test(test_a_count_that_stands_still_while_running_is_forward_time),
		cmocka_unit_test(test_the_period_is_a_multiple_of_what_a_snapshot_took),
		cmocka_unit_test(test_when_full_every_other_goes_and_the_period_doubles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
