"""Real programs from Debian's source packages, built unmodified with their own build systems
(tests/programs/programs.mk), run in the guest and compared with the host doing the same.

Each program is built through its make target the first time a test needs it; a program that
does not build fails its tests with the tail of its build output.
"""
import os
import random
import subprocess
import textwrap

import pytest

from conftest import BUILD, PROXY, ROOT, SCRATCH, TIMEOUT

PROGRAMS = BUILD / "programs"
GUEST_ENV = {"HERMIT_ISLE": "qemu", "HERMIT_KVM": "0", "HERMIT_TRACE_DIR": SCRATCH}
_built = {}


def built(name):
    """The build directory of program name, built by `make programs-NAME` if need be."""
    if name not in _built:
        r = subprocess.run(["make", "-s", "-j2", f"programs-{name}"], cwd=ROOT, capture_output=True,
                           text=True, timeout=1500)
        _built[name] = r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    ok, log = _built[name]
    assert ok, f"{name} does not build:\n{log}"
    return PROGRAMS / name


def guest(image, *args, stdin=b"", cwd=None, timeout=TIMEOUT):
    """Runs image in a TCG guest with binary stdin; returns the completed process (bytes)."""
    return subprocess.run([str(PROXY), str(image), *args], input=stdin, cwd=cwd, capture_output=True,
                          timeout=timeout, env={**os.environ, **GUEST_ENV})


def sample_data():
    """Half text, half noise: both of deflate's paths."""
    text = "".join(f"line {i}: the quick brown fox {i * i}\n" for i in range(20000)).encode()
    return text + random.Random(9).randbytes(200_000)


# zlib 1.2.13: ./configure --static, make; its own test target, then round trips with gzip.

def test_zlib_own_test_target_passes_in_the_guest():
    zlib = built("zlib")
    # zlib's Makefile runs its checks through $(QEMU_RUN), meant for emulators: the proxy is one.
    r = subprocess.run(["make", "-s", "teststatic", f"QEMU_RUN={PROXY}"], cwd=zlib, capture_output=True,
                       text=True, timeout=TIMEOUT, env={**os.environ, **GUEST_ENV})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "*** zlib test OK ***" in r.stdout
    assert "zlib version 1.2.13" in r.stdout


def test_zlib_guest_compresses_host_gunzips():
    data = sample_data()
    r = guest(built("zlib") / "minigzip", "-9", stdin=data)
    assert r.returncode == 0, r.stderr
    assert r.stdout[:2] == b"\x1f\x8b" and len(r.stdout) < len(data)
    assert subprocess.run(["gzip", "-dc"], input=r.stdout, capture_output=True, check=True).stdout == data


def test_zlib_host_gzips_guest_decompresses():
    data = sample_data()
    packed = subprocess.run(["gzip", "-c"], input=data, capture_output=True, check=True).stdout
    r = guest(built("zlib") / "minigzip", "-d", stdin=packed)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data


def test_zlib_files_on_the_host(tmp_path):
    """minigzip FILE writes FILE.gz and removes FILE, as gzip does; -d undoes a host gzip."""
    data = sample_data()
    minigzip = built("zlib") / "minigzip"
    (tmp_path / "mine").write_bytes(data)
    r = guest(minigzip, "mine", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "mine").exists()
    assert subprocess.run(["gzip", "-dc", "mine.gz"], cwd=tmp_path, capture_output=True,
                          check=True).stdout == data

    (tmp_path / "theirs").write_bytes(data)
    subprocess.run(["gzip", "theirs"], cwd=tmp_path, check=True)
    r = guest(minigzip, "-d", "theirs.gz", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "theirs").read_bytes() == data
    assert not (tmp_path / "theirs.gz").exists()


def test_zlib_corrupt_input_is_an_error_not_a_crash():
    packed = bytearray(subprocess.run(["gzip", "-c"], input=sample_data(), capture_output=True,
                                      check=True).stdout)
    packed[len(packed) // 2] ^= 0xFF
    r = guest(built("zlib") / "minigzip", "-d", stdin=bytes(packed))
    assert r.returncode == 1, r.stderr  # minigzip's error() exits 1
    assert b"minigzip" in r.stderr


# What programs need of the C library beyond POSIX's file and process calls.

def test_dlopen_fails_cleanly_in_a_static_image(tmp_path):
    """civetweb loads OpenSSL with dlopen when it can; a Hermit image cannot, and says so."""
    (tmp_path / "dl.c").write_text(textwrap.dedent("""\
        #include <dlfcn.h>
        #include <stdio.h>
        int main(void)
        {
            void *lib = dlopen("libssl.so.3", RTLD_LAZY);
            const char *why = dlerror(), *again = dlerror();
            printf("%d|%s|%s\\n", lib == NULL, why, again ? again : "none");
            void *sym = dlsym(RTLD_DEFAULT, "main");
            why = dlerror();
            printf("%d|%s|%d\\n", sym == NULL, why, dlclose(lib));
            return 0;
        }
        """))
    subprocess.run([str(BUILD / "bin" / "x86_64-hermit-gcc"), "dl.c", "-o", "dl"], cwd=tmp_path, check=True)
    r = guest(tmp_path / "dl")
    assert r.returncode == 0, r.stderr
    opened, looked_up = r.stdout.decode().splitlines()
    assert opened == "1|dlopen: Hermit images are static: no shared object can be loaded|none"
    assert looked_up == "1|dlsym: a Hermit image has no dynamic symbol table|-1"
