"""`hermit dmesg`: the kernel log ring (hermit/abi.h, struct hermit_log_ring)."""
import struct

import gdb

from . import constants as C
from .util import read, var

RECORD = struct.Struct("<HBBIQQ")  # size, level, cpu, task, seq, ns


def records():
    """(seq, ns, cpu, task, level, text) oldest first, and how many older ones were overwritten."""
    r = var("hermit_log_ring")
    if int(r["magic"]) != C.HERMIT_LOG_MAGIC or not int(r["data"]):
        return [], 0
    size, head, tail = int(r["size"]), int(r["head"]), int(r["tail"])
    if head - tail > size:
        return [], 0
    data = read(r["data"], size)
    out, pos = [], tail
    while pos < head:
        off = pos & (size - 1)
        rsize, level = struct.unpack_from("<HB", data, off)  # a filler may be shorter than a header
        pad = level == C.HERMIT_LOG_PAD
        if rsize < (8 if pad else RECORD.size) or rsize % 8 or off + rsize > size:
            break
        if not pad:
            rsize, level, cpu, task, seq, ns = RECORD.unpack_from(data, off)
            text = data[off + RECORD.size: off + rsize].split(b"\0", 1)[0].decode(errors="replace")
            out.append((seq, ns, cpu, task, level, text))
        pos += rsize
    return out, (out[0][0] if out else 0)


def line(rec):
    seq, ns, cpu, task, level, text = rec
    letter = C.LOG_LEVELS[level][0] if level < len(C.LOG_LEVELS) else "?"
    return f"[{ns // 1000000000:5d}.{ns // 1000 % 1000000:06d}] {letter} {text}"


class Dmesg(gdb.Command):
    """Print the kernel log: hermit dmesg [-v] (-v: with sequence number, CPU and task)."""

    def __init__(self):
        super().__init__("hermit dmesg", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        recs, lost = records()
        if lost:
            print(f"({lost} older records were overwritten)")
        for rec in recs:
            prefix = f"#{rec[0]} cpu{rec[2]} task{rec[3]} " if arg.strip() == "-v" else ""
            print(prefix + line(rec))


def register():
    Dmesg()
