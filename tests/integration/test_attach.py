"""HERMIT_DEBUG=attach end to end: real gdb attaching to real guests under TCG that run without it:
a busy loop, an echo server under load, a gdb killed while attached, `run` after `kill`."""
import os
import re
import signal
import socket
import subprocess
import threading
import time


from conftest import PROXY, SCRATCH, TESTS, read_until
from test_gdb import DEBUGGEE, GDB_TIMEOUT, free_port, guest, no_errors  # noqa: F401 (guest: the fixture)


ATTACH = {"HERMIT_DEBUG": "attach"}


def counter(out):
    return [int(v) for v in re.findall(r"^\$\d+ = (\d+)$", out, re.M)]


def test_without_gdb_the_guest_runs_to_its_end(guest):
    g = guest(DEBUGGEE, "3", "x", env=ATTACH)
    status, stdout, _ = g.finish()
    assert status == 3
    assert "debuggee: done, args: 3 x" in stdout  # no stop at boot: nobody had to continue it


def test_without_gdb_a_crash_is_reported_as_ever(guest):
    g = guest(TESTS / "crash", env=ATTACH)
    status, _, err = g.finish()
    assert status == 139
    assert "kernel crash: page fault" in err and "hermit: the guest crashed (page fault)" in err


def test_attach_finds_a_busy_loop_where_it_is_detach_lets_it_run(guest):
    g = guest(DEBUGGEE, "busy", env=ATTACH)
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
    g = guest(TESTS / "tcp-echo", str(app_port), "1", env=dict(ATTACH, HERMIT_APP_PORT=str(app_port)))
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
    g = guest(DEBUGGEE, "busy", env=ATTACH)
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
    g = guest(DEBUGGEE, "busy", env=ATTACH)
    out = g.gdb("kill", "break main", "run 4", "bt 1", "continue")
    no_errors(out)
    # the guest gdb boots waits for it, as with HERMIT_DEBUG=1, so the breakpoint is in time
    assert re.search(r"Breakpoint 1, main \(argc=2, ", out), out
    assert "exited with code 04" in out
    assert g.finish()[0] == 4


def scripts_gdb(g, *commands):
    """gdb with Hermit's scripts (auto-loaded from the image) attached to g."""
    argv = g.gdb_args(*commands)
    argv[argv.index("set auto-load off")] = "set auto-load safe-path /"
    r = subprocess.run(argv, capture_output=True, text=True, timeout=GDB_TIMEOUT)
    return r.stdout + r.stderr


def row(out, name):
    """The `hermit tasks` line of the task called name."""
    m = re.search(rf"^[ *] *\d+ +\d+ \w+ +{name} .*$", out, re.M)
    assert m, out
    return m.group(0)


DEADLOCK = TESTS / "deadlock"


def check_deadlock_rows(out):
    sym = r"\(0x[0-9a-f]+\)"
    assert re.search(rf'mutex lock_b {sym}, held by task \d+ "right"$', row(out, "left")), out
    assert re.search(rf'mutex lock_a {sym}, held by task \d+ "left"$', row(out, "right")), out
    assert re.search(r'join of task \d+ "left"$', row(out, "main")), out
    assert re.search(rf"condition variable wakeup {sym}$", row(out, "waiter")), out
    assert re.search(r"condition variable 0x[0-9a-f]+, in a call on fd 3$", row(out, "reader")), out


def test_hermit_tasks_shows_a_deadlock_with_its_mutexes_and_owners(guest):
    g = guest(DEADLOCK, env=ATTACH)
    assert "deadlock: stuck" in read_until(g.proc.stdout, "deadlock: stuck", timeout=60)
    time.sleep(1)  # main goes from its last write to the join
    out = scripts_gdb(g, "hermit tasks", "info threads", "detach")
    no_errors(out)
    check_deadlock_rows(out)
    # the stub's thread list says it too, without the scripts
    left = re.search(r'Thread (\d+) "left"', out).group(1)
    right = re.search(r'Thread (\d+) "right"', out).group(1)
    assert re.search(rf'"left" \(blocked on mutex 0x[0-9a-f]+ held by task {right}\)', out), out
    assert re.search(rf'"right" \(blocked on mutex 0x[0-9a-f]+ held by task {left}\)', out), out
    assert re.search(rf'"main" \(blocked on join of task {left}\)', out), out
    assert re.search(r'"reader" \(blocked on condition variable 0x[0-9a-f]+, fd 3\)', out), out


def test_a_deadlock_in_the_bundle_and_its_core(tmp_path):
    """No gdb stub at all: SIGUSR2's bundle of the hung guest says what each task waits for, in
    registers.txt (the proxy) and through `hermit tasks` on its core (the scripts)."""
    env = dict(os.environ, HERMIT_KVM="0", HERMIT_TRACE_DIR=str(tmp_path))
    env.pop("HERMIT_DEBUG", None)
    p = subprocess.Popen([str(PROXY), str(DEADLOCK)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        assert "deadlock: stuck" in read_until(p.stdout, "deadlock: stuck", timeout=60)
        time.sleep(1)  # main goes from its last write to the join
        p.send_signal(signal.SIGUSR2)
        assert "post-mortem bundle in" in read_until(p.stderr, "post-mortem bundle in", timeout=60)
    finally:
        p.kill()
        p.communicate()
    bundle = next(tmp_path.glob("hermit-postmortem-deadlock-*"))
    regs = (bundle / "registers.txt").read_text()
    assert re.search(r'^task \d+ "left" blocked on CPU \d+: .*\n(?:  .*\n)*?  waits for mutex 0x[0-9a-f]+ held by task \d+ "right"$',
                     regs, re.M), regs
    assert re.search(r'^  waits for join of task \d+ "left"$', regs, re.M), regs
    assert re.search(r"^  waits for condition variable 0x[0-9a-f]+, in a call on fd 3$", regs, re.M), regs
    r = subprocess.run(["gdb", "-batch", "-nx", "-iex", "set auto-load safe-path /", str(DEADLOCK), str(bundle / "core"),
                        "-ex", "hermit tasks"], capture_output=True, text=True, timeout=GDB_TIMEOUT)
    check_deadlock_rows(r.stdout + r.stderr)


def test_hermit_tasks_names_the_socket_a_server_waits_on(guest):
    app_port = free_port()
    g = guest(TESTS / "tcp-echo", str(app_port), "1", env=dict(ATTACH, HERMIT_APP_PORT=str(app_port)))
    assert "listening on" in read_until(g.proc.stdout, "listening on", timeout=60)
    out = scripts_gdb(g, "hermit tasks", "detach")
    no_errors(out)
    assert re.search(r"socket 3 \(lwIP 0x[0-9a-f]+\)$", row(out, "main")), out  # in accept
    assert re.search(r"lwIP tcpip_mbox \(0x[0-9a-f]+\)$", row(out, "tcpip")), out
    with socket.create_connection(("127.0.0.1", app_port), timeout=30) as s:
        s.sendall(b"ping")
        assert s.recv(4) == b"ping"
        out = scripts_gdb(g, "hermit tasks", "info threads", "detach")
        no_errors(out)
        assert re.search(r"socket 4 \(lwIP 0x[0-9a-f]+\)$", row(out, "main")), out  # in read
        assert '"main" (blocked on socket 4)' in out
        s.sendall(b"pong")
        assert s.recv(4) == b"pong"  # served on after the detach
    assert g.finish()[0] == 0
