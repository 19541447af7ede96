#!/usr/bin/python3
"""Record and replay figures (make bench-replay, docs/replay.md), one run of each:
- the wall time of a plain TCG run, a recorded run (HERMIT_RECORD) and its replay, and the
  slowdown of both against the plain run, for hello, the file-heavy fsbench (BENCH_REPLAY_MB MiB
  written and read back, default 2, 200 stat and 200 open/close) and the compute-bound primes (one
  thread below 3,000,000, about 1 s of guest time);
- the recording's size, what it is made of, per second of recorded run and, for fsbench, per MiB
  of file I/O beyond what hello's recording takes;
- under gdb on the primes replay: the forward replay from count() to exit() with a breakpoint
  there (on count()'s page: QEMU then runs that page an instruction at a time) and the snapshots
  the replay took on the way (docs/replay.md); reverse-stepi at the end of the run (exit()),
  with that breakpoint and with none, and at the start of the computation, and reverse-continue
  from exit() back to count(), across the computation (its guest time, which primes prints, is
  given).
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pexpect

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import BENCHMARKS, PROXY, TESTS  # noqa: E402
from test_net import free_port  # noqa: E402

MB = os.environ.get("BENCH_REPLAY_MB", "2")
WORK = pathlib.Path(tempfile.mkdtemp(prefix="hermit-bench-replay-"))
ENV = dict(os.environ, HERMIT_KVM="0", HERMIT_MEM="128M", HERMIT_TIMEOUT="600")


def timed(app, *args, env=None):
    start = time.monotonic()
    p = subprocess.run([str(PROXY), str(app), *args], env={**ENV, **(env or {})}, cwd=WORK,
                       capture_output=True, text=True, timeout=1200)
    if p.returncode != 0:
        raise RuntimeError(f"{app} failed ({p.returncode}): {p.stderr[-2000:]}")
    return time.monotonic() - start


def size(d):
    return sum(f.stat().st_size for f in d.iterdir())


def mib(d, name):
    return (d / name).stat().st_size / 2**20


def row(name, app, *args):
    d = WORK / name
    plain = timed(app, *args)
    rec = timed(app, *args, env={"HERMIT_RECORD": str(d)})
    rep = timed(app, env={"HERMIT_REPLAY": str(d)})
    snaps = re.search(r"^snapshots (\d+)$", (d / "manifest").read_text(), re.M).group(1)
    print(f"{name:8} plain {plain:6.2f} s  recorded {rec:6.2f} s ({rec / plain:5.1f}x)  "
          f"replayed {rep:6.2f} s ({rep / plain:5.1f}x)\n"
          f"{'':8} recording {size(d) / 2**20:6.2f} MiB ({size(d) / 2**20 / rec:5.2f} MiB per s recorded): "
          f"QEMU log {mib(d, 'qemu.rr'):.2f}, answer disk {mib(d, 'answers.disk'):.2f}, "
          f"hypercall log {mib(d, 'hypercalls.log'):.2f}, {snaps} snapshots {mib(d, 'snapshots.qcow2'):.2f} MiB")
    return d


def gdb_times(d, app, span):
    port = free_port()
    proxy = subprocess.Popen([str(PROXY), str(app)], env={**ENV, "HERMIT_REPLAY": str(d), "HERMIT_DEBUG": "1",
                             "HERMIT_DEBUG_PORT": str(port)}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    g = pexpect.spawn(f"gdb -nx -q -iex 'set pagination off' -iex 'set confirm off' -iex 'set style enabled off' {app}",
                      encoding="utf-8", timeout=600)
    took = {}

    def cmd(c):
        start = time.monotonic()
        g.sendline(c)
        g.expect_exact("(gdb) ")
        took[c] = time.monotonic() - start
        return g.before

    def stepi_times():
        times = []
        for _ in range(3):
            cmd("reverse-stepi")
            times.append(took["reverse-stepi"])
        return sum(times) / len(times)

    try:
        g.expect_exact("(gdb) ")
        cmd(f"target remote :{port}")
        cmd("break count")
        cmd("continue")
        cmd("delete")
        cmd("break exit")
        cmd("continue")
        forward = took["continue"]
        taken = len(re.findall(r"^--\s+hermit\d+\s", cmd("monitor info snapshots"), re.M))
        cmd("break count")
        out = cmd("reverse-continue")
        assert "count (" in out, out
        back = took["reverse-continue"]
        at_start = stepi_times()
        cmd("delete 3")
        out = cmd("continue")
        assert "exit (" in out, out
        at_end = stepi_times()
        cmd("delete")
        at_end_free = stepi_times()
        print(f"under gdb (primes replay):\n"
              f"  forward from count() to exit(), a breakpoint on count()'s page: {forward:.2f} s, "
              f"{taken} snapshots taken by the replay (kept)\n"
              f"  reverse-continue from exit() back to count(), across {span:.2f} s of guest time: "
              f"{back:.2f} s\n"
              f"  reverse-stepi at exit() {at_end:.2f} s (no breakpoint: {at_end_free:.2f} s), "
              f"at count() {at_start:.2f} s (mean of 3)")
        cmd("kill")
    finally:
        g.close(force=True)
        proxy.kill()
        proxy.wait()


def main():
    print(f"QEMU {subprocess.run(['qemu-system-x86_64', '--version'], capture_output=True, text=True).stdout.split()[3]}, "
          f"TCG, 128 MiB guests, load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    hello = row("hello", TESTS / "hello")
    files = row("fsbench", BENCHMARKS / "fsbench", ".", MB, "256", "200")
    io_mib = 2 * int(MB)
    print(f"fsbench recording beyond hello's: {(size(files) - size(hello)) / 2**20 / io_mib:.2f} MiB "
          f"per MiB of file I/O ({io_mib} MiB: {MB} written, {MB} read back)")
    primes = row("primes", BENCHMARKS / "primes", "1", "3000000")
    out = subprocess.run([str(PROXY), str(BENCHMARKS / "primes")], env={**ENV, "HERMIT_REPLAY": str(primes)},
                         capture_output=True, text=True, timeout=1200).stdout
    gdb_times(primes, BENCHMARKS / "primes", float(re.search(r" in ([\d.]+) s$", out, re.M).group(1)))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    shutil.rmtree(WORK)


main()
