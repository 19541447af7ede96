#!/usr/bin/python3
"""File figures (make bench-files): sequential write and read MB/s of a BENCH_FILES_MB MiB host
file (default 64) in BENCH_FILES_CHUNK_KIB pieces (default 256) through the proxy, and metadata
operations per second (stat, open+close; BENCH_FILES_OPS of each, default 2000), against the host
running the same program (bench/fsbench/fsbench.c built natively) on the same directory in the
same run. Guests run with TCG and, where this machine's KVM can run Hermit guests, with KVM.
Reads come from the host's page cache on both sides; the write includes one fsync. Each side runs
BENCH_FILES_RUNS times (default 5), alternating, and the median of each figure is reported.
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
from conftest import BENCHMARKS, PROXY, kvm_problem  # noqa: E402

MB = os.environ.get("BENCH_FILES_MB", "64")
CHUNK = os.environ.get("BENCH_FILES_CHUNK_KIB", "256")
OPS = os.environ.get("BENCH_FILES_OPS", "2000")
RUNS = int(os.environ.get("BENCH_FILES_RUNS", "5"))
FIGURES = ["write", "read", "stat", "open-close"]


def parse(out):
    return {m.group(1): (float(m.group(2)), m.group(3))
            for m in re.finditer(r"^(\S+) ([\d.]+) (\S+)$", out, re.M)}


def run(cmd, env=None):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {p.stdout}{p.stderr}")
    return parse(p.stdout)


def main():
    with tempfile.TemporaryDirectory(prefix="hermit-bench-files-") as tmp:
        host_bin = pathlib.Path(tmp) / "fsbench-host"
        subprocess.run(["gcc", "-O2", str(ROOT / "bench" / "fsbench" / "fsbench.c"), "-o", str(host_bin)],
                       check=True)
        work = pathlib.Path(tmp) / "work"
        work.mkdir()
        args = [str(work), MB, CHUNK, OPS]
        accels = ["tcg"] + ([] if kvm_problem() else ["kvm"])
        runs = {side: [] for side in ["host", *accels]}
        for _ in range(RUNS):
            runs["host"].append(run([str(host_bin), *args]))
            for accel in accels:
                env = dict(os.environ, HERMIT_KVM="1" if accel == "kvm" else "0", HERMIT_TRACE_DIR=tmp)
                runs[accel].append(run([str(PROXY), str(BENCHMARKS / "fsbench"), *args], env=env))
        results = {side: {name: (statistics.median(r[name][0] for r in rs), rs[0][name][1])
                          for name in FIGURES} for side, rs in runs.items()}
    print(f"files: {MB} MiB in {CHUNK} KiB pieces, {OPS} metadata operations each, median of {RUNS} runs")
    print(f"{'figure':<12}{'host':>14}" + "".join(f"{a + ' guest':>16}{'ratio':>8}" for a in accels))
    for name in FIGURES:
        value, unit = results["host"][name]
        line = f"{name:<12}{value:>9.0f} {unit:<5}"
        for accel in accels:
            g = results[accel][name][0]
            line += f"{g:>11.0f} {unit:<5}{g / value:>7.3f}"
        print(line)
    if kvm_problem():
        print(f"KVM: not measured ({kvm_problem()})")


if __name__ == "__main__":
    main()
