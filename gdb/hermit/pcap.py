"""`hermit pcap FILE`: the network capture ring (hermit/abi.h, struct hermit_capture) as a pcapng
file, from a live guest or a core. The ring holds the frames the proxy has not taken yet plus the
newest half it keeps for this (proxy/capture.c); the file gets every whole record in it, block for
block what the proxy's net_capture_save (net/pcapng.c) writes from the same ring: the same
interface blocks, the same comments (task, CPU, socket), the same statistics."""
import socket
import struct

import gdb

from . import constants as C
from .util import CAPTURE_MAX, anchor, broken, read

NAME = "capture ring"

RING = struct.Struct(C.CAPTURE_RING)
IFACE = struct.Struct(C.CAPTURE_IFACE)
RECORD = struct.Struct(C.CAPTURE_RECORD)
HEADER_FIELDS = 14  # magic ... read, nifaces, reserved: the ring's fields before its interface table
SNAPLEN_MAX = 65535


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def block(kind, body, options):
    if options:
        body += b"".join(options) + struct.pack("<HH", 0, 0)
    return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def section():
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1), [option(4, b"Hermit")])


def guest_text(raw):
    """A guest string field as the proxy prints it: up to its NUL, printable ASCII only."""
    raw = raw.split(b"\0", 1)[0]
    return "".join(chr(b) if 0x20 <= b < 0x7F else "?" for b in raw)


def interface(linktype, snaplen, iface):
    name, model, *rest = IFACE.unpack(iface)
    mac, nipv6, ipv4, mask = bytes(rest[0:6]), rest[6], rest[8], rest[9]
    ipv6, prefixes = bytes(rest[10:58]), rest[58:61]
    options = [option(code, guest_text(text).encode()) for code, text in ((2, name), (3, model))
               if guest_text(text)]
    if ipv4:
        options.append(option(4, struct.pack("<II", ipv4, mask)))
    for i in range(min(nipv6, 3)):
        options.append(option(5, ipv6[16 * i:16 * i + 16] + bytes([prefixes[i]])))
    options += [option(6, mac), option(9, b"\x09")]
    return block(1, struct.pack("<HHI", linktype, 0, snaplen), options)


def endpoint(family, addr, port):
    if family == 6:
        return f"[{socket.inet_ntop(socket.AF_INET6, addr)}]:{port}"
    return f"{socket.inet_ntop(socket.AF_INET, addr[:4])}:{port}"


def comment(rec):
    """proxy/capture.c's capture_comment, word for word; None when the kernel recorded no task."""
    (_, _, _, _, direction, cpu, proto, task, fd, name, _, lport, rport, family, *rest) = rec
    laddr, raddr = bytes(rest[7:23]), bytes(rest[23:39])
    sent = direction == C.HERMIT_CAPTURE_OUT
    sock = proto and family in (4, 6) and fd >= 0
    if not task:
        return None
    verb = "sent by" if sent else "received for" if sock else "received by"
    text = f"{verb} task {task} ({guest_text(name)}) on CPU {cpu}"
    if sock:
        text += (f", socket {fd}: {'TCP' if proto == 6 else 'UDP'} {endpoint(family, laddr, lport)} "
                 f"{'>' if sent else '<'} {endpoint(family, raddr, rport)}")
    return text.encode()[:255]


def packet(iface, ns, orig, data, direction, dropcount, text):
    body = struct.pack("<IIIII", iface, ns >> 32, ns & 0xFFFFFFFF, len(data), orig)
    body += data + b"\0" * (-len(data) % 4)
    options = [option(1, text)] if text else []
    options.append(struct.pack("<HHI", 2, 4, 2 if direction == C.HERMIT_CAPTURE_OUT else 1))
    if dropcount:
        options.append(struct.pack("<HHQ", 4, 8, dropcount))
    return block(6, body, options)


def statistics(iface, ns, received, dropped):
    body = struct.pack("<III", iface, ns >> 32, ns & 0xFFFFFFFF)
    return block(5, body, [struct.pack("<HHQ", 4, 8, received), struct.pack("<HHQ", 5, 8, dropped)])


def ring():
    at = int(anchor()["capture"])
    if not at:
        raise gdb.GdbError("hermit: no capture ring (the guest runs without HERMIT_CAPTURE_NET)")
    raw = read(at, RING.size, NAME, f"{at:#x} is outside guest memory")
    fields = RING.unpack(raw)[:HEADER_FIELDS]
    if fields[0] != C.HERMIT_CAPTURE_MAGIC or fields[1] != C.HERMIT_CAPTURE_VERSION:
        broken(NAME, f"magic {fields[0]:#x} version {fields[1]}")
    ifaces = raw[RING.size - IFACE.size * C.HERMIT_CAPTURE_IFACES:]
    return fields, [ifaces[i * IFACE.size:(i + 1) * IFACE.size] for i in range(C.HERMIT_CAPTURE_IFACES)]


def pcapng():
    """(file bytes, frames, dropped): what is in the ring, as the proxy's net_capture_save writes it."""
    (_, _, linktype, snaplen, data_at, size, realtime0, head, tail, dropped, _, _, nifaces, _), ifaces = ring()
    if (size < 64 or size % 8 or size > CAPTURE_MAX or tail > head or head - tail > size or not snaplen
            or snaplen > SNAPLEN_MAX or linktype > 0xFFFF or nifaces > C.HERMIT_CAPTURE_IFACES):
        broken(NAME, f"size {size}, head {head}, tail {tail}, snaplen {snaplen}, interfaces {nifaces}")
    data = read(data_at, size, NAME, "its data is outside guest memory")
    out, pos, frames, last = [section()], tail, [0] * C.HERMIT_CAPTURE_IFACES, 0
    while pos < head:
        off, left = pos % size, size - pos % size
        if left < RECORD.size:
            pos += left
            continue
        rec = RECORD.unpack_from(data, off)
        t, orig, cap, iface, direction, dropcount = rec[0], rec[1], rec[2], rec[3], rec[4], rec[10]
        if cap == C.HERMIT_CAPTURE_WRAP:
            pos += left
            continue
        need = RECORD.size + (cap + 7) // 8 * 8
        if cap > snaplen or cap > orig or need > left or pos + need > head or iface >= nifaces:
            break  # a broken record ends the file, as in the proxy
        if not any(frames) and len(out) == 1:
            out += [interface(linktype, snaplen, ifaces[i]) for i in range(nifaces)]
        last = (realtime0 + t) & (1 << 64) - 1
        frame = data[off + RECORD.size: off + RECORD.size + cap]
        out.append(packet(iface, last, orig, frame, direction, dropcount, comment(rec)))
        frames[iface] += 1
        pos += need
    if len(out) > 1:
        out += [statistics(i, last, frames[i], 0 if i else dropped) for i in range(nifaces)]
    return b"".join(out), sum(frames), dropped


class Pcap(gdb.Command):
    """Write the guest's network capture as a pcapng file: hermit pcap FILE."""

    def __init__(self):
        super().__init__("hermit pcap", gdb.COMMAND_DATA, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        path = arg.strip()
        if not path:
            raise gdb.GdbError("usage: hermit pcap FILE")
        content, n, dropped = pcapng()
        with open(path, "wb") as f:
            f.write(content)
        print(f"hermit: {n} frames written to {path} ({dropped} dropped by the kernel)")


def register():
    Pcap()
