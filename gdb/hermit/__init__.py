"""Hermit's gdb scripts: `hermit tasks|cpus|dmesg|trace|mem|timers` and $hermit_current_task().

One module per concept; structure offsets come from the image's debug information, constants from
the C headers (constants.py, generated at build time). They read memory only, so they work on a
live guest (the in-kernel stub or QEMU's gdbstub) and on a core file alike. docs/debugging.md.
"""
import gdb

from . import cpus, dmesg, mem, pcap, tasks, timers, trace

_registered = False


class HermitPrefix(gdb.Command):
    """Hermit kernel commands: hermit tasks, hermit cpus, hermit dmesg, hermit trace, hermit mem, hermit timers, hermit pcap."""

    def __init__(self):
        super().__init__("hermit", gdb.COMMAND_DATA, gdb.COMPLETE_COMMAND, True)


def register():
    global _registered
    if _registered:
        return
    _registered = True
    HermitPrefix()
    tasks.register()
    cpus.register()
    dmesg.register()
    trace.register()
    mem.register()
    timers.register()
    pcap.register()
