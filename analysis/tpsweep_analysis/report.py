"""`report DIR`: the tables, plots and best configs of a sweep in one folder with an index page.

Layout of the folder (default DIR/report):

    index.html, index.md        the index: sweep facts, the paper table, the figures, links
    results.md, results.tex     the paper protocol table (tables.py)
    summary.csv                 one row per trial (load.py)
    learning_curves.png, bp_angles.png, reconstruction_loss.png, sensitivity.png   (those with data)
    configs/<method>.yaml       best configuration per method, for `tpsweep train --config`
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Optional

from . import export, plots, tables
from .load import open_sweep

FIGURES = [
    ("learning_curves.png", "Learning curves", plots.learning_curves),
    ("bp_angles.png", "Alignment with backprop per layer", plots.bp_angles),
    ("reconstruction_loss.png", "Feedback reconstruction loss", plots.reconstruction_loss),
    ("sensitivity.png", "Hyperparameter sensitivity", plots.sensitivity),
]


def write_report(directory, out: Optional[Path] = None) -> Path:
    """Writes the report of the sweep in `directory` into `out` (default `directory/report`) and
    returns the index page's path."""
    sweep = open_sweep(directory)
    out = Path(out) if out is not None else sweep.directory / "report"
    out.mkdir(parents=True, exist_ok=True)

    df = sweep.summary()
    df.to_csv(out / "summary.csv", index=False)
    table = tables.paper_table(sweep)
    (out / "results.md").write_text(tables.markdown(table), encoding="utf-8")
    metric = table["metric"].iloc[0] if len(table) else "test_error_at_best"
    (out / "results.tex").write_text(tables.latex(table, caption=f"{sweep.name}: {tables.describe(metric)}"),
                                     encoding="utf-8")
    figures = []
    for name, title, draw in FIGURES:
        if draw(sweep, out / name) is not None:
            figures.append((name, title))
    configs = export.export_best_configs(sweep, out / "configs")

    counts = df["status"].value_counts().to_dict() if len(df) else {}
    status = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"
    facts = [("sweep", sweep.name), ("folder", str(sweep.directory)),
             ("trials", f"{sweep.trial_count} stored of {sweep.planned_count} planned ({status})"),
             ("swept parameters", ", ".join(sweep.swept_columns) or "none")]

    md = [f"# Sweep report: {sweep.name}", ""]
    md += [f"- **{k}**: {v}" for k, v in facts] + ["", "## Results (paper protocol)", "", tables.describe(metric), "",
           tables.markdown(table), "Also as [Markdown](results.md), [LaTeX](results.tex); every trial: "
           "[summary.csv](summary.csv).", ""]
    for name, title in figures:
        md += [f"## {title}", "", f"![{title}]({name})", ""]
    md += ["## Best configurations", ""]
    md += [f"- `{m}`: [configs/{p.name}](configs/{p.name}) — `tpsweep train --config configs/{p.name}`"
           for m, p in configs.items()]
    (out / "index.md").write_text("\n".join(md) + "\n", encoding="utf-8")

    e = html.escape
    rows = "".join(
        f"<tr><td><code>{e(str(r.method))}</code></td><td>{e(tables.format_mean_std(r.mean, r.std, r.metric))}</td>"
        f"<td>{r.n}</td><td>{'' if not math.isfinite(r.best_epoch_mean) else f'{r.best_epoch_mean:.1f}'}</td>"
        f"<td>{e(r.config or '(method defaults)')}</td></tr>" for r in table.itertuples())
    metric_label = e(tables.metric_label(table["metric"].iloc[0])) if len(table) else "test error [%]"
    page = [
        "<!DOCTYPE html>", "<html><head><meta charset='utf-8'>", f"<title>{e(sweep.name)} — tpsweep report</title>",
        "<style>body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}"
        "img{max-width:100%}</style></head><body>",
        f"<h1>Sweep report: {e(sweep.name)}</h1><ul>",
        *[f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in facts],
        "</ul><h2>Results (paper protocol)</h2>",
        f"<p>{e(tables.describe(metric))}</p>",
        f"<table><tr><th>method</th><th>{metric_label}</th><th>seeds</th><th>best epoch</th>"
        f"<th>configuration</th></tr>{rows}</table>",
        "<p>Also as <a href='results.md'>Markdown</a>, <a href='results.tex'>LaTeX</a>; every trial: "
        "<a href='summary.csv'>summary.csv</a>.</p>",
        *[f"<h2>{e(t)}</h2><img src='{e(n)}' alt='{e(t)}'>" for n, t in figures],
        "<h2>Best configurations</h2><ul>",
        *[f"<li><code>{e(m)}</code>: <a href='configs/{e(p.name)}'>configs/{e(p.name)}</a></li>"
          for m, p in configs.items()],
        "</ul></body></html>",
    ]
    index = out / "index.html"
    index.write_text("\n".join(page) + "\n", encoding="utf-8")
    return index
