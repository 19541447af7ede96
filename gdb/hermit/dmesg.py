"""`hermit dmesg`: the kernel log ring (hermit/abi.h, struct hermit_log_ring)."""
import struct

import gdb

from . import constants as C
from .util import LOG_MAX, broken, read, table

NAME = "log ring"
RECORD = struct.Struct(C.LOG_RECORD)  # size, level, cpu, task, seq, ns


def ring():
    """(data, size, head, tail) of the log ring, each checked (tracing/logring.h, log_ring_sane)."""
    found = table("log", NAME, "struct hermit_log_ring", C.HERMIT_LOG_MAGIC, C.HERMIT_LOG_VERSION)
    if found is None:
        return b"", 64, 0, 0
    r = found[0]
    size, head, tail = int(r["size"]), int(r["head"]), int(r["tail"])
    if size > LOG_MAX or size < 64 or size & (size - 1) or tail > head or head - tail > size:
        broken(NAME, f"size {size}, head {head}, tail {tail}")
    return read(r["data"], size, NAME, "its data is outside guest memory"), size, head, tail


def records():
    """(seq, ns, cpu, task, level, text) oldest first, and how many older ones were overwritten.
    The same walk as log_ring_next (tracing/logring.h): a torn record ends the log."""
    data, size, head, tail = ring()
    out, pos = [], tail
    while pos < head:
        off = pos & (size - 1)
        header = data[off: off + RECORD.size].ljust(RECORD.size, b"\0")  # a filler may be shorter
        rsize, level, cpu, task, seq, ns = RECORD.unpack(header)
        pad = level == C.HERMIT_LOG_PAD
        if rsize < (8 if pad else RECORD.size) or rsize % 8 or off + rsize > size or rsize > head - pos:
            break
        pos += rsize
        if not pad:
            text = data[off + RECORD.size: off + rsize].split(b"\0", 1)[0].decode(errors="replace")
            out.append((seq, ns, cpu, task, level, text))
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
