"""Figures of a sweep, written as PNG (matplotlib, Agg backend, no display needed).

Curves show each method's best configuration (select.py): the mean over its seeds per epoch with a
band of ± one standard deviation (over the seeds that reached that epoch). Every function writes
`path` and returns it, or returns None without writing when the sweep has no data for the figure
(no `bp_angle` unless a run set `metrics.bp_angles: true`; no `reconstruction_loss` for rules
without trained feedback; no sensitivity plot without a swept parameter).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FormatStrFormatter, MaxNLocator  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .load import Sweep, open_sweep  # noqa: E402
from .select import best_configuration_trials, is_classification, selection_metric  # noqa: E402

DPI = 110


def _colors(methods: Sequence[str]) -> dict:
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return {m: cycle[i % len(cycle)] for i, m in enumerate(methods)}


def _band(ax, frame: pd.DataFrame, x: str, label: str, color, transform=None):
    """Mean ± std of `value` over rows sharing `x`."""
    stats = frame.groupby(x)["value"].agg(["mean", "std", "count"]).sort_index()
    mean, std = stats["mean"].to_numpy(), stats["std"].fillna(0).to_numpy()
    xs = stats.index.to_numpy()
    lo, hi = mean - std, mean + std
    if transform is not None:
        mean, lo, hi = transform(mean), transform(lo), transform(hi)
        lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    ax.plot(xs, mean, color=color, label=label, lw=1.6)
    ax.fill_between(xs, lo, hi, color=color, alpha=0.2, lw=0)


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def _epoch_axis(ax):
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _log_y(ax):
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    ax.tick_params(axis="y", which="minor", labelsize=7)


def _grid(n: int, width: float = 4.2, height: float = 3.2):
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False, layout="constrained")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()[:n]


def learning_curves(sweep, path, metrics: Optional[Sequence[str]] = None) -> Optional[Path]:
    """One panel per metric (default: training loss, validation and test error for
    classification; training, validation and test loss for regression), one line per method."""
    sweep = open_sweep(sweep)
    df = sweep.summary()
    if metrics is None:
        metrics = (["train_loss", "validation_accuracy", "test_accuracy"] if is_classification(df)
                   else ["train_loss", "validation_loss", "test_loss"])
    chosen = best_configuration_trials(sweep, df)
    curves = sweep.curves(metrics)
    curves = curves[curves["id"].isin(chosen["id"])]
    if curves.empty:
        return None
    methods = list(pd.unique(chosen["method"]))
    colors = _colors(methods)
    fig, axes = _grid(len(metrics))
    for ax, metric in zip(axes, metrics):
        accuracy = metric.endswith("accuracy")
        for method in methods:
            part = curves[(curves["metric"] == metric) & (curves["method"] == method)]
            if part.empty:
                continue
            n = part["id"].nunique()
            _band(ax, part, "epoch", f"{method} (n={n})", colors[method],
                  transform=(lambda v: 100 * (1 - v)) if accuracy else None)
        _epoch_axis(ax)
        ax.set_ylabel(metric.replace("_accuracy", " error [%]") if accuracy else metric.replace("_", " "))
        if metric.endswith("loss") and (curves.loc[curves["metric"] == metric, "value"] > 0).all():
            _log_y(ax)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{sweep.name}: learning curves (best configuration per method, mean ± std over seeds)",
                 fontsize=10)
    return _save(fig, path)


def _per_layer(sweep: Sweep, path, metric: str, ylabel: str, log: bool, title: str, unit: str) -> Optional[Path]:
    df = sweep.summary()
    chosen = best_configuration_trials(sweep, df)
    curves = sweep.layer_curves(metric)
    curves = curves[curves["id"].isin(chosen["id"])]
    curves = curves[np.isfinite(curves["value"])]
    if curves.empty:
        return None
    methods = [m for m in pd.unique(chosen["method"]) if (curves["method"] == m).any()]
    fig, axes = _grid(len(methods))
    for ax, method in zip(axes, methods):
        part = curves[curves["method"] == method]
        layers = sorted(part["layer"].unique())
        cmap = plt.get_cmap("viridis")
        for i, layer in enumerate(layers):
            color = cmap(i / max(1, len(layers) - 1))
            _band(ax, part[part["layer"] == layer], "epoch", f"{unit} {layer}", color)
        ax.set_title(f"{method} (n={part['id'].nunique()})", fontsize=9)
        _epoch_axis(ax)
        ax.set_ylabel(ylabel)
        if log and (part["value"] > 0).all():
            _log_y(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"{sweep.name}: {title}", fontsize=10)
    return _save(fig, path)


def bp_angles(sweep, path) -> Optional[Path]:
    """Per-layer angle between each method's update and the BP gradient over training (degrees);
    one panel per method, one line per layer."""
    return _per_layer(open_sweep(sweep), path, "bp_angle", "angle with BP gradient [°]", False,
                      "per-layer alignment with backprop (mean ± std over seeds)", "layer")


def reconstruction_loss(sweep, path) -> Optional[Path]:
    """Per-layer feedback reconstruction loss over training, log scale; methods with trained
    feedback only."""
    return _per_layer(open_sweep(sweep), path, "reconstruction_loss", "reconstruction loss", True,
                      "feedback reconstruction loss per hidden level (mean ± std over seeds)", "level")


def log_scaled_parameters(sweep) -> set:
    """Parameter columns whose search space is logarithmic: a `loguniform` distribution in the spec,
    or a grid/choice of positive numbers spanning at least two decades."""
    sweep = open_sweep(sweep)
    space = sweep.spec.get("parameters") or {}
    log = set()
    for key, column in sweep.parameter_columns.items():
        entry = space.get(key)
        if not isinstance(entry, dict):
            continue
        if "loguniform" in entry:
            log.add(column)
            continue
        values = entry.get("grid", entry.get("choice"))
        if isinstance(values, list) and values and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                        and v > 0 for v in values):
            if max(values) / min(values) >= 100:
                log.add(column)
    return log


def sensitivity(sweep, path, metric: Optional[str] = None) -> Optional[Path]:
    """The selection metric (default: best validation accuracy, or loss) of every trial against
    each swept parameter, coloured by method; log axes where the space is log, categories for
    string and boolean parameters."""
    sweep = open_sweep(sweep)
    df = sweep.summary()
    metric = metric or selection_metric(df).column
    swept = sweep.swept_columns
    if not swept or metric not in df:
        return None
    methods = list(pd.unique(df["method"]))
    colors = _colors(methods)
    log = log_scaled_parameters(sweep)
    rng = np.random.default_rng(0)
    fig, axes = _grid(len(swept))
    for ax, column in zip(axes, swept):
        values = df[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        categories = None if numeric else [c for c in pd.unique(values.dropna())]
        for method in methods:
            rows = df[(df["method"] == method) & values.notna()]
            if rows.empty:
                continue
            y = rows[metric].to_numpy(dtype=float)
            if numeric:
                x = rows[column].to_numpy(dtype=float)
            else:
                x = np.array([categories.index(v) for v in rows[column]], dtype=float)
                x += rng.uniform(-0.15, 0.15, len(x))
            ax.scatter(x, y, s=18, alpha=0.75, color=colors[method], label=method)
        if numeric and column in log:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(range(len(categories)))
            ax.set_xticklabels([str(c) for c in categories], rotation=30, ha="right", fontsize=8)
        ax.set_xlabel(column + (" (log)" if column in log else ""))
        ax.set_ylabel(metric.replace("_", " "))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{sweep.name}: sensitivity of {metric} to each swept parameter (one point per trial)",
                 fontsize=10)
    return _save(fig, path)
