"""End-to-end tests of `tpsweep run`: the release binary, plain (serial) and under mpirun, writing a
sweep store that h5py and pandas read back (docs/hdf5-layout.md, docs/sweep-spec.md).

Every sweep here trains small MLPs on the seeded student-teacher regression task, so a run is
deterministic per seed: the same trial gives bit-identical curves and weights whichever rank, rank
count or session runs it. Runs take well under a second each except the kill-and-resume test.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from tpsweep_cli import (assert_same_results, check_store_readable, command, config, kill_tree,
                         load_summary, read_trials, run, run_ok, start, student_teacher_spec,
                         trial_files, trial_ids, write_spec)

# Tests 1 and 2: the tiny sweep ---------------------------------------------------------------------

TINY_METHODS = ("bp", "drl", "ddtp-linear")
# 4 seeds (not 2) and 2000 training samples make each trial last a few tens of milliseconds, so both
# workers surely take part in the dynamic queue.
TINY_SEEDS = 4
TINY_EPOCHS = 3


def tiny_spec_text() -> str:
    return student_teacher_spec("tiny", methods=TINY_METHODS, seeds=TINY_SEEDS, epochs=TINY_EPOCHS,
                                train_size=2000)


@pytest.fixture(scope="module")
def tiny_mpi(tmp_path_factory, tpsweep, mpirun):
    """The tiny sweep run once with `mpirun -np 3` (rank 0 coordinates, ranks 1 and 2 train)."""
    directory = tmp_path_factory.mktemp("tiny-mpi")
    spec = write_spec(directory / "tiny.yaml", tiny_spec_text())
    out = directory / "out"
    result = run_ok(command(spec, out, np=3))
    return spec, out, result


def test_mpi_sweep_stores_every_planned_trial_once(tiny_mpi):
    spec, out, result = tiny_mpi
    expected = {(method, seed) for method in TINY_METHODS for seed in range(TINY_SEEDS)}
    planned = len(expected)
    assert f"{planned}/{planned} done ({planned} completed" in result.stdout

    # The index: one summary row per planned trial, a plan, links that resolve.
    df = load_summary(out)
    assert len(df) == planned and df.id.is_unique
    assert set(df.id) == trial_ids(out)
    assert len(trial_files(out)) == planned
    assert (df.status == "completed").all(), df[["id", "status", "message"]]
    assert (df.epochs == TINY_EPOCHS).all()
    assert {(m, s) for m, s in zip(df.method, df.seed)} == expected
    assert list(df["index"]) == list(range(planned))
    with h5py.File(out / "sweep.h5", "r") as f:
        assert f.attrs["name"] == "tiny"
        assert f.attrs["planned_count"] == planned and f.attrs["trial_count"] == planned
        assert f["spec"].asstr()[()] == spec.read_text(encoding="utf-8")
        assert len(f["plan"]) == planned
        for trial_id in df.id:
            assert f["trials"][trial_id].attrs["id"] == trial_id

    # Dynamic queue: both workers trained, rank 0 only coordinated.
    assert set(df["rank"]) == {1, 2}, df[["id", "rank"]]

    trials = read_trials(out)
    for trial_id, t in trials.items():
        row = df[df.id == trial_id].iloc[0]
        method, seed = t.parameters["method"], int(t.attrs["seed"])
        assert t.parameters == {"method": row.method}
        assert seed == row.seed and t.attrs["status"] == "completed" and t.attrs["message"] == ""
        assert t.attrs["rank"] == row["rank"] and t.attrs["epochs"] == TINY_EPOCHS

        cfg = config(t)
        assert cfg["method"] == method and cfg["seed"] == seed and cfg["epochs"] == TINY_EPOCHS
        assert cfg["model"]["hidden"] == [8, 8] and cfg["data"]["dataset"] == "student-teacher"

        # Curves: one value per epoch; losses and timings finite (accuracies are NaN on a regression).
        for name, curve in t.metrics.items():
            assert curve.shape == (TINY_EPOCHS,) and curve.dtype == np.float64, (trial_id, name)
        for name in ("train_loss", "validation_loss", "test_loss", "seconds"):
            assert np.isfinite(t.metrics[name]).all(), (trial_id, name, t.metrics[name])
        for name, values in t.layer_metrics.items():
            # Columns are layers: 3 forward layers, one fewer for reconstruction losses.
            assert values.shape[0] == TINY_EPOCHS and values.shape[1] in (2, 3), (trial_id, name, values.shape)
            assert np.isfinite(values).all(), (trial_id, name)
        assert t.summary["best_validation_loss"] == t.metrics["validation_loss"].min()

        # Snapshots: one tagged best (at the summary's best epoch), one tagged final (last epoch).
        best = [s for s in t.snapshots.values() if "best" in s["tags"]]
        final = [s for s in t.snapshots.values() if "final" in s["tags"]]
        assert len(best) == 1 and len(final) == 1, (trial_id, t.snapshots.keys())
        assert final[0]["epoch"] == TINY_EPOCHS
        assert best[0]["epoch"] == int(t.summary["best_epoch"])
        for snapshot in t.snapshots.values():
            tensors = snapshot["tensors"]
            shapes = {"layer1.weight": (8, 6), "layer2.weight": (8, 8), "layer3.weight": (2, 8)}
            for name, shape in shapes.items():
                assert tensors[f"forward/{name}"].shape == shape, (trial_id, name)
            for name, width in {"layer1.bias": 8, "layer2.bias": 8, "layer3.bias": 2}.items():
                assert tensors[f"forward/{name}"].size == width, (trial_id, name)
            assert all(v.dtype == np.float32 and np.isfinite(v).all() for v in tensors.values())
            feedback = [k for k in tensors if k.startswith("feedback/")]
            assert bool(feedback) == (method != "bp"), (trial_id, sorted(tensors))


def test_serial_run_matches_mpi_run(tiny_mpi, tmp_path):
    """Without mpirun the same spec gives the same trial ids and bit-identical results."""
    spec, mpi_out, _ = tiny_mpi
    out = tmp_path / "serial"
    run_ok(command(spec, out))
    df = load_summary(out)
    assert (df["rank"] == 0).all()
    assert set(df.id) == set(load_summary(mpi_out).id)
    assert_same_results(read_trials(mpi_out), read_trials(out))


# Test 3: kill -9 and resume ------------------------------------------------------------------------

RESUME_SEEDS = 6


def resume_spec_text() -> str:
    # 12 trials of roughly 0.2–1 s: about 5 s on two workers.
    return student_teacher_spec("resume", methods=("bp", "ddtp-linear"), seeds=RESUME_SEEDS, epochs=30,
                                train_size=8000, hidden=(48, 48), batch_size=32)


def file_state(out: Path) -> dict[str, tuple[int, int, int]]:
    return {p.stem: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size) for p in trial_files(out)}


def run_until_then_kill(cmd: list[str], out: Path, at_least: int, total: int, timeout: float = 90.0) -> int:
    """Starts the sweep, SIGKILLs mpirun and every rank once `at_least` trial files exist, and
    returns how many there were then (checking the kill came before the end)."""
    process = start(cmd)
    deadline = time.monotonic() + timeout
    try:
        while len(trial_files(out)) < at_least:
            if process.poll() is not None:
                stdout, stderr = process.communicate()
                raise AssertionError(f"the sweep ended ({process.returncode}) before {at_least} trials were "
                                     f"stored\nstdout:\n{stdout}\nstderr:\n{stderr}")
            assert time.monotonic() < deadline, "no progress"
            time.sleep(0.01)
    finally:
        kill_tree(process)
        process.communicate()
    count = len(trial_files(out))
    assert count < total, "the sweep finished before it was killed: make the trials longer"
    return count


def kill_twice_then_resume(tmp_path, spec, total, np, kill_at, timeout):
    """Kills the sweep once `kill_at[0]` trials are stored, then once `kill_at[1](first)` are, then
    resumes it to the end: stored trials are never rewritten, every file present is whole, and the
    store equals an uninterrupted run of the same spec (no trial lost, none twice)."""
    out = tmp_path / "killed"
    first = run_until_then_kill(command(spec, out, np=np), out, kill_at[0], total)
    assert check_store_readable(out) == first
    kept = file_state(out)
    second = run_until_then_kill(command(spec, out, np=np), out, kill_at[1](first), total)
    assert check_store_readable(out) == second
    state = file_state(out)
    assert all(state[i] == kept[i] for i in kept), "a stored trial was run again or rewritten"

    # Resume to the end: the stored trials are kept and reported as such.
    kept = file_state(out)
    result = run_ok(command(spec, out, np=np), timeout=timeout)
    assert re.search(rf"\b{len(kept)} from before\b", result.stdout), result.stdout
    state = file_state(out)
    assert all(state[i] == kept[i] for i in kept), "a stored trial was run again or rewritten"
    assert not [p for p in (out / "trials").iterdir() if p.name.endswith(".tmp")]

    reference = tmp_path / "reference"
    run_ok(command(spec, reference, np=np), timeout=timeout)
    df = load_summary(out)
    assert len(df) == total and df.id.is_unique and (df.status == "completed").all()
    assert set(df.id) == set(load_summary(reference).id) == trial_ids(out)
    assert len(trial_files(out)) == total
    assert_same_results(read_trials(reference), read_trials(out))


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path, mpirun):
    # Killed after the first stored trial, then again after half of them.
    total = 2 * RESUME_SEEDS
    kill_twice_then_resume(tmp_path, write_spec(tmp_path / "resume.yaml", resume_spec_text()), total,
                           np=3, kill_at=(1, lambda _: total // 2), timeout=90)


BURST_TRIALS = 1500


def burst_spec_text() -> str:
    # Near-empty trials (as jobs/bench-overhead.yaml): a few hundred a second, so rank 0's writer
    # thread is committing batches whenever the kill comes.
    return student_teacher_spec("burst", methods=("bp",), seeds=BURST_TRIALS, epochs=1, train_size=8,
                                hidden=(2,), batch_size=8).replace(
        "teacher_test_size: 100, validation_size: 50", "teacher_test_size: 4, validation_size: 2")


def test_killed_burst_of_fast_trials_resumes_to_the_uninterrupted_result(tmp_path, mpirun):
    """kill -9 while trials finish far faster than one disk flush each: whatever the writer had
    committed is kept untouched, and the resumed store is the uninterrupted one."""
    kill_twice_then_resume(tmp_path, write_spec(tmp_path / "burst.yaml", burst_spec_text()), BURST_TRIALS,
                           np=4, kill_at=(100, lambda first: first + 400), timeout=120)


def test_resume_reruns_corrupt_trial_files_and_ignores_temporary_ones(tmp_path):
    """What a crash or a damaged copy can leave behind: a truncated `<id>.h5` runs again, and so does
    one whose header reads but whose curves do not (also under FIFO, which replays nothing); a
    temporary file of an unfinished write is not a trial."""
    spec = write_spec(tmp_path / "tiny.yaml", student_teacher_spec("tiny", seeds=2))
    reference = tmp_path / "reference"
    run_ok(command(spec, reference))
    out = tmp_path / "damaged"
    run_ok(command(spec, out))
    files = trial_files(out)
    truncated = files[0]
    truncated.write_bytes(truncated.read_bytes()[:1000])
    temporary = out / "trials" / f".{files[1].name}.4242-abcdef.tmp"
    temporary.write_bytes(files[1].read_bytes()[:1000])
    without_curves = files[2]
    with h5py.File(without_curves, "a") as f:
        del f["metrics"]
    kept = {k: v for k, v in file_state(out).items() if k not in (truncated.stem, without_curves.stem)}

    result = run_ok(command(spec, out))
    assert re.search(rf"\b{len(files) - 2} from before\b", result.stdout), result.stdout
    assert f"trial {without_curves.stem} runs again" in result.stdout + result.stderr
    assert {k: v for k, v in file_state(out).items() if k in kept} == kept
    check_store_readable(out)
    assert_same_results(read_trials(reference), read_trials(out))
    df = load_summary(out)
    assert len(df) == len(files) and df.id.is_unique


# Test 4: resuming against another spec ----------------------------------------------------------------

def test_resume_with_changed_spec_is_refused_unless_forced(tmp_path, mpirun):
    spec = write_spec(tmp_path / "sweep.yaml", student_teacher_spec("changing", methods=("bp", "drl")))
    out = tmp_path / "out"
    run_ok(command(spec, out))
    with h5py.File(out / "sweep.h5", "r") as f:
        identity = f.attrs["identity"]
    before = file_state(out)
    index_before = (out / "sweep.h5").stat().st_mtime_ns

    changed = student_teacher_spec("changing", methods=("bp", "drl", "ddtp-linear"))
    write_spec(spec, changed)
    for np_ in (None, 2):
        refused = run(command(spec, out, np=np_), timeout=60)
        assert refused.returncode == 2, refused.output
        assert "tpsweep: error:" in refused.stderr and "--force" in refused.stderr, refused.output
        assert "different spec" in refused.stderr
        assert file_state(out) == before
        assert (out / "sweep.h5").stat().st_mtime_ns == index_before, "a refused resume rewrote the index"

    forced = run_ok(command(spec, out, "--force"))
    assert re.search(rf"\b{len(before)} from before\b", forced.stdout), forced.stdout
    state = file_state(out)
    assert {k: state[k] for k in before} == before, "--force re-ran trials it could keep"
    df = load_summary(out)
    assert len(df) == 6 and df.id.is_unique and set(df.method) == {"bp", "drl", "ddtp-linear"}
    assert (df.status == "completed").all()
    with h5py.File(out / "sweep.h5", "r") as f:
        assert f.attrs["identity"] != identity
        assert f["spec"].asstr()[()] == changed
        assert f.attrs["planned_count"] == 6
    # The store now belongs to the new spec: a plain resume is accepted and has nothing to do.
    again = run_ok(command(spec, out))
    assert re.search(r"\b6 from before\b", again.stdout), again.stdout
    assert file_state(out) == state


# Test 5: ASHA ------------------------------------------------------------------------------------------

GOOD_LRS = (1.0e-3, 1.0e-2)        # in plan order, the second clearly better than the first
BAD_LRS = (1.0e-9, 1.0e-10, 3.0e-10, 3.0e-9)   # practically no learning at all
ASHA_MAX = 4
ASHA_ETA = 2
ASHA_RUNGS = (1, 2)                 # grace · η^k below max_epochs


def asha_spec_text(name: str) -> str:
    lrs = ", ".join(repr(lr) for lr in GOOD_LRS + BAD_LRS)
    return f"""\
name: {name}
base:
  method: bp
  batch_size: 16
  loss: {{kind: mse}}
  data: {{dataset: student-teacher, teacher_widths: [6, 20, 2], teacher_train_size: 1000, teacher_test_size: 100, validation_size: 200}}
  model: {{hidden: [8, 8]}}
parameters:
  optimizer.lr: {{grid: [{lrs}]}}
seeds: 1
scheduler: {{kind: asha, metric: validation_loss, mode: min, grace_epochs: 1, reduction_factor: {ASHA_ETA}, max_epochs: {ASHA_MAX}}}
"""


def check_asha_store(out: Path, trials: dict) -> None:
    df = load_summary(out)
    assert len(df) == len(GOOD_LRS) + len(BAD_LRS) and df.id.is_unique
    for _, row in df.iterrows():
        t = trials[row.id]
        assert row.status == t.attrs["status"] and row.epochs == t.attrs["epochs"]
        assert config(t)["epochs"] == ASHA_MAX  # max_epochs replaces every trial's epochs
        assert len(t.metrics["validation_loss"]) == row.epochs
        if row.status == "pruned":
            assert row.epochs < ASHA_MAX and row.message.startswith("ASHA rung"), row
        else:
            assert row.status == "completed" and row.epochs == ASHA_MAX and row.message == "", row


@pytest.mark.parametrize("np_", [None, 2], ids=["serial", "mpi-one-worker"])
def test_asha_prunes_the_bad_configurations(tmp_path, np_, mpirun):
    """With one trainer, trials reach the rungs in plan order, so the outcome is exact: the good
    learning rates run every epoch, the useless ones stop early, as an independent replay of ASHA
    on the stored curves says."""
    spec = write_spec(tmp_path / "asha.yaml", asha_spec_text("asha"))
    out = tmp_path / "out"
    result = run_ok(command(spec, out, np=np_))
    trials = read_trials(out)
    check_asha_store(out, trials)
    df = load_summary(out)

    lr = {row.id: row["optimizer.lr"] for _, row in df.iterrows()}
    for _, row in df.iterrows():
        if lr[row.id] in GOOD_LRS:
            assert row.status == "completed" and row.epochs == ASHA_MAX, row
        else:
            assert lr[row.id] in BAD_LRS
            assert row.status == "pruned" and row.epochs < ASHA_MAX, row
    assert f"{len(GOOD_LRS)} completed, {len(BAD_LRS)} pruned" in result.stdout

    # Replay: at each rung a trial goes on iff its value is at most the k-th smallest of the values
    # recorded there so far (its own included), k = max(1, n // η).
    recorded: dict[int, list[float]] = {rung: [] for rung in ASHA_RUNGS}
    for _, row in df.sort_values("index").iterrows():
        curve = trials[row.id].metrics["validation_loss"]
        expected = ("completed", ASHA_MAX)
        for rung in ASHA_RUNGS:
            value = curve[rung - 1]
            recorded[rung].append(value)
            k = max(1, len(recorded[rung]) // ASHA_ETA)
            if value > sorted(recorded[rung])[k - 1]:
                expected = ("pruned", rung)
                break
        assert (row.status, row.epochs) == expected, (row.id, lr[row.id], list(curve))


@pytest.mark.parametrize("np_, damage", [(None, False), (2, False), (None, True)],
                         ids=["serial", "mpi-one-worker", "serial-unreadable-curves"])
def test_resumed_asha_decides_as_the_uninterrupted_sweep(tmp_path, np_, damage, mpirun):
    """A sweep that stopped after the two good trials (with one trainer, trials end in plan order,
    so its store is exactly their files) resumes with their curves replayed into ASHA's rungs: the
    bad trials are judged against them and stop early, as in the uninterrupted sweep. A scheduler
    that started empty would let the first bad trial through the first rung.

    With `damage`, the last stored file's /metrics is deleted: its header reads but its curves
    cannot feed the rungs, so the resumed sweep names it and runs that trial again (the last one,
    so it reaches the rungs in its original order), and still ends as the uninterrupted one."""
    spec = write_spec(tmp_path / "asha.yaml", asha_spec_text("asha"))
    reference = tmp_path / "reference"
    run_ok(command(spec, reference, np=np_))
    expected = load_summary(reference).set_index("id")

    out = tmp_path / "resumed"
    (out / "trials").mkdir(parents=True)
    first = expected.sort_values("index").index[:len(GOOD_LRS)]
    for trial_id in first:
        shutil.copy2(reference / "trials" / f"{trial_id}.h5", out / "trials" / f"{trial_id}.h5")
    if damage:
        with h5py.File(out / "trials" / f"{first[-1]}.h5", "a") as f:
            del f["metrics"]
    result = run_ok(command(spec, out, np=np_))
    assert re.search(rf"\b{len(GOOD_LRS) - damage} from before\b", result.stdout), result.stdout
    if damage:
        assert f"trial {first[-1]} runs again" in result.stdout + result.stderr
    resumed = load_summary(out).set_index("id")
    assert set(resumed.index) == set(expected.index)
    for column in ("status", "epochs", "message"):
        assert resumed[column].to_dict() == expected[column].to_dict(), column


def test_asha_under_mpi_with_two_workers(tmp_path, mpirun):
    """Two workers race to the rungs, so which mediocre trial goes on depends on timing; but the best
    configuration is the best at every rung and must always finish, and every record is consistent."""
    spec = write_spec(tmp_path / "asha.yaml", asha_spec_text("asha"))
    out = tmp_path / "out"
    run_ok(command(spec, out, np=3))
    trials = read_trials(out)
    check_asha_store(out, trials)
    df = load_summary(out)
    best = df[df["optimizer.lr"] == max(GOOD_LRS)].iloc[0]
    assert best.status == "completed" and best.epochs == ASHA_MAX
    assert (df[df["optimizer.lr"].isin(BAD_LRS)].status == "pruned").sum() >= len(BAD_LRS) - 1


# Test 6: malformed specs ----------------------------------------------------------------------------

MALFORMED = {
    # name: (spec text, line the error points at (None: no line), fragment of the message)
    "unknown-top-level-key": (
        "name: bad\nparameters: {optimizer.lr: {grid: [1.0e-3, 1.0e-4]}}\nsamplr: {kind: random, samples: 4}\n",
        3, "unknown key 'samplr'; did you mean 'sampler'?"),
    "unknown-base-key": (
        "name: bad\nbase:\n  epochs: 2\n  epoch: 3\nparameters: {method: {grid: [bp, drl]}}\n",
        4, "unknown key 'epoch'; did you mean 'epochs'?"),
    "bad-distribution-bounds": (
        "name: bad\nparameters:\n  tp.sigma: {uniform: [0.2, 0.01]}\nsampler: {kind: random, samples: 4}\n",
        3, "expected low < high"),
    "condition-on-unknown-parameter": (
        "name: bad\nparameters:\n  method: {grid: [bp, drl]}\n  tp.sigma:\n    uniform: [0.01, 0.2]\n"
        "    when: {methd: [drl]}\nsampler: {kind: random, samples: 4}\n",
        6, "'methd' is not one (did you mean 'method'?)"),
    "yaml-syntax-error": (
        "name: bad\nparameters:\n  method: {grid: [bp, drl}\n",
        3, "malformed YAML"),
    "rule-broken-by-a-trial": (
        "name: bad\nparameters:\n  method: {grid: [bp, drl]}\n  tp.sigma: {grid: [0.0, 0.1]}\n",
        4, "must be > 0"),
    "missing-file": (None, None, "cannot read"),
}


def malformed_spec(tmp_path: Path, case: str) -> tuple[Path, int | None, str]:
    text, line, fragment = MALFORMED[case]
    path = tmp_path / f"{case}.yaml"
    if text is not None:
        write_spec(path, text)
    return path, line, fragment


def check_rejected(result, path: Path, line: int | None, fragment: str) -> None:
    assert result.returncode == 2, result.output
    assert "tpsweep: error:" in result.stderr, result.output
    assert str(path) in result.stderr, result.output
    if line is not None:
        assert f"{path}:{line}:" in result.stderr, result.output
    assert fragment in result.stderr, result.output
    assert "signal" not in result.output.lower() and "Fatal error" not in result.output, result.output


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_spec_is_rejected_with_its_place(tmp_path, case):
    path, line, fragment = malformed_spec(tmp_path, case)
    out = tmp_path / "out"
    result = run(command(path, out), timeout=30)
    check_rejected(result, path, line, fragment)
    assert result.stdout == ""
    assert not out.exists(), "a rejected spec left an output folder"


@pytest.mark.parametrize("case", ["yaml-syntax-error", "rule-broken-by-a-trial", "missing-file"])
def test_malformed_spec_under_mpi_ends_every_rank(tmp_path, case, mpirun):
    path, line, fragment = malformed_spec(tmp_path, case)
    result = run(command(path, tmp_path / "out", np=2), timeout=60)   # raises if a worker hangs
    check_rejected(result, path, line, fragment)


# Test 7: failing trials ----------------------------------------------------------------------------

def failing_spec_text(missing: Path, *, failing_first: bool, seeds: int = 1) -> str:
    datasets = "[fashion-mnist, student-teacher]" if failing_first else "[student-teacher, fashion-mnist]"
    return f"""\
name: failing
base:
  epochs: 2
  loss: {{kind: mse}}
  data: {{dataset: student-teacher, dir: {missing}, teacher_widths: [6, 20, 2], teacher_train_size: 2000, teacher_test_size: 100, validation_size: 50}}
  model: {{hidden: [8, 8]}}
parameters:
  data.dataset: {{grid: {datasets}}}
  method: {{grid: [bp, drl]}}
seeds: {seeds}
"""


def test_failing_trials_are_recorded_and_the_sweep_goes_on(tmp_path, mpirun):
    missing = tmp_path / "no-such-fashion-mnist"
    spec = write_spec(tmp_path / "failing.yaml", failing_spec_text(missing, failing_first=True))
    out = tmp_path / "out"
    result = run_ok(command(spec, out, np=3))
    assert "2 completed, 0 pruned, 0 diverged, 2 failed" in result.stdout, result.stdout
    df = load_summary(out)
    trials = read_trials(out)
    assert len(df) == 4 and set(df.id) == set(trials)
    for _, row in df.iterrows():
        t = trials[row.id]
        assert t.attrs["status"] == row.status and t.attrs["message"] == row.message
        if row["data.dataset"] == "fashion-mnist":
            assert row.status == "failed" and row.epochs == 0, row
            assert str(missing) in row.message and "not found" in row.message, row.message
            assert f"trial {row.id} failed" in result.stdout
            assert all(len(c) == 0 for c in t.metrics.values()) and not t.snapshots
        else:
            assert row.status == "completed" and row.epochs == 2 and row.message == "", row


def test_fail_fast_stops_handing_out_trials(tmp_path, mpirun):
    missing = tmp_path / "no-such-fashion-mnist"
    spec = write_spec(tmp_path / "failing.yaml", failing_spec_text(missing, failing_first=True, seeds=3))
    planned = 2 * 2 * 3

    serial = run(command(spec, tmp_path / "serial", "--fail-fast"), timeout=60)
    assert serial.returncode == 1, serial.output
    df = load_summary(tmp_path / "serial")
    assert list(df.status) == ["failed"], df     # the first trial fails; nothing else starts

    mpi = run(command(spec, tmp_path / "mpi", "--fail-fast", np=3), timeout=60)
    assert mpi.returncode == 1, mpi.output
    df = load_summary(tmp_path / "mpi")
    assert "failed" in set(df.status) and len(df) < planned, df


@pytest.mark.parametrize("np_", [None, 3], ids=["serial", "mpi"])
def test_failed_trials_are_retried(tmp_path, np_, mpirun):
    missing = tmp_path / "no-such-fashion-mnist"
    spec = write_spec(tmp_path / "failing.yaml", failing_spec_text(missing, failing_first=False))
    out = tmp_path / "out"
    run_ok(command(spec, out, "--max-retries", "2", np=np_))
    df = load_summary(out)
    assert len(df) == 4
    assert list(df.attempts[df.status == "failed"]) == [3, 3]
    assert list(df.attempts[df.status == "completed"]) == [1, 1]


# Rank 0 failing mid-sweep ------------------------------------------------------------------------------

@pytest.mark.parametrize("np_", [None, 3], ids=["serial", "mpi"])
def test_store_error_mid_sweep_ends_the_job_with_its_message(tmp_path, np_, mpirun):
    """A trial rank 0 cannot store (here a directory squats its file name) ends the sweep with the
    store's error and exit code 2, under mpirun too: rank 0 must not wait in MPI_Finalize for
    workers that are still training or waiting for their next trial (that hung the job)."""
    spec = write_spec(tmp_path / "tiny.yaml", student_teacher_spec("blocked", seeds=2))
    planned = tmp_path / "planned"
    run_ok(command(spec, planned))
    blocked_id = load_summary(planned).set_index("index").id[2]

    out = tmp_path / "out"
    (out / "trials" / f"{blocked_id}.h5").mkdir(parents=True)
    result = run(command(spec, out, np=np_), timeout=30)    # raises if the job hangs
    assert result.returncode == 2, result.output
    assert "tpsweep: error: store error:" in result.stderr and blocked_id in result.stderr, result.output
    assert blocked_id not in trial_ids(out)

    # Once the obstacle is gone, the same command resumes and completes the sweep.
    (out / "trials" / f"{blocked_id}.h5").rmdir()
    run_ok(command(spec, out, np=np_))
    assert_same_results(read_trials(planned), read_trials(out))


def test_rerun_failed_runs_only_the_failed_trials_again(tmp_path):
    """After the cause of a failure is fixed, `--rerun-failed` replaces the failed trials' files and
    leaves the completed ones as they were."""
    missing = tmp_path / "fashion-mnist"
    text = failing_spec_text(missing, failing_first=True).replace(
        "validation_size: 50}", "validation_size: 50, train_subset: 300, test_subset: 100}")
    spec = write_spec(tmp_path / "failing.yaml", text)
    out = tmp_path / "out"
    run_ok(command(spec, out))
    before = load_summary(out).set_index("id")
    assert sorted(before.status) == ["completed", "completed", "failed", "failed"]

    missing.symlink_to("/usr/share/datasets/fashion-mnist")       # the cause is fixed
    result = run_ok(command(spec, out, "--rerun-failed"))
    assert "2 from before" in result.stdout, result.stdout
    after = load_summary(out).set_index("id")
    assert set(after.index) == set(before.index) and list(after.status) == ["completed"] * 4
    for id_, row in before.iterrows():
        if row.status == "completed":
            assert after.loc[id_, "started_at"] == row.started_at      # untouched
        else:
            assert after.loc[id_, "epochs"] == 2 and after.loc[id_, "started_at"] > row.started_at


# Diagnostics in the store ---------------------------------------------------------------------------

def test_requested_diagnostics_are_stored_per_layer_with_their_cost(tmp_path):
    """The `metrics` diagnostics of a trial land in its file (docs/hdf5-layout.md): one (epochs,
    layers) dataset each, the λ the search chose, and a per-epoch wall-time series per metric."""
    epochs, hidden, search = 2, (8, 8), [0.0, 1e-3, 1e-1]
    text = student_teacher_spec("diagnostics", methods=("dtp",), seeds=1, epochs=epochs, hidden=hidden,
                                batch_size=32).replace(
        "  tp: {epochs_fb: 1}\n",
        "  tp: {epochs_fb: 1}\n  metrics: {bp_angles: true, gnt_angles: true, gn_angles: true, null_space: true,"
        f" jacobian_matching: true, diagnostic_samples: 8, gn_damping_search: {search}}}\n")
    spec = write_spec(tmp_path / "diagnostics.yaml", text)
    out = tmp_path / "out"
    run_ok(command(spec, out))
    (trial,) = read_trials(out).values()
    assert trial.attrs["status"] == "completed"
    depth = len(hidden) + 1
    shapes = {"gnt_angle": depth - 1, "gnt_damping": depth - 1, "gn_angle": depth, "gn_damping": depth,
              "null_space_ratio": depth, "jacobian_matching": depth - 1}
    for name, layers in shapes.items():
        assert trial.layer_metrics[name].shape == (epochs, layers), name
        assert np.isfinite(trial.layer_metrics[name]).all(), name
    for name in ("gnt_angle", "gn_angle"):
        assert ((trial.layer_metrics[name] >= 0) & (trial.layer_metrics[name] <= 180)).all()
    # Measured once per epoch (the last batch), so the chosen λ is one of the candidates.
    assert set(np.unique(trial.layer_metrics["gn_damping"])) <= set(search)
    for name in ("bp_angle", "gnt_angle", "gn_angle", "null_space_ratio", "jacobian_matching"):
        seconds = trial.metrics[f"diagnostic_seconds_{name}"]
        assert seconds.shape == (epochs,) and (seconds > 0).all(), name
