"""gdb (and lldb) on several CPUs: real debuggers over the proxy's port against the in-kernel stub, with
HERMIT_CPUS=2 (4 where cheap), tasks spread over the CPUs by the scheduler. Every stop
parks the other CPUs by NMI; each test checks what gdb must show of every CPU and what it must not."""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, SCRATCH, TESTS, run_proxy
from test_gdb import GDB_TIMEOUT, guest, lldb_env, no_errors  # noqa: F401 (guest is a fixture)
from test_tracing import bundle_of
from test_tracing import gdb as core_gdb

APP = TESTS / "smp-debuggee"
SOURCE = ROOT / "tests" / "smp-debuggee" / "smp-debuggee.c"


def line_of(text):
    return next(i for i, line in enumerate(SOURCE.read_text().splitlines(), 1) if text in line)


def smp(cpus=2):
    return {"HERMIT_CPUS": str(cpus)}


def interrupted(g, commands, after=4.0):
    """gdb runs commands[0] (a continue), gets ^C after `after` seconds, then the rest."""
    p = subprocess.Popen(g.gdb_args(*commands), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(after)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=GDB_TIMEOUT)
    return out


def threads(out):
    """{task name: text of its state} from `info threads`."""
    return {name: state for name, state in re.findall(r'Thread \d+ "([\w-]+)" \(([^)]*)\)', out)}


@pytest.mark.parametrize("cpus", [2, 4])
def test_ctrl_c_stops_every_spinning_cpu(guest, cpus):
    g = guest(APP, "spin", env=smp(cpus))
    out = interrupted(g, ["continue", "info threads", "thread apply all bt 1", "p spins", "monitor cpus", "kill"])
    no_errors(out)
    assert "received signal SIGINT" in out, out
    # every spinner stands in spin() with its live registers, each on its own CPU
    running = re.findall(r'"(main|spinner)" \(running on CPU (\d+)\)\s+spin \(slot=', out)
    assert sorted(int(c) for _, c in running) == list(range(cpus)), out
    assert len(re.findall(r"#0  (0x[0-9a-f]+ in )?spin \(slot=", out)) == cpus, out
    counts = [int(x) for x in re.search(r"\$1 = \{([^}]*)\}", out).group(1).split(",")[:cpus]]
    assert all(c > 0 for c in counts), out
    assert len(re.findall(r"^ +\d+ +\d+  \d+ \"(main|spinner)\" +parked ", out, re.M)) == cpus - 1, out
    assert "holds the stub" in out


def test_ctrl_c_stops_cpus_that_all_spin_with_interrupts_off(guest):
    g = guest(APP, "spin", "cli", env=smp(2))
    flags = ('python [(t.switch(), print("FLAGS", t.name, gdb.parse_and_eval("$eflags")))'
             ' for t in gdb.selected_inferior().threads()]')
    out = interrupted(g, ["continue", "info threads", flags, "kill"], after=5)
    no_errors(out)
    assert "received signal SIGINT" in out, out  # by NMI: the doorbell's interrupt cannot come
    running = re.findall(r'"(main|spinner)" \(running on CPU (\d+)\)\s+spin \(slot=\S+ no_interrupts=(?:no_interrupts@entry=)?1\)', out)
    assert sorted(int(c) for _, c in running) == [0, 1], out
    spinning = re.findall(r"FLAGS (?:main|spinner) \[([^\]]*)\]", out)
    assert len(spinning) == 2 and all("IF" not in f.split() for f in spinning), out
    assert "kernel crash" not in g.finish()[2]


def test_attach_stops_cpus_that_all_spin_with_interrupts_off(guest):
    """HERMIT_DEBUG=attach: gdb's first packets cannot ring the doorbell (no CPU takes interrupts);
    the proxy's NMI brings them, every thread is there, and the guest runs on after a detach."""
    g = guest(APP, "spin", "cli", env={**smp(2), "HERMIT_DEBUG": "attach"})
    time.sleep(3)  # main and the spinner spin with interrupts off
    out = interrupted(g, ["info threads", "p spins[1]", "continue", "info threads", "p spins[1]", "detach"], after=8)
    no_errors(out)
    listed = re.findall(r'"(main|spinner)" \(running on CPU (\d)\)\s+spin \(slot=', out)
    assert sorted(c for _, c in listed) == ["0", "0", "1", "1"], out  # at the attach, and after the ^C
    assert "received signal SIGINT" in out, out
    before, after = (int(v) for v in re.findall(r"^\$[12] = (\d+)$", out, re.M))
    assert after > before, out  # continue let them run
    assert "Detaching from program" in out or "detached" in out, out
    time.sleep(1)
    again = g.gdb("p spins[1]", "detach")  # attaches again: it ran on after the detach
    no_errors(again)
    assert int(re.search(r"^\$1 = (\d+)$", again, re.M).group(1)) > after, again
    assert g.proc.poll() is None and "kernel crash" not in again


def test_ctrl_c_with_one_cpu_idle_and_one_busy(guest):
    g = guest(APP, "spin", "idle", env=smp(2))
    out = interrupted(g, ["continue", "info threads", "kill"])
    no_errors(out)
    assert "received signal SIGINT" in out, out
    state = threads(out)
    assert state["spinner"] == "running on CPU 1" and state["main"].startswith("blocked"), out


def qemu_of(g):
    """The pid of the guest's QEMU, the proxy's child."""
    deadline = time.time() + 30
    while time.time() < deadline:
        kids = open(f"/proc/{g.proc.pid}/task/{g.proc.pid}/children").read().split()
        if kids:
            return int(kids[0])
        time.sleep(0.1)
    pytest.fail("the proxy started no QEMU")


STOPPED_S = 3


def cpu_while_stopped(qemu):
    """gdb commands that print QEMU's CPU time (utime, stime in ticks) around STOPPED_S seconds."""
    sample = f"shell echo QEMU_CPU $(sed 's/.*) //' /proc/{qemu}/stat | cut -d' ' -f12,13)"
    return ["shell sleep 1", sample, f"shell sleep {STOPPED_S}", sample]


def cpu_seconds_used(out):
    (u0, s0), (u1, s1) = [map(int, m) for m in re.findall(r"^QEMU_CPU (\d+) (\d+)$", out, re.M)]
    return (u1 + s1 - u0 - s0) / os.sysconf("SC_CLK_TCK")


# A stopped guest costs the host no CPU: parked CPUs halt until released, and the stub's holder
# halts until gdb's next bytes, whichever CPU holds it (^C on the doorbell, by NMI with interrupts
# off everywhere, a breakpoint on another CPU than CPU 0). Spinning, each vCPU burns a host core.
@pytest.mark.parametrize("cpus,how", [(2, "spin"), (4, "spin"), (2, "cli"), (2, "watch")])
def test_a_stopped_guest_costs_the_host_no_cpu(guest, cpus, how):
    g = guest(APP, *{"spin": ["spin"], "cli": ["spin", "cli"], "watch": ["watch"]}[how], env=smp(cpus))
    measure = cpu_while_stopped(qemu_of(g))
    if how == "watch":  # the stub held by CPU 1, whose writer hit the watchpoint; then it goes on
        out = g.gdb("watch shared", "continue", "info threads", *measure, "continue")
        assert threads(out)["writer"] == "running on CPU 1", out
        assert "exited normally" in out, out
    else:
        out = interrupted(g, ["continue", *measure, "info threads", "kill"], after=4)
        assert "received signal SIGINT" in out, out
        assert len(re.findall(r"running on CPU \d", out)) == cpus, out
    no_errors(out)
    used = cpu_seconds_used(out)
    assert used < 0.25 * STOPPED_S, f"QEMU used {used:.2f} s of CPU in {STOPPED_S} s stopped\n{out}"


def test_stopped_cpus_stay_stopped_until_gdb_resumes(guest):
    g = guest(APP, "spin", env=smp(2))
    out = interrupted(g, ["continue", "p spins[1]", "shell sleep 1", "p spins[1]", "kill"])
    no_errors(out)
    first, second = re.findall(r"\$[12] = (\d+)", out)
    assert first == second, out  # CPU 1's spinner did not move while gdb held the guest


def test_two_cpus_hitting_breakpoints_at_once_are_both_reported_once(guest):
    rounds = 6
    g = guest(APP, "hits", str(rounds), env=smp(2))
    per_hit = ["continue", 'printf "HIT %d %d\\n", $rdi, $rsi']
    out = g.gdb("break hit", *per_hit * (2 * rounds), "info threads", "monitor cpus", "continue",
                timeout=GDB_TIMEOUT * 3)
    no_errors(out)
    hits = re.findall(r"^HIT (\d) (\d+)$", out, re.M)
    assert sorted(hits) == sorted((str(i), str(r)) for i in (1, 2) for r in range(rounds)), out
    assert "exited normally" in out, out
    # How many came at the same moment (the second kept, then reported) depends on the host's
    # cores being free at once; tests/unit/test_stopall.c makes that case happen every time.
    assert re.search(r"\d+ stops, \d+ of them reported after another CPU's", out), out


def test_a_watchpoint_set_before_the_cpus_came_up_fires_on_the_other_cpu(guest):
    g = guest(APP, "watch", env=smp(2))
    out = g.gdb("watch shared", "continue", "info threads", "continue")
    no_errors(out)
    assert re.search(r'Thread \d+ "writer" hit Hardware watchpoint 1: shared\s+Old value = 0\s+New value = 7', out), out
    assert threads(out)["writer"] == "running on CPU 1", out
    assert "exited normally" in out
    _, stdout, _ = g.finish()
    assert "smp-debuggee: shared is 7" in stdout


def test_stepping_with_the_others_parked_or_running(guest):
    burn = line_of("burn(); /* next over it")
    g = guest(APP, "step", env=smp(2))
    out = g.gdb("break count_steps", "continue", "info threads",
                "set scheduler-locking on", "p ran", "stepi 20", "p ran", "p steps",
                f"tbreak smp-debuggee.c:{burn}", "continue", "set scheduler-locking step", "p ran", "next",
                "p ran", "set scheduler-locking off", "next", "p ran", "kill")
    no_errors(out)
    assert threads(out)["runner"] == "running on CPU 1", out
    values = {int(n): int(v) for n, v in re.findall(r"^\$(\d+) = (\d+)$", out, re.M)}
    assert values[1] == values[2], out  # scheduler-locking on: stepi kept the runner's CPU parked
    assert values[3] > 0, out           # while main stepped
    assert values[4] == values[5], out  # step: `next` over burn() ran main alone
    assert values[6] > values[5], out   # off: the runner ran while main went over burn()
    assert re.search(rf"^{burn + 1}\s", out, re.M), out


def test_next_over_a_function_that_blocks(guest):
    line = line_of("wait_for_flag(); /* next over it")
    g = guest(APP, "block", env=smp(2))
    out = g.gdb(f"break smp-debuggee.c:{line}", "continue", "next", "info threads", "continue")
    no_errors(out)
    assert re.search(rf"Breakpoint 1, main .*\n{line}\s", out), out
    assert re.search(rf"^{line + 1}\s", out, re.M), out  # next came back after wait_for_flag blocked
    assert "exited normally" in out
    _, stdout, _ = g.finish()
    assert "smp-debuggee: flag 5" in stdout


def test_kill_and_run_boots_all_cpus_again(guest):
    g = guest(APP, "spin", env=smp(2))
    p = subprocess.Popen(g.gdb_args("continue", "kill", "run spin", "info threads", "kill"),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(4)
    p.send_signal(signal.SIGINT)  # stops the first guest
    time.sleep(6)
    p.send_signal(signal.SIGINT)  # and the second, which runs "spin" again
    out, _ = p.communicate(timeout=GDB_TIMEOUT)
    no_errors(out)
    assert out.count("received signal SIGINT") == 2, out
    assert sorted(re.findall(r'"(?:main|spinner)" \(running on CPU (\d)\)', out)) == ["0", "1"], out


def test_a_crash_on_a_secondary_cpu_stops_the_others_for_gdb_the_report_and_the_core(guest, tmp_path):
    g = guest(APP, "crash", env={**smp(2), "HERMIT_TRACE_DIR": str(tmp_path)})
    out = g.gdb("continue", "info threads", "continue")
    assert re.search(r'Thread \d+ "crasher" received signal SIGSEGV', out), out
    state = threads(out)  # each on its own CPU (where exactly is the scheduler's business)
    assert {state["crasher"], state["main"]} == {"running on CPU 0", "running on CPU 1"}, out
    assert "terminated with signal SIGSEGV" in out, out
    status, _, err = g.finish()
    assert status == 139, err
    assert re.search(r'E CPU \d, task (\d+) "crasher"', err), err
    # the other CPU stopped by NMI, and the report says where it stood
    assert re.search(r'E CPU \d: task \d+ "main" at 0x[0-9a-f]+ in spin at \S*smp-debuggee.c:\d+', err), err
    b = bundle_of(tmp_path, "smp-debuggee")
    regs = (b / "registers.txt").read_text()
    assert re.search(r'task \d+ "crasher" running on CPU \d \(crashed\)', regs), regs
    assert re.search(r'task \d+ "main" running on CPU \d: rip', regs), regs
    r = core_gdb(APP, b / "core", "info threads", "thread apply all bt 1", "hermit tasks", "hermit cpus")
    assert r.returncode == 0, r.stderr
    core = r.stdout
    assert re.search(r"#0 .*crasher \(arg=", core), core  # the crashed thread first
    assert re.search(r"#0 .*spin \(slot=(slot@entry=)?0,", core), core  # CPU 0's main: its live registers
    crasher_cpu = re.search(r'\* +\d+ +(\d) running +crasher ', core)  # hermit tasks: the CPU column
    main_cpu = re.search(r'\* +\d+ +(\d) running +main .*spin at smp-debuggee.c:\d+', core)
    assert crasher_cpu and main_cpu and crasher_cpu.group(1) != main_cpu.group(1), core
    assert re.search(rf'^ +{main_cpu.group(1)} stopped +\d+ "main" +spin at smp-debuggee.c:\d+$', core, re.M), core
    assert re.search(rf'^ +{crasher_cpu.group(1)} crashed +\d+ "crasher" +crasher at smp-debuggee.c:\d+$', core,
                     re.M), core


def test_a_crash_report_says_where_every_other_cpu_stood():
    r = run_proxy("smp-debuggee", "crash", env={**smp(4), "HERMIT_TRACE_DIR": SCRATCH})
    assert r.returncode == 139, r.stderr
    assert len(re.findall(r'E CPU [0-3]: task \d+ "\w+" at 0x', r.stderr)) == 3, r.stderr


@pytest.mark.skipif(not shutil.which("lldb"), reason="lldb is not installed (make deps installs it)")
def test_lldb_sees_every_breakpoint_hit_of_both_cpus_once(guest):
    rounds = 4
    g = guest(APP, "hits", str(rounds), env=smp(2))
    per_stop = ["-o", "continue", "-o", "thread list"] * (2 * rounds)
    r = subprocess.run(["lldb", "--batch", "-o", f"gdb-remote {g.port}", "-o", "breakpoint set -n hit", *per_stop,
                        "-o", "continue", str(APP)], capture_output=True, text=True, timeout=GDB_TIMEOUT * 2, env=lldb_env())
    out = r.stdout + r.stderr
    assert "Traceback" not in out, out
    # Every stop lists the tasks of both CPUs, and which of them stand at a breakpoint: two at once
    # when both CPUs hit it together (lldb asks each thread's stop, qThreadStopInfo, and would step
    # a thread standing at a breakpoint over it without its hit being seen), else one.
    lists = [block for block in re.split(r"^\(lldb\) thread list$", out, flags=re.M)[1:]]
    seen = []
    for block in lists:
        block = block.split("(lldb)")[0]
        if "exited with status" in block or "error:" in block:
            break
        listed = re.findall(r"^\*? +thread #(\d+): tid = ", block, re.M)
        assert {"1", "2", "3"} <= set(listed) and len(listed) >= 4, out  # the hitters, until they end
        seen += re.findall(r"hit\(id=(\d), round=(\d)\) at \S+, .*stop reason = breakpoint", block)
    assert sorted(seen) == sorted((str(i), str(n)) for i in (1, 2) for n in range(rounds)), out
    assert "exited with status = 0" in out, out


def test_hermit_cpus_live_through_the_stub(guest):
    g = guest(APP, "spin", env=smp(2))
    argv = [a if a != "set auto-load off" else "set auto-load safe-path /" for a in
            g.gdb_args("continue", "hermit cpus", "hermit tasks", "kill")]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(4)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=GDB_TIMEOUT)
    no_errors(out)
    assert re.search(r'^ +0 running +\d+ "main" +\(running\)$', out, re.M), out
    assert re.search(r'^ +1 running +\d+ "spinner" +\(running\)$', out, re.M), out
    assert re.search(r'^\* +\d+ +1 running +spinner ', out, re.M), out
