"""Weight snapshots of a trial (`/snapshots/epoch_NNNN/{forward,feedback}/<tensor>`) as numpy arrays,
the network they describe, and how its feedback weights compare with the forward Jacobians.

Tensor names as the engine stores them (k is the 1-based forward layer, layer k maps h_{k−1} to h_k):

- forward: `layer<k>.weight` (n_k × n_{k−1}), `layer<k>.bias` (1 × n_k; absent for the bias-free
  last hidden layer of `model.last_hidden_bias: false`);
- feedback of the direct rules (ddtp-linear, ddtp-control, dfa): `feedback<o>.weight`, Q_o of shape
  n_o × n_L for every hidden level o = 1 … L−1, carrying the output difference straight to h_o;
- feedback of the layer-to-layer rules (dtp, drl): `feedback<k>.weight` (n_{k−1} × n_k) and
  `feedback<k>.bias` (1 × n_{k−1}) for k = 2 … L: g_k(h) = s_fb(Q_k h + d_k) inverts layer k.

The comparison (`compare_feedback`) — what is well defined from stored weights:

- Direct rules: the direct DRL makes Q_o reconstruct a perturbation of h_o from the change it
  causes in the output pre-activation, Q_o J_o σε ≈ σε with J_o = ∂a_L/∂h_o. Over a set of inputs
  x_b the minimiser of mean_b ‖Q J_b − I‖² + λ‖Q‖² is the *reference*
  Q*_o = mean(J_bᵀ) (mean(J_b J_bᵀ) + λI)⁻¹, for one Jacobian the damped pseudo-inverse
  J_oᵀ(J_o J_oᵀ + λI)⁻¹ [M20]. Without inputs J_o is the network's linear part,
  W_L W_{L−1} ⋯ W_{o+1} (the activation derivatives set to 1: exact for a linear network, and
  tanh's at a = 0). Reported: ‖Q − Q*‖_F/‖Q*‖_F, the angle between Q and Q*, and the angle between
  Q and mean(J_b)ᵀ (the transposed Jacobian, what feedback alignment compares with).
- Layer-to-layer rules: per input, the feedback Jacobian at the forward activation
  G_k = diag(s_fb'(Q_k h_k + d_k)) Q_k against the damped pseudo-inverse of the layer's Jacobian
  J_k = diag(s'(a_k)) W_k (DTP/DRL) and against J_kᵀ ([E22]'s target), averaged over the inputs;
  without inputs, Q_k against pinv(W_k) and W_kᵀ.
- dfa's Q is frozen at its random initialisation: its rows are reported for completeness; bp has
  no feedback (an empty frame).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple, Union

import h5py
import numpy as np
import pandas as pd

from .load import open_sweep, text

DIRECT_METHODS = {"ddtp-linear", "ddtp-control", "dfa"}
LAYER_METHODS = {"dtp", "drl"}
_NAME = re.compile(r"^(layer|feedback)(\d+)\.(weight|bias)$")


@dataclass
class Snapshot:
    """The weights of one trial at the end of one epoch."""
    trial_id: str
    epoch: int
    tags: list
    forward: dict
    feedback: dict
    config: dict = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.config.get("method", "")

    @property
    def depth(self) -> int:
        """L, the number of forward layers."""
        return max(int(_NAME.match(n).group(2)) for n in self.forward if _NAME.match(n))

    def weight(self, k: int) -> np.ndarray:
        """W_k, n_k × n_{k−1}."""
        return self.forward[f"layer{k}.weight"]

    def bias(self, k: int) -> Optional[np.ndarray]:
        """b_k as a vector (n_k,), or None for a bias-free layer."""
        b = self.forward.get(f"layer{k}.bias")
        return None if b is None else b.reshape(-1)

    def feedback_weight(self, k: int) -> np.ndarray:
        return self.feedback[f"feedback{k}.weight"]

    def feedback_bias(self, k: int) -> Optional[np.ndarray]:
        b = self.feedback.get(f"feedback{k}.bias")
        return None if b is None else b.reshape(-1)

    @property
    def feedback_indices(self) -> list:
        return sorted({int(m.group(2)) for n in self.feedback if (m := _NAME.match(n))})

    @property
    def widths(self) -> list:
        """[n_0, n_1, …, n_L]."""
        return [self.weight(1).shape[1]] + [self.weight(k).shape[0] for k in range(1, self.depth + 1)]


# Reading.

def _snapshot_groups(f: h5py.File) -> list:
    if "snapshots" not in f:
        return []
    groups = []
    for name, group in f["snapshots"].items():
        tags = [text(t) for t in np.atleast_1d(group.attrs.get("tags", []))]
        groups.append((int(group.attrs["epoch"]), tags, name))
    return sorted(groups)


def list_snapshots(sweep, trial_id: str) -> pd.DataFrame:
    """The trial's snapshots: epoch, tags (list of str: epoch / best / final), group name."""
    path = open_sweep(sweep).trial_path(trial_id)
    with h5py.File(path, "r") as f:
        rows = _snapshot_groups(f)
    return pd.DataFrame(rows, columns=["epoch", "tags", "group"])


def load_snapshot(sweep, trial_id: str, epoch: Union[int, str] = "best") -> Snapshot:
    """The trial's weights at `epoch`: an epoch number, "best" (the best validation epoch's
    snapshot), "final" or "last" (the latest stored). Arrays keep their stored dtype and shape."""
    sweep = open_sweep(sweep)
    with h5py.File(sweep.trial_path(trial_id), "r") as f:
        groups = _snapshot_groups(f)
        if not groups:
            raise LookupError(f"trial {trial_id} has no snapshots")
        if epoch == "last":
            chosen = groups[-1]
        elif isinstance(epoch, str):
            tagged = [g for g in groups if epoch in g[1]]
            if not tagged:
                raise LookupError(f"trial {trial_id} has no snapshot tagged {epoch!r} "
                                  f"(stored: {[(e, t) for e, t, _ in groups]})")
            chosen = tagged[-1]
        else:
            match = [g for g in groups if g[0] == int(epoch)]
            if not match:
                raise LookupError(f"trial {trial_id} has no snapshot of epoch {epoch} "
                                  f"(stored epochs: {[e for e, _, _ in groups]})")
            chosen = match[0]
        group = f["snapshots"][chosen[2]]
        tensors = {role: {n: ds[()] for n, ds in group[role].items()} if role in group else {}
                   for role in ("forward", "feedback")}
    return Snapshot(trial_id=trial_id, epoch=chosen[0], tags=chosen[1], forward=tensors["forward"],
                    feedback=tensors["feedback"], config=sweep.config(trial_id))


# The network in numpy.

def activation(kind: str, slope: float = 0.01) -> Tuple[Callable, Callable]:
    """(s, s') of an activation as the engine defines it (`slope`: leaky-ReLU's negative slope,
    ELU's scale)."""
    if kind == "tanh":
        return np.tanh, lambda a: 1 - np.tanh(a) ** 2
    if kind == "sigmoid":
        sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
        return sig, lambda a: sig(a) * (1 - sig(a))
    if kind == "relu":
        return lambda a: np.maximum(a, 0), lambda a: (a > 0).astype(float)
    if kind == "leaky-relu":
        return lambda a: np.where(a > 0, a, slope * a), lambda a: np.where(a > 0, 1.0, slope)
    if kind == "elu":
        return (lambda a: np.where(a > 0, a, slope * (np.exp(np.minimum(a, 0)) - 1)),
                lambda a: np.where(a > 0, 1.0, slope * np.exp(np.minimum(a, 0))))
    if kind == "linear":
        return lambda a: a, lambda a: np.ones_like(a)
    raise ValueError(f"unknown activation {kind!r}")


def _activations(snapshot: Snapshot):
    model = snapshot.config.get("model", {})
    slope = float(model.get("leaky_slope", 0.01))
    hidden = activation(model.get("activation", "tanh"), slope)
    output = activation(model.get("output_activation", "linear"), slope)
    fb = activation(model.get("fb_activation", "tanh"), slope)
    return hidden, output, fb


def forward(snapshot: Snapshot, x: np.ndarray):
    """The forward pass in float64: (a, h) with a[k] the pre-activation of layer k (a[0] = None)
    and h[k] its output, h[0] = x; samples are rows."""
    hidden, output, _ = _activations(snapshot)
    L = snapshot.depth
    a, h = [None], [np.asarray(x, dtype=float)]
    for k in range(1, L + 1):
        pre = h[-1] @ snapshot.weight(k).astype(float).T
        if snapshot.bias(k) is not None:
            pre = pre + snapshot.bias(k).astype(float)
        a.append(pre)
        h.append((output if k == L else hidden)[0](pre))
    return a, h


def accuracy(snapshot: Snapshot, x: np.ndarray, labels: np.ndarray) -> float:
    """Classification accuracy of the snapshot network on (x, labels)."""
    return float(np.mean(np.argmax(forward(snapshot, x)[1][-1], axis=1) == labels))


def output_jacobians(snapshot: Snapshot, level: int, x: Optional[np.ndarray] = None) -> np.ndarray:
    """J_o = ∂a_L/∂h_o per input, shape (n, n_L, n_o); without inputs the linear part
    W_L ⋯ W_{o+1} as shape (1, n_L, n_o)."""
    L = snapshot.depth
    if not 0 <= level < L:
        raise ValueError(f"level {level} outside 0…{L - 1}")
    J = snapshot.weight(L).astype(float)[None]
    if x is None:
        for k in range(L - 1, level, -1):
            J = J @ snapshot.weight(k).astype(float)
        return J
    hidden, _, _ = _activations(snapshot)
    a, _ = forward(snapshot, x)
    J = np.broadcast_to(J, (len(x),) + J.shape[1:])
    for k in range(L - 1, level, -1):
        J = (J * hidden[1](a[k])[:, None, :]) @ snapshot.weight(k).astype(float)
    return J


def layer_jacobians(snapshot: Snapshot, k: int, x: Optional[np.ndarray] = None) -> np.ndarray:
    """J_k = ∂h_k/∂h_{k−1} = diag(s'(a_k)) W_k per input (n, n_k, n_{k−1}); without inputs W_k."""
    W = snapshot.weight(k).astype(float)
    if x is None:
        return W[None]
    hidden, output, _ = _activations(snapshot)
    a, _ = forward(snapshot, x)
    d = (output if k == snapshot.depth else hidden)[1](a[k])
    return d[:, :, None] * W[None]


def feedback_jacobians(snapshot: Snapshot, k: int, x: Optional[np.ndarray] = None) -> np.ndarray:
    """G_k = diag(s_fb'(Q_k h_k + d_k)) Q_k at each input's h_k (n, n_{k−1}, n_k); without inputs Q_k."""
    Q = snapshot.feedback_weight(k).astype(float)
    if x is None:
        return Q[None]
    _, _, fb = _activations(snapshot)
    _, h = forward(snapshot, x)
    pre = h[k] @ Q.T
    if snapshot.feedback_bias(k) is not None:
        pre = pre + snapshot.feedback_bias(k).astype(float)
    return fb[1](pre)[:, :, None] * Q[None]


def damped_pinv(J: np.ndarray, damping: float = 0.0) -> np.ndarray:
    """Jᵀ(JJᵀ + λI)⁻¹ over the last two axes; the Moore–Penrose pseudo-inverse when λ = 0."""
    if damping == 0:
        return np.linalg.pinv(J)
    JT = np.swapaxes(J, -1, -2)
    eye = np.eye(J.shape[-2])
    return JT @ np.linalg.inv(J @ JT + damping * eye)


def direct_reference(jacobians: np.ndarray, damping: float = 0.0) -> np.ndarray:
    """Q* = mean(Jᵀ) (mean(J Jᵀ) + λI)⁻¹ for Jacobians (n, n_L, n_o): the minimiser of
    mean_b ‖Q J_b − I‖² + λ‖Q‖²; the damped pseudo-inverse for one Jacobian."""
    JT = np.swapaxes(jacobians, -1, -2)
    gram = (jacobians @ JT).mean(axis=0)
    mean_t = JT.mean(axis=0)
    if damping == 0:
        return mean_t @ np.linalg.pinv(gram)
    return mean_t @ np.linalg.inv(gram + damping * np.eye(gram.shape[0]))


def angle(a: np.ndarray, b: np.ndarray) -> float:
    """Angle in degrees between two arrays seen as vectors (Frobenius cosine)."""
    a, b = np.ravel(a), np.ravel(b)
    denominator = np.linalg.norm(a) * np.linalg.norm(b)
    if denominator == 0:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(a @ b / denominator, -1, 1))))


def relative_error(a: np.ndarray, reference: np.ndarray) -> float:
    norm = np.linalg.norm(reference)
    return float(np.linalg.norm(a - reference) / norm) if norm else float("nan")


COMPARISON_COLUMNS = ["tensor", "kind", "level", "shape", "samples", "rel_error", "angle_reference",
                      "angle_transpose"]


def compare_feedback(snapshot: Snapshot, x: Optional[np.ndarray] = None, damping: float = 0.0) -> pd.DataFrame:
    """One row per feedback map: `tensor`, `kind` (direct / layer), `level` (the hidden level it
    reconstructs), `shape`, `samples` (inputs averaged over; 0 for the linear part),
    `rel_error` = ‖G − R‖/‖R‖ and `angle_reference` (degrees) against the reference R (damped
    pseudo-inverse, see the module text), `angle_transpose` against the transposed forward
    Jacobian. Empty for rules without feedback (bp)."""
    method = snapshot.method
    rows = []
    samples = 0 if x is None else len(x)
    if method in DIRECT_METHODS:
        for o in snapshot.feedback_indices:
            Q = snapshot.feedback_weight(o).astype(float)
            J = output_jacobians(snapshot, o, x)
            reference = direct_reference(J, damping)
            rows.append([f"feedback{o}.weight", "direct", o, tuple(Q.shape), samples,
                         relative_error(Q, reference), angle(Q, reference),
                         angle(Q, J.mean(axis=0).T)])
    elif method in LAYER_METHODS:
        for k in snapshot.feedback_indices:
            G = feedback_jacobians(snapshot, k, x)
            J = layer_jacobians(snapshot, k, x)
            reference = damped_pinv(J, damping)
            JT = np.swapaxes(J, -1, -2)
            G = np.broadcast_to(G, reference.shape)
            rows.append([f"feedback{k}.weight", "layer", k - 1, tuple(snapshot.feedback_weight(k).shape),
                         samples,
                         float(np.mean([relative_error(g, r) for g, r in zip(G, reference)])),
                         float(np.mean([angle(g, r) for g, r in zip(G, reference)])),
                         float(np.mean([angle(g, t) for g, t in zip(G, JT)]))])
    elif snapshot.feedback:
        raise ValueError(f"no Jacobian comparison defined for method {method!r}")
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
