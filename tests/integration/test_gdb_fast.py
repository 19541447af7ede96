"""The proxy's fast path for gdb (proxy/relay_fast.c): while the stub holds the guest stopped, the
proxy answers memory reads from guest RAM and repeats the stub's replies that cannot have changed.
Every answer must be the stub's own, byte for byte: each read is made twice, the second time
with `monitor fastmem off` (the stub answers), at page boundaries, on unmapped pages and over
text with breakpoints inserted."""
import re
import subprocess

import pytest

from conftest import ROOT
from test_gdb import DEBUGGEE, guest, no_errors  # noqa: F401 (guest is a fixture)

# Reads as (address expression, length), evaluated by gdb in the stopped guest.
READS = [
    ("(long)&touch", 64),                    # text with int3s of gdb's planted in it
    ("((long)&touch & ~0xfff) + 0xff0", 32),  # text across a page boundary
    ("((long)$sp | 0xfff) - 7", 16),         # the stack across a page boundary
    ("(long)$sp", 0x1000),                   # the stack above sp (below it, the stub's own frames)
    ("(long)&counter", 8),
    ("(long)&touch & ~0xfff", 0x4000),       # longer than a reply holds: clamped as the stub does
    ("0", 8),                                # page 0 is unmapped
    ("0xff8", 16),                           # unmapped first byte
    ("0x80000000 - 8", 16),                  # the end of RAM (2 GiB): the bytes before it
    ("0xfee00000", 8),                       # the APIC window is never read
    ("0xffff800000000000", 8),               # not canonical
    ("0x7ffffffffff8", 16),                  # the top of the lower half
    ("0xfffffffffffffff0", 0x100),           # wraps around
]

COMPARE = """
python
import gdb
import re
def stats():
    text = gdb.execute("monitor relay-stats reset", to_string=True)
    return int(re.search(r"answered by the proxy: (\\d+)", text).group(1))
def read(p):
    stats()  # from here the stats command itself counts one
    reply = gdb.execute("maint packet " + p, to_string=True).split("received: ", 1)[1]
    return reply, stats() - 1
def reads():
    out = []
    for expr, n in %r:
        a = int(gdb.parse_and_eval(expr)) & 0xffffffffffffffff
        for kind in "mx":
            out.append((kind, a, n) + read("%%s%%x,%%x" %% (kind, a, n)))
    return out
fast = reads()
gdb.execute("monitor fastmem off")
slow = reads()
gdb.execute("monitor fastmem on")
bad = [(k, hex(a), n, f[:60], s[:60]) for (k, a, n, f, _), (_, _, _, s, _) in zip(fast, slow) if f != s]
print("FAST-PATH answered %%d of %%d, with fastmem off %%d" %% (sum(f[4] for f in fast), len(fast),
      sum(s[4] for s in slow)))
print("FAST-PATH by the stub: %%r" %% [(k, hex(a), n) for k, a, n, _, by in fast if not by])
print("FAST-PATH differences: %%r" %% bad)
print("FAST-PATH touch: %%s" %% fast[0][3][:40])
print("FAST-PATH errors: %%d" %% sum(1 for f in fast if f[3].startswith('"E')))
end
""" % (READS,)


def static_bytes(symbol, n):
    """The image's bytes at symbol, from the ELF file (gdb without a target)."""
    out = subprocess.run(["gdb", "-batch", "-nx", str(DEBUGGEE), "-ex", f"x/{n}xb {symbol}"],
                         capture_output=True, text=True, timeout=60).stdout
    return "".join(b[2:] for b in re.findall(r"0x[0-9a-f]{2}\b", out.split(":", 1)[1]))


def test_fast_reads_equal_the_stubs_at_boundaries_holes_and_breakpoints(guest, tmp_path):
    g = guest()
    script = tmp_path / "compare.gdb"
    script.write_text(COMPARE)
    out = g.gdb("set breakpoint always-inserted on", "break touch", "break *touch+4",
                "continue", "monitor breaks", f"source {script}", "kill")
    no_errors(out)
    assert out.count("int3 at 0x") == 2, out  # both planted in the stub's table
    assert "FAST-PATH differences: []" in out, out
    m = re.search(r"FAST-PATH answered (\d+) of (\d+), with fastmem off (\d+)", out)
    # each read answered by the proxy, none with fastmem off
    assert m and m.group(1) == m.group(2) and m.group(3) == "0", out
    # the int3s are hidden: the bytes at touch are the image's own
    touch = re.search(r'FAST-PATH touch: "([0-9a-f]+)', out).group(1)
    assert touch[:32] == static_bytes("touch", 16), out
    assert int(re.search(r"FAST-PATH errors: (\d+)", out).group(1)) >= 10, out  # the holes


def test_cached_replies_follow_resumes_threads_and_writes(guest):
    g = guest()
    out = g.gdb("break touch", "continue", "info threads", "thread 3", "p $pc", "thread 2",
                "p $pc == touch", "set var $rax = 0x5151", "p/x $rax", "set var watched = 7",
                "p watched", "stepi", "p $pc == touch", "p/x $rax", "next", "next", "p watched", "kill")
    no_errors(out)
    assert re.search(r"\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <[a-z_]+", out), out  # thread 3's pc
    assert "$2 = 1" in out            # thread 2's registers again, not thread 3's kept ones
    assert "$3 = 0x5151" in out       # a register write is seen at once
    assert "$4 = 7" in out            # a memory write is seen at once
    assert "$5 = 0" in out            # the step moved: no stale registers
    assert "$6 = 0x7" in out          # and loaded watched (7) into eax: registers read afresh
    assert "$7 = 42" in out           # the program ran on and wrote 42


def test_the_proxys_monitor_commands_are_listed(guest):
    g = guest()
    out = g.gdb("monitor help", "monitor fastmem", "monitor fastmem off", "monitor fastmem maybe",
                "monitor relay-stats", "kill")
    no_errors(out)
    assert re.search(r"^fastmem +\[on\|off\]", out, re.M), out
    assert re.search(r"^relay-stats +\[reset\]", out, re.M), out
    assert re.search(r"^tasks +\S", out, re.M), out  # the kernel's follow
    assert "fastmem: on, the proxy reads memory" in out
    assert "fastmem: off, the stub answers every packet" in out
    assert "usage: monitor fastmem [on|off]" in out
    assert re.search(r"packets relayed to the stub: \d+", out), out


@pytest.mark.parametrize("cpus", ["1", "2"])
def test_the_thread_list_follows_each_resume(guest, cpus):
    """The list the proxy fetched ahead at one stop is not the next stop's (the waiter is joined
    and gone), and the proxy's lists are the stub's, on one CPU and on two."""
    source = (ROOT / "tests" / "debuggee" / "debuggee.c").read_text().splitlines()
    done = next(i for i, line in enumerate(source, 1) if 'printf("debuggee: done' in line)
    seen = {}
    for fastmem in ("on", "off"):
        g = guest(env={"HERMIT_CPUS": cpus})
        out = g.gdb(f"monitor fastmem {fastmem}", "break touch", f"break debuggee.c:{done}",
                    "continue", "info threads", "continue", "info threads", "kill")
        assert "hit Breakpoint 2" in out, out
        first, second = out.split("hit Breakpoint 2,", 1)
        listed = r'^[* ] +\d+ +Thread (\d+) "(\w+)" \(([^)]*)\)'
        seen[fastmem] = (re.findall(listed, first, re.M), re.findall(listed, second, re.M))
    if cpus == "1":
        assert seen["on"] == seen["off"], seen
    else:  # which CPU runs which task differs from boot to boot (placement follows timing)
        def threads(stops):
            return [[t[:2] for t in stop] for stop in stops]
        assert threads(seen["on"]) == threads(seen["off"]), seen
    first, second = seen["on"]
    if cpus == "1":  # the task ids below are one CPU's (a second CPU's idle task takes id 2)
        assert [t for t in first if t[:2] == ("3", "waiter") and t[2].startswith("blocked")], seen
        assert ("2", "main", "running on CPU 0") in second, seen
        assert not [t for t in second if t[1] == "waiter"], seen
