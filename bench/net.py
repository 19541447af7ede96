#!/usr/bin/python3
"""Network figures (make bench-net): TCP throughput between the host and a guest running
benchmarks/netbench over QEMU's user network (HERMIT_APP_PORT), host to guest (the guest is the
sink) and guest to host (the guest is the source), each with the in-kernel capture off, on without
comments (HERMIT_CAPTURE_COMMENTS=0: frames only) and on with them (the task, CPU and socket of
each frame), the ratios to off, with TCG and, where this machine's KVM can run Hermit guests, with
KVM. The host measures from connect to the last byte (BENCH_NET_MB MiB, default 64; BENCH_NET_RUNS
runs, the median is reported).

Then the live capture's latency (HERMIT_CAPTURE_NET=live:FIFO, tcp-echo): BENCH_NET_PINGS small
messages, each sent by the host once the last was echoed; the time from its send until a reader
of the FIFO has the frame carrying it: a reader that parses the pcapng blocks as they come (what
the proxy delivers), tshark -l -r FIFO, and tshark -l -i FIFO (through dumpcap, as Wireshark).
"""
import threading
import os
import pathlib
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import BENCHMARKS, PROXY, kvm_problem  # noqa: E402
from test_net import free_port  # noqa: E402

MB = int(os.environ.get("BENCH_NET_MB", "64"))
RUNS = int(os.environ.get("BENCH_NET_RUNS", "3"))
PINGS = int(os.environ.get("BENCH_NET_PINGS", "30"))
CAPTURE_MODES = {"off": {"HERMIT_CAPTURE_NET": "0"},
                 "bare": {"HERMIT_CAPTURE_NET": "1", "HERMIT_CAPTURE_COMMENTS": "0"},
                 "comments": {"HERMIT_CAPTURE_NET": "1"}}
CHUNK = 256 * 1024


def run_once(direction, capture, accel, trace_dir):
    port = free_port()
    total = MB * 1024 * 1024
    env = dict(os.environ, HERMIT_KVM="1" if accel == "kvm" else "0", HERMIT_APP_PORT=str(port),
               HERMIT_TRACE_DIR=trace_dir, **CAPTURE_MODES[capture])
    args = ["sink"] if direction == "to-guest" else ["source", str(total)]
    p = subprocess.Popen([str(PROXY), str(BENCHMARKS / "netbench"), str(port), *args], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while "listening" not in p.stdout.readline():
        if p.poll() is not None:
            raise RuntimeError(p.stderr.read())
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    t0 = time.perf_counter()
    if direction == "to-guest":
        block = b"\x5a" * CHUNK
        for _ in range(total // CHUNK):
            s.sendall(block)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)  # the guest closes once it has read everything
    else:
        got = 0
        while True:
            n = len(s.recv(1 << 20))
            if not n:
                break
            got += n
        assert got == total, got
    dt = time.perf_counter() - t0
    s.close()
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    dropped = re.search(r"(\d+) dropped", err)
    return total * 8 / dt / 1e6, int(dropped.group(1)) if dropped else 0


def pcapng_marks(fifo, seen):
    """Reads the FIFO's pcapng blocks as they come; seen[payload] = when a frame carrying
    "ping-NNNN" arrived."""
    with open(fifo, "rb") as f:
        while True:
            head = f.read(8)
            if len(head) < 8:
                return
            length = int.from_bytes(head[4:8], "little")
            body = f.read(length - 8)
            now = time.perf_counter()
            if head[:4] == b"\x06\x00\x00\x00":
                for m in re.findall(rb"ping-\d{4}", body):
                    seen.setdefault(m, now)


def tshark_marks(option):
    """A reader that runs tshark OPTION FIFO: -r reads the FIFO itself, -i through dumpcap (the
    way Wireshark captures), which hands packets on at its own update interval."""
    def reader(fifo, seen):
        p = subprocess.Popen(["tshark", "-l", option, fifo, "-T", "fields", "-e", "tcp.payload"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in p.stdout:
            now = time.perf_counter()
            for m in re.findall(rb"ping-\d{4}", bytes.fromhex(line.strip().replace(":", "") or "")):
                seen.setdefault(m, now)
        p.wait()
    reader.__name__ = f"tshark{option}"
    return reader


def live_latency(reader, accel, trace_dir):
    """Milliseconds from the host's send of each ping to its frame at the FIFO's reader."""
    fifo = os.path.join(trace_dir, f"live-{reader.__name__}")
    os.mkfifo(fifo)
    seen = {}
    t = threading.Thread(target=reader, args=(fifo, seen), daemon=True)
    t.start()
    port = free_port()
    env = dict(os.environ, HERMIT_KVM="1" if accel == "kvm" else "0", HERMIT_APP_PORT=str(port),
               HERMIT_TRACE_DIR=trace_dir, HERMIT_CAPTURE_NET=f"live:{fifo}")
    p = subprocess.Popen([str(PROXY), str(ROOT / "build/x86_64-hermit/extra/tests/tcp-echo"), str(port), "1"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while "listening" not in p.stdout.readline():
        if p.poll() is not None:
            raise RuntimeError(p.stderr.read())
    delays = []
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        time.sleep(1)
        for i in range(PINGS):
            mark = b"ping-%04d" % i
            t0 = time.perf_counter()
            s.sendall(mark)
            got = b""
            while len(got) < len(mark):
                got += s.recv(64)
            deadline = time.time() + 10
            while mark not in seen and time.time() < deadline:
                time.sleep(0.0005)
            delays.append((seen.get(mark, float("inf")) - t0) * 1000)
            time.sleep(0.05)
    p.communicate(timeout=120)
    t.join(60)
    return delays


def main():
    accels = ["tcg"] + ([] if kvm_problem() else ["kvm"])
    print(f"netbench: {MB} MiB per run, median of {RUNS} runs, Mbit/s measured by the host")
    if kvm_problem():
        print(f"KVM: not measured ({kvm_problem()}); figures are TCG (emulated CPU)")
    with tempfile.TemporaryDirectory() as trace_dir:
        for accel in accels:
            for direction in ("to-guest", "from-guest"):
                rates = {}
                for capture in CAPTURE_MODES:
                    runs = [run_once(direction, capture, accel, trace_dir) for _ in range(RUNS)]
                    rates[capture] = statistics.median(r for r, _ in runs)
                    drops = max(d for _, d in runs)
                    print(f"{accel.upper():4} {direction:10} capture {capture:8}: {rates[capture]:8.1f} Mbit/s"
                          + (f"  ({drops} frames dropped)" if capture != "off" else ""))
                print(f"{accel.upper():4} {direction:10} capture/off ratio: bare {rates['bare'] / rates['off']:.3f}, "
                      f"comments {rates['comments'] / rates['off']:.3f}")
            for reader in (pcapng_marks, tshark_marks("-r"), tshark_marks("-i")):
                d = sorted(live_latency(reader, accel, trace_dir))
                name = {"pcapng_marks": "pcapng blocks"}.get(reader.__name__, reader.__name__.replace("-", " -"))
                print(f"{accel.upper():4} live capture latency, {name:13} reader: median "
                      f"{statistics.median(d):.1f} ms, 90th {d[int(len(d) * 0.9)]:.1f} ms, max {d[-1]:.1f} ms "
                      f"({len(d)} pings)")


if __name__ == "__main__":
    main()
