"""`hermit tasks`: the kernel's tasks, like ps; $hermit_current_task()."""
import gdb

from .util import cpus_up, var, where


def all_tasks():
    t = var("*task_list_head")
    while int(t):
        yield t.dereference()
        t = t["all_next"]


def current_tasks():
    return {int(c["current"]): int(c["id"]) for c in cpus_up() if int(c["current"])}


class Tasks(gdb.Command):
    """List the kernel's tasks: id, CPU, state, name, where each stands, stack use.
A '*' marks a task running on a CPU; where a running task stands is in the registers of its CPU
(`info threads`), not in its saved frame."""

    def __init__(self):
        super().__init__("hermit tasks", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        running = current_tasks()
        print(f"{'':1}{'ID':>4} {'CPU':>3} {'STATE':<8} {'NAME':<20} {'STACK USED':>12}  WHERE")
        for t in all_tasks():
            addr = int(t.address)
            state = str(t["state"]).replace("TASK_", "").lower()
            frame = t["frame"]
            lo, hi = int(t["stack_lo"]), int(t["stack_hi"])
            rsp = int(frame["rsp"]) if int(frame) else hi
            used = f"{(hi - rsp + 1023) // 1024}/{(hi - lo) // 1024} KiB" if lo <= rsp <= hi else "?"
            here = "(running)" if addr in running else where(frame["rip"]) if int(frame) else "-"
            if addr in running and str(t["state"]) != "TASK_RUNNING":
                here = where(frame["rip"]) if int(frame) else "-"
            mark = "*" if addr in running else " "
            print(f"{mark}{int(t['id']):>4} {int(t['cpu']):>3} {state:<8} {t['name'].string():<20} {used:>12}  {here}")


class CurrentTask(gdb.Function):
    """$hermit_current_task([CPU]): the struct task * running on CPU (default 0)."""

    def __init__(self):
        super().__init__("hermit_current_task")

    def invoke(self, cpu=0):
        return var("cpus")[int(cpu)]["current"]


def register():
    Tasks()
    CurrentTask()
