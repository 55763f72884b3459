"""Model selection across a sweep: which metric decides, and the best configuration of each method.

A *configuration* is one set of parameter values (every parameter column but the seed); its trials
are its seeds. The best configuration of a method is the one with the best mean of the selection
metric over its seeds — the validation metric, never the test one [M20]: `best_validation_accuracy`
(higher is better) for classification, `best_validation_loss` (lower) for regression. Only trials
with a finite value of the metric count, so failed trials (no epoch) drop out, while pruned and
diverged trials count with the best epoch they reached. Ties keep the configuration planned first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from .load import Sweep


@dataclass(frozen=True)
class Metric:
    column: str
    label: str
    higher_is_better: bool


def is_classification(df: pd.DataFrame) -> bool:
    return "best_validation_accuracy" in df and bool(np.isfinite(df["best_validation_accuracy"]).any())


def selection_metric(df: pd.DataFrame) -> Metric:
    """What picks the best epoch and configuration: validation accuracy, or loss for regression."""
    if is_classification(df):
        return Metric("best_validation_accuracy", "best validation accuracy", True)
    return Metric("best_validation_loss", "best validation loss", False)


def headline_metric(df: pd.DataFrame) -> Metric:
    """The paper's figure [M20]: test error (%) at the epoch of best validation accuracy; for
    regression the test loss at the epoch of lowest validation loss."""
    if is_classification(df):
        return Metric("test_error_at_best", "test error [%]", False)
    return Metric("test_loss_at_best", "test loss", False)


def _format_value(value) -> Optional[str]:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return str(value)


def config_labels(df: pd.DataFrame, parameter_columns) -> pd.Series:
    """A text label of each row's configuration: `key=value` for every parameter present (seed
    excluded; `method` first)."""
    columns = [c for c in parameter_columns if c in df.columns and c != "method"]
    rows = []
    for _, row in df.iterrows():
        parts = [f"{c}={v}" for c in columns if (v := _format_value(row[c])) is not None]
        rows.append(", ".join(parts))
    return pd.Series(rows, index=df.index, dtype=object)


def best_configurations(sweep: Sweep, df: Optional[pd.DataFrame] = None,
                        metric: Optional[Metric] = None) -> pd.DataFrame:
    """One row per method (in the order methods first appear in the plan): `method`, `config`
    (label), `selection_mean` and `selection_n` (mean and count of the selection metric over the
    configuration's seeds), `trial_ids` (the configuration's trials in plan order) and `best_trial`
    (its trial with the best selection value)."""
    df = sweep.summary() if df is None else df
    metric = metric or selection_metric(df)
    columns = ["method", "config", "selection_metric", "selection_mean", "selection_n", "trial_ids", "best_trial"]
    if df.empty or metric.column not in df:
        return pd.DataFrame(columns=columns)
    df = df.assign(_config=config_labels(df, sweep.parameter_column_names)).sort_values(["index", "id"])
    rows = []
    for method in pd.unique(df["method"]):
        trials = df[df["method"] == method]
        best = None
        for config in pd.unique(trials["_config"]):
            group = trials[trials["_config"] == config]
            values = group[metric.column].to_numpy(dtype=float)
            finite = np.isfinite(values)
            if not finite.any():
                continue
            mean = float(values[finite].mean())
            if best is None or (mean > best[1] if metric.higher_is_better else mean < best[1]):
                best = (config, mean, int(finite.sum()), group)
        if best is None:
            continue
        config, mean, n, group = best
        ranked = group[np.isfinite(group[metric.column].to_numpy(dtype=float))]
        ranked = ranked.sort_values(metric.column, ascending=not metric.higher_is_better, kind="stable")
        rows.append({"method": method, "config": config, "selection_metric": metric.column,
                     "selection_mean": mean, "selection_n": n, "trial_ids": list(group["id"]),
                     "best_trial": ranked["id"].iloc[0]})
    return pd.DataFrame(rows, columns=columns)


def best_configuration_trials(sweep: Sweep, df: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """The summary rows of every method's best configuration (all its seeds)."""
    df = sweep.summary() if df is None else df
    chosen = best_configurations(sweep, df)
    ids = [i for ids in chosen["trial_ids"] for i in ids]
    return df[df["id"].isin(ids)].reset_index(drop=True)
