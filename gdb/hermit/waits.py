"""What a blocked task waits for, from the wait record the kernel keeps in each task (hermit/abi.h,
struct hermit_wait; kernel/wait.h), for `hermit tasks`: the mutex and its owner, the condition
variable, semaphore, joined task or socket, by symbol where the object is a variable.

The record is read with the task (tasks.all_tasks, checked there); the owner, a struct task *
variable the record points at, is read here through util.read, and a task it names must be one of
the listed tasks: a bad pointer shows as such, never as a task."""
import re
import struct

import gdb

from . import constants as C
from .util import read

KIND_NAMES = {C.HERMIT_WAIT_MUTEX: "mutex", C.HERMIT_WAIT_COND: "condition variable",
              C.HERMIT_WAIT_SEM: "semaphore", C.HERMIT_WAIT_NET: "lwIP", C.HERMIT_WAIT_HOST: "host call"}
WAIT_SIZE = struct.calcsize(C.WAIT)


def symbol(addr):
    """'name' or 'name+off' for a variable's address, '' when none covers it."""
    try:
        text = gdb.execute(f"info symbol {addr:#x}", to_string=True)
    except gdb.error:
        return ""
    m = re.match(r"(\S+)(?: \+ (\d+))? in section", text)
    if not m:
        return ""
    return m.group(1) + (f"+{m.group(2)}" if m.group(2) else "")


def named(addr):
    sym = symbol(addr)
    return f"{sym} ({addr:#x})" if sym else f"{addr:#x}"


def task_text(addr, tasks):
    """'task N "name"' for the address of a listed task."""
    if addr not in tasks:
        return f"no task ({addr:#x})"
    tid, name = tasks[addr]
    return f'task {tid} "{name}"'


def owner_text(slot, tasks):
    try:
        owner = struct.unpack("<Q", read(slot, 8, "task table"))[0]
    except gdb.GdbError:
        return f"owner unreadable at {slot:#x}"
    return "no owner" if not owner else "held by " + task_text(owner, tasks)


def describe(record, tasks):
    """The text for one blocked task's wait record (bytes); tasks: {address: (id, name)}."""
    kind, fd, obj, owner = struct.unpack_from(C.WAIT, record)
    on_fd = f"fd {fd - 1}" if fd else ""
    if kind == C.HERMIT_WAIT_NET and fd:
        text = f"socket {fd - 1} (lwIP {obj:#x})"
        on_fd = ""
    elif kind in KIND_NAMES:
        text = f"{KIND_NAMES[kind]} {named(obj)}"
    elif kind == C.HERMIT_WAIT_JOIN:
        text = "join of " + task_text(obj, tasks)
    elif kind == C.HERMIT_WAIT_SLEEP:
        text = "sleep"
    elif kind == C.HERMIT_WAIT_SIGNAL:
        text = "a signal"
    elif kind == C.HERMIT_WAIT_TIMER:
        text = "the next timer"
    elif kind == C.HERMIT_WAIT_NONE:
        text = "-"
    else:
        text = f"kind {kind}?"
    if owner and kind == C.HERMIT_WAIT_MUTEX:
        text += ", " + owner_text(owner, tasks)
    return text + (f", in a call on {on_fd}" if on_fd else "")
