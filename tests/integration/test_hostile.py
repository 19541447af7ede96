"""A hostile guest (tests/hostile) breaks each table the proxy reads from guest memory, then ends
in each way a guest can: the proxy must read what it can still trust, say in one line what is
broken, and end with the guest's own status. `make test` runs this file against the sanitizer
build of the proxy too, where any report fails it (conftest.run_proxy)."""
import os
import subprocess

import pytest

from conftest import PROXY, TESTS, read_until, run_proxy

ENDINGS = {"exit": 3, "crash": 139, "abort": 134, "hang": 124}
# What the proxy says of each broken table (all are read: HERMIT_VERBOSE, HERMIT_BUNDLE, ...).
SAID = {
    "anchor": ["the guest's log ring is broken: 0x7ff0000000000 is outside guest memory",
               "the guest's task table is broken: 0x7ff0000000000 is outside guest memory",
               "the guest's trace header is broken: 0x7ff0000000000 is outside guest memory",
               "the guest's capture ring is broken: 0x7ff0000001000 is outside guest memory"],
    "log": ["the guest's log ring is broken: its data is outside guest memory"],
    "tasks": ["the guest's task table is broken: its offsets do not fit a task of"],
    "trace": ["the guest's trace header is broken: 1 CPUs, events of 7 bytes"],
    "capture": ["the guest's capture ring is broken: size 7, head "],
}
ENV = {"HERMIT_VERBOSE": "1", "HERMIT_BUNDLE": "1", "HERMIT_TRACE": "all", "HERMIT_CAPTURE_NET": "1",
       "HERMIT_TIMEOUT": "2"}


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("table", SAID)
def test_a_broken_table_is_said_once_and_the_guest_keeps_its_status(table, ending, tmp_path):
    r = run_proxy("hostile", table, ending, env=dict(ENV, HERMIT_TRACE_DIR=str(tmp_path)), cwd=tmp_path)
    assert r.returncode == ENDINGS[ending], r.stderr
    assert f"hostile: {table} broken, now {ending}" in r.stdout
    for line in SAID[table]:
        assert r.stderr.count(line) == 1, r.stderr
    assert "hermit: post-mortem bundle in " in r.stderr  # the rest is still written


def test_a_request_outside_guest_memory_ends_the_guest_with_a_clear_message(tmp_path):
    r = run_proxy("hostile", "hcall", "exit", env=dict(ENV, HERMIT_TRACE_DIR=str(tmp_path)), cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "hermit: bad hypercall from the guest: PATH at 0x7ff0000000000 (64 bytes) is outside guest memory" \
        in r.stderr


# What the gdb scripts (gdb/hermit) say of each broken table: one line, as the proxy says it.
GDB_SAYS = {
    "anchor": ["hermit: the guest's task table is broken: 0x7ff0000000000 is outside guest memory",
               "hermit: the guest's log ring is broken: 0x7ff0000000000 is outside guest memory",
               "hermit: the guest's trace header is broken: 0x7ff0000000000 is outside guest memory",
               "hermit: the guest's capture ring is broken: 0x7ff0000001000 is outside guest memory"],
    "log": ["hermit: the guest's log ring is broken: its data is outside guest memory"],
    "tasks": ["hermit: the guest's task table is broken: its offsets do not fit a task of"],
    "trace": ["hermit: the guest's trace header is broken: 1 CPUs, events of 7 bytes"],
    "capture": ["hermit: the guest's capture ring is broken: size 7, head "],
}


def gdb(target, *commands, pcap):
    """Runs each hermit command on target (a core, or "remote PORT" for a live guest)."""
    args = ["gdb", "-batch", "-nx", "-iex", "set auto-load safe-path /"]
    if target.startswith("remote"):
        args += ["-ex", f"target {target}", "-ex", "hbreak fflush", "-ex", "continue"]  # the table is broken
    for c in commands + ("hermit tasks", "hermit dmesg", "hermit trace 3", f"hermit pcap {pcap}"):
        args += ["-ex", c]
    args += [str(TESTS / "hostile")] + ([] if target.startswith("remote") else [target])
    g = subprocess.run(args, capture_output=True, text=True, timeout=120)
    out = g.stdout + g.stderr
    assert "Traceback" not in out and "Error occurred in Python" not in out, out
    return out


def said_once(out, lines):
    for line in lines:
        assert out.count(line) == 1, out


# The proxy writes a core only when it can walk the task list: anchor and tasks are seen live.
@pytest.mark.parametrize("table", ["log", "trace", "capture"])
def test_gdb_says_in_one_line_which_table_of_a_core_is_broken(table, tmp_path):
    r = run_proxy("hostile", table, "crash", env=dict(ENV, HERMIT_TRACE_DIR=str(tmp_path)), cwd=tmp_path)
    assert r.returncode == 139, r.stderr
    core = next(tmp_path.glob("hermit-postmortem-hostile-*")) / "core"
    out = gdb(str(core), pcap=tmp_path / "g.pcap")
    said_once(out, GDB_SAYS[table])
    assert " running  main " in out  # what is whole is still shown
    if table != "log":
        assert "E kernel crash: page fault" in out


def live(table, tmp_path, *commands):
    """gdb's output on a live hostile guest, stopped by QEMU's gdbstub once the table is broken."""
    port = 25000 + os.getpid() % 2000
    env = dict(os.environ, HERMIT_KVM="0", HERMIT_DEBUG="qemu", HERMIT_DEBUG_PORT=str(port),
               HERMIT_TRACE="all", HERMIT_CAPTURE_NET="1", HERMIT_TRACE_DIR=str(tmp_path))
    p = subprocess.Popen([str(PROXY), str(TESTS / "hostile"), table, "hang"], env=env, cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = read_until(p.stderr, "waiting for gdb", timeout=20)
        assert "waiting for gdb" in seen, seen
        return gdb(f"remote :{port}", *commands, pcap=tmp_path / "g.pcap")
    finally:
        p.kill()
        p.wait()


@pytest.mark.parametrize("table", GDB_SAYS)
def test_gdb_says_in_one_line_which_table_of_a_live_guest_is_broken(table, tmp_path):
    said_once(live(table, tmp_path), GDB_SAYS[table])


def test_gdb_neither_loops_on_a_cyclic_task_list_nor_believes_a_lying_ring(tmp_path):
    out = live("capture", tmp_path, "set var (*task_list_head)->all_next = *task_list_head",
               "set var hermit_log_ring.head = hermit_log_ring.tail + (1ull << 40)",
               "set var hermit_trace.cpu[0].nslots = 3")
    said_once(out, ["hermit: the guest's task table is broken: its list loops back to the task at 0x",
                    "hermit: the guest's log ring is broken: size ",
                    "hermit: the guest's trace header is broken: CPU 0's ring (3 slots at 0x"])
