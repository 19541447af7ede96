"""The in-kernel gdb stub, end to end: real gdb (batch mode) against a real guest under TCG,
through the proxy (HERMIT_DEBUG=1). Each test checks what gdb must print and what it must not."""
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import PROXY, SCRATCH, TESTS, qemu_processes_of

DEBUGGEE = TESTS / "debuggee"
GDB_TIMEOUT = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    """A proxy with HERMIT_DEBUG=1 (or env's) running app, waiting for gdb on a port of its own."""

    def __init__(self, app=DEBUGGEE, *args, env=None):
        self.app = str(app)
        self.port = free_port()
        full_env = dict(os.environ, HERMIT_KVM="0", HERMIT_DEBUG="1", HERMIT_DEBUG_PORT=str(self.port),
                        HERMIT_TRACE_DIR=SCRATCH)
        full_env.update(env or {})
        self.proc = subprocess.Popen([str(PROXY), self.app, *args], env=full_env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # the proxy listens before it starts QEMU, then says so
        line = self.proc.stderr.readline()
        ready = "gdb can attach on" if full_env["HERMIT_DEBUG"] == "attach" else "waiting for gdb on"
        assert "%s 127.0.0.1:%d" % (ready, self.port) in line, line

    def gdb_args(self, *commands, extended=True):
        target = "extended-remote" if extended else "remote"
        argv = ["gdb", "-batch", "-nx", "-iex", "set auto-load off", "-ex", "set confirm off",
                "-ex", "set pagination off",
                self.app, "-ex", f"target {target} :{self.port}"]
        for c in commands:
            argv += ["-ex", c]
        return argv

    def gdb(self, *commands, extended=True, timeout=GDB_TIMEOUT):
        r = subprocess.run(self.gdb_args(*commands, extended=extended), capture_output=True, text=True,
                           timeout=timeout)
        return r.stdout + r.stderr

    def finish(self, timeout=30):
        """The proxy's exit status, stdout and stderr once it ended."""
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


def no_errors(out):
    for bad in ("Remote connection closed", "Protocol error", "Remote failure reply", "Traceback",
                "kernel crash", "Ignoring packet error", "Truncated register"):
        assert bad not in out, out


def test_stops_before_main_then_break_main_continue_bt(guest, accel):
    g = guest(DEBUGGEE, "0", "first", env={"HERMIT_KVM": "1" if accel == "kvm" else "0"})
    out = g.gdb("break main", "continue", "bt", "continue")
    no_errors(out)
    assert "in debug_boot" in out  # the first stop, before the main task exists
    assert re.search(r'Thread 2 "main" hit Breakpoint 1, main \(argc=3, argv=0x[0-9a-f]+', out), out
    assert re.search(r"#0  main \(argc=3, .*\) at \S*tests/debuggee/debuggee.c:\d+", out), out
    assert "exited normally" in out
    status, stdout, _ = g.finish()
    assert status == 0
    assert "debuggee: done, args: 0 first" in stdout  # the app's output reaches the proxy's stdout


def test_info_threads_names_states_and_bt_of_a_blocked_task(guest):
    g = guest()
    out = g.gdb("break touch", "continue", "info threads", "thread 3", "bt", "kill")
    no_errors(out)
    assert re.search(r'1 +Thread 1 "idle" \((ready|blocked)\)', out), out
    assert re.search(r'\* 2 +Thread 2 "main" \(running on CPU 0\) +touch \(\)', out), out
    assert re.search(r'3 +Thread 3 "waiter" \(blocked on condition variable 0x[0-9a-f]+\)', out), out
    # the blocked task's stack, unwound from its saved frame
    assert re.search(r"#\d+ +0x[0-9a-f]+ in pthread_cond_wait ", out), out
    assert re.search(r"#\d+ +0x[0-9a-f]+ in wait_for_release \(\) at \S*debuggee.c:\d+", out), out
    assert re.search(r"#\d+ +0x[0-9a-f]+ in waiter \(", out), out
    assert "Thread 4" not in out


def test_registers_g_and_p(guest):
    g = guest()
    out = g.gdb("break touch", "continue", "info registers rip rsp eflags cs mxcsr fs_base",
                "p $rip == touch", "set var $rax = 0x1234", "p/x $rax", "set var $xmm1.v4_int32[2] = 77",
                "p $xmm1.v4_int32[2]", "p $fctrl", "kill")
    no_errors(out)
    assert re.search(r"rip +0x[0-9a-f]+ +0x[0-9a-f]+ <touch(\+\d+)?>", out), out
    assert re.search(r"cs +0x8 +8", out), out
    assert re.search(r"mxcsr +0x1f80 +\[ IM DM ZM OM UM PM \]", out), out
    assert "$1 = 1" in out
    assert "$2 = 0x1234" in out  # G/P reach the task's saved frame
    assert "$3 = 77" in out      # and its FXSAVE area
    assert "$4 = 895" in out     # 0x37f, the x87 default
    assert "<unavailable>" not in out


def test_bad_address_read_is_an_error_not_a_crash(guest):
    g = guest()
    out = g.gdb("x/4xb 0", "x/2xg 0xffff800000000000", "x/2xg 0xfee00000", "p *(long *)8",
                "x/2xb &counter", "kill")
    assert "Cannot access memory at address 0x0" in out
    assert "Cannot access memory at address 0xffff800000000000" in out
    assert "Cannot access memory at address 0xfee00000" in out  # the APIC window is never read
    assert re.search(r"<counter>:\s+0x00\s+0x00", out), out
    no_errors(out)


def test_stepi_and_step(guest):
    g = guest()
    out = g.gdb("break touch", "continue", "p $pc", "stepi", "p $pc", "stepi", "stepi", "next", "next",
                "p watched", "kill")
    no_errors(out)
    pcs = [int(m, 16) for m in re.findall(r"\$\d+ = \(void \(\*\)\(\)\) (0x[0-9a-f]+)", out)]
    assert len(pcs) == 2 and pcs[1] > pcs[0], out
    assert re.search(r"\$\d+ = 42", out), out  # two lines stepped: the write happened


def test_hardware_watchpoints_report_the_right_kind(guest):
    g = guest()
    out = g.gdb("break touch", "continue", "delete", "watch watched", "continue", "delete",
                "rwatch watched", "continue", "delete", "awatch sink", "continue", "kill")
    no_errors(out)
    assert re.search(r"Hardware watchpoint 2: watched\s+Old value = 0\s+New value = 42", out), out
    # the read after the write; the write itself is not a read
    assert re.search(r"Hardware read watchpoint 3: watched\s+Value = 42", out), out
    assert re.search(r"Hardware access \(read/write\) watchpoint 4: sink", out), out


def test_ctrl_c_stops_a_busy_loop(guest):
    g = guest(DEBUGGEE, "busy")
    p = subprocess.Popen(g.gdb_args("continue", "p counter > 0", "bt", "kill"), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    time.sleep(3)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=GDB_TIMEOUT)
    no_errors(out)
    assert "received signal SIGINT" in out, out
    assert re.search(r"#0  (0x[0-9a-f]+ in )?spin \(\) at \S*debuggee.c", out), out
    assert "$1 = 1" in out


def test_monitor_help_tasks_mem(guest):
    g = guest()
    out = g.gdb("monitor help", "monitor tasks", "monitor mem", "monitor log 5", "monitor nosuch", "kill")
    assert re.search(r"^help +list the monitor commands", out, re.M), out
    for name in ("tasks", "mem", "log", "breaks"):
        assert re.search(rf"^{name} +\S", out, re.M), out
    assert re.search(r"^ +1 +idle +running", out, re.M), out
    assert re.search(r"^pages: \d+ free of \d+", out, re.M), out
    assert re.search(r"^console level I; the last \d+ of the log:\n\[ +\d+\.\d{6}\] I ", out, re.M), out
    assert "clock: TSC at" in out
    assert "unknown monitor command 'nosuch'" in out
    assert "kernel crash" not in out


def test_kill_then_run_restarts_with_new_arguments_and_reports_the_exit_code(guest):
    g = guest(DEBUGGEE, "1")
    out = g.gdb("break touch", "continue", "kill", "run 7 again", "p $_exitcode", "continue",
                "p $_exitcode")
    no_errors(out)
    assert out.count("hit Breakpoint 1, touch ()") == 2, out
    assert "exited with code 07" in out
    assert "$1 = void" in out and "$2 = 7" in out
    status, stdout, _ = g.finish()
    assert status == 7
    assert "debuggee: done, args: 7 again" in stdout
    assert "args: 1" not in stdout  # the first guest was killed before it printed


def test_exit_code_reaches_gdb(guest):
    g = guest(DEBUGGEE, "3")
    out = g.gdb("continue")
    no_errors(out)
    assert "exited with code 03" in out
    assert g.finish()[0] == 3


def test_disconnect_detaches_and_a_new_gdb_can_attach(guest):
    g = guest(DEBUGGEE, "busy")
    out = g.gdb("break spin", "continue", "detach", extended=False)
    no_errors(out)
    assert "hit Breakpoint 1, spin" in out and "[Inferior 1 (Remote target) detached]" in out
    time.sleep(1)
    assert g.proc.poll() is None  # the guest runs on, without the breakpoint
    out = g.gdb("bt", "p counter > 0", "kill")
    no_errors(out)
    assert re.search(r"#0 .*spin \(\) at", out), out
    assert "$1 = 1" in out


def test_disconnect_without_detach_lets_the_guest_finish(guest):
    g = guest(DEBUGGEE, "5", "x")
    # gdb's batch end detaches; the guest must then run to its end with the breakpoint gone
    out = g.gdb("break touch", "continue", extended=False)
    assert "hit Breakpoint 1, touch" in out
    status, stdout, _ = g.finish()
    assert status == 5
    assert "debuggee: done, args: 5 x" in stdout
    assert not qemu_processes_of(str(DEBUGGEE) + " ")


def raw_session(port, data, read_for=1.0):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        s.settimeout(read_for)
        got = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
        return got


def packet(payload):
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) % 256)


def test_bad_input_over_the_socket_never_hurts_the_guest(guest):
    g = guest(DEBUGGEE, "busy")
    garbage = [
        b"$g#00",                                   # bad checksum: NAK
        b"$" + b"A" * 100000 + b"#00",              # far beyond PacketSize
        bytes(range(256)) * 64,                     # binary noise
        packet(b"m0,ffffffffffffffff"),             # huge length from address 0
        packet(b"mffffffffffffff00,1000"),          # wraps around
        packet(b"M200000,4:zzzz"),                  # non-hex
        packet(b"Hgffff"), packet(b"T7777"),        # bad threads
        packet(b"Z0,0,1"), packet(b"Z2,3,4"),       # unmapped, unaligned
        packet(b"qRcmd,zz"), packet(b"vCont;q"),    # malformed
        packet(b"X0,4:ab"),                         # length mismatch
    ]
    for data in garbage:
        got = raw_session(g.port, data, read_for=0.5)
        assert g.proc.poll() is None, got
    # still alive and sane: a real gdb works afterwards
    out = g.gdb("bt", "p counter > 0", "info threads", "kill")
    no_errors(out)
    assert re.search(r"#0 .*spin \(\) at", out), out
    assert "$1 = 1" in out
    assert re.search(r'Thread 2 "main"', out), out


def test_a_fault_stops_in_gdb_before_the_crash_report(guest):
    g = guest(TESTS / "crash")
    out = g.gdb("continue", "bt 2", "p nowhere", "continue")
    assert "received signal SIGSEGV" in out, out
    assert re.search(r"#0  .*read_through_null \(\) at \S*crash.c:\d+", out), out
    assert "$1 = (int * volatile) 0x0" in out
    assert "terminated with signal SIGSEGV" in out
    status, _, err = g.finish()
    assert status == 139
    assert "kernel crash: page fault" in err  # the report still comes, after gdb saw the fault


def test_hermit_debug_qemu_keeps_qemus_gdbstub(guest):
    g = guest(TESTS / "hello", env={"HERMIT_DEBUG": "qemu"})
    out = g.gdb("break kernel_main", "continue", "bt 1", "kill", extended=False)
    assert re.search(r"Breakpoint 1, kernel_main \(bi=.*\) at \S*kernel/core/main.c:\d+", out), out
    assert "Thread 2" not in out  # QEMU sees a CPU, not tasks


def lldb_env():
    """Debian 12's lldb looks for its Python module in a directory that does not exist (`lldb -P`);
    python3-lldb installs it under LLVM's own tree, found here."""
    found = sorted(pathlib.Path("/usr/lib").glob("llvm-*/lib/python3*/dist-packages/lldb/embedded_interpreter.py"))
    return dict(os.environ, PYTHONPATH=str(found[-1].parents[1])) if found else dict(os.environ)


@pytest.mark.skipif(not shutil.which("lldb"), reason="lldb is not installed (make deps installs it)")
def test_lldb_connects_breaks_and_unwinds(guest):
    g = guest()
    r = subprocess.run(["lldb", "--batch", "-o", f"gdb-remote {g.port}", "-o", "breakpoint set -n touch",
                        "-o", "continue", "-o", "register read rip", "-o", "bt", "-o", "thread list",
                        "-o", "kill", str(DEBUGGEE)], capture_output=True, text=True, timeout=GDB_TIMEOUT,
                       env=lldb_env())
    out = r.stdout + r.stderr
    assert "Traceback" not in out, out  # its Python module loads
    assert "stop reason = breakpoint 1.1" in out, out
    assert re.search(r"rip = 0x[0-9a-f]+ +debuggee`touch", out), out
    assert re.search(r"frame #1: 0x[0-9a-f]+ debuggee`main\(argc=1", out), out
    assert re.search(r"thread #3: tid = 0x0003, .*sched_block", out), out
    assert "failed to send the k packet" not in out


def test_a_gdb_killed_while_the_guest_runs_leaves_it_running(guest):
    g = guest(DEBUGGEE, "busy")
    p = subprocess.Popen(g.gdb_args("break spin", "continue", "delete", "continue"), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    time.sleep(3)
    p.kill()  # no detach: the proxy stops the guest and detaches for it
    p.communicate()
    time.sleep(0.5)
    assert g.proc.poll() is None
    out = g.gdb("info breakpoints", "bt 1", "p counter > 1000", "kill")
    no_errors(out)
    assert "No breakpoints or watchpoints." in out
    assert re.search(r"#0 .*spin \(\) at", out), out
    assert "$1 = 1" in out


def test_ctrl_c_while_the_app_waits_for_input(guest):
    g = guest(DEBUGGEE, "read")
    p = subprocess.Popen(g.gdb_args("continue", "info threads", "continue"), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    time.sleep(3)
    p.send_signal(signal.SIGINT)  # the main task is blocked in a READ hypercall meanwhile
    time.sleep(2)
    g.proc.stdin.write("hello from the host\n")
    g.proc.stdin.flush()
    out, _ = p.communicate(timeout=GDB_TIMEOUT)
    no_errors(out)
    assert "received signal SIGINT" in out, out
    assert re.search(r'Thread 2 "main" \(blocked', out), out
    assert "exited normally" in out
    status, stdout, _ = g.finish()
    assert status == 0 and "debuggee: read hello from the host" in stdout


def test_breakpoints_in_functions_the_stub_uses_too(guest):
    g = guest(DEBUGGEE, "0", "x")
    # memcpy and the UART code also run inside the stub: the stub lifts its int3s while it runs
    out = g.gdb("break touch", "continue", "break memcpy", "break uart_putc", "continue", "bt 1",
                "delete", "continue")
    no_errors(out)
    assert re.search(r"Breakpoint \d(\.\d)?, (0x[0-9a-f]+ in )?(memcpy|uart_putc) \(", out), out
    assert "exited normally" in out
    status, stdout, _ = g.finish()
    assert status == 0 and "debuggee: done, args: 0 x" in stdout


def test_stops_and_resumes_are_trace_events(guest, tmp_path):
    bt2 = pytest.importorskip("bt2", reason="python3-bt2 (babeltrace2's bindings) is not installed")
    g = guest(DEBUGGEE, "3", env={"HERMIT_TRACE": "gdb_*", "HERMIT_TRACE_DIR": str(tmp_path)})
    out = g.gdb("break main", "continue", "continue")
    no_errors(out)
    assert g.finish()[0] == 3
    ctf = [p for p in tmp_path.iterdir() if p.is_dir() and p.name.startswith("hermit-trace-")]
    assert len(ctf) == 1, list(tmp_path.iterdir())
    names = [m.event.name for m in bt2.TraceCollectionMessageIterator(str(ctf[0]))
             if type(m) is bt2._EventMessageConst]
    # the stop before main, the breakpoint at main: each followed by its resume
    assert names == ["gdb_stop", "gdb_resume", "gdb_stop", "gdb_resume"], names


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks


def test_a_stopped_guest_costs_no_cpu(guest, tmp_path):
    g = guest(DEBUGGEE, "busy")
    stopped = tmp_path / "stopped"
    gdb = subprocess.Popen(g.gdb_args("break spin", "continue", f"shell touch {stopped}", "shell sleep 4", "kill"),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + GDB_TIMEOUT
    while not stopped.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert stopped.exists()
    qemu = [line for line in qemu_processes_of(str(DEBUGGEE))]
    assert len(qemu) == 1, qemu
    pid = int(qemu[0].split()[0])
    time.sleep(0.5)
    before, t0 = cpu_ticks(pid), time.time()
    time.sleep(2)
    used = (cpu_ticks(pid) - before) / os.sysconf("SC_CLK_TCK") / (time.time() - t0)
    out = gdb.communicate(timeout=GDB_TIMEOUT)[0]
    assert "hit Breakpoint 1, spin" in out
    assert used < 0.2, f"a guest stopped in gdb used {used:.0%} of a CPU"


def test_a_guest_that_gdb_runs_is_captured_too(guest, tmp_path):
    """HERMIT_CAPTURE_NET=1 in a gdb session: the guest that `run` boots gets its own pcap file."""
    port = str(free_port())  # nobody listens: each guest's SYN is refused
    g = guest(TESTS / "tcp-client", "10.0.5.1", port, "first",
              env={"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE_DIR": str(tmp_path)})
    out = g.gdb("continue", f"run 10.0.5.1 {port} second")
    no_errors(out)
    assert out.count("exited with code 01") == 2, out
    status, stdout, stderr = g.finish()
    assert status == 1
    files = re.findall(r"hermit: network capture in (\S+) \((\d+) frames", stderr)
    assert len(files) == 2, stderr
    assert files[0][0] != files[1][0]
    for path, frames in files:
        assert os.path.exists(path) and int(frames) >= 2, stderr  # the SYN and the refusal
