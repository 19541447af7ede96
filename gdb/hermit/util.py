"""Reading the kernel's variables and memory, the same on a live target and on a core."""
import gdb


def var(name):
    """A global or file-static variable of the kernel, by name."""
    try:
        return gdb.parse_and_eval(name)
    except gdb.error:
        sym = gdb.lookup_static_symbol(name)
        if sym is None:
            raise gdb.GdbError(f"hermit: no symbol {name} (is this a Hermit image with debug info?)")
        return sym.value()


def read(addr, size):
    return bytes(gdb.selected_inferior().read_memory(int(addr), int(size)))


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
