"""Reads a sweep store written by Swift (the `store-fixture` executable) with h5py and pandas alone,
and checks every value against what Swift wrote (`expected.json`, written by the same executable).

The fixture is built with `swift build --product store-fixture` unless TPSWEEP_STORE_FIXTURE names a
built binary. Note: h5py 3 returns variable-length strings inside compound datasets (the summary and
plan tables) and in string datasets as `bytes`; `decode_strings` turns them into `str`. String
attributes come back as `str` directly.
"""

import json
import math
import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from tpsweep_cli import decode_strings

ROOT = Path(__file__).resolve().parents[2]
INT64_MISSING = -9223372036854775808
FIXED_COLUMNS = ["id", "index", "status", "message", "seed", "rank", "host", "started_at",
                 "seconds", "epochs", "attempts"]


def fixture_binary() -> Path:
    override = os.environ.get("TPSWEEP_STORE_FIXTURE")
    if override:
        return Path(override)
    subprocess.run(["swift", "build", "--product", "store-fixture"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    return Path(bin_path) / "store-fixture"


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    directory = tmp_path_factory.mktemp("store") / "sweep"
    subprocess.run([str(fixture_binary()), str(directory)], check=True, stdout=subprocess.DEVNULL)
    expected = json.loads((directory / "expected.json").read_text(encoding="utf-8"))
    return directory, expected


def trial_by_id(expected):
    return {t["id"]: t for t in expected["trials"]}


def test_summary_loads_into_pandas(store):
    directory, expected = store
    with h5py.File(directory / "sweep.h5", "r") as f:
        raw = pd.DataFrame(f["summary"][()])
        parameter_columns = list(f.attrs["parameter_columns"])
        parameter_keys = list(f.attrs["parameter_keys"])
        summary_columns = list(f.attrs["summary_columns"])
    assert isinstance(raw.loc[0, "id"], bytes), "h5py returns compound string fields as bytes"
    df = decode_strings(raw)

    assert len(df) == 3
    assert parameter_keys == ["method", "lr", "hidden", "use_bias", "feedback_noise",
                              "pretrain_epochs", "init", "epochs"]
    assert parameter_columns == ["method", "lr", "hidden", "use_bias", "feedback_noise",
                                 "pretrain_epochs", "init", "param_epochs"]
    assert summary_columns == ["best_epoch", "best_validation_accuracy", "test_accuracy_at_best"]
    assert list(df.columns) == FIXED_COLUMNS + parameter_columns + summary_columns

    dtypes = df.dtypes
    for column in ["index", "seed", "rank", "epochs", "attempts", "hidden", "use_bias",
                   "pretrain_epochs", "param_epochs"]:
        assert dtypes[column] == np.int64, column
    for column in ["started_at", "seconds", "lr", "feedback_noise"] + summary_columns:
        assert dtypes[column] == np.float64, column
    for column in ["id", "status", "message", "host", "method", "init"]:
        assert all(isinstance(v, str) for v in df[column]), column

    trials = trial_by_id(expected)
    assert list(df["id"]) == ["trial-0000", "trial-0001", "trial-0002"]
    for _, row in df.iterrows():
        t = trials[row["id"]]
        for column in FIXED_COLUMNS:
            assert row[column] == t[column], (row["id"], column)
        params = {k: v["value"] for k, v in t["parameters"]}
        for key, column in zip(parameter_keys, parameter_columns):
            value = row[column]
            if key not in params:
                if pd.api.types.is_float_dtype(dtypes[column]):
                    assert math.isnan(value), (row["id"], column)
                elif pd.api.types.is_integer_dtype(dtypes[column]):
                    assert value == INT64_MISSING, (row["id"], column)
                else:
                    assert value == "", (row["id"], column)
            else:
                assert value == params[key], (row["id"], column)  # True == 1 for the bool column
        for column in summary_columns:
            if column in t["summary"]:
                assert row[column] == t["summary"][column]
            else:
                assert math.isnan(row[column])

    pruned = df.set_index("id").loc["trial-0001"]
    assert pruned["status"] == "pruned"
    assert pruned["message"] == "pruned at rung 0 (epoch 2) — ASHA"
    assert pruned["epochs"] == 2
    assert math.isnan(pruned["feedback_noise"])
    assert pruned["pretrain_epochs"] == INT64_MISSING
    assert pruned["init"] == ""
    assert df.set_index("id").loc["trial-0002", "param_epochs"] == 3


def test_curves_match_through_external_links(store):
    directory, expected = store
    with h5py.File(directory / "sweep.h5", "r") as f:
        for t in expected["trials"]:
            trial = f["trials"][t["id"]]
            assert sorted(trial["metrics"]) == sorted(t["epoch_metrics"])
            for name, values in t["epoch_metrics"].items():
                data = trial["metrics"][name]
                assert data.dtype == np.float64 and data.shape == (t["epochs"],)
                np.testing.assert_array_equal(data[()], np.array(values))
            # The path form from the docs.
            np.testing.assert_array_equal(f["trials"][t["id"]]["metrics/validation_accuracy"][()],
                                          t["epoch_metrics"]["validation_accuracy"])
            assert sorted(trial["layer_metrics"]) == sorted(t["layer_metrics"])
            for name, rows in t["layer_metrics"].items():
                data = trial["layer_metrics"][name][()]
                assert data.dtype == np.float64 and data.shape == (len(rows), len(rows[0]))
                np.testing.assert_array_equal(data, np.array(rows))
            assert dict(trial["summary"].attrs) == t["summary"]


def test_snapshot_arrays(store):
    directory, expected = store
    t = trial_by_id(expected)["trial-0000"]
    with h5py.File(directory / "trials" / "trial-0000.h5", "r") as f:
        assert list(f["snapshots"]) == [f"epoch_{s['epoch']:04d}" for s in t["snapshots"]]
        for s in t["snapshots"]:
            group = f["snapshots"][f"epoch_{s['epoch']:04d}"]
            assert group.attrs["epoch"] == s["epoch"]
            assert list(group.attrs["tags"]) == s["tags"]
            assert all(isinstance(tag, str) for tag in group.attrs["tags"])
            for tensor in s["tensors"]:
                data = group[tensor["role"]][tensor["name"]]
                assert data.dtype == np.dtype(tensor["dtype"]), tensor["name"]
                assert data.shape == tuple(tensor["shape"]), tensor["name"]
                want = np.array(tensor["values"], dtype=tensor["dtype"]).reshape(tensor["shape"])
                np.testing.assert_array_equal(data[()], want)
            roles = {x["role"] for x in s["tensors"]}
            assert set(group) == roles
            for role in roles:
                assert list(group[role]) == [x["name"] for x in s["tensors"] if x["role"] == role]
    with h5py.File(directory / "trials" / "trial-0001.h5", "r") as f:
        assert list(f["snapshots"]) == []


def test_external_links_resolve_from_any_working_directory(store, tmp_path, monkeypatch):
    directory, expected = store
    monkeypatch.chdir(tmp_path)
    with h5py.File(directory / "sweep.h5", "r") as f:
        ids = [t["id"] for t in expected["trials"]]
        assert list(f["trials"]) == ids
        for trial_id in ids:
            link = f["trials"].get(trial_id, getlink=True)
            assert isinstance(link, h5py.ExternalLink)
            assert link.filename == f"trials/{trial_id}.h5" and link.path == "/"
            assert f["trials"][trial_id].attrs["id"] == trial_id
        assert f.attrs["trial_count"] == 3


def test_parameter_attributes_are_typed(store):
    directory, expected = store
    python_types = {"int": np.int64, "double": np.float64, "string": str, "bool": np.bool_}
    for t in expected["trials"]:
        with h5py.File(directory / "trials" / f"{t['id']}.h5", "r") as f:
            attrs = f["parameters"].attrs
            assert list(attrs) == [k for k, _ in t["parameters"]], "the sweep's order is kept"
            for key, value in t["parameters"]:
                got = attrs[key]
                assert isinstance(got, python_types[value["type"]]), (t["id"], key, type(got))
                assert got == value["value"]


def test_trial_root_attributes(store):
    directory, expected = store
    for t in expected["trials"]:
        with h5py.File(directory / "trials" / f"{t['id']}.h5", "r") as f:
            attrs = f.attrs
            assert attrs["format"] == "tpsweep.trial" and attrs["format_version"] == 1
            for key in ["id", "index", "seed", "status", "message", "rank", "host", "started_at",
                        "seconds", "attempts", "epochs", "config_json"]:
                assert attrs[key] == t[key], (t["id"], key)
            for key in ["id", "status", "message", "host", "config_json"]:
                assert isinstance(attrs[key], str), key
            assert json.loads(attrs["config_json"]) == json.loads(t["config_json"])


def test_index_plan_and_spec(store):
    directory, expected = store
    index = expected["index"]
    with h5py.File(directory / "sweep.h5", "r") as f:
        assert f.attrs["name"] == index["name"] and f.attrs["identity"] == index["identity"]
        assert f.attrs["created_at"] == index["created_at"]
        assert f.attrs["updated_at"] == index["updated_at"]
        assert f["spec"].asstr()[()] == index["spec_text"]
        plan = decode_strings(pd.DataFrame(f["plan"][()]))
    assert list(plan.columns) == ["id", "index", "seed", "parameters_json"]
    assert plan.to_dict("records") == index["planned"]
