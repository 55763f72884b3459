"""Training-pass speed of tpsweep against plain PyTorch loops, measured in one run.

The peers: a plain PyTorch BP loop (nn.Sequential, Adam, cross-entropy) and DDTP-linear written
the way the M20 reference code computes it (per-layer local losses through autograd, a direct
linear feedback matrix per hidden layer, the direct difference reconstruction loss with one noisy
forward pass per hidden layer). Same network, batch, optimizer, data and thread count as
`tpsweep bench`; both sides time a pass over the same number of training samples.

    python3 benchmarks/pytorch_peer.py [--repeats 5] [--samples 10000]

Needs torch (not installed by setup: it is only a peer for this benchmark).
"""
import argparse
import gzip
import re
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
DATA = Path("/usr/share/datasets/fashion-mnist")
WIDTHS = [784, 256, 256, 256, 256, 256, 10]
BATCH = 128


def load(samples):
    with gzip.open(DATA / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:samples]
    with gzip.open(DATA / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)[:samples]
    return torch.tensor(x, dtype=torch.float32) / 255, torch.tensor(y, dtype=torch.long)


def layers():
    ws = []
    for i, o in zip(WIDTHS, WIDTHS[1:]):
        w = torch.empty(o, i)
        torch.nn.init.xavier_normal_(w)
        ws.append((w.requires_grad_(), torch.zeros(o, requires_grad=True)))
    return ws


def bp_pass(x, y):
    model = torch.nn.Sequential(*[m for i, o in zip(WIDTHS, WIDTHS[1:])
                                  for m in (torch.nn.Linear(i, o), torch.nn.Tanh())][:-1])
    opt = torch.optim.Adam(model.parameters(), lr=2.88e-4, betas=(0.9, 0.99), eps=4.73e-8)

    def run():
        for s in range(0, len(x), BATCH):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x[s:s + BATCH]), y[s:s + BATCH]).backward()
            opt.step()
    return run


def ddtp_linear_pass(x, y, beta=0.0173, sigma=0.0986):
    ws = layers()
    qs = [torch.empty(n, 10) for n in WIDTHS[1:-1]]
    for q in qs:
        torch.nn.init.xavier_normal_(q)
        q.requires_grad_()
    fwd = torch.optim.Adam([p for wb in ws for p in wb], lr=5.05e-4, betas=(0.99, 0.99), eps=1.73e-8)
    fb = torch.optim.Adam(qs, lr=7.96e-4, betas=(0.99, 0.9), eps=3.11e-8, weight_decay=5.78e-6)
    depth = len(ws)

    def forward_from(h, start):
        for l in range(start, depth):
            a = F.linear(h, *ws[l])
            h = a if l == depth - 1 else torch.tanh(a)
        return h

    def forward(xb):
        hs = [xb]
        for l in range(depth):                   # forward, keeping every layer's output
            a = F.linear(hs[-1].detach(), *ws[l])
            hs.append(a if l == depth - 1 else torch.tanh(a))
        return hs

    def feedback_step(hs):
        """Direct DRL, one noisy pass per layer, then a feedback optimizer step."""
        out = hs[-1].detach()
        fb.zero_grad(set_to_none=True)
        rec = 0
        with torch.no_grad():
            probes = [(hs[l].detach() + sigma * torch.randn_like(hs[l])) for l in range(1, depth)]
            shifts = [forward_from(p, l) - out for l, p in enumerate(probes, start=1)]
        for l in range(1, depth):
            noise = probes[l - 1] - hs[l].detach()
            rec = rec + ((shifts[l - 1] @ qs[l - 1].t() - noise) ** 2).sum() / len(out) / sigma ** 2
        rec.backward()
        fb.step()

    def run():
        """One epoch as [M20] trains it: the training pass, then one feedback-only epoch (6+1)."""
        for s in range(0, len(x), BATCH):
            xb, yb = x[s:s + BATCH], y[s:s + BATCH]
            hs = forward(xb)
            out = hs[-1]
            grad = torch.autograd.grad(F.cross_entropy(out, yb), out, retain_graph=True)[0]
            shift = -beta * grad                          # τ_L − h_L
            fwd.zero_grad(set_to_none=True)
            loss = F.mse_loss(out, (out + shift).detach(), reduction="sum") / len(xb)
            for l in range(1, depth):                     # τ_l = h_l + Q_l (τ_L − h_L)
                target = (hs[l] + shift @ qs[l - 1].t()).detach()
                loss = loss + F.mse_loss(hs[l], target, reduction="sum") / len(xb)
            loss.backward()
            feedback_step(hs)
            fwd.step()
        for s in range(0, len(x), BATCH):
            with torch.no_grad():
                hs = forward(x[s:s + BATCH])
            feedback_step(hs)
    return run


def median_seconds(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--samples", type=int, default=10_000)
    args = p.parse_args()
    torch.set_num_threads(1)
    x, y = load(args.samples)
    torch_s = {"bp": median_seconds(bp_pass(x, y), args.repeats),
               "ddtp-linear": median_seconds(ddtp_linear_pass(x, y), args.repeats)}
    binary = ROOT / ".build/release/tpsweep"
    out = subprocess.run([str(binary), "bench", "--repeats", str(args.repeats), "--samples", str(args.samples),
                          "--methods", "bp", "ddtp-linear"], check=True, capture_output=True, text=True).stdout
    print(out, end="")
    print(f"PyTorch {torch.__version__}, 1 thread, {args.samples} samples per pass, median of {args.repeats}")
    for name, seconds in torch_s.items():
        ours = float(re.search(rf"^{re.escape(name)}\s.*?([\d.]+) s per 55k", out, re.M).group(1))
        torch_epoch = seconds * 55_000 / args.samples
        print(f"{name:<14} PyTorch {torch_epoch:6.2f} s per 55k-sample epoch, tpsweep {ours:6.2f} s: "
              f"tpsweep is {torch_epoch / ours:4.2f}x as fast")


if __name__ == "__main__":
    main()
