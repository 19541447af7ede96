"""Reading the kernel's variables and memory, the same on a live target and on a core.

The guest is untrusted: an app shares memory with the kernel and may have overwritten any table the
kernel publishes. Every table is read here, the way the proxy reads it (proxy/guestview.c): copied
out of guest memory once through the anchor, its magic and version checked, and each field the
scripts use checked before use. A broken table ends the command with one line,
"hermit: the guest's TABLE is broken: WHY", never a traceback or a hang."""
import gdb

from . import constants as C

# Bounds on what a sane kernel publishes, the proxy's own (proxy/proxy.h, GV_*).
LOG_MAX = 64 << 20
TASK_SIZE_MAX = 64 << 10
FRAME_SIZE_MAX = 4096
TRACE_SLOTS_MAX = 1 << 24
TASKS_MAX = 4096
CAPTURE_MAX = 1 << 30


def var(name):
    """A global or file-static variable of the kernel, by name."""
    try:
        return gdb.parse_and_eval(name)
    except gdb.error:
        sym = gdb.lookup_static_symbol(name)
        if sym is None:
            raise gdb.GdbError(f"hermit: no symbol {name} (is this a Hermit image with debug info?)")
        return sym.value()


def broken(table, why):
    raise gdb.GdbError(f"hermit: the guest's {table} is broken: {why}")


def read(addr, size, table="memory", why=None):
    """size bytes of guest memory at addr; a part outside guest memory breaks table (saying why)."""
    addr, size = int(addr), int(size)
    why = why or f"{size} bytes at {addr:#x} are outside guest memory"
    if addr < 0 or size < 0 or addr + size > 1 << 64:
        broken(table, why)
    try:
        return bytes(gdb.selected_inferior().read_memory(addr, size))
    except (gdb.MemoryError, gdb.error, OverflowError, ValueError):
        broken(table, why)


def copy(addr, ctype, table):
    """A copy of the struct ctype (hermit/abi.h, by the image's debug info) at addr, read once."""
    t = gdb.lookup_type(ctype)
    return gdb.Value(read(addr, t.sizeof, table, f"{int(addr):#x} is outside guest memory"), t)


def anchor():
    a = copy(var("hermit_anchor").address, "struct hermit_anchor", "anchor")
    if int(a["magic"]) != C.HERMIT_ANCHOR_MAGIC or int(a["version"]) != C.HERMIT_ABI_VERSION:
        broken("anchor", f"magic {int(a['magic']):#x} version {int(a['version'])}")
    return a


def table(field, name, ctype, magic, version):
    """(copy, address) of the table the anchor's field points at, its magic and version checked;
    None when the kernel has not published it (a zero pointer or a zero magic: not set up yet)."""
    at = int(anchor()[field])
    if not at:
        return None
    t = copy(at, ctype, name)
    if int(t["magic"]) == 0:
        return None
    if int(t["magic"]) != magic or int(t["version"]) != version:
        broken(name, f"magic {int(t['magic']):#x} version {int(t['version'])}")
    return t, at


def inside(off, length, size):
    """Whether a field of length bytes at off lies inside a struct of size bytes."""
    return 0 <= off <= size and length <= size - off


def where(pc):
    """'function at file:line' for a code address, as far as the debug info knows."""
    pc = int(pc)
    if not pc:
        return "-"
    block = None
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        pass
    fn = block.function if block is not None else None
    while block is not None and fn is None:
        block = block.superblock
        fn = block.function if block is not None else None
    sal = gdb.find_pc_line(pc)
    text = fn.print_name if fn else f"0x{pc:x}"
    if sal.symtab:
        text += f" at {sal.symtab.filename.split('/')[-1]}:{sal.line}"
    return text


def cpus_up():
    """The struct cpu values of the CPUs that were brought up."""
    cpus = var("cpus")
    lo, hi = cpus.type.range()
    return [cpus[i] for i in range(lo, hi + 1) if int(cpus[i]["self"])]
