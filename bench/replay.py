#!/usr/bin/python3
"""Record and replay figures (make bench-replay, docs/replay.md), one run of each:
- the wall time of a plain TCG run, a recorded run (HERMIT_RECORD) and its replay, and the
  slowdown of recording, for hello, the file-heavy fsbench (BENCH_REPLAY_MB MiB written and read,
  default 1) and the compute-bound primes (one thread below 3,000,000, about 1 s of guest time);
- the recording's size per second of recorded run and, for fsbench, per MiB of file I/O beyond
  what hello's recording takes;
- under gdb on the primes replay: reverse-stepi, and reverse-continue from the end of the
  computation back to its start (count(), about 1 s of guest time earlier).
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

MB = os.environ.get("BENCH_REPLAY_MB", "1")
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


def row(name, app, *args):
    d = WORK / name
    plain = timed(app, *args)
    rec = timed(app, *args, env={"HERMIT_RECORD": str(d)})
    rep = timed(app, env={"HERMIT_REPLAY": str(d)})
    print(f"{name:8} plain {plain:6.2f} s  recorded {rec:6.2f} s ({rec / plain:4.1f}x)  "
          f"replayed {rep:6.2f} s  recording {size(d) / 2**20:6.2f} MiB "
          f"({size(d) / 2**20 / rec:5.2f} MiB per s recorded)")
    return d


def gdb_times(d, app):
    port = free_port()
    proxy = subprocess.Popen([str(PROXY), str(app)], env={**ENV, "HERMIT_REPLAY": str(d), "HERMIT_DEBUG": "1",
                             "HERMIT_DEBUG_PORT": str(port)}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    g = pexpect.spawn(f"gdb -nx -q -iex 'set pagination off' -iex 'set confirm off' {app}",
                      encoding="utf-8", timeout=600)
    took = {}

    def cmd(c):
        g.expect_exact("(gdb) ")
        start = time.monotonic()
        g.sendline(c)
        g.expect_exact("(gdb) ")
        took[c] = time.monotonic() - start
        g.sendline("echo\n")
        return g.before

    try:
        cmd(f"target remote :{port}")
        cmd("break count")
        cmd("continue")
        cmd("delete")
        cmd("break exit")
        cmd("continue")
        cmd("break count")
        out = cmd("reverse-continue")
        assert "count (" in out, out
        steps = [cmd("reverse-stepi") for _ in range(3)]
        stepi = sum(took["reverse-stepi"] for _ in steps) / len(steps)
        print(f"under gdb (primes replay): reverse-continue back across ~1 s of guest time "
              f"{took['reverse-continue']:.2f} s, reverse-stepi {stepi:.2f} s")
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
          f"per MiB of file I/O ({io_mib} MiB written and read)")
    primes = row("primes", BENCHMARKS / "primes", "1", "3000000")
    gdb_times(primes, BENCHMARKS / "primes")
    shutil.rmtree(WORK)


main()
