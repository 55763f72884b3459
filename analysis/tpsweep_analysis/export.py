"""The best configuration of each method as a run config that `tpsweep train --config` reads.

The exported file is the complete config the chosen trial ran with (its `config_json`: every key,
so the run does not depend on today's method defaults), written as YAML in the run-config layout
(docs/run-config.md), with a comment header naming the sweep, the trial and the selection. The
configuration is the method's best one by mean validation metric over seeds (select.py); the file
carries the seed of that configuration's best trial.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Optional

from .load import open_sweep
from .select import best_configurations

# Top-level keys in the order of docs/run-config.md; unknown keys follow in their own order.
KEY_ORDER = ["method", "seed", "dtype", "epochs", "batch_size", "data", "model", "loss", "optimizer",
             "fb_optimizer", "tp", "prune", "metrics"]
_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def yaml_scalar(value) -> str:
    """A YAML flow scalar that a YAML 1.1/1.2 reader (Yams, PyYAML) reads back to `value`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        # YAML 1.1 wants a dot in a float (1e-05 reads as a string in PyYAML).
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    s = str(value)
    if _PLAIN.match(s) and s.lower() not in _RESERVED:
        return s
    return json.dumps(s, ensure_ascii=False)


def config_yaml(config: dict, header: Optional[list] = None) -> str:
    """`config` (nested dict) as block YAML with flow lists; `header` lines become comments."""
    lines = [f"# {h}" for h in header or []]
    keys = [k for k in KEY_ORDER if k in config] + [k for k in config if k not in KEY_ORDER]
    for key in keys:
        value = config[key]
        if isinstance(value, dict):
            lines.append(f"{key}:")
            for sub, v in value.items():
                if isinstance(v, dict):
                    raise ValueError(f"config key {key}.{sub}: nesting deeper than two levels")
                lines.append(f"  {sub}: {yaml_scalar(v)}")
        else:
            lines.append(f"{key}: {yaml_scalar(value)}")
    return "\n".join(lines) + "\n"


def best_run_configs(sweep) -> dict:
    """{method: (trial_id, config dict, header lines)} for each method's best configuration."""
    sweep = open_sweep(sweep)
    out = {}
    for row in best_configurations(sweep).itertuples():
        config = sweep.config(row.best_trial)
        header = [f"Best configuration of `{row.method}` in sweep '{sweep.name}' ({sweep.directory})",
                  f"trial {row.best_trial}; selected by mean {row.selection_metric} = "
                  f"{row.selection_mean:.6g} over {row.selection_n} seed(s)",
                  f"parameters: {row.config or '(none)'}",
                  "run it: tpsweep train --config THIS_FILE"]
        out[row.method] = (row.best_trial, config, header)
    return out


def export_best_configs(sweep, directory, methods=None) -> dict:
    """Writes `<directory>/<method>.yaml` for each method (or the given ones); returns
    {method: path}."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for method, (_, config, header) in best_run_configs(sweep).items():
        if methods and method not in methods:
            continue
        path = directory / f"{method}.yaml"
        path.write_text(config_yaml(config, header), encoding="utf-8")
        written[method] = path
    missing = set(methods or []) - set(written)
    if missing:
        raise KeyError(f"no trial with a finite selection metric for method(s): {', '.join(sorted(missing))}")
    return written
