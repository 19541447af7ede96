"""`hermit trace [N] [save FILE.ctf|FILE.json]`: the tracer's per-CPU rings (hermit/abi.h,
struct hermit_trace), read with the ring's own rule: the slots of the last nslots positions whose
commit word matches their position. Saves in the proxy's formats (docs/tracing.md)."""
import json
import os
import struct

import gdb

from . import constants as C
from . import tasks
from .util import TRACE_SLOTS_MAX, broken, read, table

NAME = "trace header"

EVENT = struct.Struct(C.TRACE_EVENT)  # tsc, commit, id, task, arg0, arg1
CTF_MAGIC = 0xC1FC1FC1


class Snapshot:
    """The rings as the proxy reads them (proxy/guestview.c gv_trace, tracing/export.c)."""

    def __init__(self):
        self.cpus = []  # (cpu, events, lost, torn)
        found = table("trace", NAME, "struct hermit_trace", C.HERMIT_TRACE_MAGIC, C.HERMIT_TRACE_VERSION)
        if found is None:
            self.tsc_khz = self.tsc_base = 0
            return
        h = found[0]
        self.tsc_khz, self.tsc_base = int(h["tsc_khz"]), int(h["tsc_base"])
        ncpus = int(h["ncpus"])
        if ncpus > C.HERMIT_MAX_CPUS or int(h["event_size"]) != EVENT.size:
            broken(NAME, f"{ncpus} CPUs, events of {int(h['event_size'])} bytes")
        for i in range(ncpus):
            c = h["cpu"][i]
            head, slots, n = int(c["head"]), int(c["slots"]), int(c["nslots"])
            if n > TRACE_SLOTS_MAX or n & (n - 1) or slots % 8:
                broken(NAME, f"CPU {i}'s ring ({n} slots at {slots:#x})")
            if not slots or not n:
                continue
            data = read(slots, n * EVENT.size, NAME, f"CPU {i}'s ring ({n} slots at {slots:#x})")
            self.cpus.append(self.ring(int(c["cpu"]), data, head, n))

    @staticmethod
    def ring(cpu, data, head, n):
        """The slots of the last n positions whose commit word matches their position."""
        first = max(head, n) - n
        events, torn = [], 0
        for pos in range(first, head):
            e = EVENT.unpack_from(data, (pos & (n - 1)) * EVENT.size)
            if e[1] != (pos + 1) & 0xFFFFFFFF:
                torn += 1
                continue
            events.append(e)
        events.sort(key=lambda e: (e[0], e[1]))
        return cpu, events, first, torn

    def ns(self, tsc):
        # the kernel's 32.32 fixed-point conversion, as tracing/export.c's trace_ns
        if not self.tsc_khz or tsc < self.tsc_base:
            return 0
        return ((tsc - self.tsc_base) * ((1000000 << 32) // self.tsc_khz) >> 32) & (1 << 64) - 1

    def merged(self):
        out = [(self.ns(e[0]), cpu, e) for cpu, evs, _, _ in self.cpus for e in evs]
        return sorted(out, key=lambda x: x[0])


def fields(e):
    if e[2] >= len(C.EVENTS):
        return f"event{e[2]}", []
    _, name, f0, f1, sign = C.EVENTS[e[2]]
    out = []
    for i, f in enumerate((f0, f1)):
        if f:
            v = e[4 + i]
            if sign >> i & 1 and v >= 1 << 63:
                v -= 1 << 64
            out.append((f, v))
    return name, out


def task_names():
    """{task id: name} for the timeline's slices; a broken task table is said and the ids stay."""
    try:
        tt = tasks.task_table()
        return {tasks.u32(d, tt["task_id"]): tasks.name_of(tt, d) for _, d in tasks.all_tasks(tt)}
    except gdb.GdbError as e:
        print(e)
        return {}


def write_json(s, path):
    """The same document as the proxy's trace_write_json (tracing/export.c)."""
    names = task_names()

    def slice_(cpu, tid, begin, end):
        name = f"{names[tid]} ({tid})" if names.get(tid) else f"task {tid}"
        return {"ph": "X", "cat": "sched", "pid": 0, "tid": cpu, "name": name, "ts": begin / 1000,
                "dur": (end - begin) / 1000, "args": {"tid": tid}}
    ev = [{"ph": "M", "pid": 0, "name": "process_name", "args": {"name": "Hermit kernel"}}]
    for cpu, events, lost, torn in s.cpus:
        ev.append({"ph": "M", "pid": 0, "tid": cpu, "name": "thread_name", "args": {"name": f"CPU {cpu}"}})
        if lost + torn:
            ev.append({"ph": "M", "pid": 0, "tid": cpu, "name": "lost_events", "args": {"lost": lost, "torn": torn}})
        running, since = (events[0][3], s.ns(events[0][0])) if events else (0, 0)
        for e in events:
            if e[2] >= len(C.EVENTS):
                continue
            name, f = fields(e)
            t = s.ns(e[0])
            ev.append({"ph": "i", "s": "t", "pid": 0, "tid": cpu, "cat": "hermit", "name": name,
                       "ts": t / 1000, "args": dict([("task", e[3])] + f)})
            if name == "sched_switch":
                ev.append(slice_(cpu, e[4] & 0xFFFFFFFF, since, t))
                running, since = e[5] & 0xFFFFFFFF, t
        if events:
            ev.append(slice_(cpu, running, since, s.ns(events[-1][0])))
    with open(path, "w") as out:
        json.dump({"displayTimeUnit": "ns", "otherData": {"system": "Hermit"}, "traceEvents": ev}, out)


def write_ctf(s, path):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "metadata"), "w") as f:
        f.write(C.CTF_METADATA)
    for cpu, events, lost, torn in s.cpus:
        body = b""
        stamps = []
        for e in events:
            if e[2] >= len(C.EVENTS):
                continue
            _, _, f0, f1, _ = C.EVENTS[e[2]]
            t = s.ns(e[0])
            stamps.append(t)
            body += struct.pack("<HQH", e[2], t, e[3])
            body += b"".join(struct.pack("<Q", e[4 + i]) for i, f in enumerate((f0, f1)) if f)
        first, last = (stamps[0], stamps[-1]) if stamps else (0, 0)

        def packet(begin, end, size, discarded):
            return struct.pack("<IIQQQQQI", CTF_MAGIC, 0, begin, end, size * 8, size * 8, discarded, cpu)
        hdr = struct.calcsize("<IIQQQQQI")
        with open(os.path.join(path, f"stream_{cpu}"), "wb") as f:
            f.write(packet(first, first, hdr, 0))
            f.write(packet(first, last, hdr + len(body), lost + torn) + body)


class Trace(gdb.Command):
    """Show the last N trace events (default 20), or save them all:
  hermit trace [N]
  hermit trace [N] save FILE.json   (Chrome/Perfetto JSON; N is ignored)
  hermit trace save DIR.ctf        (a CTF trace directory, for babeltrace2 and Trace Compass)"""

    def __init__(self):
        super().__init__("hermit trace", gdb.COMMAND_DATA, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        n = 20
        if words and words[0].isdigit():
            n = int(words.pop(0))
        s = Snapshot()
        if not s.cpus:
            print("hermit: no trace rings (start with HERMIT_TRACE=... or `monitor trace on ...`)")
            return
        if words:
            if words[0] != "save" or len(words) != 2:
                raise gdb.GdbError("usage: hermit trace [N] [save FILE.json|DIR.ctf]")
            path = words[1]
            (write_json if path.endswith(".json") else write_ctf)(s, path)
            total = sum(len(c[1]) for c in s.cpus)
            print(f"hermit: {total} events saved to {path}")
            return
        for cpu, _, lost, torn in s.cpus:
            if lost or torn:
                print(f"cpu{cpu}: {lost} events overwritten, {torn} torn")
        for t, cpu, e in s.merged()[-n:]:
            name, f = fields(e)
            args = " ".join(f"{k}={v:#x}" if k in ("rip", "addr", "path", "old") else f"{k}={v}" for k, v in f)
            print(f"[{t // 1000000000:5d}.{t % 1000000000:09d}] cpu{cpu} task {e[3]:<3} {name} {args}")


def register():
    Trace()
