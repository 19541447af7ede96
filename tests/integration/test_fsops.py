"""Files and directories through the proxy (tests/fsops): every call in a guest, checked against
what the host says of the same files, record locks shared with host processes, HERMIT_ROOT."""
import fcntl
import os
import re
import subprocess
import time

from conftest import PROXY, SCRATCH, TESTS, run_proxy


def fields(line):
    """'stat NAME k=v k=v' -> (NAME, {k: v})."""
    parts = line.split()
    return parts[1], dict(p.split("=", 1) for p in parts[2:])


def test_every_call_agrees_with_the_host(accel, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    r = run_proxy("fsops", "all", str(work), accel=accel, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().endswith("fsops: ok")
    out = r.stdout.splitlines()
    # stat and lstat: the host's numbers, inode and device included (they were printed before the
    # file was changed again, so only what the guest did not touch since is compared)
    name, st = fields(next(l for l in out if l.startswith("stat ")))
    host = os.stat(work / name)
    assert int(st["ino"]) == host.st_ino and int(st["dev"]) == host.st_dev
    assert int(st["uid"]) == host.st_uid and int(st["gid"]) == host.st_gid
    name, st = fields(next(l for l in out if l.startswith("lstat ")))
    host = os.lstat(work / name)
    assert int(st["ino"]) == host.st_ino and int(st["mode"], 8) == host.st_mode
    assert int(st["size"]) == host.st_size == 4
    mtime = st["mtime"].split(".")
    assert int(mtime[0]) * 10**9 + int(mtime[1]) == host.st_mtime_ns
    # the guest's directory listing is the host's
    listing = next(l for l in out if l.startswith("listing d")).split()[2:]
    assert sorted(listing) == sorted(os.listdir(work / "d")) and len(listing) == 1201
    assert f"cwd {work}" in out
    assert f"realpath soft {work}/new" in out
    assert "dup of stdout" in out
    assert "table full at 1024 descriptors" in out
    # what the guest left behind
    assert sorted(os.listdir(work)) == sorted(["file", "link", "d", "soft1", "soft2", "t"])
    assert os.readlink(work / "link") == "file"
    assert os.stat(work / "t").st_size == 3


def test_a_host_lock_holds_the_guest_off(tmp_path):
    path = tmp_path / "locked"
    path.write_bytes(b"x" * 200)
    with open(path, "r+b") as f:
        fcntl.lockf(f, fcntl.LOCK_EX, 100, 0)
        env = dict(os.environ, HERMIT_KVM="0", HERMIT_TRACE_DIR=SCRATCH)
        guest = subprocess.Popen([str(PROXY), str(TESTS / "fsops"), "locked", str(path)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        for line in guest.stdout:
            lines.append(line.strip())
            if line.strip() == "waiting":
                break
        assert "getlk type=write start=0 len=100" in lines, lines
        time.sleep(1.0)  # the guest's F_SETLKW waits meanwhile
        fcntl.lockf(f, fcntl.LOCK_UN, 100, 0)
        out, err = guest.communicate(timeout=60)
    assert guest.returncode == 0, out + err
    waited = int(re.search(r"waited (\d+) ms", out).group(1))
    assert 800 <= waited < 10000, out
    assert "fsops: ok" in out


def test_a_guest_lock_holds_the_host_off(tmp_path):
    path = tmp_path / "held"
    path.write_bytes(b"data")
    env = dict(os.environ, HERMIT_KVM="0", HERMIT_TRACE_DIR=SCRATCH)
    guest = subprocess.Popen([str(PROXY), str(TESTS / "fsops"), "hold", str(path)], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert guest.stdout.readline().strip() == "held"
        with open(path, "r+b") as f:
            try:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                raise AssertionError("the host took a lock the guest holds")
            except OSError as e:
                assert e.errno in (11, 13)  # EAGAIN, EACCES
            # the guest closes a dup() of its descriptor: POSIX drops its locks on the file
            guest.stdin.write("go\n")
            guest.stdin.flush()
            assert guest.stdout.readline().strip() == "dropped"
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.lockf(f, fcntl.LOCK_UN)
        guest.stdin.write("end\n")
        guest.stdin.flush()
        out, err = guest.communicate(timeout=60)
    finally:
        if guest.poll() is None:
            guest.kill()
    assert guest.returncode == 0, out + err


def test_hermit_root_keeps_every_path_inside(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "inside.txt").write_text("in")
    outside = tmp_path / "outside.txt"
    outside.write_text("out")
    os.symlink(outside, root / "abs_link")
    os.symlink("../outside.txt", root / "rel_link")
    os.symlink("/", root / "root_link")
    r = run_proxy("fsops", "root", env={"HERMIT_ROOT": str(root)}, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "fsops: ok" in r.stdout
    listing = next(l for l in r.stdout.splitlines() if l.startswith("listing /")).split()[2:]
    # listed before the guest made root/outside.txt
    assert sorted(listing) == sorted([".", "..", *(set(os.listdir(root)) - {"outside.txt"})])
    # nothing outside the root changed; what the guest made is inside
    assert outside.read_text() == "out"
    assert sorted(os.listdir(tmp_path)) == ["outside.txt", "root"]
    assert (root / "outside.txt").read_text() == "in"
    assert os.readlink(root / "made_link") == "/../../../outside.txt"


def test_hermit_root_must_be_a_directory(tmp_path):
    r = run_proxy("hello", env={"HERMIT_ROOT": str(tmp_path / "missing")})
    assert r.returncode == 2
    assert f"HERMIT_ROOT={tmp_path / 'missing'}: No such file or directory" in r.stderr
    (tmp_path / "file").write_text("")
    r = run_proxy("hello", env={"HERMIT_ROOT": str(tmp_path / "file")})
    assert r.returncode == 2
    assert "not a directory" in r.stderr


def test_file_calls_are_traced_with_their_operation(tmp_path):
    """The path and descriptor calls are syscall_* events: the operation, then its result."""
    from test_tracing import ctf_of, read_ctf
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "inside.txt").write_text("in")
    (tmp_path / "outside.txt").write_text("out")
    os.symlink(tmp_path / "outside.txt", root / "abs_link")
    os.symlink("../outside.txt", root / "rel_link")
    os.symlink("/", root / "root_link")
    r = run_proxy("fsops", "root", env={"HERMIT_ROOT": str(root), "HERMIT_TRACE": "syscall_*",
                                        "HERMIT_TRACE_DIR": str(tmp_path)}, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    events, discarded = read_ctf(ctf_of(tmp_path, "hermit-trace-fsops-"))
    assert discarded == 0

    def calls(kind, op):
        """Results of each call of kind (path, fd) with operation op, in order."""
        out = []
        for i, e in enumerate(events):
            if e[0] == f"syscall_entry_{kind}" and e[1]["op"] == op:
                done = next(x for x in events[i + 1:] if x[0] == f"syscall_exit_{kind}" and x[2] == e[2])
                out.append(done[1]["ret"])
        return out
    # hermit/abi.h: PATH_STAT 2, PATH_CHDIR 15, PATH_GETCWD 16; FD_GETDENTS 8
    stats = calls("path", 2)
    assert stats[:2] == [0, 0] and stats[2:5] == [-2, -2, -2]  # inside twice, then ENOENT escapes
    assert calls("path", 15)[0] == 0
    assert calls("path", 16)[0] == 2  # "/" and its NUL
    assert calls("fd", 8)[0] > 0 and calls("fd", 8)[-1] == 0  # entries, then the end
    assert any(e[0] == "syscall_entry_open" for e in events)
    assert any(e[0] == "syscall_entry_close" for e in events)
