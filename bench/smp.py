#!/usr/bin/python3
"""SMP figures, measured in one run (make bench-smp), under TCG:
  - the host's load and its own 1 -> 2 thread speed-up of primes (the same source built for
    Linux), beside the guest's 1 -> 2 CPU speed-up (2 threads either way; goal 1.8x),
  - STREAM triad with 1 and 2 CPUs (one thread per CPU),
  - a condition-variable ping-pong between two threads pinned to two CPUs, guest and host,
  - a contended mutex and malloc: 1 thread against 4 threads on 2 CPUs,
  - boot time to main() with 1, 2 and 4 CPUs (the kernel logs it from the TSC).
Each guest figure is the best of BENCH_RUNS (3) runs; the host's two cores are shared with
whatever else runs, which the load average shows.
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
from conftest import BENCHMARKS, PROXY, TESTS  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PRIMES_LIMIT = "3000000"


def guest(app, *args, cpus, verbose=False):
    env = dict(os.environ, HERMIT_KVM="0", HERMIT_CPUS=str(cpus))
    if verbose:
        env["HERMIT_VERBOSE"] = "1"
    r = subprocess.run([str(PROXY), str(app), *args], env=env, capture_output=True, text=True, timeout=600)
    if r.returncode:
        sys.exit(f"bench-smp: {app.name} {' '.join(args)} on {cpus} CPUs failed:\n{r.stdout}{r.stderr}")
    return r


def host_build(tmp, name):
    exe = pathlib.Path(tmp) / name
    subprocess.run(["gcc", "-O2", "-pthread", str(ROOT / "bench" / name / f"{name}.c"), "-o", str(exe), "-lm"],
                   check=True)
    return exe


def host(exe, *args):
    return subprocess.run([str(exe), *args], capture_output=True, text=True, check=True, timeout=600).stdout


def number(pattern, text):
    return float(re.search(pattern, text, re.M).group(1))


def best(values, lowest=True):
    return min(values) if lowest else max(values)


def primes_s(output):
    return number(r" in ([\d.]+) s$", output)


def main():
    load = os.getloadavg()
    print(f"host: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        exes = {name: host_build(tmp, name) for name in ("primes", "stream", "pingpong")}

        h1 = best([primes_s(host(exes["primes"], "1", PRIMES_LIMIT)) for _ in range(RUNS)])
        h2 = best([primes_s(host(exes["primes"], "2", PRIMES_LIMIT)) for _ in range(RUNS)])
        g1 = best([primes_s(guest(BENCHMARKS / "primes", "2", PRIMES_LIMIT, cpus=1).stdout) for _ in range(RUNS)])
        g2 = best([primes_s(guest(BENCHMARKS / "primes", "2", PRIMES_LIMIT, cpus=2).stdout) for _ in range(RUNS)])
        print(f"primes below {PRIMES_LIMIT}, host:  1 thread {h1:.3f} s, 2 threads {h2:.3f} s, "
              f"speed-up {h1 / h2:.2f}x")
        print(f"primes below {PRIMES_LIMIT}, guest: 1 CPU {g1:.3f} s, 2 CPUs {g2:.3f} s, "
              f"speed-up {g1 / g2:.2f}x (goal 1.8x; {g1 / g2 / (h1 / h2):.2f} of the host's)")

        triad = r"^Triad +([\d.]+) MB/s"
        t1 = best([number(triad, guest(BENCHMARKS / "stream", "4000000", cpus=1).stdout) for _ in range(RUNS)], False)
        t2 = best([number(triad, guest(BENCHMARKS / "stream", "4000000", cpus=2).stdout) for _ in range(RUNS)], False)
        ht1 = best([number(triad, host(exes["stream"], "4000000", "1")) for _ in range(RUNS)], False)
        ht2 = best([number(triad, host(exes["stream"], "4000000", "2")) for _ in range(RUNS)], False)
        print(f"STREAM triad, guest: 1 CPU {t1:.0f} MB/s, 2 CPUs {t2:.0f} MB/s, ratio {t2 / t1:.2f}")
        print(f"STREAM triad, host:  1 thread {ht1:.0f} MB/s, 2 threads {ht2:.0f} MB/s, ratio {ht2 / ht1:.2f}")

        each = r" ([\d.]+) us each"
        gp = best([number(each, guest(BENCHMARKS / "pingpong", "2000", cpus=2).stdout) for _ in range(RUNS)])
        hp = best([number(each, host(exes["pingpong"], "20000")) for _ in range(RUNS)])
        print(f"condvar ping-pong across 2 CPUs: guest {gp:.1f} us per round trip, host {hp:.1f} us, "
              f"ratio {gp / hp:.1f}")

    def contend(threads):
        out = [guest(BENCHMARKS / "contend", str(threads), cpus=2).stdout for _ in range(RUNS)]
        return (best([number(r"mutex (\d+) ns", o) for o in out]), best([number(r"malloc (\d+) ns", o) for o in out]))
    m1, a1 = contend(1)
    m4, a4 = contend(4)
    print(f"contended mutex on 2 CPUs: 1 thread {m1:.0f} ns, 4 threads {m4:.0f} ns per lock+unlock, "
          f"ratio {m4 / m1:.1f}")
    print(f"contended malloc on 2 CPUs: 1 thread {a1:.0f} ns, 4 threads {a4:.0f} ns per malloc+free, "
          f"ratio {a4 / a1:.1f}")

    for cpus in (1, 2, 4):
        us = [number(r"entering main\(\) (\d+) us", guest(TESTS / "hello", cpus=cpus, verbose=True).stderr)
              for _ in range(RUNS)]
        print(f"boot to main() with {cpus} CPU{'s' if cpus > 1 else ''}: {statistics.median(us) / 1000:.1f} ms (median)")


if __name__ == "__main__":
    main()
