"""The seed README's tap network, for real: a tap device tap100 with 10.0.5.1/24 and proxy ARP,
the guest on 10.0.5.2 (the defaults), all inside a network namespace made for the test (root
only), so the machine's own network is untouched. A client in the namespace talks to a server in
the guest, the guest reaches a server in the namespace (over IPv4 and over IPv6 link-local), and a missing, busy or wrong device is a
clear error (exit status 2) before anything starts."""
import os
import shutil
import subprocess
import textwrap
import time

import pytest

from conftest import PROXY, SCRATCH, TESTS

GUEST_LINK_LOCAL = "fe80::5054:ff:fe12:3456"  # from the guest's MAC 52:54:00:12:34:56

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"),
                                reason="needs root and iproute2 for a network namespace")


def sh(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check, timeout=60, **kw)


@pytest.fixture
def netns():
    """A namespace with the README's recipe: tap100, 10.0.5.1/24, proxy ARP. Removed afterwards,
    whatever happened (the tap device goes with it)."""
    name = f"hermit-tap-{os.getpid()}"
    sh("ip", "netns", "add", name)
    try:
        def ns(*cmd):
            return sh("ip", "netns", "exec", name, *cmd)
        ns("ip", "link", "set", "lo", "up")
        ns("ip", "tuntap", "add", "tap100", "mode", "tap")
        ns("ip", "addr", "add", "10.0.5.1/24", "broadcast", "10.0.5.255", "dev", "tap100")
        ns("ip", "link", "set", "dev", "tap100", "up")
        ns("sh", "-c", "echo 1 > /proc/sys/net/ipv4/conf/tap100/proxy_arp")
        # IPv6: a fixed link-local address for the guest to reach, usable at once (no DAD)
        ns("ip", "-6", "addr", "add", "fe80::1/64", "dev", "tap100", "nodad")
        yield name
    finally:
        sh("ip", "netns", "del", name, check=False)


def in_ns(ns, argv, env=None, **kw):
    """A process inside the namespace (QEMU, started by the proxy, inherits it)."""
    full_env = dict(os.environ, HERMIT_KVM="0", HERMIT_TRACE_DIR=SCRATCH)
    full_env.update(env or {})
    return subprocess.Popen(["ip", "netns", "exec", ns, *argv], env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def guest(ns, app, *args, env=None):
    return in_ns(ns, [str(PROXY), str(TESTS / app), *[str(a) for a in args]],
                 env=dict(env or {}, HERMIT_NETIF="tap100"))


def wait_for_line(proc, text, timeout=60):
    deadline, seen = time.time() + timeout, []
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return seen
    proc.kill()
    raise AssertionError(f"no {text!r}: " + "".join(seen) + proc.stderr.read())


# The client and server in the namespace: the host's Python, run there.
ECHO_CLIENT = textwrap.dedent("""
    import socket, sys
    s = socket.create_connection((sys.argv[1], 7777), timeout=30)
    s.sendall(b"over the tap")
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        got += b
    print(got.decode())
""")

SERVER = textwrap.dedent("""
    import socket, sys
    family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
    l = socket.socket(family)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((sys.argv[1], 9999) if family == socket.AF_INET else (sys.argv[1], 9999, 0, socket.if_nametoindex("tap100")))
    l.listen(1)
    l.settimeout(60)
    print("ready", flush=True)
    c, peer = l.accept()
    data = b""
    while not data.endswith(b"hello from the guest"):
        b = c.recv(4096)
        if not b:
            break
        data += b
    c.sendall(b"namespace saw " + peer[0].encode())
    c.close()
    print("server got", data.decode(), "from", peer[0], flush=True)
""")


def test_a_client_in_the_namespace_reaches_a_server_in_the_guest(netns):
    g = guest(netns, "tcp-echo", 7777, 2, "ipv6", env={"HERMIT_VERBOSE": "1"})
    wait_for_line(g, "listening on")
    ping = sh("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "10", "10.0.5.2", check=False)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    client = sh("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", ECHO_CLIENT, "10.0.5.2")
    assert client.stdout.strip() == "over the tap"
    # the same over IPv6, to the link-local address the guest made from its MAC
    ping6 = sh("ip", "netns", "exec", netns, "ping", "-6", "-c", "1", "-W", "10", GUEST_LINK_LOCAL + "%tap100",
               check=False)
    assert ping6.returncode == 0, ping6.stdout + ping6.stderr
    client = sh("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", ECHO_CLIENT, GUEST_LINK_LOCAL + "%tap100")
    assert client.stdout.strip() == "over the tap"
    out, err = g.communicate(timeout=60)
    assert g.returncode == 0, err
    assert "connection 1 from 10.0.5.1 echoed 12 bytes" in out
    assert "connection 2 from fe80::1%en1 echoed 12 bytes" in out
    assert "net: virtio-net 52:54:00:12:34:56 as 10.0.5.2" in err


@pytest.mark.parametrize("server_ip,guest_ip", [("10.0.5.1", "10.0.5.2"), ("fe80::1", GUEST_LINK_LOCAL)])
def test_the_guest_reaches_a_server_in_the_namespace(netns, server_ip, guest_ip):
    server = in_ns(netns, ["/usr/bin/python3", "-c", SERVER, server_ip])
    try:
        wait_for_line(server, "ready")
        # a link-local address needs its zone: the guest's card is lwIP's en1 (lo0 came first)
        target = server_ip + "%en1" if server_ip.startswith("fe80") else server_ip
        g = guest(netns, "tcp-client", target, 9999, "hello from the guest")
        out, err = g.communicate(timeout=60)
        assert g.returncode == 0, out + err
        assert f"tcp-client: answer: namespace saw {guest_ip}" in out
        sout, _ = server.communicate(timeout=30)
        assert f"server got hello from the guest from {guest_ip}" in sout.replace("%tap100", "")
    finally:
        server.kill()
        server.wait()


def test_a_missing_busy_or_wrong_device_is_refused(netns):
    def refused(netif, why):
        p = in_ns(netns, [str(PROXY), str(TESTS / "hello")], env={"HERMIT_NETIF": netif})
        out, err = p.communicate(timeout=60)
        assert p.returncode == 2, err
        assert f"hermit: HERMIT_NETIF={netif}: {why}" in err
        assert "Hello" not in out

    refused("tap101", "no such network interface")
    refused("lo", "not a tap device")
    g = guest(netns, "tcp-echo", 7777, 1)
    try:
        wait_for_line(g, "listening on")
        refused("tap100", "the tap device is busy")
    finally:
        g.kill()
        g.wait()
    links = sh("ip", "netns", "exec", netns, "ip", "-o", "link").stdout
    assert "tap101" not in links  # nothing created a device behind the user's back
