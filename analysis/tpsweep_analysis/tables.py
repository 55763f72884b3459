"""The paper protocol [M20] as a table: for each method, its best configuration (select.py), and
over that configuration's seeds the test error at the epoch of best validation accuracy, mean ±
sample standard deviation (ddof = 1; no spread with a single seed).

`paper_table(sweep)` gives the numbers as a DataFrame; `markdown(table)` and `latex(table)` render
it (no extra dependency: pandas' own renderers need tabulate / jinja2).
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np
import pandas as pd

from .load import open_sweep
from .select import best_configurations, headline_metric

COLUMNS = ["method", "metric", "mean", "std", "n", "best_epoch_mean", "selection_metric",
           "selection_mean", "config"]


def paper_table(sweep, metric: Optional[str] = None) -> pd.DataFrame:
    """One row per method: `mean`, `std` and `n` of the headline metric (default
    `test_error_at_best`, percent; `test_loss_at_best` for regression) over the seeds of the
    method's best configuration, the mean best epoch, the selection metric's mean and the
    configuration's label."""
    sweep = open_sweep(sweep)
    df = sweep.summary()
    column = metric or headline_metric(df).column
    rows = []
    for chosen in best_configurations(sweep, df).itertuples():
        trials = df[df["id"].isin(chosen.trial_ids)]
        values = trials[column].to_numpy(dtype=float)
        finite = np.isfinite(values)
        values = values[finite]
        epochs = trials["best_epoch"].to_numpy(dtype=float)[finite] if "best_epoch" in trials else []
        rows.append({
            "method": chosen.method, "metric": column,
            "mean": float(values.mean()) if len(values) else math.nan,
            "std": float(values.std(ddof=1)) if len(values) > 1 else math.nan,
            "n": int(len(values)),
            "best_epoch_mean": float(np.mean(epochs)) if len(epochs) else math.nan,
            "selection_metric": chosen.selection_metric, "selection_mean": chosen.selection_mean,
            "config": chosen.config,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def metric_label(column: str) -> str:
    return {"test_error_at_best": "Test error [%]", "test_loss_at_best": "Test loss",
            "test_accuracy_at_best": "Test accuracy"}.get(column, column.replace("_", " "))


def describe(column: str) -> str:
    """One sentence on what the table's figure is."""
    what = {"test_error_at_best": "the test error (%) at the epoch of best validation accuracy",
            "test_loss_at_best": "the test loss at the epoch of lowest validation loss"}.get(column, column)
    return (f"Per method, its best configuration by mean validation metric over seeds; the figure is {what}, "
            "mean ± std over the seeds.")


def _number(x: float, column: str) -> str:
    if not math.isfinite(x):
        return "–"
    return f"{x:.2f}" if column == "test_error_at_best" else f"{x:.4g}"


def format_mean_std(mean: float, std: float, column: str, pm: str = " ± ") -> str:
    if not math.isfinite(mean):
        return "–"
    return _number(mean, column) + (pm + _number(std, column) if math.isfinite(std) else "")


def markdown(table: pd.DataFrame, with_config: bool = True) -> str:
    """The table as GitHub Markdown: method, mean ± std, seeds, mean best epoch (and config)."""
    column = table["metric"].iloc[0] if len(table) else "test_error_at_best"
    header = ["Method", metric_label(column), "Seeds", "Best epoch"] + (["Configuration"] if with_config else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * 3 + (["---"] if with_config else [])) + "|"]
    for row in table.itertuples():
        cells = [f"`{row.method}`", format_mean_std(row.mean, row.std, column), str(row.n),
                 f"{row.best_epoch_mean:.1f}" if math.isfinite(row.best_epoch_mean) else "–"]
        if with_config:
            cells.append(row.config.replace("|", "\\|") or "(method defaults)")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(s: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in s).replace("±", r"$\pm$")


def latex(table: pd.DataFrame, caption: Optional[str] = None) -> str:
    """The table as a LaTeX `tabular` (booktabs rules): method, $mean \\pm std$, seeds."""
    column = table["metric"].iloc[0] if len(table) else "test_error_at_best"
    lines = []
    if caption:
        lines += [r"\begin{table}[t]", r"\centering", rf"\caption{{{latex_escape(caption)}}}"]
    lines += [r"\begin{tabular}{lrr}", r"\toprule",
              rf"Method & {latex_escape(metric_label(column))} & Seeds \\", r"\midrule"]
    for row in table.itertuples():
        value = format_mean_std(row.mean, row.std, column, pm=r" \pm ")
        value = f"${value}$" if value != "–" else "--"
        lines.append(rf"{latex_escape(str(row.method))} & {value} & {row.n} \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if caption:
        lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"
