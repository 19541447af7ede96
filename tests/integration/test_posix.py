"""The POSIX surface of the C library (tests/posix): process identity, signals and timers,
setjmp, stdio gaps and memory mappings, checked inside the guest with their errno paths."""
import os
import re
import subprocess

import pytest

from conftest import PROXY, TESTS, read_until, run_proxy

PARTS = ["identity", "process", "signals", "timers", "jumps", "stdio", "mman", "affinity", "semaphores"]


@pytest.mark.parametrize("part", PARTS)
def test_part(part, tmp_path):
    r = run_proxy("posix", part, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"posix: {part} ok" in r.stdout
    assert "FAIL" not in r.stdout


def test_uname_nodename_comes_from_hermit_hostname():
    r = run_proxy("posix", "identity", env={"HERMIT_HOSTNAME": "box7"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "uname: Hermit box7 " in r.stdout


def test_alarm_interrupts_a_busy_loop():
    """The handler runs in the app's busy loop once the timer fires. Under TCG on a loaded host the
    timer itself can fire seconds late, so only "not early, and at all" is asserted."""
    r = run_proxy("posix", "timers")
    assert r.returncode == 0, r.stdout + r.stderr
    took = float(re.search(r"alarm: handler ran after (\d+\.\d+) s", r.stdout).group(1))
    assert took > 0.9


@pytest.mark.parametrize(
    "how,status,report",
    [("term", 143, False), ("segv", 139, True), ("alarm", 142, False), ("abort-handled", 134, True)],
)
def test_default_actions_end_the_app_as_linux_would(how, status, report):
    r = run_proxy("posix", "die", how)
    assert r.returncode == status, r.stdout + r.stderr
    assert "still alive" not in r.stdout
    assert ("app: killed by signal" in r.stderr) == report
    if report:
        assert re.search(r"#\d+ +0x[0-9a-f]+ in die_by at \S*tests/posix/signals.c:\d+", r.stderr)


@pytest.mark.parametrize("how,fault", [("write-readonly", "protection violation on write"),
                                       ("read-none", "no page for read"),
                                       ("blocked-write-readonly", "protection violation on write")])
def test_protected_pages_fault(how, fault):
    r = run_proxy("posix", "fault", how)
    assert r.returncode == 139, r.stdout + r.stderr
    addr = re.search(r"posix: touching 0x([0-9a-f]+)", r.stdout).group(1)
    assert re.search(rf"fault address 0x{addr}: {fault}", r.stderr), r.stderr
    assert re.search(r"in die_by_fault at \S*tests/posix/mman.c:\d+", r.stderr)


@pytest.mark.parametrize("cpus", [1, 2])
def test_a_read_of_stdin_holds_up_no_other_threads_hypercalls(cpus):
    # One hypercall at a time used to be the rule: the console write waited behind the read.
    env = dict(os.environ, HERMIT_KVM="0", HERMIT_CPUS=str(cpus))
    p = subprocess.Popen([str(PROXY), str(TESTS / "posix"), "wait-stdin"], env=env, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = read_until(p.stdout, "while a read of stdin waited", timeout=60)
        assert "posix: wrote 1 byte to a file while a read of stdin waited" in seen, seen
        assert p.poll() is None  # the reader still waits
        p.stdin.write("x")
        p.stdin.flush()
        out, err = p.communicate(timeout=60)
    finally:
        p.kill()
    assert "posix: the read of stdin returned 1" in out, out + err
    assert p.returncode == 0, out + err
