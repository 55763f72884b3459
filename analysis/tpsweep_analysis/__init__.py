"""Analysis of tpsweep sweep stores: DIR/sweep.h5 and DIR/trials/<id>.h5 (docs/hdf5-layout.md).

    from tpsweep_analysis import Sweep
    sweep = Sweep("results/demo")
    df = sweep.summary()              # one row per trial
    curves = sweep.curves()           # tidy per-epoch curves
    table = paper_table(sweep)        # test error at best validation epoch, mean ± std per method

Modules: load (frames), select (model selection), tables, plots, export (best run configs),
data (IDX inputs), snapshots (weights, Jacobian comparison), report, cli.
"""

from .export import best_run_configs, config_yaml, export_best_configs
from .load import Sweep, decode_strings, load_curves, load_layer_curves, load_summary, open_sweep
from .report import write_report
from .select import best_configurations, headline_metric, selection_metric
from .snapshots import Snapshot, compare_feedback, list_snapshots, load_snapshot
from .tables import latex, markdown, paper_table

__version__ = "0.1.0"

__all__ = ["Sweep", "open_sweep", "decode_strings", "load_summary", "load_curves", "load_layer_curves",
           "best_configurations", "headline_metric", "selection_metric", "paper_table", "markdown", "latex",
           "best_run_configs", "config_yaml", "export_best_configs", "Snapshot", "list_snapshots",
           "load_snapshot", "compare_feedback", "write_report"]
