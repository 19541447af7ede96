"""The proxy's settings, bad input and process handling."""
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import PROXY, SCRATCH, TESTS, qemu_processes_of, run_proxy


@pytest.mark.parametrize(
    "env, message",
    [
        ({"HERMIT_MEM": "lots"}, "HERMIT_MEM=lots"),
        ({"HERMIT_MEM": "0"}, "HERMIT_MEM=0"),
        ({"HERMIT_MEM": "99999999999G"}, "HERMIT_MEM=99999999999G"),
        ({"HERMIT_CPUS": "17"}, "at most 16 CPUs are supported"),
        ({"HERMIT_CPUS": "two"}, "HERMIT_CPUS=two"),
        ({"HERMIT_PORT": "70000"}, "HERMIT_PORT=70000"),
        ({"HERMIT_ISLE": "xen"}, "HERMIT_ISLE=xen"),
    ],
)
def test_bad_settings_are_refused_clearly(env, message):
    r = run_proxy("hello", env=env)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Hello World!" not in r.stdout


def test_missing_app_file():
    r = subprocess.run([str(PROXY), "/nonexistent/app"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "/nonexistent/app" in r.stderr and "No such file" in r.stderr


def test_linux_program_is_not_a_hermit_image():
    r = subprocess.run([str(PROXY), "/bin/true"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "not a Hermit image" in r.stderr


def test_no_arguments_prints_usage():
    r = subprocess.run([str(PROXY)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "usage" in r.stderr.lower()


@pytest.mark.parametrize(
    "size, regions",
    [
        ("256M", ["memory: RAM 0x100000-0x10000000"]),
        # QEMU puts RAM beyond 3 GiB above the 4 GiB line
        ("6G", ["memory: RAM 0x100000-0xc0000000", "memory: RAM 0x100000000-0x1c0000000"]),
    ],
)
def test_memory_size_reaches_the_kernel(size, regions):
    r = run_proxy("hello", env={"HERMIT_MEM": size, "HERMIT_VERBOSE": "1"})
    assert r.returncode == 0, r.stderr
    for region in regions:
        assert region in r.stderr


def test_verbose_prints_the_kernel_log_at_termination():
    quiet = run_proxy("hello")
    assert "entering main()" not in quiet.stderr
    loud = run_proxy("hello", env={"HERMIT_VERBOSE": "1"})
    assert loud.returncode == 0
    assert "entering main()" in loud.stderr
    assert "clock: TSC at" in loud.stderr


def start_waiting_guest(env=None):
    full_env = dict(os.environ, HERMIT_KVM="0", HERMIT_TRACE_DIR=SCRATCH, **(env or {}))
    p = subprocess.Popen([str(PROXY), str(TESTS / "status"), "wait"], env=full_env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "waiting"
    return p


@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_the_guest_and_leaves_no_qemu(sig, status):
    p = start_waiting_guest()
    marker = str(TESTS / "status")
    assert qemu_processes_of(marker)
    p.send_signal(sig)
    assert p.wait(timeout=30) == status
    deadline = time.time() + 5
    while qemu_processes_of(marker) and time.time() < deadline:
        time.sleep(0.1)
    assert not qemu_processes_of(marker)


def test_monitor_listens_on_port_plus_one_on_loopback():
    port = 21000 + os.getpid() % 2000
    p = start_waiting_guest({"HERMIT_MONITOR": "1", "HERMIT_PORT": str(port)})
    try:
        with socket.create_connection(("127.0.0.1", port + 1), timeout=10) as s:
            s.settimeout(10)
            banner = b""
            while b"(qemu)" not in banner:
                chunk = s.recv(4096)
                assert chunk
                banner += chunk
            assert b"QEMU" in banner
    finally:
        p.terminate()
        p.wait(timeout=30)
