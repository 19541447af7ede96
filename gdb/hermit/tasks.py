"""`hermit tasks`: the kernel's tasks, like ps; $hermit_current_task().

Tasks are walked through the task table the kernel publishes for post-mortem tools (hermit/abi.h,
struct hermit_task_table), checked as the proxy checks it (proxy/guestview.c)."""
import struct

import gdb

from . import constants as C
from . import waits
from .util import TASK_SIZE_MAX, FRAME_SIZE_MAX, TASKS_MAX, broken, inside, read, table, var, where

NAME = "task table"
STATES = ["ready", "running", "blocked", "dead"]


def task_table():
    found = table("tasks", NAME, "struct hermit_task_table", C.HERMIT_TASKS_MAGIC, C.HERMIT_TASKS_VERSION)
    if found is None:
        raise gdb.GdbError("hermit: the kernel has published no task table yet")
    tt = {}
    for f in found[0].type.fields():
        v = found[0][f.name]
        tt[f.name] = [int(v[i]) for i in range(v.type.range()[1] + 1)] if f.type.code == gdb.TYPE_CODE_ARRAY else int(v)
    check(tt)
    return tt


def check(tt):
    sz = tt["task_size"]
    ok = 0 < sz <= TASK_SIZE_MAX and tt["name_max"] > 0 and tt["frame_size"] <= FRAME_SIZE_MAX
    ok = ok and all(inside(tt[f], n, sz) for f, n in (("task_next", 8), ("task_id", 4), ("task_state", 4),
                                                      ("task_name", tt["name_max"]), ("task_frame", 8),
                                                      ("task_stack_lo", 8), ("task_stack_hi", 8),
                                                      ("task_wait", waits.WAIT_SIZE), ("task_cpu", 4)))
    ok = ok and all(inside(off, 8, tt["frame_size"]) for off in tt["frame"])
    if not ok:
        broken(NAME, f"its offsets do not fit a task of {sz} bytes")
    if tt["ncpus"] > C.HERMIT_MAX_CPUS or not all(inside(tt[f], n, tt["cpu_size"]) for f, n in
                                                  (("cpu_current", 8), ("cpu_idle", 8), ("cpu_online", 1))):
        broken(NAME, f"{tt['ncpus']} CPUs of {tt['cpu_size']} bytes, current at {tt['cpu_current']}")


def u64(data, off):
    return struct.unpack_from("<Q", data, off)[0]


def u32(data, off):
    return struct.unpack_from("<I", data, off)[0]


def all_tasks(tt):
    """(address, bytes of the struct task) for each task, newest first; a list that loops, runs
    past guest memory or never ends breaks the table."""
    at = u64(read(tt["list"], 8, NAME, f"its list head {tt['list']:#x} is outside guest memory"), 0)
    seen = set()
    while at:
        if at in seen:
            broken(NAME, f"its list loops back to the task at {at:#x}")
        if len(seen) == TASKS_MAX:
            broken(NAME, f"its list is longer than {TASKS_MAX} tasks")
        seen.add(at)
        data = read(at, tt["task_size"], NAME, f"a task at {at:#x} is outside guest memory")
        yield at, data
        at = u64(data, tt["task_next"])


def cpu_blocks(tt):
    """(online, current task address, idle task address) of each CPU."""
    data = read(tt["cpus"], tt["ncpus"] * tt["cpu_size"], NAME)
    at = [i * tt["cpu_size"] for i in range(tt["ncpus"])]
    return [(data[a + tt["cpu_online"]] != 0, u64(data, a + tt["cpu_current"]), u64(data, a + tt["cpu_idle"]))
            for a in at]


def running(tt):
    """{task address: CPU} of the tasks on a CPU."""
    return {current: i for i, (_, current, _) in enumerate(cpu_blocks(tt)) if current}


def crashed(tt):
    """The address of the task that crashed, 0 if none."""
    return u64(read(tt["crash_task"], 8, NAME, f"its crash task {tt['crash_task']:#x} is outside guest memory"), 0)


def frame_where(tt, frame):
    """'function at file:line' of a saved trap frame, and its stack pointer."""
    regs = read(frame, tt["frame_size"], NAME)
    return where(u64(regs, tt["frame"][C.HERMIT_REG_RIP])), u64(regs, tt["frame"][C.HERMIT_REG_RSP])


def name_of(tt, data):
    return data[tt["task_name"]: tt["task_name"] + tt["name_max"]].split(b"\0", 1)[0].decode(errors="replace")


def describe(tt, at, data, on_cpu, live_frames):
    """(cpu, id, state, name, stack use, where) of one task. live_frames: after a crash, whose
    NMI left each other CPU's running task its live frame."""
    tid, state = u32(data, tt["task_id"]), u32(data, tt["task_state"])
    name = name_of(tt, data)
    lo, hi, frame = u64(data, tt["task_stack_lo"]), u64(data, tt["task_stack_hi"]), u64(data, tt["task_frame"])
    here, top = frame_where(tt, frame) if frame else ("-", hi)
    used = f"{(hi - top + 1023) // 1024}/{(hi - lo) // 1024} KiB" if lo <= top <= hi else "?"
    if on_cpu and state == STATES.index("running") and not live_frames:
        here = "(running)"  # its saved frame is stale: where it stands is in its CPU's registers
    text = STATES[state] if state < len(STATES) else f"state{state}"
    return u32(data, tt["task_cpu"]), tid, text, name, used, here


def waits_for(tt, data, tasks):
    """What a blocked task waits for ('' for the others): its wait record, described."""
    if u32(data, tt["task_state"]) != STATES.index("blocked"):
        return ""
    return waits.describe(data[tt["task_wait"]:tt["task_wait"] + waits.WAIT_SIZE], tasks)


class Tasks(gdb.Command):
    """List the kernel's tasks: id, CPU, state, name, stack use, where each stands, what it waits for.
A '*' marks a task running on a CPU; where a running task stands is in the registers of its CPU
(`info threads`), not in its saved frame, except after a crash (the crash's NMI saved it). A
blocked task waits for a mutex (and the task holding it), a condition variable, a semaphore, a
task to end (join), a socket, a sleep, a signal or the host, named by symbol where it is a
variable."""

    def __init__(self):
        super().__init__("hermit tasks", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        tt = task_table()
        on = running(tt)
        live = crashed(tt) != 0
        listed = list(all_tasks(tt))
        tasks = {at: (u32(data, tt["task_id"]), name_of(tt, data)) for at, data in listed}
        rows = [(at in on,) + describe(tt, at, data, at in on, live) + (waits_for(tt, data, tasks),)
                for at, data in listed]
        print(f"{'':1}{'ID':>4} {'CPU':>3} {'STATE':<8} {'NAME':<20} {'STACK USED':>12}  {'WHERE':<40} WAITS FOR")
        for mark, cpu, tid, state, name, used, here, wait in rows:
            line = f"{'*' if mark else ' '}{tid:>4} {cpu:>3} {state:<8} {name:<20} {used:>12}  {here:<40} {wait}"
            print(line.rstrip())


class CurrentTask(gdb.Function):
    """$hermit_current_task([CPU]): the struct task * running on CPU (default 0)."""

    def __init__(self):
        super().__init__("hermit_current_task")

    def invoke(self, cpu=0):
        cpus = var("cpus")
        if not 0 <= int(cpu) <= cpus.type.range()[1]:
            raise gdb.GdbError(f"hermit: no CPU {int(cpu)}")
        return cpus[int(cpu)]["current"]


def register():
    Tasks()
    CurrentTask()
