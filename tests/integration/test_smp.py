"""Several CPUs: HERMIT_CPUS boots them (docs/smp.md), each says when it came up, apps still run."""
import re

import pytest

from conftest import BENCHMARKS, TESTS, run_proxy
from test_gdb import guest  # noqa: F401 (the fixture)

CPU_UP = re.compile(r"I smp: CPU (\d+) \(APIC id (\d+)\) up in (\d+) us \((\d+) us after its start-up IPI\)")


def booted(cpus, app="hello", *args):
    r = run_proxy(app, *args, env={"HERMIT_CPUS": str(cpus), "HERMIT_VERBOSE": "1"})
    return r, r.stdout + r.stderr


def test_four_cpus_come_up_one_line_each():
    r, out = booted(4)
    assert r.returncode == 0, out
    assert "Hello World!" in r.stdout
    ups = [tuple(int(g) for g in m.groups()) for m in CPU_UP.finditer(out)]
    assert [(cpu, apic) for cpu, apic, _, _ in ups] == [(1, 1), (2, 2), (3, 3)], out
    for _, _, total, after_sipi in ups:
        # INIT's 10 ms wait, then the CPU answers well inside the 2 s limit
        assert 10000 <= total < 2000000 and after_sipi <= total
    assert "I smp: 4 CPUs online (boot CPU: APIC id 0)" in out


def test_one_cpu_is_the_default_and_starts_nothing():
    r = run_proxy("hello", env={"HERMIT_VERBOSE": "1"})
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "I smp: 1 CPU online (boot CPU: APIC id 0)" in out
    assert not CPU_UP.search(out)


def test_sixteen_cpus():
    r, out = booted(16)
    assert r.returncode == 0, out
    assert len(CPU_UP.findall(out)) == 15
    assert "I smp: 16 CPUs online" in out


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "HERMIT_CPUS=0: expected a number of CPUs such as 1"),
        ("two", "HERMIT_CPUS=two: expected a number of CPUs such as 1"),
        ("17", "HERMIT_CPUS=17: at most 16 CPUs are supported"),
    ],
)
def test_bad_cpu_counts_are_refused(value, message):
    r = run_proxy("hello", env={"HERMIT_CPUS": value})
    assert r.returncode == 2
    assert r.stderr.strip() == "hermit: " + message
    assert "Hello" not in r.stdout


def test_threads_app_with_other_cpus_up():
    r, out = booted(2, "threads")
    assert r.returncode == 0, out
    assert re.search(r"threads: 8000 items, sum 8004000 \(expected 8004000\), once 1: ok", r.stdout)
    assert len(CPU_UP.findall(out)) == 1


def test_crash_report_with_other_cpus_up():
    r, out = booted(2, "crash")
    assert r.returncode == 139, out
    assert re.search(r"kernel crash: page fault .* in read_through_null", r.stderr)
    assert r.stderr.rstrip().splitlines()[-1] == "hermit: the guest crashed (page fault)"


def test_crash_stops_the_other_cpus_by_nmi():
    r, out = booted(4, "crash")
    assert r.returncode == 139, out
    assert "I crash: the 3 other CPUs stopped (NMI)" in out


def test_monitor_cpus_each_cpu_answers_a_call_function_ipi(guest):
    g = guest(TESTS / "hello", env={"HERMIT_CPUS": "4"})
    out = g.gdb("break main", "continue", "monitor cpus", "kill")
    assert "kernel crash" not in out, out
    rows = re.findall(r"^ +(\d+) +(\d+)  (\d+) \"(\w+)\" +(\(this CPU\) )?\d+ us$", out, re.M)
    assert [(int(cpu), int(apic)) for cpu, apic, *_ in rows] == [(0, 0), (1, 1), (2, 2), (3, 3)], out
    assert rows[0][3] == "main" and rows[0][4], out
    assert all(name == "idle" and not this for _, _, _, name, this in rows[1:]), out


SPREAD = {"HERMIT_SMP_SPREAD": "1"}


@pytest.mark.parametrize("cpus", [2, 4])
def test_stress_across_cpus_keeps_every_total(cpus):
    r = run_proxy("smp-stress", "3", env={"HERMIT_CPUS": str(cpus), **SPREAD}, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"smp-stress: {cpus} CPUs online" in r.stdout
    assert f"smp-stress: threads ran on {cpus} of {cpus} CPUs" in r.stdout, r.stdout
    assert "smp-stress: all checks held" in r.stdout


def test_without_spread_every_task_stays_on_cpu_0():
    r = run_proxy("smp-stress", "1", env={"HERMIT_CPUS": "2"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "smp-stress: threads ran on 1 of 2 CPUs" in r.stdout


def test_threads_app_spread_over_four_cpus():
    r = run_proxy("threads", env={"HERMIT_CPUS": "4", **SPREAD})
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"threads: 8000 items, sum 8004000 \(expected 8004000\), once 1: ok", r.stdout)


def test_primes_spread_counts_right():
    # long enough that the first thread is still running when the second is placed
    r = run_proxy(BENCHMARKS / "primes", "2", "2000000", env={"HERMIT_CPUS": "2", **SPREAD})
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"primes: 148933 below 2000000 with 2 threads on 2 of 2 CPUs", r.stdout), r.stdout
