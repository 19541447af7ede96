"""The network: lwIP over virtio-net in QEMU's user network, reached from the host through
HERMIT_APP_PORT, and the in-kernel capture read back with tshark and checked against QEMU's own
filter-dump capture of the same device."""
import os
import random
import re
import socket
import struct
import subprocess
import threading
import time

import pytest

from conftest import BENCHMARKS, PROXY, TESTS, run_proxy

GUEST_MAC = "52:54:00:12:34:56"


def free_port():
    """A port free on the host's 127.0.0.1 for both TCP and UDP (the guest listens on the same)."""
    while True:
        with socket.socket() as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue


class Guest:
    """A guest server started through the proxy; waits for its "listening" line."""

    def __init__(self, app, *args, accel="tcg", env=None, cwd=None):
        self.port = free_port()
        full_env = dict(os.environ)
        full_env.update({"HERMIT_KVM": "1" if accel == "kvm" else "0", "HERMIT_APP_PORT": str(self.port)})
        full_env.update(env or {})
        path = app if os.path.sep in str(app) else TESTS / app
        self.proc = subprocess.Popen(
            [str(PROXY), str(path), str(self.port), *[str(a) for a in args]],
            env=full_env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if "listening on" in line:
                return
        self.proc.kill()
        raise AssertionError("the guest never listened: " + "".join(self.lines) + self.proc.stderr.read())

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)

    def echo(self, data):
        """Sends data on a new connection to an echo server and checks that it all comes back."""
        with self.connect() as s:
            s.sendall(data)
            assert recv_exactly(s, len(data)) == data

    def finish(self, timeout=60):
        out, err = self.proc.communicate(timeout=timeout)
        self.stdout = "".join(self.lines) + out
        self.stderr = err
        return self.proc.returncode


def recv_exactly(s, n):
    got = bytearray()
    while len(got) < n:
        chunk = s.recv(min(65536, n - len(got)))
        if not chunk:
            break
        got += chunk
    return bytes(got)


@pytest.mark.parametrize("nic", ["virtio", "rtl8139"])
def test_tcp_echo_round_trip(accel, nic):
    g = Guest("tcp-echo", 1, accel=accel, env={"HERMIT_NIC": nic, "HERMIT_VERBOSE": "1"})
    data = random.Random(5).randbytes(100_000)
    g.echo(data)
    assert g.finish() == 0, g.stderr
    assert "connection 1 from 10.0.5.1 echoed 100000 bytes" in g.stdout
    driver = {"virtio": "virtio-net", "rtl8139": "rtl8139"}[nic]
    assert f"net: {driver} 52:54:00:12:34:56 as 10.0.5.2" in g.stderr


def test_http_answers_get_through_curl():
    g = Guest("http", 3)
    base = f"http://127.0.0.1:{g.port}"

    def curl(path):
        r = subprocess.run(["curl", "-sS", "-i", "--max-time", "30", base + path],
                           capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        head, _, body = r.stdout.partition(b"\r\n\r\n")
        return head.decode(), body

    head, body = curl("/")
    assert head.startswith("HTTP/1.0 200 OK") and body == b"Hello from Hermit over lwIP!\n"
    head, body = curl("/bytes/300000")
    assert "Content-Length: 300000" in head
    assert body == bytes(ord("a") + i % 26 for i in range(300000))
    head, _ = curl("/missing")
    assert head.startswith("HTTP/1.0 404")
    assert g.finish() == 0, g.stderr
    assert "http: GET /bytes/300000" in g.stdout


def test_udp_select_and_nonblocking():
    g = Guest("udp", 3)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(10)
        for i in range(3):
            msg = f"datagram {i}".encode()
            u.sendto(msg, ("127.0.0.1", g.port))
            reply, _ = u.recvfrom(2048)
            assert reply == b"echo:" + msg
    assert g.finish() == 0, g.stderr
    assert "udp: datagram 3 of 10 bytes" in g.stdout


# ---- the capture ----

def pcapng_blocks(data):
    """(type, body) of every block of a pcapng file, each block's framing checked."""
    assert struct.unpack_from("<I", data)[0] == 0x0A0D0D0A
    off, blocks = 0, []
    while off < len(data):
        kind, length = struct.unpack_from("<II", data, off)
        assert length % 4 == 0 and length >= 12 and struct.unpack_from("<I", data, off + length - 4)[0] == length
        blocks.append((kind, data[off + 8:off + length - 4]))
        off += length
    return blocks


def pcapng_options(body):
    """{code: [value, ...]} of a block's options."""
    opts, off = {}, 0
    while off + 4 <= len(body):
        code, n = struct.unpack_from("<HH", body, off)
        if code == 0:
            break
        opts.setdefault(code, []).append(body[off + 4:off + 4 + n])
        off += 4 + n + (-n % 4)
    return opts


def read_pcap(path):
    """(timestamp ns, bytes) of every frame of a pcapng file (if_tsresol 9, as the proxy writes
    it) or a classic pcap file (µs or ns precision)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        frames = []
        for kind, body in pcapng_blocks(data):
            if kind == 1:
                assert pcapng_options(body[8:])[9] == [b"\x09"]  # nanoseconds
            if kind == 6:
                _, hi, lo, incl, orig = struct.unpack_from("<IIIII", body)
                assert incl == orig
                frames.append((hi << 32 | lo, body[20:20 + incl]))
        return frames
    magic = struct.unpack_from("<I", data)[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), hex(magic)
    scale = 1 if magic == 0xA1B23C4D else 1000
    assert struct.unpack_from("<I", data, 20)[0] == 1  # LINKTYPE_ETHERNET
    frames, off = [], 24
    while off < len(data):
        sec, frac, incl, orig = struct.unpack_from("<IIII", data, off)
        off += 16
        frames.append((sec * 1_000_000_000 + frac * scale, data[off:off + incl]))
        assert incl == orig
        off += incl
    return frames


def outgoing(frame):
    return frame[6:12] == bytes.fromhex(GUEST_MAC.replace(":", ""))


def tshark_fields(path, *fields, filt=None):
    cmd = ["tshark", "-r", str(path), "-T", "fields", "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    if filt:
        cmd += ["-Y", filt]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split("|") for line in r.stdout.splitlines()]


@pytest.mark.parametrize("nic", ["virtio", "rtl8139"])
def test_capture_shows_the_conversation_and_agrees_with_qemu(tmp_path, nic):
    qemu_pcap = tmp_path / "qemu.pcap"
    before = time.time_ns()
    g = Guest("tcp-echo", 1, env={"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE_DIR": str(tmp_path),
                                  "HERMIT_QEMU_PCAP": str(qemu_pcap), "HERMIT_NIC": nic})
    data = random.Random(7).randbytes(20_000)
    g.echo(data)
    assert g.finish() == 0, g.stderr
    assert g.proc.returncode == 0
    after = time.time_ns()
    m = re.search(r"hermit: network capture in (\S+) \((\d+) frames, 0 dropped\)", g.stderr)
    assert m, g.stderr
    ours = m.group(1)
    assert os.path.dirname(ours) == str(tmp_path)

    # tshark: handshake, payload and close, in order, from the guest's port's point of view.
    rows = tshark_fields(ours, "frame.time_epoch", "tcp.srcport", "tcp.dstport", "tcp.flags.syn",
                         "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.payload",
                         filt=f"tcp.port == {g.port}")
    port = str(g.port)
    kinds = []
    for t, sport, dport, syn, ack, fin, rst, payload in rows:
        to_guest = dport == port
        if syn == "1":
            kinds.append("syn-ack" if ack == "1" else "syn")
        elif fin == "1":
            kinds.append("fin-in" if to_guest else "fin-out")
        elif payload:
            kinds.append("data-in" if to_guest else "data-out")
    assert kinds[:2] == ["syn", "syn-ack"], kinds
    first_fin = min(i for i, k in enumerate(kinds) if k.startswith("fin"))
    assert "data-in" in kinds[2:first_fin] and "data-out" in kinds[2:first_fin]
    assert {"fin-in", "fin-out"} <= set(kinds[first_fin:])
    sent = b"".join(bytes.fromhex(p.replace(":", "")) for _, _, d, *_, p in rows if d == port and p)
    echoed = b"".join(bytes.fromhex(p.replace(":", "")) for _, s_, _, *_, p in rows if s_ == port and p)
    assert sent == data and echoed == data  # no retransmissions on a lossless link
    times = [float(r[0]) for r in rows]
    assert times == sorted(times)
    assert before / 1e9 - 1 <= times[0] and times[-1] <= after / 1e9 + 1

    # QEMU's filter-dump of the same netdev: the same frames, byte for byte, in each direction.
    mine, qemu = read_pcap(ours), read_pcap(qemu_pcap)
    assert len(mine) == int(m.group(2)) == len(qemu)
    for direction in (True, False):
        assert [f for _, f in mine if outgoing(f) == direction] == \
               [f for _, f in qemu if outgoing(f) == direction]
    # Both clocks tell the same story, give or take the time a frame spends in QEMU.
    for (t1, _), (t2, _) in zip(mine, qemu):
        assert abs(t1 - t2) < 2_000_000_000


def test_capture_off_by_default(tmp_path):
    r = run_proxy("hello", cwd=tmp_path)
    assert r.returncode == 0
    assert "network capture" not in r.stderr
    assert not list(tmp_path.glob("*.pcap*"))


# ---- peers that misbehave ----

def test_bad_peers_never_crash_the_guest():
    g = Guest("tcp-echo", 4)
    # 1: a reset right after the handshake
    s = g.connect()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    # 2: garbage, then a reset while the guest is still echoing it
    s = g.connect()
    s.sendall(random.Random(1).randbytes(50_000))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    # 3: a flood the peer never reads, then a close
    s = g.connect()
    s.settimeout(2)
    blob = b"\xff" * 65536
    sent = 0
    try:
        while sent < 4_000_000:
            sent += s.send(blob)
    except (socket.timeout, OSError):
        pass
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    # 4: the guest still serves an ordinary client
    with g.connect() as s:
        s.sendall(b"still alive")
        assert recv_exactly(s, 11) == b"still alive"
    assert g.finish(timeout=120) == 0, g.stdout + g.stderr
    assert "connection 4 from 10.0.5.1 echoed 11 bytes" in g.stdout
    assert "kernel crash" not in g.stderr


def test_udp_flood_and_garbage():
    g = Guest("udp", 2)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(10)
        junk = random.Random(3)
        for _ in range(2000):
            u.sendto(junk.randbytes(junk.randrange(1, 1400)), ("127.0.0.1", g.port + 0))
        # replies to the flood may come back; the guest must still answer (count is 2: the flood
        # already used them up, so just check that it ended well)
    assert g.finish(timeout=120) == 0, g.stdout + g.stderr
    assert "kernel crash" not in g.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"HERMIT_IP": "10.0.5"}, "HERMIT_IP=10.0.5"),
        ({"HERMIT_MASK": "255.0.255.0"}, "HERMIT_MASK=255.0.255.0"),
        ({"HERMIT_GATEWAY": "192.168.1.1"}, "not in one network"),
        ({"HERMIT_APP_PORT": "0"}, "HERMIT_APP_PORT=0"),
        ({"HERMIT_CAPTURE_NET": "yes"}, "HERMIT_CAPTURE_NET=yes"),
        ({"HERMIT_NIC": "e1000"}, "HERMIT_NIC=e1000: expected virtio or rtl8139"),
    ],
)
def test_bad_network_settings_are_refused(env, message):
    r = run_proxy("hello", env=env)
    assert r.returncode == 2
    assert message in r.stderr


def test_netbench_both_directions():
    total = 2_000_000
    g = Guest(BENCHMARKS / "netbench", "sink")
    with g.connect() as s:
        s.sendall(b"x" * total)
    assert g.finish() == 0, g.stderr
    assert f"netbench: sink {total} bytes" in g.stdout
    g = Guest(BENCHMARKS / "netbench", "source", total)
    with g.connect() as s:
        assert len(recv_exactly(s, total + 1)) == total
    assert g.finish() == 0, g.stderr
    assert f"netbench: source {total} bytes" in g.stdout


def test_gdb_and_the_bundle_give_the_same_pcapng(tmp_path):
    """HERMIT_BUNDLE=1 leaves a bundle after the exit: its capture.pcapng (the proxy's C writer,
    net/pcapng.c) and gdb's `hermit pcap` on its core (gdb/hermit/pcap.py) are the same bytes,
    comments and interface and statistics blocks included, with the frames of the proxy's file."""
    g = Guest("tcp-echo", 1, env={"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE_DIR": str(tmp_path),
                                  "HERMIT_BUNDLE": "1"})
    with g.connect() as s:
        s.sendall(b"pcap from a core" * 100)
        assert recv_exactly(s, 1600) == b"pcap from a core" * 100
    assert g.finish() == 0, g.stderr
    ours = re.search(r"hermit: network capture in (\S+) ", g.stderr).group(1)
    bundles = list(tmp_path.glob("hermit-postmortem-tcp-echo-*"))
    assert len(bundles) == 1, g.stderr
    out = tmp_path / "from-gdb.pcapng"
    r = subprocess.run(["gdb", "-batch", "-nx", "-iex", "set auto-load safe-path /", "-ex",
                        f"hermit pcap {out}", str(TESTS / "tcp-echo"), str(bundles[0] / "core")],
                       capture_output=True, text=True, timeout=120)
    assert re.search(r"hermit: \d+ frames written to ", r.stdout), r.stdout + r.stderr
    assert [f for _, f in read_pcap(out)] == [f for _, f in read_pcap(ours)]
    assert [t for t, _ in read_pcap(out)] == [t for t, _ in read_pcap(ours)]
    # the bundle carries the same file, byte for byte
    assert "capture.pcapng" in g.stderr
    assert (bundles[0] / "capture.pcapng").read_bytes() == out.read_bytes()
    assert b"socket 3: TCP 10.0.5.2:%d < 10.0.5.1:" % g.port in out.read_bytes()


def test_an_smp_guests_capture_is_in_time_order_for_every_reader(tmp_path):
    """Two CPUs, two threads on one socket (duplex: one reads, one writes) and the driver's and
    tcpip's tasks all write the ring: the proxy's file, the live stream and gdb's `hermit pcap` of
    the post-mortem core are each in time order (tshark's frame.time_delta never negative)."""
    size = 1_000_000
    live = tmp_path / "live.pcapng"
    g = Guest("duplex", size, env={"HERMIT_CPUS": "2", "HERMIT_CAPTURE_NET": f"live:{live}",
                                   "HERMIT_TRACE_DIR": str(tmp_path), "HERMIT_BUNDLE": "1"})
    received = bytearray()
    with g.connect() as s:
        reader = threading.Thread(target=lambda: received.extend(recv_exactly(s, size)))
        reader.start()
        s.sendall(random.Random(3).randbytes(size))  # while the guest sends too
        s.shutdown(socket.SHUT_WR)
        reader.join(timeout=120)
    assert g.finish(timeout=120) == 0, g.stdout + g.stderr
    assert len(received) == size
    ours = re.search(r"hermit: network capture in (\S+) \((\d+) frames, 0 dropped\)", g.stderr)
    assert ours, g.stderr
    from_gdb = tmp_path / "from-gdb.pcapng"
    core = next(tmp_path.glob("hermit-postmortem-duplex-*")) / "core"
    r = subprocess.run(["gdb", "-batch", "-nx", "-iex", "set auto-load safe-path /", "-ex",
                        f"hermit pcap {from_gdb}", str(TESTS / "duplex"), str(core)],
                       capture_output=True, text=True, timeout=120)
    assert re.search(r"hermit: \d+ frames written to ", r.stdout), r.stdout + r.stderr
    comments = " ".join(c for c, in tshark_fields(ours.group(1), "frame.comment"))
    assert "on CPU 0" in comments and "on CPU 1" in comments  # both CPUs wrote frames
    for path in (ours.group(1), live, from_gdb):
        deltas = [float(d) for d, in tshark_fields(path, "frame.time_delta")]
        assert len(deltas) > 1000 and min(deltas) >= 0, (path, min(deltas))
    assert len(read_pcap(live)) == int(ours.group(2))


def test_capture_of_a_transfer_larger_than_the_ring(tmp_path):
    """16 MiB through the 8 MiB ring: the proxy empties it while the guest runs, nothing dropped."""
    total = 16 << 20
    g = Guest(BENCHMARKS / "netbench", "sink", env={"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE_DIR": str(tmp_path)})
    with g.connect() as s:
        block = b"\x42" * 65536
        for _ in range(total // len(block)):
            s.sendall(block)
    assert g.finish(timeout=300) == 0, g.stderr
    m = re.search(r"hermit: network capture in (\S+) \((\d+) frames, 0 dropped\)", g.stderr)
    assert m, g.stderr
    rows = tshark_fields(m.group(1), "tcp.seq", "tcp.len", filt="tcp.dstport == %d" % g.port)
    # each segment once: a loaded host's TCP may send one again, and the capture shows that too
    assert sum(dict((int(s), int(n)) for s, n in rows if n).values()) == total


def serve_once(srv, answer):
    """Serves one connection on the listening socket srv in a thread: reads to the peer's end and
    sends back answer(data, the peer's address). Returns the thread and the list the data goes to."""
    got = []

    def serve():
        c, peer = srv.accept()
        data = b""
        while chunk := c.recv(4096):
            data += chunk
        got.append(data)
        c.sendall(answer(data, peer[0]))
        c.close()

    t = threading.Thread(target=serve)
    t.start()
    return t, got


def test_guest_as_client_connects_without_blocking():
    """The guest connects out to the host (QEMU's user network maps 10.0.5.1 to the host's
    loopback; a forward is set so the network is not restricted) through getaddrinfo, a
    non-blocking connect and poll; a refused connection is reported as such."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(60)
    port = srv.getsockname()[1]
    t, got = serve_once(srv, lambda data, peer: b"got:" + data)
    env = {"HERMIT_APP_PORT": str(free_port())}
    r = run_proxy("tcp-client", "10.0.5.1", str(port), "hello from the guest", env=env)
    t.join(60)
    srv.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert got == [b"hello from the guest"]
    assert "tcp-client: answer: got:hello from the guest" in r.stdout
    r = run_proxy("tcp-client", "10.0.5.1", str(port), "anyone?", env=env)
    assert r.returncode == 1
    assert "tcp-client: connection failed: Connection refused" in r.stdout


def test_guest_reaches_the_host_over_ipv6():
    """IPv6 through QEMU's user network: the guest takes an address from its router advertisement
    (SLAAC, fec0::/64) and connects to fec0::2, which QEMU maps to the host's ::1."""
    srv = socket.socket(socket.AF_INET6)
    try:
        srv.bind(("::1", 0))
    except OSError:
        pytest.skip("the host has no IPv6 loopback")
    srv.listen(1)
    srv.settimeout(60)
    port = srv.getsockname()[1]
    t, got = serve_once(srv, lambda data, peer: b"host saw " + peer.encode())
    r = run_proxy("tcp-client", "fec0::2", str(port), "over IPv6", env={"HERMIT_APP_PORT": str(free_port())})
    t.join(60)
    srv.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert got == [b"over IPv6"]
    assert "tcp-client: answer: host saw ::1" in r.stdout


def test_each_captured_frame_is_also_a_trace_event(tmp_path):
    """net_rx/net_tx (HERMIT_TRACE) fire where the capture copies the frame: same frames, same
    order, same lengths and EtherTypes, same spacing in time, and the task that handled each."""
    import json
    g = Guest("tcp-echo", 1, env={"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE": "net_rx,net_tx",
                                  "HERMIT_TRACE_DIR": str(tmp_path)})
    with g.connect() as s:
        s.sendall(b"traced" * 2000)
        assert recv_exactly(s, 12000) == b"traced" * 2000
    assert g.finish() == 0, g.stderr
    assert "(0 lost)" in g.stderr
    frames = read_pcap(next(tmp_path.glob("hermit-tcp-echo-*.pcapng")))
    doc = json.loads(next(tmp_path.glob("hermit-trace-tcp-echo-*.json")).read_text())
    events = sorted((e for e in doc["traceEvents"] if e.get("name") in ("net_rx", "net_tx")), key=lambda e: e["ts"])
    assert len(events) == len(frames), g.stderr
    for (t, f), e in zip(frames, events):
        assert e["name"] == ("net_tx" if outgoing(f) else "net_rx")
        assert e["args"]["len"] == len(f)
        assert e["args"]["protocol"] == int.from_bytes(f[12:14], "big")
        assert e["args"]["task"] > 0
    t0, e0 = frames[0][0], events[0]["ts"]
    for (t, _), e in zip(frames, events):
        # µs: one clock reading stamps both; what is left is rounding (pcap keeps microseconds)
        assert abs((t - t0) / 1000 - (e["ts"] - e0)) < 5


# ---- pcapng: interfaces, comments, live capture, drops, one clock with the trace ----

def quiet(stderr):
    """What a Wireshark tool said on stderr but its note about running as root."""
    return [line for line in stderr.splitlines() if "Running as user" not in line and line.strip()]


def echo_once(env, payload):
    """tcp-echo serving one connection that sends payload once the guest has accepted it (frames
    before are the listener's); (guest, client's port)."""
    g = Guest("tcp-echo", 1, env=env)
    with g.connect() as s:
        client_port = s.getsockname()[1]
        time.sleep(1)
        s.sendall(payload)
        assert recv_exactly(s, len(payload)) == payload
    assert g.finish() == 0, g.stderr
    return g, client_port


def test_pcapng_names_the_interface_and_each_frames_task_and_socket(tmp_path):
    g, cport = echo_once({"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE_DIR": str(tmp_path)}, b"comments" * 100)
    path = re.search(r"hermit: network capture in (\S+\.pcapng) \((\d+) frames", g.stderr).group(1)
    # Wireshark's own tools take the file without a word.
    r = subprocess.run(["capinfos", "-I", path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not quiet(r.stderr), r.stderr
    assert re.search(r"Name = en1\n", r.stdout) and re.search(r"Description = virtio-net\n", r.stdout), r.stdout
    assert "Time precision = nanoseconds (9)" in r.stdout
    r = subprocess.run(["editcap", path, str(tmp_path / "copy.pcapng")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not quiet(r.stderr), r.stderr
    r = subprocess.run(["tshark", "-r", path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not quiet(r.stderr), r.stderr

    blocks = pcapng_blocks(open(path, "rb").read())
    idbs = [pcapng_options(b[8:]) for k, b in blocks if k == 1]
    assert len(idbs) == 1
    assert idbs[0][2] == [b"en1"] and idbs[0][3] == [b"virtio-net"]
    assert idbs[0][4] == [socket.inet_aton("10.0.5.2") + socket.inet_aton("255.255.255.0")]
    assert idbs[0][6] == [bytes.fromhex(GUEST_MAC.replace(":", ""))]
    assert socket.inet_pton(socket.AF_INET6, "fe80::5054:ff:fe12:3456") + b"\x40" in idbs[0][5]
    isbs = [(struct.unpack_from("<I", b)[0], pcapng_options(b[12:])) for k, b in blocks if k == 5]
    frames = sum(1 for k, _ in blocks if k == 6)
    assert [(i, struct.unpack("<Q", o[4][0])[0], struct.unpack("<Q", o[5][0])[0]) for i, o in isbs] == [(0, frames, 0)]

    rows = tshark_fields(path, "frame.comment", "frame.p2p_dir", "tcp.flags.syn", "tcp.flags.ack", "tcp.len",
                         filt=f"tcp.port == {g.port}")
    guest, peer = f"10.0.5.2:{g.port}", f"10.0.5.1:{cport}"
    syn = [c for c, _, s, a, _ in rows if s == "1" and a == "0"]
    assert re.fullmatch(rf"received for task \d+ \(main\) on CPU 0, socket 3: TCP {guest} < {peer}", syn[0]), rows
    data_in = [c for c, d, _, _, n in rows if d == "1" and n not in ("", "0")]
    data_out = [c for c, d, _, _, n in rows if d == "0" and n not in ("", "0")]
    assert data_in and data_out, rows
    for c in data_in:
        assert re.fullmatch(rf"received for task \d+ \(main\) on CPU 0, socket 4: TCP {guest} < {peer}", c), c
    for c in data_out:  # the echo is sent by the app's own task (lwIP's core runs in the caller)
        assert re.fullmatch(rf"sent by task \d+ \(main\) on CPU 0, socket 4: TCP {guest} > {peer}", c), c
    # ARP and neighbour discovery have no socket: the task that sent or took them in
    other = tshark_fields(path, "frame.comment", filt="arp")
    assert other and all(re.fullmatch(r"(sent by|received by) task \d+ \(\S+\) on CPU 0", c) for c, in other), other


def test_capture_format_pcap_and_no_comments(tmp_path):
    g, _ = echo_once({"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE_DIR": str(tmp_path),
                      "HERMIT_CAPTURE_FORMAT": "pcap"}, b"classic")
    path = re.search(r"hermit: network capture in (\S+\.pcap) \(", g.stderr).group(1)
    assert open(path, "rb").read(4) == struct.pack("<I", 0xA1B23C4D)
    assert any(f[14:] and b"classic" in f for _, f in read_pcap(path))
    g, _ = echo_once({"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE_DIR": str(tmp_path),
                      "HERMIT_CAPTURE_COMMENTS": "0"}, b"bare")
    path = re.search(r"hermit: network capture in (\S+\.pcapng) \(", g.stderr).group(1)
    assert b"bare" in open(path, "rb").read()
    assert tshark_fields(path, "frame.comment", filt="frame.comment") == []


def test_live_capture_is_read_by_tshark_while_the_guest_runs(tmp_path):
    """live:FIFO: tshark reads the frames of a connection the guest still holds open; the file
    is still written at the end, with the same frames."""
    fifo = tmp_path / "live"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["tshark", "-l", "-i", str(fifo), "-T", "fields", "-e", "tcp.payload",
                               "-e", "frame.comment"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    threading.Thread(target=lambda: lines.extend(iter(reader.stdout.readline, "")), daemon=True).start()
    g = Guest("tcp-echo", 1, env={"HERMIT_CAPTURE_NET": f"live:{fifo}", "HERMIT_TRACE_DIR": str(tmp_path)})
    with g.connect() as s:
        s.sendall(b"live!")
        assert recv_exactly(s, 5) == b"live!"
        deadline = time.time() + 30
        while not any(line.startswith("6c69766521\t") and "sent by task" in line for line in lines):
            assert time.time() < deadline, lines
            time.sleep(0.01)
        assert g.proc.poll() is None  # seen while the guest still runs and the connection is open
    assert g.finish() == 0, g.stderr
    reader.wait(timeout=60)
    assert reader.returncode == 0, reader.stderr.read()
    final = re.search(r"hermit: network capture in (\S+\.pcapng) \((\d+) frames", g.stderr)
    assert final and len(lines) == int(final.group(2)), (lines, g.stderr)


def test_live_capture_refuses_a_path_it_cannot_create(tmp_path):
    r = run_proxy("hello", env={"HERMIT_CAPTURE_NET": f"live:{tmp_path}/no/such/dir/f"})
    assert r.returncode == 2
    assert "HERMIT_CAPTURE_NET=live:" in r.stderr and "No such file or directory" in r.stderr


def test_frames_the_ring_dropped_are_counted(tmp_path):
    """The proxy stopped (SIGSTOP) while 16 MiB arrive: the 8 MiB ring overflows; the frames it
    could not take are counted, on the next frame (epb_dropcount) and at the end (isb_ifdrop)."""
    import signal
    total = 16 << 20
    g = Guest(BENCHMARKS / "netbench", "sink", env={"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE_DIR": str(tmp_path)})
    with g.connect() as s:
        s.settimeout(240)  # a loaded machine's TCG
        # the proxy prints "listening" before it answers that write: stopped in between, it would
        # hold the app in its hypercall, and nothing would be read
        time.sleep(2)
        g.proc.send_signal(signal.SIGSTOP)
        try:
            block = b"\x42" * 65536
            for _ in range(total // len(block)):
                s.sendall(block)
            time.sleep(1)
        finally:
            g.proc.send_signal(signal.SIGCONT)
        time.sleep(1)  # the proxy drains; what comes next finds room and carries the count
        s.sendall(b"\x43" * 100_000)
    assert g.finish(timeout=300) == 0, g.stderr
    m = re.search(r"hermit: network capture in (\S+) \((\d+) frames, (\d+) dropped\)", g.stderr)
    dropped = int(m.group(3))
    assert dropped > 1000, g.stderr
    counts = [int(c) for c, in tshark_fields(m.group(1), "frame.drop_count", filt="frame.drop_count")]
    assert sum(counts) == dropped
    isb = [pcapng_options(b[12:]) for k, b in pcapng_blocks(open(m.group(1), "rb").read()) if k == 5]
    assert struct.unpack("<Q", isb[0][5][0])[0] == dropped


def test_a_frames_time_in_the_pcapng_is_its_trace_events_time(tmp_path):
    """One clock reading stamps a frame's capture record and its net_rx/net_tx event: the pcapng's
    nanoseconds and the CTF trace's (babeltrace2, clock cycles of its 1 GHz clock) differ by the
    same offset, the wall clock at the kernel's zero, for every frame, to the nanosecond."""
    g, _ = echo_once({"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE": "net_rx,net_tx",
                      "HERMIT_TRACE_DIR": str(tmp_path)}, b"one clock" * 500)
    frames = read_pcap(next(tmp_path.glob("hermit-tcp-echo-*.pcapng")))
    ctf = next(p for p in tmp_path.glob("hermit-trace-tcp-echo-*") if p.is_dir())
    r = subprocess.run(["babeltrace2", "--clock-cycles", str(ctf)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    events = [(int(t), name) for t, name in re.findall(r"^\[(\d+)\] \(\+[?\d]+\) (net_rx|net_tx):", r.stdout, re.M)]
    assert len(events) == len(frames) > 10
    offsets = {t - e for (t, _), (e, _) in zip(frames, events)}
    assert len(offsets) == 1, sorted(offsets)[:5]
    assert [n for _, n in events] == ["net_tx" if outgoing(f) else "net_rx" for _, f in frames]
