"""Shared fixtures of the Python tests. The end-to-end tests of `tpsweep run` take their helpers
(running the binary plain or under mpirun, specs, reading the store) from tpsweep_cli.py."""

import shutil

import pytest

import tpsweep_cli


@pytest.fixture(scope="session")
def tpsweep():
    """The release tpsweep binary (TPSWEEP_BIN_DIR, else SwiftPM's release bin path)."""
    return tpsweep_cli.tpsweep_binary()


@pytest.fixture(scope="session")
def mpirun(tpsweep):
    path = shutil.which("mpirun")
    assert path, "mpirun not found: install openmpi-bin (scripts/setup.sh does)"
    return path
