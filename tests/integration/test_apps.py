"""Every app of the suite, booted through the proxy, judged by its output and exit status."""
import re

from conftest import BENCHMARKS, run_proxy


def test_hello_prints_greeting_arguments_and_environment(accel):
    r = run_proxy("hello", "first", "second arg", accel=accel, env={"HERMIT_TEST_VALUE": "42 x"})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Hello World!"
    assert lines[1].startswith("argv[0] = ") and lines[1].endswith("/hello")
    assert "argv[1] = first" in lines
    assert "argv[2] = second arg" in lines
    assert "env: HERMIT_TEST_VALUE=42 x" in lines
    assert "kernel crash" not in r.stderr


def test_threads_checks_its_own_results(accel):
    r = run_proxy("threads", accel=accel)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"threads: 8000 items, sum 8004000 \(expected 8004000\), once 1: ok", r.stdout)


def test_files_round_trip_through_the_host(accel, tmp_path):
    r = run_proxy("files", "data.txt", accel=accel, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "files: ok" in r.stdout
    assert not (tmp_path / "data.txt").exists()


def test_crash_report_names_function_and_line(accel):
    r = run_proxy("crash", accel=accel)
    assert r.returncode == 139
    assert "crash: about to dereference NULL" in r.stdout
    assert re.search(r"kernel crash: page fault .* in read_through_null at \S*tests/crash/crash.c:14", r.stderr)
    assert "fault address 0x0: no page for read" in r.stderr
    assert re.search(r"#\? +0x[0-9a-f]+ in main at \S*tests/crash/crash.c:42 \(caller of a frameless", r.stderr)
    assert re.search(r"RAX [0-9a-f]{16} RBX", r.stderr)
    assert r.stderr.rstrip().splitlines()[-1] == "hermit: the guest crashed (page fault)"


def test_stack_overflow_hits_the_guard_page(accel):
    r = run_proxy("crash", "stack", accel=accel)
    assert r.returncode == 139
    assert re.search(r"kernel crash: page fault .* in recurse at \S*tests/crash/crash.c:\d+", r.stderr)
    # main's id is 2 + the other CPUs' idle tasks (HERMIT_CPUS)
    assert re.search(r'stack overflow: the address is in the guard page below task \d+ "main"', r.stderr)


def test_text_is_write_protected(accel):
    r = run_proxy("crash", "text", accel=accel)
    assert r.returncode == 139
    assert re.search(r"fault address 0x[0-9a-f]+: protection violation on write", r.stderr)
    assert re.search(r"#0 +0x[0-9a-f]+ in write_code at \S*tests/crash/crash.c:30", r.stderr)


def test_exit_status_is_the_proxys(accel):
    for status in (0, 3, 255):
        assert run_proxy("status", str(status), accel=accel).returncode == status


def test_abort_ends_like_sigabrt(accel):
    assert run_proxy("status", "abort", accel=accel).returncode == 134


def test_stream_runs_and_validates(accel):
    r = run_proxy(BENCHMARKS / "stream", "1000000", accel=accel)
    assert r.returncode == 0, r.stdout + r.stderr
    for kernel in ("Copy", "Scale", "Add", "Triad"):
        assert re.search(rf"^{kernel} +\d+\.\d MB/s$", r.stdout, re.M)
    assert "STREAM: results validate" in r.stdout
