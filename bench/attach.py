#!/usr/bin/python3
"""What HERMIT_DEBUG=attach costs a guest that never sees gdb (make bench-attach): the same
workloads without the stub and with it ready for gdb, boots interleaved, medians of RUNS each:
  - compute: bench/primes, one thread (trial division, no calls);
  - syscall-heavy: bench/tracecost files (lseek, write, lseek, read on a host file: hypercalls);
  - kernel-served calls: bench/tracecost fast (clock_gettime, malloc/free, sched_yield).
Each guest measures itself (its own clock), so boot time is not counted. TCG (HERMIT_KVM=0).
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
WORKLOADS = [
    ("compute (primes, 1 thread, below 300000)", ["primes", "1", "300000"], r"in ([\d.]+) s", 1e9),
    ("syscall-heavy (4 file calls per round, 2000 rounds)", ["tracecost", "files", "2000"],
     r"\(([\d.]+) ns per round\)", 1),
    ("kernel-served calls (20000 rounds)", ["tracecost", "fast", "20000"], r"\(([\d.]+) ns per round\)", 1),
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
    print(f"HERMIT_DEBUG=attach without gdb, against no stub (TCG, medians of {RUNS} boots, interleaved)")
    for what, argv, pattern, scale in WORKLOADS:
        off, on = [], []
        for _ in range(RUNS):
            for attach, into in ((False, off), (True, on)):
                into.append(float(re.search(pattern, run(argv, attach)).group(1)) * scale)
        a, b = statistics.median(off), statistics.median(on)
        unit = "ns per round" if scale == 1 else "ns"
        print(f"  {what}: no stub {a:.1f} {unit}, attach {b:.1f} {unit}: {(b / a - 1) * 100:+.1f}% "
              f"(spread no stub {min(off):.1f}..{max(off):.1f}, attach {min(on):.1f}..{max(on):.1f})")


if __name__ == "__main__":
    main()
