"""`tpsweep train` on Downsampled ImageNet 32×32 archives written by numpy itself (np.savez and
np.savez_compressed), in the layout of the official npz files: `data` N×3072 uint8 as R, G, B planes,
`labels` 1-based int64, training batches also `mean` (Chrabaszcz, Loshchilov & Hutter 2017)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from tpsweep_cli import run, run_ok, tpsweep_binary

# Four of the 1000 classes, the first and last among them; an image's brightness tells its class.
CLASSES = (1, 250, 500, 1000)


def batch(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` images whose planes are 40·k + noise for the k-th class, so a few epochs learn them."""
    k = rng.integers(0, len(CLASSES), size=count)
    planes = 40 * k[:, None] + rng.integers(0, 40, size=(count, 3072))
    return planes.astype(np.uint8), np.array(CLASSES, dtype=np.int64)[k]


def write_folder(folder: Path, per_file: int = 32, test: int = 64) -> None:
    """Ten training batches, odd ones np.savez (stored), even ones np.savez_compressed (deflate),
    and a compressed val_data.npz."""
    rng = np.random.default_rng(5)
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(1, 11):
        data, labels = batch(rng, per_file)
        save = np.savez_compressed if f % 2 == 0 else np.savez
        save(folder / f"train_data_batch_{f}.npz", data=data, labels=labels, mean=data.mean(axis=0))
    data, labels = batch(rng, test)
    np.savez_compressed(folder / "val_data.npz", data=data, labels=labels)


def train(folder: Path, out: Path, *extra: str):
    return run([str(tpsweep_binary()), "train", "--quiet", "--json", str(out),
                "--set", "method=bp", "--set", "data.dataset=imagenet32", "--set", f"data.dir={folder}",
                "--set", "data.validation_size=32", "--set", "model.architecture=lenet",
                "--set", "batch_size=16", "--set", "epochs=4", "--set", "prune.enabled=false", *extra],
               timeout=300)


def test_lenet_learns_imagenet32_archives_written_by_numpy(tmp_path):
    folder = tmp_path / "imagenet32"
    write_folder(folder)
    result = train(folder, tmp_path / "run.json")
    assert result.returncode == 0, result.output
    epochs = json.loads((tmp_path / "run.json").read_text())["result"]["epochs"]
    losses = [e["trainLoss"] for e in epochs]
    # Cross-entropy over 1000 classes starts near ln 1000 ≈ 6.9; four brightness levels are easy.
    assert losses[0] < math.log(1000) and losses[-1] < 0.1 * losses[0], losses
    assert epochs[-1]["testAccuracy"] > 0.9, epochs[-1]


def test_malformed_archive_fails_naming_the_file(tmp_path):
    folder = tmp_path / "imagenet32"
    write_folder(folder, per_file=2, test=2)
    bad = folder / "train_data_batch_7.npz"
    data, labels = batch(np.random.default_rng(1), 2)
    labels[1] = 0
    np.savez(bad, data=data, labels=labels)
    result = train(folder, tmp_path / "run.json", "--set", "data.validation_size=1")
    assert result.returncode != 0
    assert f"{bad}: member labels.npy: label out of range: label 0 at index 1, expected 1...1000" in result.output

    cut = folder / "val_data.npz"
    cut.write_bytes(cut.read_bytes()[:-30])
    bad.unlink()
    np.savez(bad, data=data, labels=labels + 1)
    result = train(folder, tmp_path / "run.json", "--set", "data.validation_size=1")
    assert result.returncode != 0
    assert f"{cut}: not a ZIP archive (an npz is one)" in result.output
