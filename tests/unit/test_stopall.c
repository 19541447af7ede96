/* Unit tests of kernel/debug/stopall.c, the gdb stub's stop-all, with host threads as CPUs: an
 * "NMI" sets a flag the target thread polls, as a CPU's NMI handler would run. The cases the
 * guest meets only by chance (two CPUs stopping at the same moment) happen here every time. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "debug/debug_internal.h"
#include "host_cpus.h"
#include "kernel/clock.h"
#include "kernel/ipi.h"
#include "kernel/smp.h"

#define NCPUS 3

static int nmi_pending[NCPUS];
static int deaf[NCPUS];        /* a CPU that never takes its NMI */
static int drloads[NCPUS];     /* debugregs_load() per CPU: gdb's watchpoints reach each one */
void ipi_handle_calls(void) {}
void ipi_wake(unsigned cpu) { (void)cpu; }
/* A parked CPU halts until woken; here it polls its condition. */
void ipi_sleep(bool (*done)(void *), void *arg)
{
	while (!done(arg))
		sched_yield();
}
void debugregs_load(void) { __atomic_add_fetch(&drloads[this_cpu], 1, __ATOMIC_SEQ_CST); }

void arch_ipi_send(unsigned cpu, enum ipi_kind kind)
{
	if (kind == IPI_NMI)
		__atomic_store_n(&nmi_pending[cpu], 1, __ATOMIC_SEQ_CST);
}

static struct trap_frame frames[NCPUS];
static int leave_cpu[NCPUS]; /* its thread ends (another thread plays that CPU next) */

static bool all_run(unsigned c) { (void)c; return true; }

/* A CPU running a task: it takes its NMIs (parking once out of the handler, as nmi_divert
 * arranges) until told to quit. */
static void run_task(void)
{
	while (!__atomic_load_n(&host_cpus_quit, __ATOMIC_SEQ_CST) && !__atomic_load_n(&leave_cpu[this_cpu], __ATOMIC_SEQ_CST)) {
		if (!deaf[this_cpu] && __atomic_exchange_n(&nmi_pending[this_cpu], 0, __ATOMIC_SEQ_CST) &&
		    stopall_nmi_wanted(this_cpu))
			stopall_park(this_cpu, &frames[this_cpu], NULL);
		sched_yield();
	}
}

/* A CPU that stops (a breakpoint) while another may hold the stub. */
static struct gdb_stop events[NCPUS];
static int took[NCPUS]; /* stopall_take()'s answer + 1, 0 while it has not returned */

static void stop_then_run(void)
{
	stopall_enter(this_cpu, &frames[this_cpu]);
	bool holder = stopall_take(this_cpu, &events[this_cpu]);
	__atomic_store_n(&took[this_cpu], holder + 1, __ATOMIC_SEQ_CST);
	if (holder) { /* it was its own stop: report nothing here, just let everything go */
		stopall_stop_others(this_cpu);
		stopall_resume(this_cpu, all_run);
	}
	stopall_leave(this_cpu);
	run_task();
}

static struct cpu_thread threads[NCPUS];

static void start_cpu(unsigned i, void (*work)(void))
{
	host_cpu_start(&threads[i], i, work);
}

static void stop_cpus(void)
{
	host_cpus_stop(threads, 1, NCPUS - 1);
}

static int reset(void **state)
{
	(void)state;
	host_cpus_quit = 0;
	memset(nmi_pending, 0, sizeof(nmi_pending));
	memset(deaf, 0, sizeof(deaf));
	memset(drloads, 0, sizeof(drloads));
	memset(took, 0, sizeof(took));
	memset(leave_cpu, 0, sizeof(leave_cpu));
	memset(events, 0, sizeof(events));
	this_cpu = 0;
	return 0;
}

static bool only_cpu1(unsigned c) { return c == 1; }

static enum stopall_fate report_all(unsigned c, const struct gdb_stop *e)
{
	(void)c;
	(void)e;
	return STOPALL_REPORT;
}

static enum stopall_fate keep_all(unsigned c, const struct gdb_stop *e)
{
	(void)c;
	(void)e;
	return STOPALL_KEEP;
}

static enum stopall_fate drop_all(unsigned c, const struct gdb_stop *e)
{
	(void)c;
	(void)e;
	return STOPALL_DROP;
}

static void wait_parked(unsigned c)
{
	while (!stopall_parked(c))
		sched_yield();
}

/* CPU 0 stops: the others park with their live frames, and run again once released. */
static void test_stop_parks_every_other_cpu_with_its_frame(void **state)
{
	struct gdb_stop stop = { .reason = GDB_STOP_SIGNAL, .signal = GDB_SIGINT, .tid = 1 };
	(void)state;
	start_cpu(1, run_task);
	start_cpu(2, run_task);
	stopall_enter(0, &frames[0]);
	assert_true(stopall_take(0, &stop));
	stopall_stop_others(0);
	for (unsigned c = 1; c < NCPUS; c++) {
		assert_true(stopall_parked(c));
		assert_false(stopall_stuck(c));
		assert_ptr_equal(stopall_frame(c), &frames[c]);
	}
	assert_false(stopall_next_event(0, report_all, &stop)); /* nobody else stopped */
	stopall_resume(0, all_run);
	stopall_leave(0);
	for (unsigned c = 1; c < NCPUS; c++) {
		while (stopall_parked(c) || !__atomic_load_n(&drloads[c], __ATOMIC_SEQ_CST))
			sched_yield();
		assert_null(stopall_frame(c)); /* running again, its frame no longer the NMI's */
	}
	stop_cpus();
}

/* CPU 0 holds the stub; CPU 1 stops meanwhile and parks with its stop pending. */
static void hold_while_cpu1_stops(void)
{
	struct gdb_stop stop = { .reason = GDB_STOP_SWBREAK, .tid = 2 };

	events[1] = (struct gdb_stop){ .reason = GDB_STOP_SWBREAK, .tid = 7 };
	start_cpu(2, run_task);
	stopall_enter(0, &frames[0]);
	assert_true(stopall_take(0, &stop));
	start_cpu(1, stop_then_run);
	stopall_stop_others(0);
	wait_parked(1);
	assert_ptr_equal(stopall_frame(1), &frames[1]); /* its trap's frame, not the NMI's */
}

/* gdb resumes everything; CPU 1 goes on without reporting its stop itself. */
static void resume_and_see_cpu1_go_on(void)
{
	stopall_resume(0, all_run);
	stopall_leave(0);
	while (!__atomic_load_n(&took[1], __ATOMIC_SEQ_CST))
		sched_yield();
	assert_int_equal(took[1], 1); /* stopall_take() said: another reported it, or dropped it */
	stop_cpus();
}

/* Kept while its task stays stopped, then reported once. */
static void test_a_stop_during_anothers_is_reported_once_later(void **state)
{
	struct gdb_stop got;
	(void)state;
	hold_while_cpu1_stops();
	uint64_t pending = stopall_pending_reported();
	assert_false(stopall_next_event(0, keep_all, &got)); /* gdb did not resume its task */
	assert_true(stopall_next_event(0, report_all, &got));
	assert_int_equal(got.tid, 7);
	assert_int_equal(got.reason, GDB_STOP_SWBREAK);
	assert_false(stopall_next_event(0, report_all, &got)); /* once */
	assert_int_equal(stopall_pending_reported(), pending + 1);
	resume_and_see_cpu1_go_on();
}

/* lldb asked for CPU 1's task's stop: it is told (again, the same) and never reported later. */
static void test_a_stop_lldb_was_told_of_is_not_reported_again(void **state)
{
	struct gdb_stop got;
	(void)state;
	hold_while_cpu1_stops();
	uint64_t pending = stopall_pending_reported();
	assert_false(stopall_tell_event(8, &got)); /* no such task has a stop */
	assert_true(stopall_tell_event(7, &got));
	assert_int_equal(got.tid, 7);
	assert_int_equal(got.reason, GDB_STOP_SWBREAK);
	assert_true(stopall_tell_event(7, &got)); /* lldb may ask twice in one stop */
	assert_int_equal(stopall_pending_reported(), pending + 1);
	assert_false(stopall_next_event(0, report_all, &got));
	resume_and_see_cpu1_go_on();
}

/* A dropped stop (a removed breakpoint) is never reported. */
static void test_a_dropped_stop_is_never_reported(void **state)
{
	struct gdb_stop got;
	(void)state;
	hold_while_cpu1_stops();
	assert_false(stopall_next_event(0, drop_all, &got));
	assert_false(stopall_next_event(0, report_all, &got));
	resume_and_see_cpu1_go_on();
}

/* gdb resumes CPU 1 alone (vCont;s:T): CPU 2 stays parked and the holder, CPU 0, parks itself;
 * the next CPU to stop holds the stub, sends no NMI to the parked ones, and releases them. */
static void holder_lets_cpu1_alone_go(void)
{
	struct gdb_stop stop = { .reason = GDB_STOP_SIGNAL, .signal = GDB_SIGINT, .tid = 1 };

	stopall_enter(0, &frames[0]);
	if (!stopall_take(0, &stop))
		return;
	stopall_stop_others(0);
	stopall_resume(0, only_cpu1);
	stopall_leave(0);
	run_task();
}

static void test_resume_releases_only_the_named_cpus(void **state)
{
	struct gdb_stop step = { .reason = GDB_STOP_STEP, .tid = 5 };
	(void)state;
	start_cpu(1, run_task);
	start_cpu(2, run_task);
	start_cpu(0, holder_lets_cpu1_alone_go);
	wait_parked(0);
	wait_parked(2);
	while (stopall_busy())
		sched_yield();
	assert_false(stopall_parked(1));
	assert_ptr_equal(stopall_frame(0), &frames[0]); /* parked in its own stop */
	/* CPU 1 finishes its step: this thread plays CPU 1 from here. */
	__atomic_store_n(&leave_cpu[1], 1, __ATOMIC_SEQ_CST);
	pthread_join(threads[1].thread, NULL);
	this_cpu = 1;
	stopall_enter(1, &frames[1]);
	assert_true(stopall_take(1, &step));
	stopall_stop_others(1);
	assert_int_equal(nmi_pending[0] + nmi_pending[2], 0); /* both were parked already */
	assert_false(stopall_stuck(0) || stopall_stuck(2));
	stopall_resume(1, all_run);
	stopall_leave(1);
	while (stopall_parked(0) || stopall_parked(2))
		sched_yield();
	__atomic_store_n(&host_cpus_quit, 1, __ATOMIC_SEQ_CST);
	pthread_join(threads[0].thread, NULL);
	pthread_join(threads[2].thread, NULL);
	this_cpu = 0;
}

/* A CPU that never takes its NMI: the holder goes on after its wait and says which. */
static void test_a_cpu_that_does_not_park_is_reported_stuck(void **state)
{
	struct gdb_stop stop = { .reason = GDB_STOP_SIGNAL, .signal = GDB_SIGINT, .tid = 1 };
	(void)state;
	deaf[2] = 1;
	start_cpu(1, run_task);
	start_cpu(2, run_task);
	stopall_enter(0, &frames[0]);
	assert_true(stopall_take(0, &stop));
	stopall_stop_others(0);
	assert_false(stopall_stuck(1));
	assert_true(stopall_stuck(2));
	assert_true(stopall_last_park_ns() >= 100000000ull);
	stopall_resume(0, all_run);
	stopall_leave(0);
	stop_cpus();
}

/* CPU 1 is in its stub path (a trap gdb will not see) when CPU 0 stops: the NMI is left to that
 * path, which parks on its way out with its trap's frame. */
static int in_stub_path;
static void trap_not_reported(void)
{
	stopall_enter(this_cpu, &frames[this_cpu]);
	__atomic_store_n(&in_stub_path, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&nmi_pending[this_cpu], __ATOMIC_SEQ_CST))
		sched_yield();
	assert_false(stopall_nmi_wanted(this_cpu)); /* the NMI handler leaves it */
	stopall_leave(this_cpu);
	run_task();
}

static void test_a_cpu_in_its_stub_path_parks_on_its_way_out(void **state)
{
	struct gdb_stop stop = { .reason = GDB_STOP_SIGNAL, .signal = GDB_SIGINT, .tid = 1 };
	(void)state;
	in_stub_path = 0;
	start_cpu(2, run_task);
	start_cpu(1, trap_not_reported);
	while (!__atomic_load_n(&in_stub_path, __ATOMIC_SEQ_CST))
		sched_yield();
	stopall_enter(0, &frames[0]);
	assert_true(stopall_take(0, &stop));
	stopall_stop_others(0);
	assert_false(stopall_stuck(1));
	assert_ptr_equal(stopall_frame(1), &frames[1]);
	stopall_resume(0, all_run);
	stopall_leave(0);
	while (stopall_parked(1))
		sched_yield();
	stop_cpus();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_stop_parks_every_other_cpu_with_its_frame, reset),
		cmocka_unit_test_setup(test_a_stop_during_anothers_is_reported_once_later, reset),
		cmocka_unit_test_setup(test_a_dropped_stop_is_never_reported, reset),
		cmocka_unit_test_setup(test_a_stop_lldb_was_told_of_is_not_reported_again, reset),
		cmocka_unit_test_setup(test_resume_releases_only_the_named_cpus, reset),
		cmocka_unit_test_setup(test_a_cpu_that_does_not_park_is_reported_stuck, reset),
		cmocka_unit_test_setup(test_a_cpu_in_its_stub_path_parks_on_its_way_out, reset),
	};
	host_cpus_online = NCPUS;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
