"""`hermit timers`: each CPU's armed timer, time slice and sleeping tasks (the tickless scheduler)."""
import gdb

from .util import cpus_up


def ms(ns):
    return f"{ns / 1e6:.3f} ms"


class Timers(gdb.Command):
    """Per CPU: the deadline the APIC timer is armed for, the end of the running task's slice, and
the tasks sleeping with a deadline, soonest first (times are since boot)."""

    def __init__(self):
        super().__init__("hermit timers", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        for c in cpus_up():
            armed = int(c["timer_armed"])
            print(f"cpu{int(c['id'])}: timer {'armed for ' + ms(armed) if armed else 'idle'}, "
                  f"slice ends {ms(int(c['slice_end']))}")
            t = c["sleepers"]
            if not int(t):
                print("  no sleepers")
            while int(t):
                print(f"  task {int(t['id']):<4} {t['name'].string():<20} wakes at {ms(int(t['wake_at']))}")
                t = t["timer_next"]


def register():
    Timers()
