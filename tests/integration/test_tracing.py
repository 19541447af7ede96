"""The kernel log, the tracer and the post-mortem bundle, judged by real tools: babeltrace2 (its
Python bindings, python3-bt2), json, and gdb on the ELF core."""
import filecmp
import json
import os
import pathlib
import re
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import BUILD, PROXY, ROOT, TESTS, read_until, run_proxy

bt2 = pytest.importorskip("bt2", reason="python3-bt2 (babeltrace2's bindings) is not installed")


def traced(tmp_path, *args, env=None, accel="tcg"):
    full = {"HERMIT_TRACE_DIR": str(tmp_path)}
    full.update(env or {})
    r = run_proxy("tracer", *args, env=full, cwd=tmp_path, accel=accel)
    return r


def ctf_of(tmp_path, prefix="hermit-trace-tracer-"):
    dirs = [p for p in tmp_path.iterdir() if p.name.startswith(prefix) and p.is_dir()]
    assert len(dirs) == 1, list(tmp_path.iterdir())
    return dirs[0]


def read_ctf(path):
    """Events as (name, fields, tid, ns) in order, and the discarded-events total."""
    events, discarded = [], 0
    for m in bt2.TraceCollectionMessageIterator(str(path)):
        if type(m) is bt2._EventMessageConst:
            e = m.event
            fields = {k: int(v) for k, v in e.payload_field.items()}
            events.append((e.name, fields, int(e.common_context_field["tid"]),
                           m.default_clock_snapshot.ns_from_origin))
        elif type(m) is bt2._DiscardedEventsMessageConst:
            discarded += m.count
    return events, discarded


def test_ctf_events_match_what_the_app_did(tmp_path, accel):
    r = traced(tmp_path, "work", env={"HERMIT_TRACE": "app_mark,task_create,syscall_*,sched_switch"}, accel=accel)
    assert r.returncode == 0, r.stderr
    assert re.search(r"hermit: trace of \d+ events \(0 lost\) written to \S+ \(CTF\) and \S+\.json \(JSON\)", r.stderr)
    events, discarded = read_ctf(ctf_of(tmp_path))
    assert discarded == 0
    names = {e[0] for e in events}
    assert names <= {"app_mark", "task_create", "sched_switch"} | {n for n in names if n.startswith("syscall_")}
    stamps = [e[3] for e in events]
    assert stamps == sorted(stamps)
    marks = [e[1]["value"] for e in events if e[0] == "app_mark" and e[1]["tag"] == 7]
    assert marks == list(range(10))
    workers = [e for e in events if e[0] == "app_mark" and e[1]["tag"] == 1000]
    assert sorted(e[1]["value"] for e in workers) == [0, 1, 2]
    assert len({e[2] for e in workers}) == 3
    created = [e[1]["tid"] for e in events if e[0] == "task_create"]
    assert len(created) == 4 and {e[2] for e in workers} <= set(created)
    writes = [i for i, e in enumerate(events) if e[0] == "syscall_entry_write" and e[1] == {"fd": 1, "len": 5}]
    assert len(writes) == 5
    for i in writes:
        done = next(e for e in events[i + 1:] if e[0] == "syscall_exit_write" and e[2] == events[i][2])
        assert done[1]["ret"] == 5
    assert any(e[0] == "syscall_entry_nanosleep" and e[1]["ns"] == 1000000 for e in events)
    assert any(e[0] == "sched_switch" for e in events)


def test_overwritten_events_are_counted_as_lost(tmp_path):
    out = tmp_path / "new"  # HERMIT_TRACE_DIR is created when missing
    r = run_proxy("tracer", "marks", "1000", env={"HERMIT_TRACE": "app_mark", "HERMIT_TRACE_EVENTS": "64",
                                                  "HERMIT_TRACE_DIR": str(out)})
    assert r.returncode == 0, r.stderr
    assert "(936 lost)" in r.stderr
    tmp_path = out
    events, discarded = read_ctf(ctf_of(tmp_path))
    assert discarded == 936
    assert [e[1]["value"] for e in events] == list(range(936, 1000))
    text = subprocess.run(["babeltrace2", str(ctf_of(tmp_path))], capture_output=True, text=True)
    assert text.returncode == 0
    assert "discarded 936 events" in text.stderr
    assert text.stdout.count("app_mark:") == 64


def test_json_loads_with_a_task_timeline(tmp_path):
    r = traced(tmp_path, "work", env={"HERMIT_TRACE": "all"})
    assert r.returncode == 0, r.stderr
    events, _ = read_ctf(ctf_of(tmp_path))
    doc = json.loads(next(tmp_path.glob("hermit-trace-tracer-*.json")).read_text())
    instants = [e for e in doc["traceEvents"] if e["ph"] == "i"]
    slices = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert len(instants) == len(events)
    assert {e["name"] for e in instants} == {e[0] for e in events}
    assert any(s["name"].startswith("main (") for s in slices)
    assert all(s["dur"] >= 0 for s in slices)
    assert any(e["ph"] == "M" and e["args"].get("name") == "CPU 0" for e in doc["traceEvents"])


def gdb(app, core, *commands):
    args = ["gdb", "-batch", "-nx", "-iex", "set auto-load safe-path /"]
    for c in commands:
        args += ["-ex", c]
    return subprocess.run(args + [str(app), str(core)], capture_output=True, text=True, timeout=120)


def bundle_of(tmp_path, app):
    dirs = list(tmp_path.glob(f"hermit-postmortem-{app}-*"))
    assert len(dirs) == 1, list(tmp_path.iterdir())
    return dirs[0]


def test_crash_leaves_a_bundle_that_gdb_opens(tmp_path, accel):
    r = run_proxy("crash", env={"HERMIT_TRACE_DIR": str(tmp_path), "HERMIT_TRACE": "all"}, cwd=tmp_path,
                  accel=accel)
    assert r.returncode == 139
    b = bundle_of(tmp_path, "crash")
    assert f"hermit: post-mortem bundle in {b}" in r.stderr.replace("//", "/")
    log = (b / "log.txt").read_text()
    assert re.search(r"kernel crash: page fault .* in read_through_null at \S*tests/crash/crash.c:14", log)
    assert "entering main()" in log
    assert (b / "trace" / "metadata").exists() and json.loads((b / "trace.json").read_text())
    assert "(crashed)" in (b / "registers.txt").read_text()
    core = b / "core"
    assert core.stat().st_size < 16 << 20
    g = gdb(TESTS / "crash", core, "bt", "info threads")
    assert g.returncode == 0, g.stderr
    assert re.search(r"#0 .* in read_through_null \(\) at tests/crash/crash.c:14", g.stdout)
    assert re.search(r"#1 .* in main ", g.stdout)
    threads = re.findall(r"^\*?\s+\d+\s+LWP (\d+)", g.stdout, re.M)
    assert sorted(threads) == ["1", "2"]


def test_panic_bundle_has_the_panic(tmp_path):
    r = run_proxy("tracer", "panic", env={"HERMIT_TRACE_DIR": str(tmp_path)}, cwd=tmp_path)
    assert r.returncode == 134
    b = bundle_of(tmp_path, "tracer")
    assert "kernel panic: tracer: on purpose, after 0 marks" in (b / "log.txt").read_text()
    g = gdb(TESTS / "tracer", b / "core", "bt")
    assert g.returncode == 0
    assert re.search(r"#0 .* in panic ", g.stdout)
    assert re.search(r" in main \(", g.stdout)


def start_hanging(env):
    full = dict(os.environ, HERMIT_KVM="0", **env)
    p = subprocess.Popen([str(PROXY), str(TESTS / "tracer"), "hang"], env=full,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "waiting"
    return p


ENDINGS = {
    "exit": (("tracer", "work"), {}, 0),
    "exception": (("crash",), {}, 139),
    "panic": (("tracer", "panic"), {}, 134),
    "triple-fault": (("tracer", "triple"), {}, 1),
    "timeout": (("tracer", "hang"), {"HERMIT_TIMEOUT": "2"}, 124),
}


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_verbose_prints_the_log_from_guest_memory_after(ending, tmp_path):
    args, env, status = ENDINGS[ending]
    r = run_proxy(*args, env={"HERMIT_VERBOSE": "1", "HERMIT_TRACE_DIR": str(tmp_path), "HERMIT_TRACE": "all",
                              **env}, cwd=tmp_path)
    assert r.returncode == status, r.stderr
    assert "hermit: kernel log (from guest memory)" in r.stderr
    assert re.search(r"hermit: trace of [1-9]\d* events \(\d+ lost\) written to ", r.stderr)  # however it ends
    assert re.search(r"^\[ +\d+\.\d{6}\] I hermit: entering main\(\)", r.stderr, re.M)
    if ending == "timeout":
        assert "HERMIT_TIMEOUT=2: the guest was stopped" in r.stderr


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_verbose_prints_the_log_after_a_signal(sig, status):
    with tempfile.TemporaryDirectory() as d:
        p = start_hanging({"HERMIT_VERBOSE": "1", "HERMIT_TRACE": "all", "HERMIT_TRACE_DIR": d})
        p.send_signal(sig)
        assert p.wait(timeout=30) == status
        err = p.stderr.read()
        assert "hermit: kernel log (from guest memory)" in err and "entering main()" in err
        assert "hermit: trace of " in err and list(pathlib.Path(d).glob("hermit-trace-tracer-*.json"))


def test_sigusr1_prints_the_log_of_a_running_guest():
    p = start_hanging({})
    try:
        p.send_signal(signal.SIGUSR1)
        seen = read_until(p.stderr, "entering main()")
        assert "hermit: kernel log (from guest memory)" in seen and "entering main()" in seen
        time.sleep(0.5)
        assert p.poll() is None  # still running
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=30) == 143


def test_logsize_bounds_the_ring(tmp_path):
    r = run_proxy("tracer", "marks", "1", env={"HERMIT_VERBOSE": "1", "HERMIT_LOGSIZE": "4K",
                                              "HERMIT_TRACE": "all"}, cwd=tmp_path)
    assert r.returncode == 0
    assert "hermit: kernel log (from guest memory)" in r.stderr
    assert re.search(r"trace: \d+ events on \(all\)", r.stderr)


def test_gdb_scripts_on_a_core(tmp_path):
    r = run_proxy("tracer", "panic", env={"HERMIT_TRACE_DIR": str(tmp_path), "HERMIT_TRACE": "all"}, cwd=tmp_path)
    assert r.returncode == 134
    b = bundle_of(tmp_path, "tracer")
    g = gdb(TESTS / "tracer", b / "core", "hermit tasks", "hermit dmesg", "hermit trace 5", "hermit mem",
            "hermit timers", "p $hermit_current_task()->name", f"hermit trace save {tmp_path}/g.json",
            f"hermit trace save {tmp_path}/g.ctf")
    assert g.returncode == 0, g.stderr
    assert re.search(r"^\*\s+2\s+0 running\s+main ", g.stdout, re.M)
    assert re.search(r"^\s+1\s+0 \w+\s+idle ", g.stdout, re.M)
    assert "E kernel panic: tracer: on purpose, after 0 marks" in g.stdout
    assert re.search(r"^\[ +\d+\.\d{9}\] cpu0 task \d+ +log seq=\d+ level=3", g.stdout, re.M)
    assert re.search(r"^pages: +\d+ free of \d+", g.stdout, re.M)
    assert re.search(r"^cpu0: timer ", g.stdout, re.M)
    assert '$1 = "main"' in g.stdout
    json.loads((tmp_path / "g.json").read_text())
    events, _ = read_ctf(tmp_path / "g.ctf")
    proxy_events, _ = read_ctf(b / "trace")
    assert events == proxy_events  # the scripts read the rings as the proxy does
    # the same guest memory decoded by the scripts and by the proxy (tracing/export.c, logring.h)
    assert json.loads((tmp_path / "g.json").read_text()) == json.loads((b / "trace.json").read_text())
    assert filecmp.cmpfiles(tmp_path / "g.ctf", b / "trace", ["metadata", "stream_0"], shallow=False)[0] == \
        ["metadata", "stream_0"]
    dmesg = gdb(TESTS / "tracer", b / "core", "hermit dmesg").stdout
    assert same_log(dmesg, (b / "log.txt").read_text())


MARKER = re.compile(r"<pc:0x([0-9a-f]+)>")


def same_log(scripts, proxy):
    """Whether `hermit dmesg` and the proxy's log.txt hold the same records, the proxy having put
    each code address marker into words (its symbolizer, addr2line) where the scripts keep it."""
    records = [line for line in scripts.splitlines() if re.match(r"^\[ *\d+\.\d{6}\] ", line)]
    theirs = proxy.splitlines()
    assert len(records) == len(theirs) > 10, (scripts, proxy)
    for mine, their in zip(records, theirs):
        pattern = "".join(re.escape(part) if i % 2 == 0 else f"0x{part}(?: in .*)?"
                          for i, part in enumerate(MARKER.split(mine)))
        assert re.fullmatch(pattern, their), (mine, their)
    return True


def test_gdb_scripts_through_qemus_gdbstub(tmp_path):
    port = 23000 + os.getpid() % 2000
    # HERMIT_DEBUG=qemu where the proxy also has its own stub, else HERMIT_DEBUG=1 means QEMU's
    for mode in ("qemu", "1"):
        env = dict(os.environ, HERMIT_KVM="0", HERMIT_DEBUG=mode, HERMIT_DEBUG_PORT=str(port),
                   HERMIT_TRACE="all", HERMIT_TRACE_DIR=str(tmp_path))
        p = subprocess.Popen([str(PROXY), str(TESTS / "tracer"), "hang"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        seen = read_until(p.stderr, "waiting for gdb", timeout=10)
        if "waiting for gdb" in seen:
            break
        p.kill()
        p.wait()
    else:
        pytest.fail("the proxy offers no QEMU gdbstub: " + seen)
    try:
        args = ["gdb", "-batch", "-nx", "-iex", "set auto-load safe-path /", "-ex", f"target remote :{port}",
                "-ex", "hbreak signal_sleep_until", "-ex", "continue", "-ex", "hermit tasks", "-ex", "hermit dmesg",
                "-ex", "hermit trace 3", "-ex", "hermit timers", "-ex", "hermit mem",
                "-ex", "p $hermit_current_task()->name", "-ex", "kill", str(TESTS / "tracer")]
        g = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert re.search(r"^\*\s+2\s+0 running\s+main ", g.stdout, re.M), g.stdout + g.stderr
        assert "I hermit: entering main()" in g.stdout
        assert re.search(r"cpu0 task \d+ +\w+", g.stdout)
        assert '$1 = "main"' in g.stdout
    finally:
        p.kill()
        p.wait()


REFERENCE = ROOT / "traces" / "reference"


def test_exporters_match_the_reference_trace(tmp_path):
    subprocess.run([str(BUILD / "tools" / "trace-reference"), str(tmp_path / "synthetic")], check=True)
    for name in ("metadata", "stream_0"):
        assert (tmp_path / "synthetic" / name).read_bytes() == (REFERENCE / "synthetic" / name).read_bytes()
    assert (tmp_path / "synthetic.json").read_text() == (REFERENCE / "synthetic.json").read_text()
    doc = json.loads((REFERENCE / "synthetic.json").read_text())
    assert [e["name"] for e in doc["traceEvents"] if e["ph"] == "X"] == ["main (2)", "worker (3)", "main (2)"]
    text = subprocess.run(["babeltrace2", str(REFERENCE / "synthetic")], capture_output=True, text=True)
    assert text.stdout == (REFERENCE / "synthetic.txt").read_text()
    assert "discarded 18 events" in text.stderr


def test_committed_formats_are_what_the_tools_write():
    assert (ROOT / "traces" / "formats" / "metadata").read_bytes() == (BUILD / "tools" / "ctf-metadata.txt").read_bytes()
    catalogue = (ROOT / "traces" / "formats" / "events.md").read_text()
    names = re.findall(r'^\tX\(\w+, "(\w+)"', (ROOT / "tracing" / "events.h").read_text(), re.M)
    assert len(names) > 25
    assert all(f"`{n}`" in catalogue for n in names)


def test_summary_decoder_on_the_reference():
    r = subprocess.run(["/usr/bin/python3", str(ROOT / "traces" / "decoders" / "summary.py"),
                        str(REFERENCE / "synthetic")], capture_output=True, text=True, check=True)
    assert r.stdout.startswith("16 events, 18 lost\n")
    assert re.search(r"write +1 calls, median 8000 ns", r.stdout)


def test_log_ring_wraps_and_keeps_whole_records(tmp_path):
    r = run_proxy("tracer", "logs", "500", env={"HERMIT_VERBOSE": "1", "HERMIT_LOGSIZE": "8K", "HERMIT_BUNDLE": "1",
                                               "HERMIT_TRACE_DIR": str(tmp_path)}, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    m = re.search(r"hermit: \((\d+) older records were overwritten\)", r.stderr)
    assert m and int(m.group(1)) > 300
    lines = [l for l in r.stderr.splitlines() if l.startswith("[")]
    assert all(re.match(r"^\[ +\d+\.\d{6}\] [DIWE] ", l) for l in lines)
    warnings = [l for l in lines if l.endswith("W trace: no_such_event_* matches no event")]
    assert 500 - int(m.group(1)) - 20 < len(warnings) < 500
    assert sum(len(l) + 1 for l in lines) < 8192
    # the gdb scripts read the same ring from the bundle's core (HERMIT_BUNDLE=1: after an exit too)
    g = gdb(TESTS / "tracer", bundle_of(tmp_path, "tracer") / "core", "hermit dmesg")
    assert g.returncode == 0, g.stderr
    assert [l for l in g.stdout.splitlines() if re.match(r"\[ +\d", l)] == lines


def test_an_app_built_outside_the_tree_loads_the_gdb_scripts(tmp_path):
    (tmp_path / "mine.c").write_text('#include <hermit/trace.h>\nint main(void) { hermit_trace_mark(1, 2); return 0; }\n')
    subprocess.run([str(BUILD / "bin" / "x86_64-hermit-gcc"), "-g", "mine.c", "-o", "mine"], cwd=tmp_path, check=True)
    untrusted = subprocess.run(["gdb", "-batch", "-nx", "-ex", "help hermit", str(tmp_path / "mine")],
                               capture_output=True, text=True, timeout=60)
    assert "auto-load" in untrusted.stderr  # gdb refuses until the path is trusted, and says how
    trusted = subprocess.run(["gdb", "-batch", "-nx", "-iex", f"add-auto-load-safe-path {tmp_path}",
                              "-ex", "help hermit", str(tmp_path / "mine")], capture_output=True, text=True, timeout=60)
    assert trusted.returncode == 0, trusted.stderr
    for command in ("hermit tasks", "hermit dmesg", "hermit trace", "hermit mem", "hermit timers"):
        assert command in trusted.stdout


def test_app_turns_events_on_and_off(tmp_path):
    r = traced(tmp_path, "toggle")  # no HERMIT_TRACE: the proxy writes no trace, the core has it
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == "on: 3"
    assert re.match(r"trace: on: sched_switch,sched_wakeup,app_mark; cpu0: \d+ events written, 0 overwritten, "
                    r"ring of 16384$", out[1])
    assert out[2:4] == ["on: 1", "on: 0"]
    assert out[4].startswith("trace: on: nothing; cpu0: ")
    assert not list(tmp_path.glob("hermit-trace-*"))


@pytest.mark.parametrize("env, message", [
    ({"HERMIT_TRACE": "sched_*,nosuch"}, "hermit: HERMIT_TRACE=sched_*,nosuch: nosuch matches no event"),
    ({"HERMIT_TIMEOUT": "soon"}, "hermit: HERMIT_TIMEOUT=soon: expected a number of seconds"),
    ({"HERMIT_BUNDLE": "yes"}, "hermit: HERMIT_BUNDLE=yes: expected 0 or 1"),
])
def test_bad_tracing_settings_are_refused_before_starting(env, message):
    r = run_proxy("hello", env=env)
    assert r.returncode == 2
    assert message in r.stderr


def test_sigusr2_writes_a_bundle_of_the_running_guest(tmp_path):
    p = start_hanging({"HERMIT_TRACE_DIR": str(tmp_path), "HERMIT_TRACE": "all"})
    try:
        p.send_signal(signal.SIGUSR2)
        seen = read_until(p.stderr, "post-mortem bundle in")
        assert "-snapshot1 (log.txt, registers.txt, core;" in seen
        time.sleep(0.3)
        assert p.poll() is None
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=30) == 143
    assert len(list(tmp_path.glob("hermit-postmortem-tracer-*-snapshot*"))) == 1  # one signal, one bundle
    b = next(tmp_path.glob("hermit-postmortem-tracer-*-snapshot1"))
    assert "I hermit: entering main()" in (b / "log.txt").read_text()
    assert "was running" in (b / "registers.txt").read_text()
    g = gdb(TESTS / "tracer", b / "core", "info threads", "hermit tasks")
    assert g.returncode == 0, g.stderr
    assert re.search(r"^[* ]\s*\d+\s+\d+ \w+\s+main ", g.stdout, re.M)
