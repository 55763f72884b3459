"""`tpsweep-analysis`: the command line of the analysis package.

    tpsweep-analysis report DIR [--out FOLDER]          tables, plots, best configs, index page
    tpsweep-analysis summary DIR [--csv FILE]           one row per trial
    tpsweep-analysis curves DIR [--layers] [--metric M ...] [--csv FILE]
    tpsweep-analysis table DIR [--format markdown|latex] [--out FILE]
    tpsweep-analysis plot DIR KIND --out FILE.png       KIND: learning-curves, bp-angles,
                                                        reconstruction, sensitivity
    tpsweep-analysis best-config DIR [--method M] [--out FOLDER]
    tpsweep-analysis snapshot DIR TRIAL [--epoch best|final|last|N] [--compare [--inputs N]
                                        [--damping λ]] [--npz FILE]

Exit codes: 0 success, 1 nothing to write (e.g. a plot without data), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from . import data, export, plots, report, snapshots, tables
from .load import Sweep

PLOTS = {"learning-curves": plots.learning_curves, "bp-angles": plots.bp_angles,
         "reconstruction": plots.reconstruction_loss, "sensitivity": plots.sensitivity}


def _frame_out(df: pd.DataFrame, csv):
    if csv:
        df.to_csv(csv, index=False)
        print(f"wrote {csv} ({len(df)} rows)")
    else:
        with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 200):
            print(df.to_string(index=False))


def cmd_report(args):
    index = report.write_report(args.directory, args.out)
    print(f"report: {index}")


def cmd_summary(args):
    _frame_out(Sweep(args.directory).summary(), args.csv)


def cmd_curves(args):
    sweep = Sweep(args.directory)
    frame = sweep.layer_curves(args.metric) if args.layers else sweep.curves(args.metric)
    _frame_out(frame, args.csv)


def cmd_table(args):
    table = tables.paper_table(Sweep(args.directory), args.metric)
    content = tables.latex(table) if args.format == "latex" else tables.markdown(table)
    if args.out:
        Path(args.out).write_text(content, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(content)


def cmd_plot(args):
    path = PLOTS[args.kind](Sweep(args.directory), args.out)
    if path is None:
        print(f"{args.kind}: no data for this plot in {args.directory}", file=sys.stderr)
        return 1
    print(f"wrote {path}")


def cmd_best_config(args):
    sweep = Sweep(args.directory)
    methods = [args.method] if args.method else None
    if args.out:
        for method, path in export.export_best_configs(sweep, args.out, methods).items():
            print(f"{method}: {path}")
        return
    configs = export.best_run_configs(sweep)
    if methods and args.method not in configs:
        raise KeyError(f"no best configuration for method {args.method!r} (methods: {', '.join(configs)})")
    for method, (_, config, header) in configs.items():
        if methods is None or method in methods:
            sys.stdout.write(export.config_yaml(config, header) + ("\n" if methods is None else ""))


def cmd_snapshot(args):
    sweep = Sweep(args.directory)
    epoch = int(args.epoch) if args.epoch.isdigit() else args.epoch
    snap = snapshots.load_snapshot(sweep, args.trial, epoch)
    print(f"trial {snap.trial_id} ({snap.method}), epoch {snap.epoch}, tags {', '.join(snap.tags)}")
    for role, tensors in (("forward", snap.forward), ("feedback", snap.feedback)):
        for name, array in tensors.items():
            print(f"  {role:8s} {name:18s} {str(array.shape):14s} {array.dtype}")
    if args.npz:
        np.savez(args.npz, **{f"{r}/{n}": a for r, t in (("forward", snap.forward), ("feedback", snap.feedback))
                              for n, a in t.items()})
        print(f"wrote {args.npz}")
    if args.compare and not snap.feedback:
        print(f"no feedback weights to compare ({snap.method})")
    elif args.compare:
        x = None
        if args.inputs:
            x, _ = data.load_images(snap.config, "t10k", args.inputs)
        print(snapshots.compare_feedback(snap, x, args.damping).to_string(index=False))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tpsweep-analysis",
                                description="Analysis of a tpsweep sweep store (DIR/sweep.h5, DIR/trials/*.h5).",
                                epilog="\n\n".join(__doc__.strip().split("\n\n")[1:]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("report", help="tables, plots and best configs in one folder with an index page")
    s.add_argument("directory")
    s.add_argument("--out", type=Path, help="report folder (default DIR/report)")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("summary", help="one row per trial: parameters, status, final and best-validation metrics")
    s.add_argument("directory")
    s.add_argument("--csv", help="write CSV here instead of printing")
    s.set_defaults(func=cmd_summary)

    s = sub.add_parser("curves", help="per-epoch curves as a tidy table")
    s.add_argument("directory")
    s.add_argument("--layers", action="store_true", help="per-layer curves (bp_angle, reconstruction_loss, …)")
    s.add_argument("--metric", action="append", help="only this metric (repeatable)")
    s.add_argument("--csv", help="write CSV here instead of printing")
    s.set_defaults(func=cmd_curves)

    s = sub.add_parser("table", help="paper protocol: test error at best validation epoch, mean ± std per method")
    s.add_argument("directory")
    s.add_argument("--format", choices=["markdown", "latex"], default="markdown")
    s.add_argument("--metric", help="summary column to tabulate (default test_error_at_best)")
    s.add_argument("--out", help="write here instead of printing")
    s.set_defaults(func=cmd_table)

    s = sub.add_parser("plot", help="one figure as PNG")
    s.add_argument("directory")
    s.add_argument("kind", choices=sorted(PLOTS))
    s.add_argument("--out", required=True, help="PNG file")
    s.set_defaults(func=cmd_plot)

    s = sub.add_parser("best-config", help="best configuration per method as a `tpsweep train --config` file")
    s.add_argument("directory")
    s.add_argument("--method", help="only this method")
    s.add_argument("--out", help="folder for <method>.yaml files (default: print)")
    s.set_defaults(func=cmd_best_config)

    s = sub.add_parser("snapshot", help="a trial's weights at an epoch; feedback vs forward Jacobians")
    s.add_argument("directory")
    s.add_argument("trial", help="trial id")
    s.add_argument("--epoch", default="best", help="best, final, last or an epoch number (default best)")
    s.add_argument("--compare", action="store_true", help="compare feedback weights with the forward Jacobians")
    s.add_argument("--inputs", type=int, default=0,
                   help="average the Jacobians over this many test images (default: the linear part)")
    s.add_argument("--damping", type=float, default=0.0, help="λ of the damped pseudo-inverse")
    s.add_argument("--npz", help="save the arrays to this .npz file")
    s.set_defaults(func=cmd_snapshot)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except (FileNotFoundError, LookupError, ValueError, OSError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"tpsweep-analysis: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
