"""Shared fixtures: paths of the staged build, and a runner for the proxy.

Every test boots real guests through build/bin/proxy in QEMU (HERMIT_TEST_PROXY: another proxy,
such as the sanitizer build, build/sanitize/bin/proxy, whose every run must end without a report).
Tests that take an `accel` parameter run once with TCG and once with KVM; the KVM run is skipped,
saying why, where this machine's KVM cannot run a Hermit guest.
"""
import os
import pathlib
import select
import subprocess
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
PROXY = pathlib.Path(os.environ.get("HERMIT_TEST_PROXY", BUILD / "bin" / "proxy"))
SANITIZER_REPORT = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")
SYSROOT = BUILD / "x86_64-hermit"
TESTS = SYSROOT / "extra" / "tests"
BENCHMARKS = SYSROOT / "extra" / "benchmarks"
TIMEOUT = 120
# Post-mortem bundles and traces go here unless a test says where (HERMIT_TRACE_DIR).
SCRATCH = tempfile.mkdtemp(prefix="hermit-tests-")


def kvm_problem():
    """Why KVM cannot run Hermit guests here, or None when it can."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "/dev/kvm is missing or not accessible"
    if os.path.isdir("/sys/module/kvm_pvm") and not (
        os.path.isdir("/sys/module/kvm_intel") or os.path.isdir("/sys/module/kvm_amd")
    ):
        return "this machine's KVM is kvm-pvm, which runs only PVM-aware guest kernels"
    return None


@pytest.fixture(params=["tcg", "kvm"])
def accel(request):
    if request.param == "kvm":
        problem = kvm_problem()
        if problem:
            pytest.skip("KVM run skipped: " + problem)
    return request.param


def run_proxy(app, *args, accel="tcg", env=None, cwd=None, timeout=TIMEOUT):
    """Runs the proxy on app (a path or a name under extra/tests) and returns the completed process."""
    path = app if os.path.sep in str(app) else TESTS / app
    full_env = dict(os.environ)
    full_env["HERMIT_KVM"] = "1" if accel == "kvm" else "0"
    full_env.setdefault("HERMIT_TRACE_DIR", SCRATCH)
    full_env.update(env or {})
    r = subprocess.run(
        [str(PROXY), str(path), *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert not any(m in r.stderr for m in SANITIZER_REPORT), r.stderr
    return r


def read_until(stream, needle, timeout=20):
    """Reads the pipe's bytes directly (no buffering that select cannot see) until needle."""
    seen, deadline, fd = "", time.time() + timeout, stream.fileno()
    while needle not in seen and time.time() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk.decode(errors="replace")
    return seen


def qemu_processes_of(marker):
    """QEMU processes whose command line contains marker (to check none is left behind)."""
    out = subprocess.run(["pgrep", "-af", "qemu-system"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if marker in line]
