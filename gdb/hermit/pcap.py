"""`hermit pcap FILE`: the network capture ring (hermit/abi.h, struct hermit_capture) as a pcap
file, from a live guest or a core. The ring holds the frames the proxy has not taken yet plus the
newest half it keeps for this (proxy/capture.c); the file gets every whole record in it."""
import struct

import gdb

from . import constants as C
from .util import CAPTURE_MAX, anchor, broken, read

NAME = "capture ring"

RING = struct.Struct(C.CAPTURE_RING)  # magic, version, linktype, snaplen, data, size, realtime0, head, tail, dropped, frames
RECORD = struct.Struct(C.CAPTURE_RECORD)  # time_ns, orig_len, cap_len, iface, direction, reserved


def ring():
    at = int(anchor()["capture"])
    if not at:
        raise gdb.GdbError("hermit: no capture ring (the guest runs without HERMIT_CAPTURE_NET=1)")
    fields = RING.unpack(read(at, RING.size, NAME, f"{at:#x} is outside guest memory"))
    if fields[0] != C.HERMIT_CAPTURE_MAGIC or fields[1] != C.HERMIT_CAPTURE_VERSION:
        broken(NAME, f"magic {fields[0]:#x} version {fields[1]}")
    return fields


def frames():
    """(linktype, snaplen, [(wall-clock ns, orig_len, bytes)], dropped)"""
    _, _, linktype, snaplen, data_at, size, realtime0, head, tail, dropped, _ = ring()
    if size < 64 or size % 8 or size > CAPTURE_MAX or tail > head or head - tail > size or not snaplen:
        broken(NAME, f"size {size}, head {head}, tail {tail}, snaplen {snaplen}")
    data = read(data_at, size, NAME, "its data is outside guest memory")
    out, pos = [], tail
    while pos < head:
        off, left = pos % size, size - pos % size
        if left < RECORD.size:
            pos += left
            continue
        t, orig, cap, _, _, _ = RECORD.unpack_from(data, off)
        if cap == C.HERMIT_CAPTURE_WRAP:
            pos += left
            continue
        need = RECORD.size + (cap + 7) // 8 * 8
        if cap > snaplen or cap > orig or need > left:
            break
        out.append((realtime0 + t, orig, data[off + RECORD.size: off + RECORD.size + cap]))
        pos += need
    return linktype, snaplen, out, dropped


def write(path):
    linktype, snaplen, recs, dropped = frames()
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, snaplen, linktype))  # nanoseconds
        for ns, orig, data in recs:
            f.write(struct.pack("<IIII", ns // 1000000000, ns % 1000000000, len(data), orig))
            f.write(data)
    return len(recs), dropped


class Pcap(gdb.Command):
    """Write the guest's network capture as a pcap file: hermit pcap FILE."""

    def __init__(self):
        super().__init__("hermit pcap", gdb.COMMAND_DATA, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        path = arg.strip()
        if not path:
            raise gdb.GdbError("usage: hermit pcap FILE")
        n, dropped = write(path)
        print(f"hermit: {n} frames written to {path} ({dropped} dropped by the kernel)")


def register():
    Pcap()
