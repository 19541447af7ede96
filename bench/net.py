#!/usr/bin/python3
"""Network figures (make bench-net): TCP throughput between the host and a guest running
benchmarks/netbench over QEMU's user network (HERMIT_APP_PORT), host to guest (the guest is the
sink) and guest to host (the guest is the source), each with the in-kernel capture off and on
(HERMIT_CAPTURE_NET=1), the ratio on/off, with TCG and, where this machine's KVM can run Hermit
guests, with KVM. The host measures from connect to the last byte (BENCH_NET_MB MiB, default 64;
BENCH_NET_RUNS runs, the median is reported).
"""
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
CHUNK = 256 * 1024


def run_once(direction, capture, accel, trace_dir):
    port = free_port()
    total = MB * 1024 * 1024
    env = dict(os.environ, HERMIT_KVM="1" if accel == "kvm" else "0", HERMIT_APP_PORT=str(port),
               HERMIT_TRACE_DIR=trace_dir, HERMIT_CAPTURE_NET="1" if capture else "0")
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


def main():
    accels = ["tcg"] + ([] if kvm_problem() else ["kvm"])
    print(f"netbench: {MB} MiB per run, median of {RUNS} runs, Mbit/s measured by the host")
    if kvm_problem():
        print(f"KVM: not measured ({kvm_problem()}); figures are TCG (emulated CPU)")
    with tempfile.TemporaryDirectory() as trace_dir:
        for accel in accels:
            for direction in ("to-guest", "from-guest"):
                rates = {}
                for capture in (False, True):
                    runs = [run_once(direction, capture, accel, trace_dir) for _ in range(RUNS)]
                    rates[capture] = statistics.median(r for r, _ in runs)
                    drops = max(d for _, d in runs)
                    print(f"{accel.upper():4} {direction:10} capture {'on ' if capture else 'off'}: "
                          f"{rates[capture]:8.1f} Mbit/s" + (f"  ({drops} frames dropped)" if capture else ""))
                print(f"{accel.upper():4} {direction:10} capture on/off ratio: {rates[True] / rates[False]:.3f}")


if __name__ == "__main__":
    main()
