#!/usr/bin/python3
"""What HERMIT_DEBUG=attach costs a guest that never sees gdb (make bench-attach): the same
workloads without the stub and with it ready for gdb, boots interleaved, medians of RUNS each:
  - compute: bench/primes, one thread (trial division, no calls);
  - syscall-heavy: bench/tracecost files (lseek, write, lseek, read on a host file: hypercalls);
  - kernel-served calls: bench/tracecost fast (clock_gettime, malloc/free, sched_yield);
  - blocking: bench/pingpong on one CPU (two threads wake each other through condition variables).
Each guest measures itself (its own clock), so boot time is not counted. TCG (HERMIT_KVM=0). On a
loaded machine the medians move by tens of percent from run to run (the compute loop too, which
the stub never touches); the best of the runs is the steadier figure.
"""
import os
import pathlib
import re
import socket
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import BENCHMARKS, PROXY  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
WORKLOADS = [  # (what, argv, pattern of the figure, its unit)
    ("compute (primes, 1 thread, below 3000000)", ["primes", "1", "3000000"], r"in ([\d.]+) s", "s"),
    ("syscall-heavy (4 file calls per round, 2000 rounds)", ["tracecost", "files", "2000"],
     r"\(([\d.]+) ns per round\)", "ns per round"),
    ("kernel-served calls (20000 rounds)", ["tracecost", "fast", "20000"], r"\(([\d.]+) ns per round\)",
     "ns per round"),
    ("blocking (pingpong: mutex and condition variables, 20000 round trips)", ["pingpong", "20000"],
     r"([\d.]+) us each", "us per round trip"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def run(argv, attach):
    env = dict(os.environ, HERMIT_KVM="0")
    env.pop("HERMIT_DEBUG", None)
    if attach:
        env.update(HERMIT_DEBUG="attach", HERMIT_DEBUG_PORT=free_port())
    with tempfile.TemporaryDirectory() as d:
        env["HERMIT_TRACE_DIR"] = d
        r = subprocess.run([str(PROXY), str(BENCHMARKS / argv[0]), *argv[1:]], env=env, cwd=d,
                           capture_output=True, text=True, check=True, timeout=600)
    return r.stdout + r.stderr


def main():
    print(f"HERMIT_DEBUG=attach without gdb, against no stub (TCG, {RUNS} boots each, interleaved)")
    for what, argv, pattern, unit in WORKLOADS:
        off, on = [], []
        for _ in range(RUNS):
            for attach, into in ((False, off), (True, on)):
                into.append(float(re.search(pattern, run(argv, attach)).group(1)))
        d = 3 if unit == "s" else 1
        print(f"  {what}, {unit}:")
        for name, pick in (("median", statistics.median), ("best", min)):
            a, b = pick(off), pick(on)
            print(f"    {name}: no stub {a:.{d}f}, attach {b:.{d}f}: {(b / a - 1) * 100:+.1f}%")
        print(f"    spread: no stub {min(off):.{d}f}..{max(off):.{d}f}, attach {min(on):.{d}f}..{max(on):.{d}f}")


if __name__ == "__main__":
    main()
