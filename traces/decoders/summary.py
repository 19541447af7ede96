#!/usr/bin/python3
"""Summarizes a Hermit CTF trace (the proxy's HERMIT_TRACE output or a bundle's trace/) with
babeltrace2's Python bindings (python3-bt2): events per name and per task, lost events, and the
latency of each kind of system call (entry to exit on the same task).

usage: summary.py TRACE_DIR
"""
import collections
import sys

import bt2


def summarize(path):
    by_name, by_task = collections.Counter(), collections.Counter()
    lost, open_calls = 0, {}
    latency = collections.defaultdict(list)
    for m in bt2.TraceCollectionMessageIterator(str(path)):
        if type(m) is bt2._DiscardedEventsMessageConst:
            lost += m.count
            continue
        if type(m) is not bt2._EventMessageConst:
            continue
        e, t = m.event, m.default_clock_snapshot.ns_from_origin
        tid = int(e.common_context_field["tid"])
        by_name[e.name] += 1
        by_task[tid] += 1
        if e.name.startswith("syscall_entry_"):
            open_calls[(tid, e.name[len("syscall_entry_"):])] = t
        elif e.name.startswith("syscall_exit_"):
            call = e.name[len("syscall_exit_"):]
            start = open_calls.pop((tid, call), None)
            if start is not None:
                latency[call].append(t - start)
    return by_name, by_task, lost, latency


def main(path):
    by_name, by_task, lost, latency = summarize(path)
    print(f"{sum(by_name.values())} events, {lost} lost")
    for name, n in by_name.most_common():
        print(f"  {name:<28} {n}")
    print("per task:")
    for tid, n in sorted(by_task.items()):
        print(f"  task {tid:<4} {n}")
    if latency:
        print("system calls (entry to exit):")
        for call, values in sorted(latency.items()):
            values.sort()
            print(f"  {call:<10} {len(values)} calls, median {values[len(values) // 2]} ns, max {values[-1]} ns")


if __name__ == "__main__":
    main(sys.argv[1])
