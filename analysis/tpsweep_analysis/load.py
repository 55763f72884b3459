"""Reading a sweep store (docs/hdf5-layout.md) into pandas.

`Sweep(DIR)` opens `DIR/sweep.h5`; `summary()` is one row per stored trial (parameters, status,
final and best-validation metrics), `curves()` and `layer_curves()` are tidy (long) frames of the
per-epoch curves, one row per trial × metric × epoch (× layer).

Conventions of the frames:

- Strings that h5py returns as `bytes` (the compound tables) are decoded to `str`.
- Integer parameter columns that hold the store's "absent" sentinel (INT64_MIN, a conditional
  parameter that did not apply) become pandas' nullable `Int64` with `<NA>`; string parameter
  columns turn their `""` into a missing value; float ones already use NaN.
- Epochs are 1-based, as the trainer counts them: epoch e is row e−1 of a stored curve, and the
  summary's `best_epoch` indexes the curves that way.
- `layer` in `layer_curves()` is column c of the stored (epochs × layers) array plus one. For
  `bp_angle`, `weight_norm` and `update_norm` it is the forward layer k (`layer<k>.weight`); for
  `reconstruction_loss` it is the hidden level whose activation the feedback reconstructs (level l
  is the output of forward layer l: `feedback<l>` for direct rules, `feedback<l+1>` for the
  layer-to-layer rules dtp/drl). The diagnostics (docs/run-config.md): `gn_angle`, `gn_damping`
  and `null_space_ratio` per forward layer k; `gnt_angle` and `gnt_damping` per hidden layer k
  (1..L−1); `jacobian_matching` per layer-to-layer feedback map, bottom-up (`feedback<k+1>`). Their
  per-epoch cost is the curve `diagnostic_seconds_<name>`.
"""

from __future__ import annotations

import json
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Optional, Union

import h5py
import numpy as np
import pandas as pd
import yaml

INT64_MISSING = int(np.iinfo(np.int64).min)
FIXED_COLUMNS = ("id", "index", "status", "message", "seed", "rank", "host", "started_at",
                 "seconds", "epochs", "attempts")
# Per-epoch scalar curves that get a `final_<m>` and a `<m>_at_best` column in the summary.
CURVE_METRICS = ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy",
                 "test_loss", "test_accuracy")

PathLike = Union[str, Path]


def text(value):
    """A str from an h5py string value (bytes inside compound tables and string datasets)."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


def decode_strings(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every bytes value of its object columns decoded as UTF-8."""
    df = df.copy()
    for column in df.columns:
        if df[column].dtype == object:
            df[column] = pd.Series([text(v) for v in df[column]], index=df.index)
    return df


class Sweep:
    """A sweep store on disk: `DIR/sweep.h5` and `DIR/trials/<id>.h5`."""

    def __init__(self, directory: PathLike):
        self.directory = Path(directory)
        index = self.directory / "sweep.h5"
        if not index.is_file():
            raise FileNotFoundError(f"{index}: no sweep index (is {self.directory} a `tpsweep run --out` folder?)")
        with h5py.File(index, "r") as f:
            if f.attrs.get("format") != "tpsweep.sweep":
                raise ValueError(f"{index}: not a tpsweep sweep index (format {f.attrs.get('format')!r})")
            self.name = str(f.attrs["name"])
            self.identity = str(f.attrs["identity"])
            self.planned_count = int(f.attrs["planned_count"])
            self.trial_count = int(f.attrs["trial_count"])
            self.parameter_keys = [str(k) for k in f.attrs["parameter_keys"]]
            self.parameter_columns = dict(zip(self.parameter_keys, (str(c) for c in f.attrs["parameter_columns"])))
            self.summary_keys = [str(k) for k in f.attrs["summary_keys"]]
            self.summary_columns = dict(zip(self.summary_keys, (str(c) for c in f.attrs["summary_columns"])))
            self.spec_text = f["spec"].asstr()[()]
            self._raw_summary = decode_strings(pd.DataFrame(f["summary"][()])) if "summary" in f else pd.DataFrame()
            self.plan = decode_strings(pd.DataFrame(f["plan"][()])) if "plan" in f else pd.DataFrame()

    def __repr__(self):
        return f"Sweep({str(self.directory)!r}: {self.name}, {self.trial_count}/{self.planned_count} trials)"

    # The spec and the trials' files.

    @cached_property
    def spec(self) -> dict:
        """The sweep spec as a dict (the YAML text stored in /spec)."""
        return yaml.safe_load(self.spec_text) or {}

    def trial_path(self, trial_id: str) -> Path:
        return self.directory / "trials" / f"{trial_id}.h5"

    @property
    def trial_ids(self) -> list:
        return list(self._raw_summary["id"]) if len(self._raw_summary) else []

    def config(self, trial_id: str) -> dict:
        """The complete run config of a trial (its `config_json` attribute)."""
        return _trial_data(self.trial_path(trial_id))[0]

    def parameters(self, trial_id: str) -> dict:
        """The trial's sampled parameters, typed as stored, in the sweep's order."""
        with h5py.File(self.trial_path(trial_id), "r") as f:
            return {k: _plain(v) for k, v in f["parameters"].attrs.items()}

    def curve(self, trial_id: str, metric: str) -> np.ndarray:
        """One per-epoch curve (float64, shape (epochs,)) or per-layer one (epochs × layers)."""
        with h5py.File(self.trial_path(trial_id), "r") as f:
            group = "metrics" if metric in f["metrics"] else "layer_metrics"
            return f[group][metric][()]

    # Frames.

    @cached_property
    def _summary(self) -> pd.DataFrame:
        return self._build_summary()

    def summary(self) -> pd.DataFrame:
        """One row per stored trial, sorted by plan index (a copy: change it freely).

        Columns: the store's fixed columns (id, index, status, message, seed, rank, host,
        started_at, seconds, epochs, attempts), one per parameter (named as in the store), one per
        summary key (best_epoch, best_validation_accuracy, test_accuracy_at_best, …), then derived
        ones: `method` (when the sweep does not vary it, from each trial's config),
        `test_error_at_best` and `final_test_error` (percent), and for every curve m of
        CURVE_METRICS `final_<m>` (its last epoch) and `<m>_at_best` (at `best_epoch`) unless the
        store already has that column.
        """
        return self._summary.copy()

    def curves(self, metrics: Optional[Iterable[str]] = None) -> pd.DataFrame:
        """Per-epoch curves as a tidy frame: id, method, seed, status, parameter columns, metric,
        epoch (1-based), value — one row per trial × metric × epoch."""
        return self._tidy("metrics", metrics)

    def layer_curves(self, metrics: Optional[Iterable[str]] = None) -> pd.DataFrame:
        """Per-layer curves (bp_angle, reconstruction_loss, weight_norm, update_norm) as a tidy
        frame: identifiers as in `curves()`, then metric, epoch, layer (1-based), value."""
        return self._tidy("layer_metrics", metrics)

    @property
    def parameter_column_names(self) -> list:
        """The summary's parameter columns, in the sweep's order."""
        return [self.parameter_columns[k] for k in self.parameter_keys]

    @property
    def swept_columns(self) -> list:
        """Parameter columns that take more than one value among the stored trials."""
        df = self._summary
        return [c for c in self.parameter_column_names if c in df and df[c].dropna().nunique() > 1]

    # Internals.

    def _build_summary(self) -> pd.DataFrame:
        df = self._raw_summary.copy()
        if df.empty:
            columns = list(FIXED_COLUMNS) + ["method", "test_error_at_best"]
            return pd.DataFrame({c: pd.Series(dtype=object if c in ("id", "status", "message", "host", "method")
                                              else "float64") for c in columns})
        for column in self.parameter_column_names:
            values = df[column]
            if values.dtype == np.int64 and (values == INT64_MISSING).any():
                df[column] = values.astype("Int64").mask(values == INT64_MISSING)
            elif values.dtype != np.float64 and not pd.api.types.is_numeric_dtype(values):
                df[column] = values.where(values != "", None)

        per_trial = [_trial_data(self.trial_path(i)) for i in df["id"]]
        if "method" not in df.columns:
            df["method"] = [cfg.get("method") for cfg, _ in per_trial]
        if "test_accuracy_at_best" in df:
            df["test_error_at_best"] = 100.0 * (1.0 - df["test_accuracy_at_best"])
        if "final_test_accuracy" in df:
            df["final_test_error"] = 100.0 * (1.0 - df["final_test_accuracy"])

        best = df["best_epoch"].to_numpy(dtype=float) if "best_epoch" in df else np.full(len(df), np.nan)
        extra = {}
        for metric in CURVE_METRICS:
            final, at_best = [], []
            for (_, curves), b in zip(per_trial, best):
                curve = curves.get(metric)
                final.append(curve[-1] if curve is not None and len(curve) else np.nan)
                ok = curve is not None and np.isfinite(b) and 1 <= b <= len(curve)
                at_best.append(curve[int(b) - 1] if ok else np.nan)
            if f"final_{metric}" not in df:
                extra[f"final_{metric}"] = np.asarray(final, dtype=float)
            if f"{metric}_at_best" not in df:
                extra[f"{metric}_at_best"] = np.asarray(at_best, dtype=float)
        df = pd.concat([df, pd.DataFrame(extra, index=df.index)], axis=1)
        return df.reset_index(drop=True)

    def _identifiers(self) -> pd.DataFrame:
        df = self._summary
        columns = ["id", "method", "seed", "status"]
        columns += [c for c in self.parameter_column_names if c not in columns]
        return df[columns]

    def _tidy(self, group: str, metrics) -> pd.DataFrame:
        wanted = None if metrics is None else ([metrics] if isinstance(metrics, str) else list(metrics))
        per_layer = group == "layer_metrics"
        ids, names, epochs, layers, values = [], [], [], [], []
        for trial_id in self.trial_ids:
            with h5py.File(self.trial_path(trial_id), "r") as f:
                if group not in f:
                    continue
                for name, ds in f[group].items():
                    if wanted is not None and name not in wanted:
                        continue
                    data = np.asarray(ds[()], dtype=float)
                    if data.size == 0:
                        continue
                    if per_layer:
                        e, l = data.shape
                        epochs.append(np.repeat(np.arange(1, e + 1), l))
                        layers.append(np.tile(np.arange(1, l + 1), e))
                    else:
                        epochs.append(np.arange(1, len(data) + 1))
                    values.append(data.ravel())
                    ids.append(np.full(data.size, trial_id, dtype=object))
                    names.append(np.full(data.size, name, dtype=object))
        cat = (lambda parts, dtype: np.concatenate(parts) if parts else np.array([], dtype=dtype))
        long = pd.DataFrame({"id": pd.Series(cat(ids, object).tolist(), dtype=self._summary["id"].dtype),
                             "metric": pd.Series(cat(names, object).tolist(), dtype=self._summary["id"].dtype),
                             "epoch": cat(epochs, np.int64).astype(np.int64)})
        if per_layer:
            long["layer"] = cat(layers, np.int64).astype(np.int64)
        long["value"] = cat(values, float)
        out = self._identifiers().merge(long, on="id", how="inner", validate="one_to_many")
        return out.reset_index(drop=True)


@lru_cache(maxsize=4096)
def _trial_data_cached(path: str, mtime: float):
    with h5py.File(path, "r") as f:
        config = json.loads(text(f.attrs.get("config_json", "{}")) or "{}")
        curves = {name: np.asarray(ds[()], dtype=float) for name, ds in f["metrics"].items()} \
            if "metrics" in f else {}
    return config, curves


def _trial_data(path: Path):
    """(config dict, {metric: curve}) of one trial file, cached while the file is unchanged."""
    return _trial_data_cached(str(path), path.stat().st_mtime)


def _plain(value):
    """numpy scalars as Python ones."""
    return value.item() if isinstance(value, np.generic) else text(value)


def open_sweep(directory: Union[PathLike, Sweep]) -> Sweep:
    return directory if isinstance(directory, Sweep) else Sweep(directory)


def load_summary(directory: Union[PathLike, Sweep]) -> pd.DataFrame:
    """`Sweep(directory).summary()`."""
    return open_sweep(directory).summary()


def load_curves(directory: Union[PathLike, Sweep], metrics=None) -> pd.DataFrame:
    """`Sweep(directory).curves(metrics)`."""
    return open_sweep(directory).curves(metrics)


def load_layer_curves(directory: Union[PathLike, Sweep], metrics=None) -> pd.DataFrame:
    """`Sweep(directory).layer_curves(metrics)`."""
    return open_sweep(directory).layer_curves(metrics)
