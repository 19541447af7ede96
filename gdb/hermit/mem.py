"""`hermit mem`: physical pages, the heap (program break), and the debug rings' memory."""
import gdb

from .util import var


def kib(n):
    return f"{n // 1024} KiB" if n < 64 << 20 else f"{n >> 20} MiB"


class Mem(gdb.Command):
    """Memory state: free and total pages, the heap's range and size, tasks' stacks, log and trace rings."""

    def __init__(self):
        super().__init__("hermit mem", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        page = 4096
        free, total = int(var("nr_free")), int(var("nr_total"))
        print(f"pages:  {free} free of {total} ({kib(free * page)} free of {kib(total * page)})")
        start, cur = int(var("*libc_brk_start_var")), int(var("*libc_brk_cur_var"))
        if start:
            print(f"heap:   0x{start:x}-0x{cur:x} ({kib(cur - start)}, malloc's arena)")
        else:
            print("heap:   not used yet")
        stacks, n = 0, 0
        t = var("*task_list_head")
        while int(t):
            stacks += int(t["stack_hi"]) - int(t["stack_lo"])
            n += 1
            t = t["all_next"]
        print(f"tasks:  {n}, stacks {kib(stacks)}")
        log = var("hermit_log_ring")
        print(f"log:    ring of {kib(int(log['size']))}, {int(log['head']) - int(log['tail'])} bytes in use, "
              f"{int(log['next_seq'])} records written")
        tr = var("hermit_trace")
        rings = sum(int(tr["cpu"][i]["nslots"]) for i in range(int(tr["ncpus"]))) * int(tr["event_size"])
        print(f"trace:  {int(tr['ncpus'])} ring(s), {kib(rings)}")


def register():
    Mem()
