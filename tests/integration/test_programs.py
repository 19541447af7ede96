"""Real programs from Debian's source packages, built unmodified with their own build systems
(tests/programs/programs.mk), run in the guest and compared with the host doing the same.

Each program is built through its make target the first time a test needs it; a program that
does not build fails its tests with the tail of its build output.
"""
import hashlib
import http.client
import json
import os
import random
import sqlite3 as sqlite3_module
import subprocess
import textwrap
import time

import pytest

from conftest import BUILD, PROXY, ROOT, SCRATCH, TIMEOUT
from test_net import free_port
from test_tap import netns  # noqa: F401 (a fixture)

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


# Lua 5.4.4: its own Makefile's POSIX build; scripts in tests/programs/lua, against the host's lua5.4.

LUA_SCRIPTS = ROOT / "tests" / "programs" / "lua"
LUA_STDIN = b"17 second\nthird\nrest\nof input"


def lua_both(tmp_path, script, stdin=b""):
    """Runs script under the guest's lua and the host's lua5.4, each in its own copy of a scratch
    directory (an empty and a full subdirectory); returns (guest, host) completed processes."""
    lua = built("lua5.4") / "src" / "lua"
    results = []
    for side in ("guest", "host"):
        work = tmp_path / side
        (work / "emptydir").mkdir(parents=True)
        (work / "fulldir").mkdir()
        (work / "fulldir" / "x").write_text("x")
        (work / script).write_bytes((LUA_SCRIPTS / script).read_bytes())
        if side == "guest":
            results.append(guest(lua, script, stdin=stdin, cwd=work))
        else:
            results.append(subprocess.run(["lua5.4", script], input=stdin, cwd=work, capture_output=True,
                                          timeout=TIMEOUT))
    return results


def test_lua_language_and_libraries_match_the_host(tmp_path):
    mine, theirs = lua_both(tmp_path, "core.lua")
    assert theirs.returncode == 0, theirs.stderr
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.decode() == theirs.stdout.decode()


def test_lua_io_and_os_on_host_files_match_the_host(tmp_path):
    mine, theirs = lua_both(tmp_path, "files.lua", stdin=LUA_STDIN)
    assert theirs.returncode == 3, theirs.stderr
    assert mine.returncode == 3, mine.stderr
    assert mine.stdout.decode() == theirs.stdout.decode()
    assert mine.stderr == theirs.stderr == b"to stderr\n"
    assert sorted(p.name for p in (tmp_path / "guest").iterdir()) == ["data.txt", "files.lua", "fulldir", "out.txt"]


def test_lua_uncaught_error_reports_like_the_host(tmp_path):
    script = tmp_path / "boom.lua"
    script.write_text("local function f() error('boom') end\nf()\n")
    mine = guest(built("lua5.4") / "src" / "lua", "boom.lua", cwd=tmp_path)
    theirs = subprocess.run(["lua5.4", "boom.lua"], cwd=tmp_path, capture_output=True, timeout=TIMEOUT)
    assert mine.returncode == theirs.returncode == 1
    first = mine.stderr.decode().splitlines()[0]
    assert first.endswith("boom.lua:1: boom"), mine.stderr
    assert first.split(": ", 1)[1] == theirs.stderr.decode().splitlines()[0].split(": ", 1)[1]


def test_lua_has_no_shell_and_says_so(tmp_path):
    """io.popen and os.execute(cmd) fail with an errno message; os.execute() answers "no shell"."""
    (tmp_path / "single.lua").write_bytes((LUA_SCRIPTS / "single.lua").read_bytes())
    r = guest(built("lua5.4") / "src" / "lua", "single.lua", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = [line.split("\t") for line in r.stdout.decode().splitlines()]
    popen, popen_w, probe, execute, execute_exit, after = lines
    # Lua's results: nil, the message (with the command for popen), the errno (ENOSYS, newlib's 88).
    assert popen[1:] == ["3", "nil", "echo hi: Function not implemented", "88"]
    assert popen_w[1:] == ["3", "nil", "cat: Function not implemented", "88"]
    assert probe == ["execute()", "1", "false"]
    assert execute[1:] == execute_exit[1:] == ["3", "nil", "Function not implemented", "88"]
    assert after == ["after", "42"]


# SQLite 3.40.1: its configure as for any static build; the sqlite3 shell on host files with the
# default unix VFS, then the host's sqlite3 opens the same file.

SQLITE_WORK = """\
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, payload BLOB);
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000)
INSERT INTO t SELECT x, 'name' || (x * 7919 % 20011), x * 1.5, zeroblob(x % 200) FROM c;
COMMIT;
CREATE INDEX t_name ON t(name);
UPDATE t SET score = score * 2 WHERE id % 3 = 0;
DELETE FROM t WHERE id % 7 = 0;
BEGIN;
DELETE FROM t;
ROLLBACK;
SELECT count(*), sum(score), min(name), max(name), sum(length(payload)) FROM t;
CREATE TABLE gone AS SELECT * FROM t WHERE id < 5000;
DROP TABLE gone;
VACUUM;
PRAGMA integrity_check;
SELECT name, score FROM t WHERE name LIKE 'name1999%' ORDER BY name LIMIT 5;
"""


def sqlite_both(tmp_path, pragmas):
    """Runs pragmas + SQLITE_WORK on a new file database db: in the guest (dir guest/) and with the
    host's sqlite3 (dir host/). Returns (guest, host) completed processes."""
    script = (pragmas + SQLITE_WORK).encode()
    runs = []
    for side in ("guest", "host"):
        work = tmp_path / side
        work.mkdir()
        if side == "guest":
            runs.append(guest(built("sqlite3") / "sqlite3", "db", stdin=script, cwd=work, timeout=300))
        else:
            runs.append(subprocess.run(["sqlite3", "db"], input=script, cwd=work, capture_output=True,
                                       timeout=TIMEOUT))
    return runs


def host_sqlite(db, sql):
    return subprocess.run(["sqlite3", str(db), sql], capture_output=True, text=True, timeout=TIMEOUT,
                          check=True).stdout


@pytest.mark.parametrize("pragmas", [
    "PRAGMA journal_mode=delete;\n",
    "PRAGMA journal_mode=truncate;\n",
    "PRAGMA journal_mode=persist;\n",
    "PRAGMA locking_mode=exclusive;\nPRAGMA journal_mode=wal;\n",
], ids=["delete", "truncate", "persist", "wal-exclusive"])
def test_sqlite_file_database_the_host_reads(tmp_path, pragmas):
    mine, theirs = sqlite_both(tmp_path, pragmas)
    assert theirs.returncode == 0, theirs.stderr
    assert mine.returncode == 0, mine.stderr.decode()
    assert mine.stderr == b""
    assert mine.stdout.decode() == theirs.stdout.decode()
    db = tmp_path / "guest" / "db"
    assert host_sqlite(db, "PRAGMA integrity_check;") == "ok\n"
    assert host_sqlite(db, ".dump") == host_sqlite(tmp_path / "host" / "db", ".dump")
    # What the journal mode leaves beside the database is what the host's SQLite leaves.
    assert sorted(p.name for p in (tmp_path / "guest").iterdir()) == sorted(
        p.name for p in (tmp_path / "host").iterdir())


def test_sqlite_wal_with_shared_memory_is_refused_cleanly(tmp_path):
    """WAL's default locking maps the -shm file MAP_SHARED, which Hermit refuses (ENODEV, 19):
    SQLite says "disk I/O error", its log names the errno, and the database stays intact."""
    script = b".log stderr\nPRAGMA journal_mode=wal;\nCREATE TABLE t(x);\n"
    r = guest(built("sqlite3") / "sqlite3", "wal.db", stdin=script, cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout == b"wal\n"
    assert b"(19) mmap(" in r.stderr and b"disk I/O error" in r.stderr, r.stderr
    assert host_sqlite(tmp_path / "wal.db", "PRAGMA integrity_check;") == "ok\n"


def test_sqlite_errors_are_sqlites_messages(tmp_path):
    sqlite3 = built("sqlite3") / "sqlite3"
    r = guest(sqlite3, "no/such/dir/db", stdin=b"CREATE TABLE t(x);\n", cwd=tmp_path)
    assert r.returncode == 1
    assert b"unable to open database" in r.stderr, r.stderr
    (tmp_path / "text.db").write_text("not a database, but long enough to have a header " * 4)
    r = guest(sqlite3, "text.db", stdin=b"SELECT * FROM sqlite_master;\n", cwd=tmp_path)
    assert r.returncode == 1
    assert b"file is not a database" in r.stderr, r.stderr


def test_sqlite_locks_are_the_hosts(tmp_path):
    """The default VFS's fcntl locks reach the host file: while a host process holds the database
    exclusively, the guest's write is refused (no busy timeout: at once); after, it goes through."""
    db = tmp_path / "shared.db"
    holder = sqlite3_module.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t(x)")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO t VALUES (1)")
    try:
        r = guest(built("sqlite3") / "sqlite3", "shared.db", stdin=b"INSERT INTO t VALUES (2);\n", cwd=tmp_path)
        assert r.returncode == 1
        assert b"database is locked" in r.stderr, r.stderr
    finally:
        holder.execute("COMMIT")
        holder.close()
    r = guest(built("sqlite3") / "sqlite3", "shared.db", stdin=b"INSERT INTO t VALUES (2);\n", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert host_sqlite(db, "SELECT group_concat(x) FROM t;") == "1,2\n"


def test_sqlite_speedtest1_runs_to_the_end_on_a_file(tmp_path):
    r = guest(built("sqlite3") / "speedtest1", "--size", "5", "speed.db", cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stdout.decode()[-2000:] + r.stderr.decode()
    out = r.stdout.decode()
    assert "TOTAL" in out.splitlines()[-1], out[-2000:]
    assert host_sqlite(tmp_path / "speed.db", "PRAGMA integrity_check;") == "ok\n"


# civetweb 1.15: its CMake build, run with its default settings but the document root (its
# default is the executable's directory, as on Linux), serving a host directory.

def civetweb_site(root):
    (root / "sub").mkdir()
    (root / "sub" / "inner.txt").write_text("inner\n")
    (root / "hello.txt").write_text("hello from a host file\n")
    (root / "big.bin").write_bytes(random.Random(3).randbytes(150_000))


def start_civetweb(prefix, root, env, *args):
    """Starts civetweb in the guest (prefix: a command the proxy runs under, such as entering a
    namespace); returns the proxy's process once civetweb says it serves."""
    server = built("civetweb") / "hermit" / "src" / "civetweb"
    proc = subprocess.Popen([*prefix, str(PROXY), str(server), "-document_root", str(root), *args], cwd=root,
                            env={**os.environ, **GUEST_ENV, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, deadline = [], time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        out.append(line)
        if "started on port(s)" in line:
            return proc
    proc.kill()
    raise AssertionError("civetweb never started: " + "".join(out) + proc.stderr.read())


def stop(proc):
    proc.terminate()
    out, err = proc.communicate(timeout=60)
    assert "panic" not in err, err


def http_get(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=120)
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, r.getheader("Content-Type", ""), body


def test_civetweb_lists_directories_and_serves_host_files(tmp_path):
    """Over QEMU's user network: the host's port forwarded to the one civetweb is told."""
    civetweb_site(tmp_path)
    port = free_port()
    proc = start_civetweb([], tmp_path, {"HERMIT_APP_PORT": str(port)}, "-listening_ports", str(port))
    try:
        status, kind, body = http_get("127.0.0.1", port, "/")
        assert status == 200 and kind.startswith("text/html"), body
        for name in ("hello.txt", "big.bin", "sub/"):
            assert f'href="{name}"' in body.decode(), body
        status, _, body = http_get("127.0.0.1", port, "/sub/")
        assert status == 200 and 'href="inner.txt"' in body.decode()
        assert http_get("127.0.0.1", port, "/hello.txt")[2] == b"hello from a host file\n"
        assert http_get("127.0.0.1", port, "/big.bin")[2] == (tmp_path / "big.bin").read_bytes()
        assert http_get("127.0.0.1", port, "/missing.txt")[0] == 404
    finally:
        stop(proc)


# A hundred clients at once, in a network namespace on the README's tap device: QEMU's user
# network accepts forwarded connections with a listen backlog of 1, so a burst of a hundred there
# tests the host's SYN retries, not the server.
HUNDRED_CLIENTS = textwrap.dedent("""
    import concurrent.futures, hashlib, http.client, json, threading
    ready = threading.Barrier(100)
    def client(i):
        conn = http.client.HTTPConnection("10.0.5.2", 8080, timeout=240)
        conn.connect()
        ready.wait(timeout=120)
        path = "/big.bin" if i % 2 else "/sub/"
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return [path, r.status, hashlib.sha256(body).hexdigest(), body.decode("latin-1")[:4000]]
    with concurrent.futures.ThreadPoolExecutor(100) as pool:
        print(json.dumps(list(pool.map(client, range(100)))))
""")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root for a network namespace")
def test_civetweb_serves_a_hundred_clients_at_once(tmp_path, netns):
    civetweb_site(tmp_path)
    # civetweb with no -listening_ports: its default, 8080, on the guest's own address.
    proc = start_civetweb(["ip", "netns", "exec", netns], tmp_path, {"HERMIT_NETIF": "tap100"})
    try:
        clients = subprocess.run(["ip", "netns", "exec", netns, "/usr/bin/python3", "-c", HUNDRED_CLIENTS],
                                 capture_output=True, text=True, timeout=600)
    finally:
        stop(proc)
    assert clients.returncode == 0, clients.stderr
    results = json.loads(clients.stdout)
    big = hashlib.sha256((tmp_path / "big.bin").read_bytes()).hexdigest()
    assert len(results) == 100
    for path, status, digest, text in results:
        assert status == 200, (path, status, text)
        assert digest == big if path == "/big.bin" else 'href="inner.txt"' in text


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


def test_chown_changes_nothing_or_refuses(tmp_path):
    """SQLite running as root gives its journals the database's owner with fchown: the guest is
    root, but host files stay with the proxy's user; a chown that changes nothing succeeds, any
    other is EPERM."""
    (tmp_path / "own.c").write_text(textwrap.dedent("""\
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <sys/stat.h>
        #include <unistd.h>
        #define SHOW(call) printf("%s|%d\\n", #call, (call))
        int main(void)
        {
            int fd = open("f", O_CREAT | O_RDWR, 0644);
            struct stat st;
            fstat(fd, &st);
            uid_t u = st.st_uid;
            gid_t g = st.st_gid;
            symlink("f", "l");
            SHOW(fchown(fd, -1, -1));
            SHOW(fchown(fd, u, g));
            SHOW(fchown(fd, u + 1, -1) == -1 && errno == EPERM);
            SHOW(fchown(fd, -1, g + 1) == -1 && errno == EPERM);
            SHOW(chown("f", u, -1));
            SHOW(chown("f", u + 1, g) == -1 && errno == EPERM);
            SHOW(lchown("l", u, g));
            SHOW(chown("missing", u, g) == -1 && errno == ENOENT);
            SHOW(fchown(99, u, g) == -1 && errno == EBADF);
            return 0;
        }
        """))
    subprocess.run([str(BUILD / "bin" / "x86_64-hermit-gcc"), "own.c", "-o", "own"], cwd=tmp_path, check=True)
    r = guest(tmp_path / "own", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    results = [line.split("|") for line in r.stdout.decode().splitlines()]
    assert len(results) == 9
    for call, value in results:
        assert value == ("1" if "==" in call else "0"), call
