"""Helpers for the end-to-end tests of `tpsweep run`: locating the release binary, running it (plain or
under mpirun) with a timeout that cleans up every rank, killing a whole MPI job like a crash would,
writing specs, and reading a sweep store back with h5py and pandas.

Open MPI puts each rank in a process group of its own, so killing mpirun's group leaves the ranks
running (orphaned, still writing into the store). `kill_tree` therefore kills mpirun *and* every
descendant by pid.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
INT64_MISSING = -9223372036854775808

# mpirun as root, fast start-up, quiet traps, one BLAS thread per rank (docs: toolchain.md).
RUN_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_pml": "ob1",
    "OMPI_MCA_ess_singleton_isolated": "1",
    "SWIFT_BACKTRACE": "enable=no",
    "OPENBLAS_NUM_THREADS": "1",
}

_binary: Path | None = None


def tpsweep_binary() -> Path:
    """The release `tpsweep`: $TPSWEEP_BIN_DIR (set by scripts/test.sh), else SwiftPM's release
    bin path, building the product there if it is missing."""
    global _binary
    if _binary is not None:
        return _binary
    bin_dir = os.environ.get("TPSWEEP_BIN_DIR")
    if not bin_dir:
        bin_dir = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout.strip()
    binary = Path(bin_dir) / "tpsweep"
    if not binary.exists() and not os.environ.get("TPSWEEP_BIN_DIR"):
        subprocess.run(["swift", "build", "-c", "release", "--product", "tpsweep"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
    assert binary.exists(), f"no tpsweep binary at {binary}; build with `swift build -c release`"
    _binary = binary
    return binary


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(RUN_ENV)
    return env


def command(spec: Path, out: Path, *extra: str, np: int | None = None) -> list[str]:
    """`tpsweep run SPEC --out OUT …`; under `mpirun -np N --oversubscribe` when np is given (None:
    a plain process, the serial mode)."""
    cmd = [str(tpsweep_binary()), "run", str(spec), "--out", str(out), *extra]
    if np is not None:
        cmd = ["mpirun", "-np", str(np), "--oversubscribe", *cmd]
    return cmd


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def descendants(pid: int) -> list[int]:
    """Every live descendant of pid (children first scanned from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        # pid (comm) state ppid …; comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().decode("utf-8", "replace")
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def kill_tree(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGKILL the process and all its descendants (the MPI ranks live in their own process groups),
    then wait until none of them is left."""
    pids = descendants(process.pid)
    for pid in [*pids, process.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=timeout)
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids):
        assert time.monotonic() < deadline, f"processes {pids} survived SIGKILL"
        time.sleep(0.02)


def start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def run(cmd: list[str], timeout: float = 60.0) -> Result:
    """Runs to the end; a run past `timeout` is killed with its ranks and fails the test (a hang)."""
    began = time.monotonic()
    process = start(cmd)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(process)
        stdout, stderr = process.communicate()
        raise AssertionError(f"{' '.join(cmd)} did not finish within {timeout} s (hung?)\n"
                             f"stdout:\n{stdout}\nstderr:\n{stderr}")
    return Result(process.returncode, stdout, stderr, time.monotonic() - began)


def run_ok(cmd: list[str], timeout: float = 60.0) -> Result:
    result = run(cmd, timeout)
    assert result.returncode == 0, (f"{' '.join(cmd)} exited {result.returncode}\n"
                                    f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


# Specs ---------------------------------------------------------------------------------------------

def write_spec(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def student_teacher_spec(name: str, *, methods=("bp", "drl", "ddtp-linear"), seeds: int = 2,
                         epochs: int = 3, train_size: int = 300, hidden=(8, 8), batch_size: int = 128,
                         extra_parameters: str = "", extra: str = "") -> str:
    """A sweep over `methods` × `seeds` on the student-teacher regression task."""
    hidden_text = ", ".join(str(h) for h in hidden)
    method_text = ", ".join(methods)
    return f"""\
name: {name}
base:
  epochs: {epochs}
  batch_size: {batch_size}
  loss: {{kind: mse}}
  data: {{dataset: student-teacher, teacher_widths: [6, 20, 2], teacher_train_size: {train_size}, teacher_test_size: 100, validation_size: 50}}
  model: {{hidden: [{hidden_text}]}}
  tp: {{epochs_fb: 1}}
parameters:
  method: {{grid: [{method_text}]}}
{extra_parameters}seeds: {seeds}
snapshots: {{best: true, final: true}}
{extra}"""


# Reading a store --------------------------------------------------------------------------------------

def decode_strings(df: pd.DataFrame) -> pd.DataFrame:
    """h5py 3 returns variable-length strings inside compound data as bytes: decode them as UTF-8."""
    df = df.copy()
    for column in df.columns:
        if df[column].dtype == object:
            df[column] = df[column].map(lambda v: v.decode("utf-8") if isinstance(v, bytes) else v)
    return df


def load_summary(out: Path) -> pd.DataFrame:
    with h5py.File(out / "sweep.h5", "r") as f:
        return decode_strings(pd.DataFrame(f["summary"][()]))


def trial_files(out: Path) -> list[Path]:
    """Complete trial files (temporary `.…tmp` files of unfinished writes are not trials)."""
    directory = out / "trials"
    if not directory.exists():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.suffix == ".h5" and not p.name.startswith(".") and p.is_file())


def trial_ids(out: Path) -> set[str]:
    return {p.stem for p in trial_files(out)}


@dataclass
class Trial:
    attrs: dict
    parameters: dict
    metrics: dict[str, np.ndarray]
    layer_metrics: dict[str, np.ndarray]
    summary: dict
    snapshots: dict[str, dict]


def read_trial(path: Path) -> Trial:
    with h5py.File(path, "r") as t:
        snapshots = {}
        for name, group in t["snapshots"].items():
            snapshots[name] = {
                "epoch": int(group.attrs["epoch"]),
                "tags": [str(tag) for tag in group.attrs["tags"]],
                "tensors": {f"{role}/{k}": v[()] for role in group for k, v in group[role].items()},
            }
        return Trial(
            attrs=dict(t.attrs),
            parameters=dict(t["parameters"].attrs),
            metrics={k: v[()] for k, v in t["metrics"].items()},
            layer_metrics={k: v[()] for k, v in t["layer_metrics"].items()},
            summary=dict(t["summary"].attrs),
            snapshots=snapshots,
        )


def read_trials(out: Path) -> dict[str, Trial]:
    return {p.stem: read_trial(p) for p in trial_files(out)}


# Wall-clock series and attributes differ between two runs of the same trial; everything else must not.
def is_timing(metric: str) -> bool:
    return metric == "seconds" or metric.startswith("diagnostic_seconds_")


def assert_same_results(a: dict[str, Trial], b: dict[str, Trial], *, snapshots: bool = True) -> None:
    """Same trial ids, and per id bit-identical curves, layer metrics, summaries, parameters,
    config and (optionally) snapshot weights."""
    assert sorted(a) == sorted(b)
    for trial_id in a:
        x, y = a[trial_id], b[trial_id]
        assert x.parameters == y.parameters, trial_id
        for key in ("index", "seed", "status", "message", "epochs", "config_json"):
            assert x.attrs[key] == y.attrs[key], (trial_id, key)
        assert x.metrics.keys() == y.metrics.keys(), trial_id
        for name in (k for k in x.metrics if not is_timing(k)):
            assert np.array_equal(x.metrics[name], y.metrics[name], equal_nan=True), (trial_id, name)
        assert x.layer_metrics.keys() == y.layer_metrics.keys(), trial_id
        for name in x.layer_metrics:
            assert np.array_equal(x.layer_metrics[name], y.layer_metrics[name], equal_nan=True), (trial_id, name)
        assert x.summary.keys() == y.summary.keys(), trial_id
        for name in x.summary:
            same = x.summary[name] == y.summary[name] or (math.isnan(x.summary[name]) and math.isnan(y.summary[name]))
            assert same, (trial_id, name, x.summary[name], y.summary[name])
        if snapshots:
            assert x.snapshots.keys() == y.snapshots.keys(), trial_id
            for name, s in x.snapshots.items():
                t = y.snapshots[name]
                assert s["tags"] == t["tags"] and s["tensors"].keys() == t["tensors"].keys(), (trial_id, name)
                for tensor in s["tensors"]:
                    assert np.array_equal(s["tensors"][tensor], t["tensors"][tensor]), (trial_id, name, tensor)


def check_store_readable(out: Path) -> int:
    """Every complete trial file present opens and is a whole trial; sweep.h5, if present, opens.
    Returns how many trial files there are."""
    files = trial_files(out)
    for path in files:
        with h5py.File(path, "r") as t:
            assert t.attrs["format"] == "tpsweep.trial", path
            assert t.attrs["id"] == path.stem, path
            epochs = int(t.attrs["epochs"])
            assert t["metrics/train_loss"].shape == (epochs,), path
            assert len(t["snapshots"]) >= 1, path
    index = out / "sweep.h5"
    if index.exists():
        with h5py.File(index, "r") as f:
            assert f.attrs["format"] == "tpsweep.sweep"
            summary = decode_strings(pd.DataFrame(f["summary"][()]))
            assert summary.id.is_unique
            assert len(f["plan"]) == int(f.attrs["planned_count"])
    return len(files)


def config(trial: Trial) -> dict:
    return json.loads(trial.attrs["config_json"])
