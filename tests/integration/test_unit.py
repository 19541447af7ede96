"""Runs every host unit-test binary the build made (tests/unit/*.c -> build/tests/unit/)."""
import subprocess

import pytest

from conftest import BUILD

UNIT_BINARIES = sorted(p for p in (BUILD / "tests" / "unit").glob("test_*") if p.is_file())


@pytest.mark.parametrize("binary", UNIT_BINARIES, ids=[p.name for p in UNIT_BINARIES])
def test_unit(binary):
    r = subprocess.run([str(binary)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_unit_binaries_exist():
    assert len(UNIT_BINARIES) >= 5
