"""A hostile guest (tests/hostile) breaks each table the proxy reads from guest memory, then ends
in each way a guest can: the proxy must read what it can still trust, say in one line what is
broken, and end with the guest's own status. `make test` runs this file against the sanitizer
build of the proxy too, where any report fails it (conftest.run_proxy)."""
import pytest

from conftest import run_proxy

ENDINGS = {"exit": 3, "crash": 139, "abort": 134, "hang": 124}
# What the proxy says of each broken table (all are read: HERMIT_VERBOSE, HERMIT_BUNDLE, ...).
SAID = {
    "anchor": ["the guest's log ring is broken: 0x7ff0000000000 is outside guest memory",
               "the guest's task table is broken: 0x7ff0000000000 is outside guest memory",
               "the guest's trace header is broken: 0x7ff0000000000 is outside guest memory",
               "network capture stopped: the ring's header is outside guest memory"],
    "log": ["the guest's log ring is broken: its data is outside guest memory"],
    "tasks": ["the guest's task table is broken: its offsets do not fit a task of"],
    "trace": ["the guest's trace header is broken: 1 CPUs, events of 7 bytes"],
    "capture": ["network capture stopped: the ring's layout is broken"],
}
ENV = {"HERMIT_VERBOSE": "1", "HERMIT_BUNDLE": "1", "HERMIT_TRACE": "all", "HERMIT_CAPTURE_NET": "1",
       "HERMIT_TIMEOUT": "2"}


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("table", SAID)
def test_a_broken_table_is_said_once_and_the_guest_keeps_its_status(table, ending, tmp_path):
    r = run_proxy("hostile", table, ending, env=dict(ENV, HERMIT_TRACE_DIR=str(tmp_path)), cwd=tmp_path)
    assert r.returncode == ENDINGS[ending], r.stderr
    assert f"hostile: {table} broken, now {ending}" in r.stdout
    for line in SAID[table]:
        assert r.stderr.count(line) == 1, r.stderr
    assert "hermit: post-mortem bundle in " in r.stderr  # the rest is still written


def test_a_request_outside_guest_memory_ends_the_guest_with_a_clear_message(tmp_path):
    r = run_proxy("hostile", "hcall", "exit", env=dict(ENV, HERMIT_TRACE_DIR=str(tmp_path)), cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "hermit: bad hypercall from the guest: PATH at 0x7ff0000000000 (64 bytes) is outside guest memory" \
        in r.stderr
