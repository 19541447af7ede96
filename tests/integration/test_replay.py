"""Record and replay (docs/replay.md): HERMIT_RECORD=DIR runs an app and leaves a recording,
HERMIT_REPLAY=DIR runs it again from the recording alone, with the same output, the same exit
status and the same trace, touching no host file and needing no network peer; recordings that do
not fit the image, or are cut short or corrupt, are refused before anything starts."""
import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BENCHMARKS, PROXY, SCRATCH, TESTS, qemu_processes_of, read_until, run_proxy
from test_net import Guest, free_port, read_pcap

SMALL = {"HERMIT_MEM": "128M"}  # a snapshot saves all of guest RAM


def record(tmp_path, app, *args, name="rec", env=None, cwd=None):
    d = tmp_path / name
    r = run_proxy(app, *args, env={**SMALL, "HERMIT_RECORD": str(d), **(env or {})}, cwd=cwd)
    m = re.search(r"hermit: recorded into (\S+): [\d.]+ MiB .* replay: HERMIT_REPLAY=\S+ proxy \S+", r.stderr)
    assert m and m.group(1) == str(d), r.stderr
    return d, r


def replay(d, app, env=None, cwd=None):
    return run_proxy(app, env={"HERMIT_REPLAY": str(d), **(env or {})}, cwd=cwd)


def console(r):
    """The guest's console lines (the proxy's own lines, which name files and pids, left out)."""
    return [line for line in r.stderr.splitlines() if not line.startswith("hermit:")]


def same_run(a, b):
    assert b.returncode == a.returncode, b.stderr
    assert b.stdout == a.stdout
    assert console(b) == console(a)


def under_gdb(d, app, commands, env=None):
    """Replays recording d under gdb (HERMIT_DEBUG=1: QEMU's gdbstub), runs commands, then kill;
    returns gdb's output and the app's (the proxy's stdout) once the proxy is gone (137: killed)
    and left no QEMU behind."""
    port = free_port()
    env = dict(os.environ, HERMIT_REPLAY=str(d), HERMIT_DEBUG="1", HERMIT_DEBUG_PORT=str(port),
               HERMIT_TRACE_DIR=SCRATCH, **(env or {}))
    proxy = subprocess.Popen([str(PROXY), str(app)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert f"waiting for gdb on 127.0.0.1:{port}" in proxy.stderr.readline()
        argv = ["gdb", "-batch", "-nx", "-iex", "set auto-load safe-path /", "-ex", "set confirm off",
                "-ex", "set pagination off", str(app)]
        for c in ["target remote :%d" % port, *commands, "kill"]:
            argv += ["-ex", c]
        gdb = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        try:
            out = gdb.communicate(timeout=120)[0]
        except subprocess.TimeoutExpired:
            gdb.kill()
            raise AssertionError("gdb did not finish: " + gdb.communicate()[0])
        app_out = proxy.communicate(timeout=30)[0]
        assert proxy.returncode == 137, out
    finally:
        if proxy.poll() is None:
            proxy.kill()
            proxy.communicate()
    assert not qemu_processes_of(str(d))
    return out, app_out


def test_hello_replays_with_the_same_output_and_trace(tmp_path):
    traced = {"HERMIT_TRACE": "all", "HERMIT_TRACE_DIR": str(tmp_path)}
    d, rec = record(tmp_path, "hello", "a", "b", env=traced)
    assert rec.returncode == 0 and "argv[2] = b" in rec.stdout
    assert sorted(p.name for p in d.iterdir()) == ["answers.disk", "hypercalls.log", "manifest", "qemu.rr",
                                                   "snapshots.qcow2"]
    first = {p.name for p in tmp_path.glob("hermit-trace-hello-*.json")}
    rep = replay(d, TESTS / "hello", env=traced)
    same_run(rec, rep)
    # The kernel's trace, timestamps included, is the same event for event: the guest ran the
    # same instructions at the same virtual times.
    (second,) = {p.name for p in tmp_path.glob("hermit-trace-hello-*.json")} - first
    events = [json.loads((tmp_path / n).read_text())["traceEvents"] for n in (first.pop(), second)]
    assert len(events[0]) > 100 and events[0] == events[1]


def test_files_replay_touches_no_host_file(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    d, rec = record(tmp_path, "files", "data.txt", cwd=work)
    assert rec.returncode == 0 and "files: ok" in rec.stdout, rec.stderr
    for p in work.iterdir():  # what the app read and wrote is gone: the recording has it
        p.unlink()
    rep = replay(d, TESTS / "files", cwd=work)
    same_run(rec, rep)
    assert list(work.iterdir()) == []


def test_file_contents_come_back_from_the_answer_disk(tmp_path):
    """fsbench writes 2 MiB, reads every byte back and checks it: the 2 MiB the reads bring go to
    the guest through the answer disk, not the doorbell, and the replay, with no file behind it,
    reads them from there at the same instructions (the same figures, from the same guest clock)."""
    work = tmp_path / "work"
    work.mkdir()
    d, rec = record(tmp_path, BENCHMARKS / "fsbench", ".", "2", "256", "20", cwd=work)
    assert rec.returncode == 0 and "open-close" in rec.stdout, rec.stderr
    assert list(work.iterdir()) == []
    # fsbench's pieces are 256 KiB of one letter each: whole on the disk, not in QEMU's log
    answers, log = (d / "answers.disk").read_bytes(), (d / "qemu.rr").read_bytes()
    assert len(answers) >= 2 << 20 and all(bytes([c]) * 4096 in answers for c in b"bcdefgh")
    assert not any(bytes([c]) * 16 in log for c in b"bcdefgh")
    rep = replay(d, BENCHMARKS / "fsbench", cwd=work)
    same_run(rec, rep)
    assert list(work.iterdir()) == []
    # a byte of the outputs changed: refused, not replayed into something else
    data = bytearray((d / "answers.disk").read_bytes())
    data[1 << 20] ^= 1
    (d / "answers.disk").write_bytes(bytes(data))
    r = replay(d, BENCHMARKS / "fsbench", cwd=work)
    assert r.returncode == 2 and "answers.disk is corrupt" in r.stderr, r.stderr


def test_threads_replay(tmp_path):
    d, rec = record(tmp_path, "threads")
    assert rec.returncode == 0, rec.stderr
    same_run(rec, replay(d, TESTS / "threads"))


def test_crash_replay_and_its_bundle_says_how(tmp_path):
    env = {"HERMIT_TRACE_DIR": str(tmp_path)}
    d, rec = record(tmp_path, "crash", env=env)
    assert rec.returncode == 139 and "hermit: the guest crashed (page fault)" in rec.stderr
    (bundle,) = tmp_path.glob("hermit-postmortem-crash-*")
    hint = (bundle / "replay.txt").read_text()
    assert f"HERMIT_REPLAY={d} " in hint and "HERMIT_DEBUG=1" in hint and "reverse-continue" in hint
    rep = replay(d, TESTS / "crash", env=env)
    same_run(rec, rep)
    assert "hermit: the guest crashed (page fault)" in rep.stderr


def record_echo(tmp_path, env):
    """Records tcp-echo serving one client 20,000 bytes; returns the recording and the guest."""
    d = tmp_path / "net"
    g = Guest("tcp-echo", 1, env={**SMALL, **env, "HERMIT_RECORD": str(d)})
    g.echo(random.Random(11).randbytes(20_000))
    assert g.finish() == 0, g.stderr
    assert "echoed 20000 bytes" in g.stdout
    return d, g


def instants(path):
    """The kernel's events of a JSON trace, without the task slices drawn from them."""
    return [e for e in json.loads(path.read_text())["traceEvents"] if e["ph"] == "i"]


def test_echo_server_replays_without_a_client(tmp_path):
    """A server session replays from the recording alone, instruction for instruction: the kernel's
    trace, timestamps included, is the same. (Recorded with QEMU's default virtio-net, whose frames
    leave from a bottom half of QEMU's main loop at no recorded instruction, a replay saw the sent
    frames come back at another point and hung in one run of several: docs/replay.md.)"""
    traced = {"HERMIT_TRACE": "all", "HERMIT_TRACE_DIR": str(tmp_path)}
    d, g = record_echo(tmp_path, traced)
    (first,) = tmp_path.glob("hermit-trace-tcp-echo-*.json")
    # No port is forwarded and no client connects: the packets come from the recording.
    rep = replay(d, TESTS / "tcp-echo", env=traced)
    assert rep.returncode == 0, rep.stderr
    assert rep.stdout == g.stdout
    (second,) = set(tmp_path.glob("hermit-trace-tcp-echo-*.json")) - {first}
    events = [json.loads(p.read_text())["traceEvents"] for p in (first, second)]
    assert len(events[0]) > 100 and events[0] == events[1]


def test_trace_and_capture_at_points_of_a_replay(tmp_path):
    """`hermit trace` and `hermit pcap` in a replay under gdb: at the exit, the kernel's trace and
    capture rings hold what the recorded run left (the capture is the recording's own file, byte
    for byte); back at the accept, they hold the beginning of both and no more."""
    d, g = record_echo(tmp_path, {"HERMIT_CAPTURE_NET": "1", "HERMIT_TRACE": "all",
                                  "HERMIT_TRACE_DIR": str(tmp_path)})
    capture = Path(re.search(r"hermit: network capture in (\S+) ", g.stderr).group(1))
    (trace,) = tmp_path.glob("hermit-trace-tcp-echo-*.json")
    end, back = tmp_path / "end", tmp_path / "back"
    out, _ = under_gdb(d, TESTS / "tcp-echo", [
        "break hcall_exit", "continue", "hermit trace 3", f"hermit trace save {end}.json",
        f"hermit pcap {end}.pcapng", "break accept", "reverse-continue", "bt 2",
        f"hermit trace save {back}.json", f"hermit pcap {back}.pcapng"])
    at_end, at_accept = out.split("Breakpoint 2, accept", 1)
    assert "Breakpoint 1, hcall_exit" in at_end, out
    assert re.search(r"^\[ +\d+\.\d{9}\] cpu0 task \d+ +hcall_exit ", at_end, re.M), out
    assert f"hermit: {len(read_pcap(capture))} frames written to {end}.pcapng" in at_end, out
    assert Path(f"{end}.pcapng").read_bytes() == capture.read_bytes()
    assert instants(Path(f"{end}.json")) == instants(trace)
    assert re.search(r"#1 .* in main \(.*\) at \S*tcp-echo.c:\d+", at_accept), out
    frames, recorded = read_pcap(f"{back}.pcapng"), read_pcap(capture)
    assert len(frames) < len(recorded) and frames == recorded[:len(frames)]
    events, all_events = instants(Path(f"{back}.json")), instants(trace)
    assert 0 < len(events) < len(all_events) and events == all_events[:len(events)]


@pytest.mark.parametrize("how", ["timeout", "signal"])
def test_a_run_stopped_from_outside_replays_to_the_same_end(tmp_path, how):
    """deadlock hangs for good: its recording ends where HERMIT_TIMEOUT or a ^C stopped it, and
    the replay ends there the same way (the same message and exit status), not as a guest that
    died."""
    d = tmp_path / "rec"
    env = {**SMALL, "HERMIT_RECORD": str(d)}
    if how == "timeout":
        rec = run_proxy("deadlock", env={**env, "HERMIT_TIMEOUT": "5"})
        assert "hermit: HERMIT_TIMEOUT=5: the guest was stopped" in rec.stderr
    else:
        p = subprocess.Popen([str(PROXY), str(TESTS / "deadlock")], env={**os.environ, "HERMIT_KVM": "0", **env},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert p.stdout.readline() == "deadlock: stuck\n"
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        rec = subprocess.CompletedProcess(p.args, p.returncode, "deadlock: stuck\n" + out, err)
        assert rec.returncode == 130, rec.stderr
    assert rec.stdout == "deadlock: stuck\n" and f"hermit: recorded into {d}" in rec.stderr, rec.stderr
    rep = replay(d, TESTS / "deadlock")
    same_run(rec, rep)
    assert "died without exiting" not in rep.stderr and "the replay ended with" not in rep.stderr
    if how == "timeout":
        assert "hermit: HERMIT_TIMEOUT=5: the guest was stopped" in rep.stderr


def test_wrong_image_or_broken_recording_is_refused(tmp_path):
    d, rec = record(tmp_path, "status", "3")
    assert rec.returncode == 3
    r = replay(d, TESTS / "hello")
    assert r.returncode == 2
    assert re.search(rf"HERMIT_REPLAY={d}: recorded from another image \(build id [0-9a-f]+, \S+status\); "
                     rf"\S+hello has build id [0-9a-f]+$", r.stderr.strip()), r.stderr
    r = run_proxy("status", "3", env={"HERMIT_REPLAY": str(d)})
    assert r.returncode == 2 and "give only APP" in r.stderr
    log = d / "qemu.rr"
    data = bytearray(log.read_bytes())
    data[len(data) // 2] ^= 0xff
    log.write_bytes(bytes(data))
    r = replay(d, TESTS / "status")
    assert r.returncode == 2 and "qemu.rr is corrupt" in r.stderr, r.stderr
    (d / "manifest").unlink()
    r = replay(d, TESTS / "status")
    assert r.returncode == 2 and "not a recording, or one that never finished" in r.stderr
    r = run_proxy("status", "3", env={**SMALL, "HERMIT_RECORD": str(d)})
    assert r.returncode == 2 and "holds a recording already" in r.stderr
    r = run_proxy("status", env={"HERMIT_RECORD": str(tmp_path / "smp"), "HERMIT_CPUS": "2"})
    assert r.returncode == 2 and "one CPU only (single-threaded TCG)" in r.stderr


def test_reverse_continue_from_the_crash_to_the_write(tmp_path):
    """The bug scribble hides: a worker stores a count where main later reads a pointer. From the
    crash, a watchpoint and reverse-continue find the write; the kernel's gdb commands show the
    guest as it was then (the crash not yet in the log); reverse-stepi goes before the write."""
    app = TESTS / "scribble"
    d, rec = record(tmp_path, "scribble", env={"HERMIT_TRACE_DIR": str(tmp_path)})
    assert rec.returncode == 139 and "scribble: 5 items" in rec.stdout
    # reverse commands start from the snapshot taken once the kernel is up, not from "init"
    assert int(re.search(r"^snapshots (\d+)$", (d / "manifest").read_text(), re.M).group(1)) >= 2
    out, app_out = under_gdb(d, app, ["break crash_exception", "continue", "p/x table.slots",
                             "watch table.slots", "reverse-continue", "bt", "hermit tasks",
                             "hermit dmesg", "reverse-stepi", "p table.slots"])
    crash, back = out.split("Hardware watchpoint 2: table.slots", 1)
    assert "Breakpoint 1, crash_exception" in crash and "= 0x5" in crash, out
    # the write: record_item, called by the worker task
    assert re.search(r"#0 .* in record_item \(.*\) at \S*scribble.c:2\d", back), out
    assert re.search(r"#1 .* in worker \(.*\) at \S*scribble.c:\d+", back), out
    # the kernel's view at that moment: the worker runs, main waits for it; no crash yet
    assert re.search(r"\*\s+\d+\s+0 running\s+pthread", back), out
    assert re.search(r"\d+\s+0 blocked\s+main", back), out
    assert "entering main()" in back and "kernel crash" not in back, out
    # one instruction back: before the store, the pointer was still the table's storage
    assert re.search(r"\$\d+ = \(int \*\) 0x[0-9a-f]+ <storage>", back), out
    # the app's output, once, though reverse commands replayed its write again
    assert app_out == rec.stdout


def test_reverse_commands_start_from_the_snapshots_the_replay_took(tmp_path):
    """Under gdb the replay takes snapshots of its own as it runs forward (docs/replay.md), into a
    copy of the recording's image: at the end of a long run, with the recording's snapshots
    (init, auto1) deleted from that copy, reverse-stepi and reverse-continue still work, which
    QEMU can only do from the new ones. The recording is not written; the copy is gone after."""
    app = BENCHMARKS / "primes"
    d, rec = record(tmp_path, app, "1", "6000000")
    assert rec.returncode == 0, rec.stderr
    image = (d / "snapshots.qcow2").read_bytes()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out, app_out = under_gdb(d, app, [
        "break hcall_exit", "continue", "monitor info snapshots", "monitor delvm init",
        "monitor delvm auto1", "monitor info snapshots", "monitor info replay", "reverse-stepi",
        "monitor info replay", "bt 1", "break sched_getcpu", "reverse-continue", "bt 2"],
        env={"TMPDIR": str(tmp)})
    listed = out.split("List of snapshots", 2)
    assert len(listed) == 3, out
    taken = [int(n) for n in re.findall(r"^--\s+hermit\d+\s.*\s(\d+)$", listed[1], re.M)]
    assert taken and sorted(taken) == taken and taken[0] > 0, out
    assert not re.search(r"^--\s+(init|auto1)\s", listed[2].split("instruction count")[0], re.M), out
    # One instruction back from the exit, with only the replay's snapshots to start from
    end, back = map(int, re.findall(r"instruction count = (\d+)", out))
    assert back == end - 1 and back > taken[0], out
    assert re.search(r"#0 .* in libc_terminate ", out), out
    # and back to the last of count()'s calls of sched_getcpu
    assert re.search(r"Breakpoint 2, .*sched_getcpu", out) and re.search(r"#1 .* in count \(", out), out
    assert "primes: " in app_out
    assert (d / "snapshots.qcow2").read_bytes() == image
    assert list(tmp.iterdir()) == []


def tamper_argv(d, copy, old, new):
    """A copy of recording d whose answer disk hands the guest other arguments (old replaced by
    new, as long), its hash in the manifest fixed so that the replay takes it: the guest then runs
    another path than the recorded one."""
    copy.mkdir()
    for p in d.iterdir():
        (copy / p.name).write_bytes(p.read_bytes())
    disk = (copy / "answers.disk").read_bytes()
    assert disk.count(old) == 1 and len(new) == len(old)
    disk = disk.replace(old, new)
    (copy / "answers.disk").write_bytes(disk)
    h = 0xcbf29ce484222325  # the manifest's FNV-1a (proxy/recording.c)
    for b in disk:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    manifest = re.sub(r"^answers\.disk \d+ [0-9a-f]{16}$", f"answers.disk {len(disk)} {h:016x}",
                      (copy / "manifest").read_text(), flags=re.M)
    (copy / "manifest").write_text(manifest)
    return copy


def stall_under_gdb(d):
    """Replays d under gdb, held stopped for 6 s before gdb's `continue` (longer than the limit,
    3 s: QEMU holds the guest, so no stall), then left to stand: the proxy says so once and the
    session goes on until the proxy is stopped. Returns the proxy's stderr."""
    port = free_port()
    env = dict(os.environ, HERMIT_REPLAY=str(d), HERMIT_DEBUG="1", HERMIT_DEBUG_PORT=str(port),
               HERMIT_REPLAY_STALL="3", HERMIT_TRACE_DIR=SCRATCH)
    proxy = subprocess.Popen([str(PROXY), str(TESTS / "status")], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    gdb = None
    try:
        assert f"waiting for gdb on 127.0.0.1:{port}" in proxy.stderr.readline()
        gdb = subprocess.Popen(["gdb", "-batch", "-nx", "-ex", f"target remote :{port}", "-ex",
                                "shell sleep 6", "-ex", "continue", str(TESTS / "status")],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        said = read_until(proxy.stderr, "gdb's session goes on", timeout=60)
        time.sleep(2)
        assert proxy.poll() is None, said  # the user's session is not killed
        proxy.terminate()
        said += proxy.communicate(timeout=30)[1]
        assert proxy.returncode == 143, said
    finally:
        for p in (gdb, proxy):
            if p and p.poll() is None:
                p.kill()
                p.communicate()
    assert said.count("left its recording") == 1, said
    assert not qemu_processes_of(str(d))
    return said


def test_a_replay_that_leaves_its_recording_ends_with_a_clear_message(tmp_path):
    """QEMU 7.2 does not notice a divergence: a guest told to sleep 3 s where the recorded one slept
    2 s waits for a timer the log never brings, and QEMU waits for an event at an instruction the
    guest never reaches. The proxy's watch (replay_watch.c) sees the instruction count stand still
    while QEMU runs the guest, and ends the replay: exit status 1, where it stood, a post-mortem
    bundle, no QEMU left. A guest that rings the doorbell where the log has no ring (it does not
    sleep at all) is one QEMU notices: its words are said the same way. Under gdb the stall is
    only said, and not while gdb holds the guest stopped."""
    d, rec = record(tmp_path, "status", "sleep", "2")
    assert rec.returncode == 0 and rec.stdout == "slept\n", rec.stderr
    hcalls = int(re.search(r"^hypercalls (\d+)$", (d / "manifest").read_text(), re.M).group(1))
    icount = int(re.search(r"^icount (\d+)$", (d / "manifest").read_text(), re.M).group(1))
    longer = tamper_argv(d, tmp_path / "longer", b"sleep\x002\x00", b"sleep\x003\x00")
    start = time.monotonic()
    r = replay(longer, TESTS / "status", env={"HERMIT_TRACE_DIR": str(tmp_path)})
    took = time.monotonic() - start
    assert r.returncode == 1 and r.stdout == "", r.stderr
    assert re.search(r"^hermit: the replay left its recording: the guest stood still at instruction "
                     rf"\d+ of the recording's {icount} for 1[5-9] s while QEMU ran it .*; it had made \d+ of "
                     rf"the recording's {hcalls} "
                     r"hypercalls, and the recorded run took \d+\.\d s$", r.stderr, re.M), r.stderr
    assert 15 <= took < 60, took
    assert "the replay ended with" not in r.stderr
    (bundle,) = tmp_path.glob("hermit-postmortem-status-*")
    assert "left its recording" in (bundle / "registers.txt").read_text()
    assert not qemu_processes_of(str(longer))
    stood = re.search(r"stood still at instruction (\d+) of", r.stderr).group(1)
    assert int(stood) < icount
    said = stall_under_gdb(longer)
    assert re.search(rf"stood still at instruction {stood} of the recording's {icount} for [3-6] s", said), said
    none = tamper_argv(d, tmp_path / "none", b"sleep\x002\x00", b"sleep\x000\x00")
    r = replay(none, TESTS / "status", env={"HERMIT_TRACE_DIR": str(tmp_path)})
    assert r.returncode == 1 and r.stdout == "", r.stderr
    assert re.search(rf"^hermit: the replay left its recording after \d+ of its {hcalls} hypercalls; QEMU "
                     r"says: .*Missing character write event in the replay log$", r.stderr, re.M), r.stderr


def test_a_guest_that_sleeps_longer_than_the_stall_limit_replays(tmp_path):
    """A sleeping guest halts between its timers, and its instruction count stands still meanwhile
    (up to 3 s measured on a loaded host): an 8 s sleep, longer than the watch's limit of 6 s,
    replays to its end, not taken for a replay that left its recording."""
    d, rec = record(tmp_path, "status", "sleep", "8")
    assert rec.returncode == 0 and rec.stdout == "slept\n", rec.stderr
    rep = replay(d, TESTS / "status", env={"HERMIT_REPLAY_STALL": "6"})
    same_run(rec, rep)
    assert "left its recording" not in rep.stderr
