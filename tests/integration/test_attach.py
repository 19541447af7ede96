"""HERMIT_DEBUG=attach end to end: real gdb attaching to real guests under TCG that run without it:
a busy loop, an echo server under load, a gdb killed while attached, `run` after `kill`."""
import os
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import PROXY, SCRATCH, TESTS, read_until
from test_gdb import DEBUGGEE, GDB_TIMEOUT, free_port, no_errors


class Guest:
    """A proxy running app with HERMIT_DEBUG=attach, gdb's port of its own, extra env on top."""

    def __init__(self, app, *args, env=None):
        self.app = str(app)
        self.port = free_port()
        full_env = dict(os.environ, HERMIT_KVM="0", HERMIT_DEBUG="attach", HERMIT_DEBUG_PORT=str(self.port),
                        HERMIT_TRACE_DIR=SCRATCH)
        full_env.update(env or {})
        self.proc = subprocess.Popen([str(PROXY), self.app, *map(str, args)], env=full_env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        assert "gdb can attach on 127.0.0.1:%d" % self.port in line, line

    def gdb_args(self, *commands):
        argv = ["gdb", "-batch", "-nx", "-iex", "set auto-load off", "-ex", "set confirm off",
                "-ex", "set pagination off", self.app, "-ex", f"target extended-remote :{self.port}"]
        for c in commands:
            argv += ["-ex", c]
        return argv

    def gdb(self, *commands):
        r = subprocess.run(self.gdb_args(*commands), capture_output=True, text=True, timeout=GDB_TIMEOUT)
        return r.stdout + r.stderr

    def finish(self, timeout=60):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            pytest.fail("the proxy did not end: " + err)
        return self.proc.returncode, out, err

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def guest():
    made = []

    def make(*args, **kw):
        g = Guest(*args, **kw)
        made.append(g)
        return g

    yield make
    for g in made:
        g.close()


def counter(out):
    return [int(v) for v in re.findall(r"^\$\d+ = (\d+)$", out, re.M)]


def test_without_gdb_the_guest_runs_to_its_end(guest):
    g = guest(DEBUGGEE, 3, "x")
    status, stdout, _ = g.finish()
    assert status == 3
    assert "debuggee: done, args: 3 x" in stdout  # no stop at boot: nobody had to continue it


def test_attach_finds_a_busy_loop_where_it_is_detach_lets_it_run(guest):
    g = guest(DEBUGGEE, "busy")
    time.sleep(2)
    seen = []
    for _ in range(3):
        out = g.gdb("info threads", "bt", "p counter", "detach")
        no_errors(out)
        assert re.search(r"#0  (0x[0-9a-f]+ in )?spin \(\) at \S*debuggee.c", out), out
        assert re.search(r'\* 2 +Thread 2 "main" \(running on CPU 0\)', out), out
        assert re.search(r'1 +Thread 1 "idle"', out), out
        assert "[Inferior 1 (Remote target) detached]" in out
        seen += counter(out)
        time.sleep(1)
    assert len(seen) == 3 and seen[0] < seen[1] < seen[2], seen  # it ran on between the attaches
    assert g.proc.poll() is None


class EchoLoad:
    """A client that keeps a 4 KiB echo round trip going to the guest's server and counts them."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.rounds = 0
        self.error = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        data = bytes(range(256)) * 16
        try:
            while not self.stop.is_set():
                self.sock.sendall(data)
                got = b""
                while len(got) < len(data):
                    chunk = self.sock.recv(len(data) - len(got))
                    if not chunk:
                        raise EOFError("the server closed")
                    got += chunk
                assert got == data
                self.rounds += 1
        except Exception as e:  # noqa: BLE001: the test reports it
            self.error = e

    def wait_for_more(self, than, timeout=30):
        deadline = time.time() + timeout
        while self.rounds <= than and time.time() < deadline and not self.error:
            time.sleep(0.1)
        assert self.error is None, self.error
        return self.rounds

    def close(self):
        self.stop.set()
        self.thread.join(timeout=30)
        self.sock.close()


def threads_of(out):
    return sorted(re.findall(r'Thread (\d+) "([^"]+)"', out))


def test_attach_detach_attach_to_an_echo_server_under_load(guest):
    app_port = free_port()
    g = guest(TESTS / "tcp-echo", app_port, 1, env={"HERMIT_APP_PORT": str(app_port)})
    assert "listening on" in read_until(g.proc.stdout, "listening on", timeout=60)
    load = EchoLoad(app_port)
    rounds = load.wait_for_more(10)
    first = None
    for _ in range(3):
        out = g.gdb("info threads", "thread apply all bt 1", "detach")
        no_errors(out)
        tasks = threads_of(out)
        names = {name for _, name in tasks}
        assert {"idle", "main", "tcpip", "virtio-net"} <= names, out  # every task, each time
        first = first or tasks
        assert tasks == first, out
        assert "[Inferior 1 (Remote target) detached]" in out
        rounds = load.wait_for_more(rounds + 20)  # still serving after the detach
    load.close()
    status, stdout, _ = g.finish()
    assert status == 0
    assert re.search(r"connection 1 from 10.0.5.1 echoed \d+ bytes", stdout), stdout


def test_a_gdb_killed_while_attached_lets_the_guest_run_on(guest):
    g = guest(DEBUGGEE, "busy")
    time.sleep(1)
    attached = SCRATCH + f"/attached-{g.port}"
    p = subprocess.Popen(g.gdb_args("break touch", "p counter", f"shell touch {attached}", "shell sleep 600"),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.time() + GDB_TIMEOUT
    while not os.path.exists(attached) and time.time() < deadline:
        time.sleep(0.05)
    assert os.path.exists(attached)
    time.sleep(0.5)
    os.killpg(p.pid, signal.SIGKILL)  # stopped by gdb, and gdb is gone without a word (its shell too)
    before = counter(p.communicate()[0])
    time.sleep(1)
    assert g.proc.poll() is None
    out = g.gdb("info breakpoints", "p counter", "detach")
    no_errors(out)
    assert "No breakpoints or watchpoints." in out
    assert len(before) == 1 and counter(out)[0] > before[0], (before, out)  # it ran on


def test_run_after_kill_stops_the_new_guest_before_main(guest):
    g = guest(DEBUGGEE, "busy")
    out = g.gdb("kill", "break main", "run 4", "bt 1", "continue")
    no_errors(out)
    # the guest gdb boots waits for it, as with HERMIT_DEBUG=1, so the breakpoint is in time
    assert re.search(r"Breakpoint 1, main \(argc=2, ", out), out
    assert "exited with code 04" in out
    assert g.finish()[0] == 4
