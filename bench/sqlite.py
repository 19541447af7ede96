#!/usr/bin/python3
"""SQLite figures (make bench-sqlite): SQLite's own speedtest1 (3.40.1 from Debian's source
package, built by its configure for Hermit and, the same way, for the host) on a file database
in a scratch directory, in the guest under TCG (and KVM where it can run Hermit guests) and on
the host, in the same run. Twice: with SQLite's default locking, where every autocommit
statement locks and unlocks the file (fcntl calls the proxy carries out on the host), and with
--exclusive (locking_mode=EXCLUSIVE: the lock is taken once), which leaves mostly the CPU's
cost. speedtest1 times itself; its TOTAL is reported with the ratio guest/host, then the phases
where the guest loses most. BENCH_SQLITE_SIZE (default 25) is speedtest1's --size;
BENCH_SQLITE_RUNS runs (default 3), the median is reported.
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
from conftest import BUILD, PROXY, kvm_problem  # noqa: E402

SIZE = os.environ.get("BENCH_SQLITE_SIZE", "25")
RUNS = int(os.environ.get("BENCH_SQLITE_RUNS", "3"))
GUEST = BUILD / "programs" / "sqlite3" / "speedtest1"
HOST = BUILD / "programs" / "sqlite3-host" / "speedtest1"
PHASE = re.compile(r"^\s*(\d+) - (.*?)\.*\s+([\d.]+)s$")
TOTAL = re.compile(r"^\s*TOTAL\.*\s+([\d.]+)s$")


MODES = {"default locking": [], "--exclusive": ["--exclusive"]}


def run_once(side, mode):
    """One speedtest1 run; returns {phase: seconds} with "TOTAL"."""
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as work:
        args = ["--size", SIZE, *MODES[mode], "speed.db"]
        if side == "host":
            cmd, env = [str(HOST), *args], None
        else:
            cmd = [str(PROXY), str(GUEST), *args]
            env = dict(os.environ, HERMIT_ISLE="qemu", HERMIT_KVM="1" if side == "kvm" else "0",
                       HERMIT_TRACE_DIR=work)
        r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=3600)
        if r.returncode != 0:
            raise RuntimeError(f"speedtest1 ({side}) failed: {r.stdout[-1000:]}{r.stderr}")
    times = {}
    for line in r.stdout.splitlines():
        if m := PHASE.match(line):
            times[f"{m[1]} {m[2].strip()}"] = float(m[3])
        elif m := TOTAL.match(line):
            times["TOTAL"] = float(m[1])
    return times


def median_times(side, mode):
    runs = [run_once(side, mode) for _ in range(RUNS)]
    return {phase: statistics.median(run[phase] for run in runs) for phase in runs[0]}


def main():
    sides = ["host", "tcg"] + ([] if kvm_problem() else ["kvm"])
    print(f"speedtest1 --size {SIZE} on a file, median of {RUNS} runs (seconds, as speedtest1 reports)")
    for mode in MODES:
        results = {side: median_times(side, mode) for side in sides}
        host = results["host"]
        print(f"{mode}:")
        for side in sides[1:]:
            total = results[side]["TOTAL"]
            print(f"  {side:>4}: guest {total:8.3f}  host {host['TOTAL']:8.3f}  ratio {total / host['TOTAL']:6.1f}x")
            worst = sorted((results[side][p] - host[p], p) for p in host if p != "TOTAL")[-3:]
            for _, phase in reversed(worst):
                print(f"        {phase[:52]:52} guest {results[side][phase]:7.3f}  host {host[phase]:7.3f}")
    if "kvm" not in sides:
        print(f"  kvm: skipped ({kvm_problem()})")


if __name__ == "__main__":
    main()
