#!/usr/bin/python3
"""Tracer figures (make bench-tracing, also part of make bench):
  - a kernel tracepoint disabled and enabled, in TSC cycles and ns, measured in the guest
    (bench/tracecost, trace_measure_cost in the kernel), median of RUNS boots;
  - the same two paths on the host CPU (build/bench/tracing-host), since TCG distorts the guest's;
  - a system-call-heavy loop (file calls, which are hypercalls) with tracing off and with
    HERMIT_TRACE=all: time per round and the overhead, medians of RUNS boots each, interleaved;
  - the same for calls the kernel serves itself in a few ns (clock_gettime, malloc, sched_yield),
    where every call is also an event: the worst case.
With TCG and, where this machine's KVM can run Hermit guests, with KVM.
"""
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import BENCHMARKS, BUILD, PROXY, kvm_problem  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "9"))
ROUNDS = {"files": os.environ.get("BENCH_FILE_ROUNDS", "2000"),
          "fast": os.environ.get("BENCH_FAST_ROUNDS", "20000")}


def guest(args, accel, env=None):
    full = dict(os.environ, HERMIT_KVM="1" if accel == "kvm" else "0", **(env or {}))
    with tempfile.TemporaryDirectory() as d:
        full["HERMIT_TRACE_DIR"] = d
        r = subprocess.run([str(PROXY), str(BENCHMARKS / "tracecost"), *args], env=full, cwd=d,
                           capture_output=True, text=True, check=True)
    return r.stdout + r.stderr


def tracepoint_cost(accel):
    off_c, off_ns, on_c, on_ns = [], [], [], []
    for _ in range(RUNS):
        out = guest(["cost"], accel)
        m = re.search(r"disabled: ([\d.]+) cycles ([\d.]+) ns", out)
        off_c.append(float(m.group(1)))
        off_ns.append(float(m.group(2)))
        m = re.search(r"enabled: ([\d.]+) cycles ([\d.]+) ns", out)
        on_c.append(float(m.group(1)))
        on_ns.append(float(m.group(2)))
    med = statistics.median
    return med(off_c), med(off_ns), med(on_c), med(on_ns)


def overhead(mode, accel):
    """Medians and minima of ns per round, off and on, and events recorded per round."""
    off, on, events = [], [], []
    for _ in range(RUNS):
        for env, into in (({}, off), ({"HERMIT_TRACE": "all"}, on)):
            out = guest([mode, ROUNDS[mode]], accel, env)
            into.append(float(re.search(r"\(([\d.]+) ns per round\)", out).group(1)))
            m = re.search(r"trace of (\d+) events \((\d+) lost\)", out)
            if m:
                events.append((int(m.group(1)) + int(m.group(2))) / int(ROUNDS[mode]))
    return statistics.median(off), statistics.median(on), min(off), min(on), statistics.median(events)


def main():
    host = subprocess.run([str(BUILD / "bench" / "tracing-host")], capture_output=True, text=True, check=True)
    print("Tracer figures")
    for line in host.stdout.splitlines():
        print("  " + line)
    for accel in ("tcg", "kvm"):
        if accel == "kvm" and kvm_problem():
            print(f"  kvm: skipped ({kvm_problem()})")
            continue
        oc, ons, ec, ens = tracepoint_cost(accel)
        print(f"  {accel} guest tracepoint disabled: {oc:.2f} cycles {ons:.2f} ns; "
              f"enabled: {ec:.1f} cycles {ens:.1f} ns (median of {RUNS} boots)")
        for mode, what in (("files", "syscall-heavy loop (4 file calls/round)"),
                           ("fast", "kernel-served calls (6 events/round)")):
            off, on, off_min, on_min, per_round = overhead(mode, accel)
            print(f"  {accel} {what}, {ROUNDS[mode]} rounds: off {off:.1f} ns/round, all events on "
                  f"{on:.1f} ns/round: overhead {100 * (on / off - 1):+.2f}% "
                  f"(best runs {off_min:.1f} vs {on_min:.1f}: {100 * (on_min / off_min - 1):+.2f}%); "
                  f"{per_round:.1f} events/round x {ens:.1f} ns = {100 * per_round * ens / off:.2f}% of a round")


if __name__ == "__main__":
    main()
