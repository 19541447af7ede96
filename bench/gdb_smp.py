#!/usr/bin/python3
"""gdb's stop-all on several CPUs (make bench-gdb-smp), one run, with 1, 2 and 4 CPUs under TCG:
  - ^C: from the ^C byte leaving a bare protocol client to the stop reply arriving, every CPU
    spinning (tests/smp-debuggee spin: a thread per CPU), in milliseconds;
  - a breakpoint: from its trap to the stop reply sent, and within that the wait for the other
    CPUs to park, as the stub measured them (`monitor cpus` after each hit; tests/smp-debuggee
    hits, two threads hitting hit() together), in microseconds;
  - the host CPU time QEMU uses in STOPPED_S seconds while the guest stays stopped after the last
    ^C (every CPU was spinning), from /proc (one figure).
Each figure is the median of BENCH_STOPS (10) stops; min and max beside it.
"""
import os
import pathlib
import re
import socket
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import PROXY, TESTS  # noqa: E402

APP = TESTS / "smp-debuggee"
STOPS = int(os.environ.get("BENCH_STOPS", "10"))
STOPPED_S = 5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    def __init__(self, cpus, *args):
        self.port = free_port()
        env = dict(os.environ, HERMIT_KVM="0", HERMIT_DEBUG="1", HERMIT_DEBUG_PORT=str(self.port),
                   HERMIT_CPUS=str(cpus))
        self.proxy = subprocess.Popen([str(PROXY), str(APP), *args], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True)
        self.proxy.stderr.readline()  # "waiting for gdb": the port listens

    def close(self):
        self.proxy.kill()
        self.proxy.wait()


class Client:
    """The remote protocol alone, in no-ack mode."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.send(b"QStartNoAckMode")
        self.reply()
        self.s.sendall(b"+")

    def send(self, p):
        self.s.sendall(b"$" + p + b"#" + b"%02x" % (sum(p) % 256))

    def reply(self):
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if end >= 0 and len(self.buf) >= end + 3:
                payload, self.buf = self.buf[start + 1:end], self.buf[end + 3:]
                if not payload.startswith(b"O") or payload == b"OK":
                    return payload
                continue
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise SystemExit("bench-gdb-smp: the stub hung up")
            self.buf += chunk


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def qemu_cpu_while_stopped(g):
    qemu = int(pathlib.Path(f"/proc/{g.proxy.pid}/task/{g.proxy.pid}/children").read_text().split()[0])
    before = cpu_seconds(qemu)
    time.sleep(STOPPED_S)
    return cpu_seconds(qemu) - before


def ctrl_c_ms(cpus):
    """The ^C times, and QEMU's CPU time while stopped after the last."""
    g = Guest(cpus, "spin")
    try:
        c = Client(g.port)
        c.send(b"?")
        c.reply()
        times = []
        for _ in range(STOPS):
            c.send(b"vCont;c")
            time.sleep(0.3)  # every CPU back in spin()
            t = time.perf_counter()
            c.s.sendall(b"\x03")
            if not c.reply().startswith(b"T"):
                raise SystemExit("bench-gdb-smp: no stop reply to ^C")
            times.append((time.perf_counter() - t) * 1e3)
        return times, qemu_cpu_while_stopped(g)
    finally:
        g.close()


def breakpoint_us(cpus):
    g = Guest(cpus, "hits", str(STOPS + 2))
    try:
        per_hit = ["-ex", "continue", "-ex", "monitor cpus"] * STOPS
        r = subprocess.run(["gdb", "-batch", "-nx", "-iex", "set auto-load off", str(APP),
                            "-ex", f"target extended-remote :{g.port}", "-ex", "break hit", *per_hit, "-ex", "kill"],
                           capture_output=True, text=True, timeout=900)
        found = re.findall(r"parked in (\d+) us, its trap to its stop reply (\d+) us", r.stdout + r.stderr)
        if len(found) != STOPS:
            raise SystemExit(f"bench-gdb-smp: {len(found)} of {STOPS} stops measured:\n{r.stdout}{r.stderr}")
        return [int(p) for p, _ in found], [int(t) for _, t in found]
    finally:
        g.close()


def row(name, values, unit):
    return f"{name:38}{statistics.median(values):10.1f}{min(values):10.1f}{max(values):10.1f} {unit}"


def main():
    print(f"gdb stop-all, TCG, {APP.name} ({STOPS} stops each; median, min, max)")
    for cpus in (1, 2, 4):
        c, stopped_cpu = ctrl_c_ms(cpus)
        park, reply = breakpoint_us(cpus)
        print(f"{cpus} CPU{'s' if cpus > 1 else ''}:")
        print(row("  ^C to stop reply (bare client)", c, "ms"))
        print(row("  breakpoint: trap to stop reply", reply, "us"))
        print(row("  breakpoint: the others parked in", park, "us"))
        print(f"  {'QEMU CPU time while stopped':36}{stopped_cpu:10.2f} s in {STOPPED_S} s")


if __name__ == "__main__":
    main()
