#!/usr/bin/python3
"""Foundation figures, measured in one run (make bench):
  - time from the kernel's first instruction to main() (the kernel logs it from the TSC),
  - `proxy hello` wall time, median of many runs,
  - STREAM triad in the guest beside the same program built for Linux on the host,
each with TCG and, where this machine's KVM can run Hermit guests, with KVM.
"""
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import BENCHMARKS, PROXY, TESTS, kvm_problem  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
STREAM_ELEMENTS = "8000000"


def proxy(app, *args, accel, verbose=False):
    env = dict(os.environ, HERMIT_KVM="1" if accel == "kvm" else "0")
    if verbose:
        env["HERMIT_VERBOSE"] = "1"
    return subprocess.run([str(PROXY), str(app), *args], env=env, capture_output=True, text=True, check=True)


def boot_to_main_us(accel):
    values = []
    for _ in range(RUNS):
        log = proxy(TESTS / "hello", accel=accel, verbose=True).stderr
        values.append(int(re.search(r"entering main\(\) (\d+) us", log).group(1)))
    return statistics.median(values)


def hello_wall_ms(accel):
    values = []
    for _ in range(RUNS):
        t = time.perf_counter()
        proxy(TESTS / "hello", accel=accel)
        values.append((time.perf_counter() - t) * 1000)
    return statistics.median(values)


def triad(output):
    return float(re.search(r"^Triad +([\d.]+) MB/s", output, re.M).group(1))


def host_stream_triad():
    with tempfile.TemporaryDirectory() as tmp:
        exe = pathlib.Path(tmp) / "stream"
        subprocess.run(["gcc", "-O2", "-pthread", str(ROOT / "bench/stream/stream.c"), "-o", str(exe), "-lm"],
                       check=True)
        return triad(subprocess.run([str(exe), STREAM_ELEMENTS, "1"], capture_output=True, text=True,
                                    check=True).stdout)


def main():
    accels = ["tcg"]
    problem = kvm_problem()
    if problem:
        print(f"KVM: not measured ({problem})")
    else:
        accels.insert(0, "kvm")
    host = host_stream_triad()
    print(f"{'figure':42} " + " ".join(f"{a:>12}" for a in accels))
    rows = [
        ("first instruction to main() (us, median)", boot_to_main_us),
        ("proxy hello wall time (ms, median)", hello_wall_ms),
        ("STREAM triad in the guest (MB/s)", lambda a: triad(proxy(BENCHMARKS / "stream", STREAM_ELEMENTS, "1", accel=a).stdout)),
    ]
    results = {}
    for name, fn in rows:
        results[name] = {a: fn(a) for a in accels}
        print(f"{name:42} " + " ".join(f"{results[name][a]:12.1f}" for a in accels))
    print(f"{'STREAM triad on the host, Linux (MB/s)':42} {host:12.1f}")
    for a in accels:
        print(f"STREAM triad guest/host ratio ({a}): {results['STREAM triad in the guest (MB/s)'][a] / host:.3f}")
    print(f"({RUNS} runs each)")


if __name__ == "__main__":
    main()
