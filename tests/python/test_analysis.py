"""The analysis package and the launch scripts, on real sweeps run by the release binary.

A session fixture runs a small Fashion-MNIST sweep under `mpirun -np 3`: bp, drl and ddtp-linear,
2 seeds, 3 epochs, BP angles on, best and final snapshots, and a log-uniform feedback learning rate
that applies only to the rules with feedback (two draws each: two configurations per TP rule). Every
check compares what the package returns with the trial files read directly with h5py, or with a
recomputation in pandas/numpy. The binary comes from TPSWEEP_BIN_DIR (scripts/test.sh sets it), else
`swift build -c release --show-bin-path`.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
try:
    import tpsweep_analysis  # noqa: F401
except ImportError:  # not installed (scripts/setup.sh installs it): use the checkout
    sys.path.insert(0, str(ROOT / "analysis"))

from tpsweep_analysis import Sweep, best_configurations, compare_feedback, export, load_snapshot  # noqa: E402
from tpsweep_analysis import cli, data, plots, snapshots, tables  # noqa: E402
from tpsweep_analysis.load import FIXED_COLUMNS  # noqa: E402

METHODS = ["bp", "drl", "ddtp-linear"]
HIDDEN = [32, 32, 32]
SEEDS = 2
EPOCHS = 3
SPEC = f"""
name: analysis-test
seed: 3
base:
  epochs: {EPOCHS}
  batch_size: 64
  data: {{train_subset: 3000, validation_size: 500, test_subset: 1000}}
  model: {{hidden: {HIDDEN}}}
  tp: {{epochs_fb: 1}}
  metrics: {{bp_angles: true}}
parameters:
  method: {{grid: {METHODS}}}
  fb_optimizer.lr: {{loguniform: [1.0e-5, 1.0e-3], when: {{method: [drl, ddtp-linear]}}}}
sampler: {{kind: random, samples: 2}}
seeds: {SEEDS}
snapshots: {{best: true, final: true}}
"""
TINY_SPEC = """
name: launch-test
base:
  epochs: 2
  batch_size: 32
  data: {dataset: student-teacher, teacher_widths: [6, 40, 2], teacher_train_size: 300,
         teacher_test_size: 100, validation_size: 50}
  model: {hidden: [6, 6]}
  loss: {kind: mse}
parameters:
  method: {grid: [bp, ddtp-linear]}
seeds: 1
"""


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1, where `1e-08` (no dot, as `tpsweep --print-config` writes it) is a string;
    YAML 1.2 (Yams, the engine's reader) takes it as a float. Read it as the engine does."""


Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789"))


def load_yaml(text):
    return yaml.load(text, Loader=Yaml12Loader)


def bin_dir() -> Path:
    override = os.environ.get("TPSWEEP_BIN_DIR")
    if override:
        return Path(override)
    subprocess.run(["swift", "build", "-c", "release", "--product", "tpsweep"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return Path(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout.strip())


@pytest.fixture(scope="session")
def tpsweep():
    path = bin_dir() / "tpsweep"
    assert path.is_file(), path
    return path


@pytest.fixture(scope="session")
def mpi_env():
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", SWIFT_BACKTRACE="enable=no", OMPI_MCA_pml="ob1")
    if os.getuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory, tpsweep, mpi_env):
    root = tmp_path_factory.mktemp("analysis")
    spec = root / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    out = root / "sweep"
    subprocess.run(["mpirun", "-np", "3", "--oversubscribe", str(tpsweep), "run", str(spec), "--out", str(out),
                    "--progress-interval", "0"], check=True, env=mpi_env, stdout=subprocess.DEVNULL)
    return out


@pytest.fixture(scope="session")
def sweep(sweep_dir):
    return Sweep(sweep_dir)


@pytest.fixture(scope="session")
def summary(sweep):
    return sweep.summary()


def trial_file(sweep_dir, trial_id):
    return h5py.File(sweep_dir / "trials" / f"{trial_id}.h5", "r")


def run_cli(*args, check=True):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "analysis"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "tpsweep_analysis", *map(str, args)], env=env, check=check,
                          capture_output=True, text=True)


# The summary frame.

def test_summary_has_one_row_per_trial_with_typed_columns(sweep, summary):
    # bp: one configuration (the feedback rate does not apply); drl, ddtp-linear: two each.
    assert len(summary) == SEEDS * (1 + 2 + 2) == sweep.trial_count == sweep.planned_count
    assert list(summary.columns[:len(FIXED_COLUMNS)]) == list(FIXED_COLUMNS)
    for column in ["method", "fb_optimizer.lr", "best_epoch", "best_validation_accuracy", "test_accuracy_at_best",
                   "test_error_at_best", "final_test_accuracy", "final_train_loss", "train_loss_at_best",
                   "validation_loss_at_best", "final_test_loss"]:
        assert column in summary.columns, column
    for column in ["index", "seed", "rank", "epochs", "attempts"]:
        assert summary[column].dtype == np.int64, column
    for column in ["id", "status", "host", "method"]:
        assert pd.api.types.is_string_dtype(summary[column]), column
        assert all(isinstance(v, str) for v in summary[column]), column
    for column in ["fb_optimizer.lr", "test_error_at_best", "final_train_loss", "best_validation_accuracy"]:
        assert summary[column].dtype == np.float64, column
    assert list(pd.unique(summary["method"])) == METHODS
    assert (summary["status"] == "completed").all()
    assert sorted(summary["seed"].unique()) == list(range(SEEDS))
    # The conditional parameter is absent (NaN) exactly where it does not apply.
    assert summary.loc[summary.method == "bp", "fb_optimizer.lr"].isna().all()
    rates = summary.loc[summary.method != "bp", "fb_optimizer.lr"]
    assert rates.between(1e-5, 1e-3).all()
    np.testing.assert_allclose(summary["test_error_at_best"], 100 * (1 - summary["test_accuracy_at_best"]))


def test_summary_values_match_the_trial_files(sweep_dir, summary):
    for row in summary.to_dict("records"):
        with trial_file(sweep_dir, row["id"]) as f:
            assert f.attrs["status"] == row["status"]
            assert f.attrs["seed"] == row["seed"]
            assert f.attrs["epochs"] == row["epochs"] == EPOCHS
            assert json.loads(f.attrs["config_json"])["method"] == row["method"]
            params = dict(f["parameters"].attrs)
            if "fb_optimizer.lr" in params:
                assert params["fb_optimizer.lr"] == row["fb_optimizer.lr"]
            for key, value in f["summary"].attrs.items():
                column = "summary_epochs" if key == "epochs" else key
                assert row[column] == pytest.approx(value, nan_ok=True), key
            best = int(f["summary"].attrs["best_epoch"])
            for metric in ["train_loss", "train_accuracy", "validation_loss", "test_loss"]:
                curve = f["metrics"][metric][()]
                assert row[f"final_{metric}"] == curve[-1]
                assert row[f"{metric}_at_best"] == curve[best - 1]
            # The summary's own at-best figures index the curves the same way (1-based epochs).
            assert f["metrics/test_accuracy"][best - 1] == row["test_accuracy_at_best"]


def test_method_defaults_follow_the_method_parameter(sweep):
    """A `method` grid brings each rule's [M20] hyperparameters (the M20 spec relies on it)."""
    by_method = {}
    for trial_id in sweep.trial_ids:
        config = sweep.config(trial_id)
        by_method.setdefault(config["method"], config)
    assert by_method["drl"]["tp"]["beta"] == 0.0866 and by_method["drl"]["tp"]["sigma"] == 0.0843
    assert by_method["ddtp-linear"]["tp"]["beta"] == 0.0173
    assert by_method["bp"]["optimizer"]["lr"] == 2.88e-4


# Curves.

def test_curves_are_tidy_and_match_the_files(sweep_dir, sweep, summary):
    curves = sweep.curves()
    assert list(curves.columns[:4]) == ["id", "method", "seed", "status"]
    assert {"metric", "epoch", "value"} <= set(curves.columns) and "fb_optimizer.lr" in curves.columns
    # The sweep measures BP angles, so their cost per epoch is a curve too.
    expected = {"train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "test_loss",
                "test_accuracy", "seconds", "diagnostic_seconds_bp_angle"}
    assert set(curves["metric"].unique()) == expected
    assert len(curves) == len(summary) * len(expected) * EPOCHS
    assert curves["epoch"].dtype == np.int64 and curves["value"].dtype == np.float64
    for trial_id in summary["id"]:
        with trial_file(sweep_dir, trial_id) as f:
            for metric in expected:
                part = curves[(curves.id == trial_id) & (curves.metric == metric)].sort_values("epoch")
                assert list(part["epoch"]) == list(range(1, EPOCHS + 1))
                np.testing.assert_array_equal(part["value"].to_numpy(), f["metrics"][metric][()])
    only = sweep.curves("validation_accuracy")
    assert set(only["metric"]) == {"validation_accuracy"} and len(only) == len(summary) * EPOCHS


def test_layer_curves_bp_angles_and_reconstruction(sweep_dir, sweep, summary):
    layers = sweep.layer_curves()
    assert {"metric", "epoch", "layer", "value"} <= set(layers.columns)
    depth = len(HIDDEN) + 1
    angles = layers[layers.metric == "bp_angle"]
    assert set(angles["id"]) == set(summary["id"]), "every run logged BP angles"
    assert sorted(angles["layer"].unique()) == list(range(1, depth + 1))
    assert np.allclose(angles.loc[angles.method == "bp", "value"], 0, atol=1e-6), "bp is its own gradient"
    tp_angles = angles[(angles.method != "bp") & (angles.layer < depth)]["value"]
    assert tp_angles.between(1, 180).all()
    recon = layers[layers.metric == "reconstruction_loss"]
    assert set(recon["method"]) == {"drl", "ddtp-linear"}, "only rules with trained feedback reconstruct"
    assert sorted(recon["layer"].unique()) == list(range(1, depth))
    trial_id = summary.loc[summary.method == "drl", "id"].iloc[0]
    with trial_file(sweep_dir, trial_id) as f:
        stored = f["layer_metrics/reconstruction_loss"][()]
    part = recon[recon.id == trial_id].sort_values(["epoch", "layer"])
    np.testing.assert_array_equal(part["value"].to_numpy().reshape(stored.shape), stored)


# The paper protocol.

def expected_choice(summary):
    """Each method's best configuration, recomputed: best mean validation accuracy over seeds."""
    df = summary.assign(config=summary["fb_optimizer.lr"].fillna(-1.0))
    means = df.groupby(["method", "config"])["best_validation_accuracy"].mean().reset_index()
    best = means.loc[means.groupby("method")["best_validation_accuracy"].idxmax()]
    return {r.method: r.config for r in best.itertuples()}


def test_paper_table_is_mean_and_std_over_seeds_of_the_best_configuration(sweep, summary):
    table = tables.paper_table(sweep)
    assert list(table["method"]) == METHODS
    choice = expected_choice(summary)
    for row in table.itertuples():
        trials = summary[(summary.method == row.method)
                         & (summary["fb_optimizer.lr"].fillna(-1.0) == choice[row.method])]
        assert len(trials) == SEEDS == row.n
        assert row.mean == pytest.approx(trials["test_error_at_best"].mean())
        assert row.std == pytest.approx(trials["test_error_at_best"].std(ddof=1))
        assert row.best_epoch_mean == pytest.approx(trials["best_epoch"].mean())
    markdown = tables.markdown(table)
    latex = tables.latex(table)
    assert markdown.splitlines()[0].startswith("| Method | Test error [%] | Seeds |")
    for row in table.itertuples():
        assert f"`{row.method}` | {row.mean:.2f} ± {row.std:.2f} | {SEEDS} |" in markdown
        assert f"{row.method} & ${row.mean:.2f} \\pm {row.std:.2f}$ & {SEEDS} \\\\" in latex
    assert latex.startswith("\\begin{tabular}") and "\\toprule" in latex and latex.rstrip().endswith("\\end{tabular}")


# Plots.

def assert_png(path, coloured=0.005, min_bytes=15_000):
    """A real PNG of some size, with `coloured` of its pixels in colour: data, not just axes and text
    (empty axes have none; the curves and bands of these plots cover over 1 %)."""
    path = Path(path)
    assert path.is_file() and path.stat().st_size > min_bytes, path
    image = mpimg.imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 300
    rgb = image[..., :3]
    assert rgb.std() > 0.05, f"{path} looks blank"
    saturation = rgb.max(axis=-1) - rgb.min(axis=-1)
    assert (saturation > 0.25).mean() > coloured, f"{path}: no data drawn"


def test_plots_are_written_with_content(sweep, tmp_path):
    for name, draw in [("curves", plots.learning_curves), ("angles", plots.bp_angles),
                       ("recon", plots.reconstruction_loss), ("sensitivity", plots.sensitivity)]:
        path = draw(sweep, tmp_path / f"{name}.png")
        assert path == tmp_path / f"{name}.png"
        assert_png(path, coloured=0.0005 if name == "sensitivity" else 0.005)
    assert plots.log_scaled_parameters(sweep) == {"fb_optimizer.lr"}
    assert set(sweep.swept_columns) == {"method", "fb_optimizer.lr"}


def test_plots_without_data_write_nothing(sweep_dir, tmp_path):
    # A copy of the sweep holding only the bp trials: no reconstruction loss to plot.
    copy = tmp_path / "bp-only"
    shutil.copytree(sweep_dir, copy)
    with h5py.File(copy / "sweep.h5", "a") as f:
        table = f["summary"][()]
        keep = table[[m == b"bp" for m in table["method"]]]
        del f["summary"]
        f.create_dataset("summary", data=keep)
    assert plots.reconstruction_loss(Sweep(copy), tmp_path / "r.png") is None
    assert not (tmp_path / "r.png").exists()
    assert plots.bp_angles(Sweep(copy), tmp_path / "a.png") is not None


# Best configurations as run configs.

def test_best_config_is_accepted_by_tpsweep_train(sweep, summary, tpsweep, tmp_path):
    written = export.export_best_configs(sweep, tmp_path)
    assert set(written) == set(METHODS)
    chosen = best_configurations(sweep).set_index("method")
    choice = expected_choice(summary)
    for method, path in written.items():
        trial_id = chosen.loc[method, "best_trial"]
        row = summary.set_index("id").loc[trial_id]
        assert row["method"] == method
        if method != "bp":
            assert row["fb_optimizer.lr"] == choice[method]
        result = subprocess.run([str(tpsweep), "train", "--config", str(path), "--print-config"],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        resolved = load_yaml(result.stdout)
        assert resolved == load_yaml(path.read_text()), "the file already holds every key"
        stored = sweep.config(trial_id)
        assert resolved["method"] == method and resolved["seed"] == row["seed"]
        for section, values in stored.items():
            if isinstance(values, dict):
                for key, value in values.items():
                    assert resolved[section][key] == pytest.approx(value), f"{section}.{key}"
            else:
                assert resolved[section] == values, section
        params = sweep.parameters(trial_id)
        if "fb_optimizer.lr" in params:
            assert resolved["fb_optimizer"]["lr"] == params["fb_optimizer.lr"]


# Snapshots and the Jacobian comparison.

def test_snapshots_load_as_arrays_of_the_network(sweep, summary):
    widths = [784] + HIDDEN + [10]
    L = len(widths) - 1
    for row in summary.itertuples():
        listed = snapshots.list_snapshots(sweep, row.id)
        tags = [t for ts in listed["tags"] for t in ts]
        assert "best" in tags and "final" in tags
        best = load_snapshot(sweep, row.id, "best")
        assert best.epoch == row.best_epoch and "best" in best.tags
        final = load_snapshot(sweep, row.id, "final")
        assert final.epoch == EPOCHS
        for k in range(1, L + 1):
            assert final.weight(k).shape == (widths[k], widths[k - 1])
            assert final.weight(k).dtype == np.float32
            assert final.bias(k).shape == (widths[k],)
        if row.method == "bp":
            assert final.feedback == {}
        elif row.method == "drl":
            assert final.feedback_indices == list(range(2, L + 1))
            for k in final.feedback_indices:
                assert final.feedback_weight(k).shape == (widths[k - 1], widths[k])
        else:
            assert final.feedback_indices == list(range(1, L))
            for o in final.feedback_indices:
                assert final.feedback_weight(o).shape == (widths[o], widths[L])
        # The numpy network reproduces the engine's test accuracy on the same test images.
        x, labels = data.load_images(final.config, "t10k")
        assert len(x) == 1000
        assert snapshots.accuracy(final, x, labels) == pytest.approx(row.final_test_accuracy, abs=2e-3)


def test_jacobians_against_finite_differences(sweep, summary):
    trial_id = summary.loc[summary.method == "ddtp-linear", "id"].iloc[0]
    snap = load_snapshot(sweep, trial_id, "final")
    x = np.random.default_rng(0).uniform(0, 1, (3, 784))
    a, h = snapshots.forward(snap, x)
    o, eps = 2, 1e-6
    J = snapshots.output_jacobians(snap, o, x)
    assert J.shape == (3, 10, HIDDEN[o - 1])

    def output_from(level_activation):
        hk = level_activation
        for k in range(o + 1, snap.depth + 1):
            pre = hk @ snap.weight(k).astype(float).T + snap.bias(k)
            hk = pre if k == snap.depth else np.tanh(pre)
        return hk

    numeric = np.stack([(output_from(h[o] + eps * e) - output_from(h[o] - eps * e)) / (2 * eps)
                        for e in np.eye(h[o].shape[1])], axis=-1)
    np.testing.assert_allclose(J, numeric, rtol=1e-5, atol=1e-7)


def test_feedback_comparison_is_zero_for_the_ideal_feedback(sweep, summary):
    x, _ = data.load_images(sweep.config(summary.id[0]), "t10k", 64)
    # Direct feedback set to its reference: the damped pseudo-inverse of ∂a_L/∂h_o.
    snap = load_snapshot(sweep, summary.loc[summary.method == "ddtp-linear", "id"].iloc[0], "final")
    real = compare_feedback(snap)
    assert list(real["tensor"]) == ["feedback1.weight", "feedback2.weight", "feedback3.weight"]
    assert (real["kind"] == "direct").all() and np.isfinite(real[["rel_error", "angle_reference"]]).all().all()
    for o in snap.feedback_indices:
        J = snapshots.output_jacobians(snap, o)[0]
        assert np.allclose(J, np.linalg.multi_dot([snap.weight(k).astype(float) for k in range(snap.depth, o, -1)])
                           if snap.depth - o > 1 else snap.weight(snap.depth))
        snap.feedback[f"feedback{o}.weight"] = np.linalg.pinv(J)
    ideal = compare_feedback(snap)
    assert (ideal["rel_error"] < 1e-10).all() and (ideal["angle_reference"] < 1e-4).all()
    for o in snap.feedback_indices:
        snap.feedback[f"feedback{o}.weight"] = snapshots.direct_reference(snapshots.output_jacobians(snap, o, x))
    assert (compare_feedback(snap, x)["rel_error"] < 1e-10).all()
    # Layer-to-layer feedback: Q_k = pinv(W_k) (the linear part), and G_k = pinv(J_k) per input.
    snap = load_snapshot(sweep, summary.loc[summary.method == "drl", "id"].iloc[0], "final")
    real = compare_feedback(snap, x)
    assert list(real["level"]) == [1, 2, 3] and (real["samples"] == 64).all()
    assert real["angle_transpose"].between(0, 180).all()
    for k in snap.feedback_indices:
        snap.feedback[f"feedback{k}.weight"] = np.linalg.pinv(snap.weight(k).astype(float))
    assert (compare_feedback(snap)["rel_error"] < 1e-10).all()
    assert compare_feedback(load_snapshot(sweep, summary.id[0], "final")).empty  # bp


# The report and the command line.

def test_report_writes_tables_plots_configs_and_an_index(sweep_dir, tmp_path):
    out = tmp_path / "report"
    result = run_cli("report", sweep_dir, "--out", out)
    assert "index.html" in result.stdout
    page = (out / "index.html").read_text()
    for name in ["learning_curves.png", "bp_angles.png", "reconstruction_loss.png", "sensitivity.png"]:
        assert_png(out / name, coloured=0.0005 if name == "sensitivity.png" else 0.005)
        assert name in page and name in (out / "index.md").read_text()
    for method in METHODS:
        assert (out / "configs" / f"{method}.yaml").is_file() and f"configs/{method}.yaml" in page
    assert (out / "results.md").read_text() == tables.markdown(tables.paper_table(Sweep(sweep_dir)))
    assert "\\begin{tabular}" in (out / "results.tex").read_text()
    assert len(pd.read_csv(out / "summary.csv")) == SEEDS * 5


def test_cli_commands(sweep_dir, summary, tmp_path, capsys):
    def run(*args):
        code = cli.main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, latex, _ = run("table", sweep_dir, "--format", "latex")
    assert code == 0 and "\\pm" in latex and "ddtp-linear" in latex
    assert run("summary", sweep_dir, "--csv", tmp_path / "s.csv")[0] == 0
    assert list(pd.read_csv(tmp_path / "s.csv")["id"]) == list(summary["id"])
    run("curves", sweep_dir, "--layers", "--metric", "bp_angle", "--csv", tmp_path / "c.csv")
    assert set(pd.read_csv(tmp_path / "c.csv")["metric"]) == {"bp_angle"}
    assert run("plot", sweep_dir, "bp-angles", "--out", tmp_path / "a.png")[0] == 0
    assert_png(tmp_path / "a.png")
    trial_id = summary.loc[summary.method == "ddtp-linear", "id"].iloc[0]
    code, shown, _ = run("snapshot", sweep_dir, trial_id, "--epoch", "final", "--compare", "--npz", tmp_path / "w.npz")
    assert code == 0 and "feedback1.weight" in shown and "rel_error" in shown
    with np.load(tmp_path / "w.npz") as arrays:
        assert arrays["forward/layer1.weight"].shape == (HIDDEN[0], 784)
    code, best, _ = run("best-config", sweep_dir, "--method", "drl")
    assert code == 0 and load_yaml(best)["method"] == "drl"
    code, _, err = run("summary", tmp_path / "nowhere")
    assert code == 2 and "no sweep index" in err
    code, _, err = run("snapshot", sweep_dir, trial_id, "--epoch", "99")
    assert code == 2 and "no snapshot of epoch 99" in err
    pyproject = (ROOT / "analysis" / "pyproject.toml").read_text()
    assert 'tpsweep-analysis = "tpsweep_analysis.cli:main"' in pyproject
    if shutil.which("tpsweep-analysis"):  # installed by scripts/setup.sh
        assert "report" in subprocess.run(["tpsweep-analysis", "--help"], capture_output=True, text=True).stdout


# Specs and launch scripts.

def test_job_specs_plan(tpsweep):
    for spec in sorted((ROOT / "jobs").glob("*.yaml")):
        result = subprocess.run([str(tpsweep), "plan", str(spec)], capture_output=True, text=True)
        assert result.returncode == 0, f"{spec.name}: {result.stderr}"
    m20 = yaml.safe_load((ROOT / "jobs" / "m20-fashion-mnist.yaml").read_text())
    assert m20["base"]["epochs"] == 100 and m20["seeds"] == 10
    assert m20["parameters"]["method"]["grid"] == ["bp", "dtp", "drl", "ddtp-linear", "ddtp-control", "dfa"]
    assert set(m20["parameters"]) == {"method"}, "every other hyperparameter is the method's default"
    search = yaml.safe_load((ROOT / "jobs" / "ddtp-linear-search.yaml").read_text())
    assert search["base"]["method"] == "ddtp-linear"
    assert search["sampler"]["kind"] == "sobol" and search["scheduler"]["kind"] == "asha"
    study = yaml.safe_load((ROOT / "jobs" / "student-teacher-alignment.yaml").read_text())
    assert study["base"]["data"]["dataset"] == "student-teacher" and study["base"]["metrics"]["bp_angles"]
    plan = subprocess.run([str(tpsweep), "plan", str(ROOT / "jobs" / "m20-fashion-mnist.yaml")],
                          capture_output=True, text=True).stdout
    assert "60 trials" in plan


SCRIPTS = ["local.sh", "slurm.sbatch", "pbs.sh"]


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed (scripts/setup.sh installs it)")
def test_launch_scripts_pass_shellcheck():
    result = subprocess.run(["shellcheck", "--shell=bash", *[str(ROOT / "jobs" / s) for s in SCRIPTS]],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.fixture
def tiny_spec(tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_SPEC, encoding="utf-8")
    return spec


def assert_complete(out, trials=2):
    with h5py.File(out / "sweep.h5", "r") as f:
        assert f.attrs["trial_count"] == trials == f.attrs["planned_count"]
    assert len(list((out / "trials").glob("*.h5"))) == trials


def test_local_script_runs_and_resumes(tiny_spec, tpsweep, mpi_env, tmp_path):
    out = tmp_path / "out"
    env = dict(mpi_env, TPSWEEP_BIN=str(tpsweep))
    first = subprocess.run(["bash", str(ROOT / "jobs" / "local.sh"), str(tiny_spec), str(out), "3"], env=env,
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert_complete(out)
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "trials").glob("*.h5")}
    again = subprocess.run(["bash", str(ROOT / "jobs" / "local.sh")], capture_output=True, text=True,
                           env=dict(env, TPSWEEP_SPEC=str(tiny_spec), TPSWEEP_OUT=str(out), TPSWEEP_RANKS="2"))
    assert again.returncode == 0, again.stderr
    assert "2 from before" in again.stdout, "the rerun resumes instead of training again"
    assert {p.name: p.stat().st_mtime_ns for p in (out / "trials").glob("*.h5")} == stamps
    usage = subprocess.run(["bash", str(ROOT / "jobs" / "local.sh")], env=env, capture_output=True, text=True)
    assert usage.returncode == 2 and "usage" in usage.stderr


@pytest.mark.parametrize("cpus", [None, "2"], ids=["one-cpu-per-task", "two-cpus-per-task"])
def test_slurm_script_runs_under_srun(tiny_spec, tpsweep, mpi_env, tmp_path, cpus):
    """sbatch's environment (SLURM_NTASKS, SLURM_SUBMIT_DIR, SLURM_CPUS_PER_TASK when given) and an
    `srun` stand-in that records its options and environment, then runs the command under mpirun
    with that many ranks. Each rank gets one BLAS thread per CPU of its task, whatever the
    submitting shell had."""
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "srun").write_text(
        "#!/usr/bin/env bash\n"
        '{ echo "$*"; echo "threads=$OPENBLAS_NUM_THREADS/$OMP_NUM_THREADS"; } > "$SRUN_LOG"\n'
        'while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done\n'
        'exec mpirun -np "$SLURM_NTASKS" --oversubscribe "$@"\n')
    (stub / "srun").chmod(0o755)
    (tmp_path / "jobs").mkdir()
    shutil.copy(tiny_spec, tmp_path / "jobs" / "tiny.yaml")
    log = tmp_path / "srun.log"
    env = dict(mpi_env, PATH=f"{stub}{os.pathsep}{mpi_env['PATH']}", SRUN_LOG=str(log), SLURM_NTASKS="3",
               SLURM_SUBMIT_DIR=str(tmp_path), SLURM_JOB_ID="42", TPSWEEP_BIN=str(tpsweep),
               OPENBLAS_NUM_THREADS="8", OMP_NUM_THREADS="8", **({"SLURM_CPUS_PER_TASK": cpus} if cpus else {}))
    # Run from elsewhere, as Slurm runs a spooled copy: paths resolve against SLURM_SUBMIT_DIR.
    result = subprocess.run(["bash", str(ROOT / "jobs" / "slurm.sbatch"), "jobs/tiny.yaml", "results/tiny"],
                            env=env, cwd="/", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert_complete(tmp_path / "results" / "tiny")
    args, threads = log.read_text().splitlines()
    n = cpus or "1"
    assert args.startswith(f"--export=ALL --ntasks=3 --cpus-per-task={n} ")
    assert args.endswith(f"run jobs/tiny.yaml --out results/tiny --blas-threads {n}")
    assert threads == f"threads={n}/{n}"


def test_pbs_script_runs_on_its_nodefile(tiny_spec, tpsweep, mpi_env, tmp_path):
    nodefile = tmp_path / "nodes"
    nodefile.write_text("localhost\n" * 3)
    env = dict(mpi_env, PBS_NODEFILE=str(nodefile), PBS_O_WORKDIR=str(tmp_path), PBS_JOBID="7.pbs",
               TPSWEEP_SPEC=str(tiny_spec), TPSWEEP_OUT="out", TPSWEEP_BIN=str(tpsweep))
    result = subprocess.run(["bash", str(ROOT / "jobs" / "pbs.sh")], env=env, cwd="/", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "3 ranks" in result.stdout
    assert_complete(tmp_path / "out")
