/* Unit tests of kernel/core/ipi.c's call-function and stop logic, with host threads as CPUs: an
 * "IPI" sets a flag the target thread polls, as a CPU's interrupt would run the handler. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "host_cpus.h"
#include "kernel/clock.h"
#include "kernel/ipi.h"
#include "kernel/smp.h"

#define NCPUS 4

static int pending[NCPUS][3]; /* [cpu][enum ipi_kind] */
static int sent[NCPUS][3];
static int halted[NCPUS];
static int halts[NCPUS];      /* arch_halt_until_nmi() calls */
static int stray_nmis;        /* NMIs that were neither a stop nor a wake-up */
static int bad_sends; /* to itself or an offline CPU; counted, as cmocka may not fail in a thread */
static long progress[NCPUS]; /* what each CPU's "code" did, outside interrupts */

void arch_ipi_send(unsigned cpu, enum ipi_kind kind)
{
	if (cpu >= host_cpus_online || cpu == this_cpu) {
		__atomic_add_fetch(&bad_sends, 1, __ATOMIC_SEQ_CST);
		return;
	}
	__atomic_add_fetch(&sent[cpu][kind], 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&pending[cpu][kind], 1, __ATOMIC_SEQ_CST);
}

void arch_halt_forever(void)
{
	__atomic_store_n(&halted[this_cpu], 1, __ATOMIC_SEQ_CST);
	pthread_exit(NULL);
}

/* hlt with interrupts off: only an NMI ends it, one sent before it too (traps.c steps over the
 * hlt then); the NMI handler owns up to it. */
void arch_halt_until_nmi(void)
{
	__atomic_add_fetch(&halts[this_cpu], 1, __ATOMIC_SEQ_CST);
	while (!__atomic_exchange_n(&pending[this_cpu][IPI_NMI], 0, __ATOMIC_SEQ_CST))
		sched_yield();
	if (!ipi_nmi_received() && !ipi_nmi_woke())
		__atomic_add_fetch(&stray_nmis, 1, __ATOMIC_SEQ_CST);
}

/* What a CPU does on its interrupts. */
static void take_interrupts(void)
{
	if (__atomic_exchange_n(&pending[this_cpu][IPI_CALL], 0, __ATOMIC_SEQ_CST))
		ipi_handle_calls();
	if (__atomic_exchange_n(&pending[this_cpu][IPI_NMI], 0, __ATOMIC_SEQ_CST) &&
	    !ipi_nmi_received() /* a stop never returns */ && !ipi_nmi_woke())
		__atomic_add_fetch(&stray_nmis, 1, __ATOMIC_SEQ_CST);
}

/* A CPU's code outside interrupts, until the test ends. */
static void run(void)
{
	while (!__atomic_load_n(&host_cpus_quit, __ATOMIC_SEQ_CST)) {
		take_interrupts();
		__atomic_add_fetch(&progress[this_cpu], 1, __ATOMIC_SEQ_CST);
		sched_yield();
	}
}

static void start_cpus(struct cpu_thread *t, unsigned first, unsigned last, void (*work)(void))
{
	host_cpus_quit = 0;
	for (unsigned i = first; i <= last; i++)
		host_cpu_start(&t[i], i, work);
}

static void record_cpu(void *arg) { *(unsigned *)arg = this_cpu; }

static void test_call_runs_on_the_target_and_waits(void **state)
{
	(void)state;
	struct cpu_thread t[NCPUS];
	this_cpu = 0;
	start_cpus(t, 1, NCPUS - 1, run);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		unsigned where = 99;
		ipi_call(cpu, record_cpu, &where);
		assert_int_equal(where, cpu); /* done when ipi_call returned */
	}
	host_cpus_stop(t, 1, NCPUS - 1);
	assert_int_equal(sent[0][IPI_CALL], 0); /* a call on this CPU is a plain call */
}

static void mark_cpu(void *arg) { __atomic_add_fetch(&((int *)arg)[this_cpu], 1, __ATOMIC_SEQ_CST); }

static void test_call_all_runs_once_on_every_cpu(void **state)
{
	(void)state;
	struct cpu_thread t[NCPUS];
	int ran[NCPUS] = { 0 };
	this_cpu = 0;
	start_cpus(t, 1, NCPUS - 1, run);
	ipi_call_all(mark_cpu, ran);
	for (unsigned i = 0; i < NCPUS; i++)
		assert_int_equal(ran[i], 1);
	host_cpus_stop(t, 1, NCPUS - 1);
}

#define ROUNDS 2000

struct count_call {
	int runs;
};
static int64_t total;
static int incomplete;

static void count(void *arg)
{
	__atomic_add_fetch(&((struct count_call *)arg)->runs, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&total, 1, __ATOMIC_SEQ_CST);
}

/* Every CPU calls every CPU at once and never takes interrupts outside its own waits: only
 * serving calls while waiting keeps them from waiting for each other forever. */
static void call_everyone(void)
{
	for (int i = 0; i < ROUNDS; i++) {
		struct count_call c = { 0 };
		ipi_call_all(count, &c);
		if (c.runs != NCPUS)
			__atomic_add_fetch(&incomplete, 1, __ATOMIC_SEQ_CST);
	}
	run();
}

static void test_crossing_calls_neither_deadlock_nor_get_lost(void **state)
{
	(void)state;
	struct cpu_thread t[NCPUS];
	total = 0;
	start_cpus(t, 0, NCPUS - 1, call_everyone);
	/* each thread takes interrupts again once its own calls are done, until all are */
	while (__atomic_load_n(&total, __ATOMIC_SEQ_CST) < (int64_t)NCPUS * NCPUS * ROUNDS)
		sched_yield();
	host_cpus_stop(t, 0, NCPUS - 1);
	assert_int_equal(total, (int64_t)NCPUS * NCPUS * ROUNDS);
	assert_int_equal(incomplete, 0);
}

struct frozen {
	long before[NCPUS], after[NCPUS];
};

static void look_twice(void *arg)
{
	struct frozen *f = arg;
	for (unsigned i = 1; i < NCPUS; i++)
		f->before[i] = __atomic_load_n(&progress[i], __ATOMIC_SEQ_CST);
	usleep(20000);
	for (unsigned i = 1; i < NCPUS; i++)
		f->after[i] = __atomic_load_n(&progress[i], __ATOMIC_SEQ_CST);
}

/* While fn runs, the other CPUs do nothing but wait in their interrupt; then they go on. */
static void test_parked_call_freezes_the_others(void **state)
{
	(void)state;
	struct cpu_thread t[NCPUS];
	struct frozen f;
	this_cpu = 0;
	start_cpus(t, 1, NCPUS - 1, run);
	usleep(10000);
	ipi_call_parked(look_twice, &f);
	for (unsigned i = 1; i < NCPUS; i++)
		assert_int_equal(f.after[i], f.before[i]);
	long resumed = __atomic_load_n(&progress[1], __ATOMIC_SEQ_CST);
	usleep(10000);
	assert_true(__atomic_load_n(&progress[1], __ATOMIC_SEQ_CST) > resumed);
	host_cpus_stop(t, 1, NCPUS - 1);
}

static void test_reschedule_and_stray_nmi(void **state)
{
	(void)state;
	this_cpu = 0;
	int before = sent[2][IPI_RESCHEDULE];
	ipi_reschedule(2);
	assert_int_equal(sent[2][IPI_RESCHEDULE], before + 1);
	pending[2][IPI_RESCHEDULE] = 0;
	assert_false(ipi_nmi_received()); /* nobody asked this CPU to stop */
}

/* CPUs 1 and 2 take their NMI and halt; CPU 3 never looks, and the stop gives up on it. */
static void test_stop_others_counts_the_cpus_that_stopped(void **state)
{
	(void)state;
	struct cpu_thread t[NCPUS];
	this_cpu = 0;
	start_cpus(t, 1, 2, run);
	uint64_t start = clock_ns();
	assert_int_equal(ipi_stop_others(), 2);
	assert_true(clock_ns() - start >= 100000000ull); /* it waited its 100 ms for CPU 3 */
	for (unsigned i = 1; i <= 2; i++) {
		pthread_join(t[i].thread, NULL);
		assert_int_equal(halted[i], 1);
	}
	assert_int_equal(halted[3], 0);
	assert_int_equal(sent[3][IPI_NMI], 1);
	assert_int_equal(bad_sends, 0);
}

static bool wake_flag;
static bool flag_set(void *flag) { return __atomic_exchange_n((bool *)flag, false, __ATOMIC_SEQ_CST); }
static void sleep_until_flag(void)
{
	ipi_sleep(flag_set, &wake_flag);
	run();
}

/* A CPU asleep with interrupts off still runs the calls sent to it (each wakes it by NMI), and
 * wakes when its condition holds; nobody sends an NMI to a CPU that is not asleep. */
static void test_a_sleeping_cpu_wakes_for_calls_and_its_condition(void **state)
{
	(void)state;
	struct cpu_thread t[NCPUS];
	unsigned where = 99;
	this_cpu = 0;
	stray_nmis = 0;
	start_cpus(t, 1, 1, sleep_until_flag);
	while (!__atomic_load_n(&halts[1], __ATOMIC_SEQ_CST))
		sched_yield();
	int nmis = sent[1][IPI_NMI];
	ipi_call(1, record_cpu, &where);
	assert_int_equal(where, 1);
	assert_true(sent[1][IPI_NMI] > nmis);
	__atomic_store_n(&wake_flag, true, __ATOMIC_SEQ_CST);
	ipi_wake(1);
	while (__atomic_load_n(&wake_flag, __ATOMIC_SEQ_CST))
		sched_yield(); /* it saw the flag: it left its sleep */
	usleep(20000);
	nmis = sent[1][IPI_NMI];
	ipi_wake(1);
	assert_int_equal(sent[1][IPI_NMI], nmis); /* awake: no NMI */
	host_cpus_stop(t, 1, 1);
	assert_int_equal(stray_nmis, 0); /* every wake-up NMI was owned up to */
	assert_int_equal(bad_sends, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_runs_on_the_target_and_waits),
		cmocka_unit_test(test_call_all_runs_once_on_every_cpu),
		cmocka_unit_test(test_crossing_calls_neither_deadlock_nor_get_lost),
		cmocka_unit_test(test_parked_call_freezes_the_others),
		cmocka_unit_test(test_reschedule_and_stray_nmi),
		cmocka_unit_test(test_a_sleeping_cpu_wakes_for_calls_and_its_condition),
		cmocka_unit_test(test_stop_others_counts_the_cpus_that_stopped),
	};
	host_cpus_online = NCPUS;
	alarm(30); /* a deadlock fails the test (SIGALRM) instead of hanging it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
