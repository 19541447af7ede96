"""`hermit cpus`: each CPU with its current task and state, read from the task table the kernel
publishes (hermit/abi.h, struct hermit_task_table) through the checked accessor (util.py), the same
on a live guest and on a core."""
import gdb

from .tasks import NAME, all_tasks, cpu_blocks, crashed, frame_where, name_of, task_table, u32, u64


def cpu_state(online, current, idle, crash):
    if not online:
        return "offline"
    if crash and current == crash:
        return "crashed"
    if current == idle:
        return "idle"
    return "stopped" if crash else "running"  # a crash stops every other CPU by NMI


class Cpus(gdb.Command):
    """List the CPUs: index, state (offline, idle, running; after a crash: crashed, stopped),
the task each runs and, after a crash, where it stood (the crash's NMI saved each CPU's frame;
on a live guest `info threads` shows where running tasks stand)."""

    def __init__(self):
        super().__init__("hermit cpus", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        tt = task_table()
        crash = crashed(tt)
        tasks = dict(all_tasks(tt))
        print(f"{'CPU':>3} {'STATE':<8} {'TASK':<26} WHERE")
        for i, (online, current, idle) in enumerate(cpu_blocks(tt)):
            if not online:
                continue
            data = tasks.get(current)
            if data is None:
                print(f"{i:>3} {cpu_state(online, current, idle, crash):<8} {'?':<26} -")
                continue
            task = f"{u32(data, tt['task_id'])} \"{name_of(tt, data)}\""
            frame = u64(data, tt["task_frame"])
            here = frame_where(tt, frame)[0] if crash and frame else "(running)"
            print(f"{i:>3} {cpu_state(online, current, idle, crash):<8} {task:<26} {here}")


def register():
    Cpus()
