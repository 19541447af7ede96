#!/usr/bin/python3
"""gdb stub figures (make bench-gdb), the kernel's stub beside QEMU's own gdbstub, one run, the
same guest (tests/debuggee busy, stopped in spin()) under TCG:
  - `dump binary memory` of 16 MiB: MB/s,
  - `stepi`: steps per second,
  - a `?` then `g` pair (`maint packet`): round trip in microseconds,
and, without gdb's own work per command, the same through a bare protocol client: `s` packets per
second and a `?`/`g` pair (gdb then detaches and the client connects).
Each figure is the best of BENCH_ROUNDS (3) alternating rounds.
The kernel's stub is reached through the proxy (HERMIT_DEBUG=1: debug channel rings in guest
memory, a 16550 as doorbell); QEMU's through its own TCP gdbstub (HERMIT_DEBUG=qemu).
"""
import os
import pathlib
import re
import socket
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import PROXY, TESTS  # noqa: E402

APP = TESTS / "debuggee"
STEPS = int(os.environ.get("BENCH_STEPS", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PAIRS = int(os.environ.get("BENCH_PAIRS", "500"))
DUMP_FROM, DUMP_SIZE = 0x1000000, 16 << 20

MEASURE = f"""
python
import time
def timed(f, n=1):
    t = time.perf_counter()
    for _ in range(n):
        f()
    return time.perf_counter() - t
d = timed(lambda: gdb.execute("dump binary memory /dev/null {DUMP_FROM:#x} {DUMP_FROM + DUMP_SIZE:#x}"))
print("DUMP_S %f" % d)
s = timed(lambda: gdb.execute("stepi", to_string=True), {STEPS})
print("STEP_S %f" % s)
def pair():
    gdb.execute("maint packet ?", to_string=True)
    gdb.execute("maint packet g", to_string=True)
r = timed(pair, {PAIRS})
print("PAIR_S %f" % r)
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bare_client(port):
    """Steps per second and a ?/g pair in microseconds, over the protocol alone."""
    def packet(p):
        return b"$" + p + b"#" + b"%02x" % (sum(p) % 256)

    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b""

        def exchange(p):
            nonlocal buf
            s.sendall(packet(p))
            while True:
                start = buf.find(b"$")
                end = buf.find(b"#", start + 1) if start >= 0 else -1
                if end >= 0 and len(buf) >= end + 3:
                    reply, buf = buf[start + 1:end], buf[end + 3:]
                    if not reply.startswith(b"O") or reply == b"OK":
                        return reply
                    continue
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise SystemExit("bench-gdb: the stub hung up")
                buf += chunk

        exchange(b"QStartNoAckMode")
        s.sendall(b"+")
        exchange(b"?")
        t = time.perf_counter()
        for _ in range(STEPS):
            exchange(b"s")
        steps = STEPS / (time.perf_counter() - t)
        t = time.perf_counter()
        for _ in range(PAIRS):
            exchange(b"?")
            exchange(b"g")
        pair = (time.perf_counter() - t) / PAIRS * 1e6
        return steps, pair


def measure(debug, target):
    port = free_port()
    env = dict(os.environ, HERMIT_KVM="0", HERMIT_DEBUG=debug, HERMIT_DEBUG_PORT=str(port))
    proxy = subprocess.Popen([str(PROXY), str(APP), "busy"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        proxy.stderr.readline()  # "waiting for gdb": the port listens
        with open("/tmp/hermit-bench-gdb.gdb", "w") as f:
            f.write(MEASURE)
        r = subprocess.run(["gdb", "-batch", "-nx", "-iex", "set auto-load off", str(APP),
                            "-ex", f"target {target} :{port}", "-ex", "break spin", "-ex", "continue",
                            "-ex", "delete", "-x", "/tmp/hermit-bench-gdb.gdb", "-ex", "detach"],
                           capture_output=True, text=True, timeout=600)
        out = r.stdout + r.stderr
        figures = {k: float(v) for k, v in re.findall(r"^(DUMP_S|STEP_S|PAIR_S) ([0-9.]+)$", out, re.M)}
        if len(figures) != 3:
            raise SystemExit(f"bench-gdb: no figures from HERMIT_DEBUG={debug}:\n{out}")
        raw_steps, raw_pair = bare_client(port)
        return {
            "dump MB/s": DUMP_SIZE / figures["DUMP_S"] / 1e6,
            "stepi/s": STEPS / figures["STEP_S"],
            "?+g round trip us": figures["PAIR_S"] / PAIRS * 1e6,
            "bare s/s": raw_steps,
            "bare ?+g us": raw_pair,
        }
    finally:
        proxy.kill()
        proxy.wait()


def best(rounds):
    """Per figure the best round: the host's other work only ever slows a round down."""
    lower_is_better = {"?+g round trip us", "bare ?+g us"}
    return {k: (min if k in lower_is_better else max)(r[k] for r in rounds) for k in rounds[0]}


def main():
    stub_rounds, qemu_rounds = [], []
    for _ in range(ROUNDS):  # alternating, so both see the same host load
        stub_rounds.append(measure("1", "extended-remote"))
        qemu_rounds.append(measure("qemu", "remote"))
    stub, qemu = best(stub_rounds), best(qemu_rounds)
    print(f"gdb stub figures, TCG, {APP.name} busy ({STEPS} stepi, {PAIRS} ?/g pairs, 16 MiB dump), "
          f"best of {ROUNDS} rounds, load average {os.getloadavg()[0]:.1f}")
    print(f"{'':22}{'kernel stub':>14}{'QEMU gdbstub':>14}{'stub/QEMU':>12}")
    for key in stub:
        print(f"{key:22}{stub[key]:14.1f}{qemu[key]:14.1f}{stub[key] / qemu[key]:12.2f}")


if __name__ == "__main__":
    main()
