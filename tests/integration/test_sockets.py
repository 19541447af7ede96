"""The socket surface servers need: a thousand connections at once, EMFILE (never a panic) once the
descriptor table is full, select above descriptor 64, the calls and constants Linux servers use,
and one socket read and written by two threads at once."""
import random
import re
import socket
import threading
import time

from conftest import TESTS, run_proxy
from test_net import Guest, recv_exactly


def read_line(s):
    line = bytearray()
    while not line.endswith(b"\n"):
        chunk = s.recv(1)
        if not chunk:
            break
        line += chunk
    return bytes(line)


def guest_line(g, pattern, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = g.proc.stdout.readline()
        if not line:
            break
        g.lines.append(line)
        m = re.search(pattern, line)
        if m:
            return m
    raise AssertionError(f"no line matching {pattern!r}: " + "".join(g.lines))


def test_a_full_descriptor_table_gives_emfile_and_the_server_goes_on():
    g = Guest("many-conns", env={"HERMIT_VERBOSE": "1"})
    limit = 1024 - 4  # the table holds stdin, stdout, stderr and the listener too
    clients = {}
    try:
        # One at a time: QEMU's user network listens with a backlog of 1, and a SYN it drops costs
        # the host a second before it retries.
        for _ in range(limit):
            c = g.connect()
            clients[read_line(c)] = c
        assert set(clients) == {f"hello {i}\n".encode() for i in range(1, limit + 1)}
        m = guest_line(g, r"(\d+) connections \((\d+) heap bytes each\), then accept: (.*), socket: (.*)")
        assert int(m.group(1)) == limit
        assert m.group(3) == m.group(4) == "EMFILE"
        # The guest closes its first connection; the next one waits in the backlog, then is accepted.
        late = g.connect()
        assert read_line(late) == f"hello {limit + 1}\n".encode()
        guest_line(g, rf"closed connection 1, accepted connection {limit + 1}")
        assert clients.pop(b"hello 1\n").recv(1) == b""
        alive = list(clients.values()) + [late]
        for i, c in enumerate(alive):
            c.sendall(f"ping {i}\n".encode())
        for i, c in enumerate(alive):
            assert recv_exactly(c, len(f"ping {i}\n")) == f"ping {i}\n".encode()
    finally:
        for c in clients.values():
            c.close()
        if "late" in locals():
            late.close()
    assert g.finish(timeout=120) == 0, g.stderr
    assert "every client closed" in g.stdout
    assert "panic" not in g.stderr


def test_the_socket_api_surface_over_loopback():
    r = run_proxy(TESTS / "sockapi", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "FAIL" not in r.stdout
    assert r.stdout.count("\nok ") >= 40, r.stdout


def checksum(data):
    c = 0
    for b in data:
        c = (c * 31 + b) & 0xffffffff
    return c


def test_one_socket_read_and_written_by_two_threads_at_once():
    size = 3_000_000
    g = Guest("duplex", size)
    sent = random.Random(9).randbytes(size)
    received = bytearray()
    with g.connect() as s:
        def read_all():
            while True:
                b = s.recv(65536)
                if not b:
                    break
                received.extend(b)
        reader = threading.Thread(target=read_all)
        reader.start()
        s.sendall(sent)  # while the guest sends too: both directions at once
        s.shutdown(socket.SHUT_WR)
        reader.join(timeout=120)
    assert g.finish(timeout=120) == 0, g.stdout + g.stderr
    assert received == bytes(ord("a") + i % 26 for i in range(size))
    assert f"duplex: sent {size}, read {size}, checksum {checksum(sent)}" in g.stdout
