"""Speed on this CPU, measured as the user runs it, against tutorial-style plain loops in the same run.

    python bench/speed.py [--steps 600] [--rounds 2] [--quality-steps 2000] [--seeds 3] [--write]

Sections (each prints its figure and ratio):
1. tutorial MLP GAN on MNIST, batch 64: `python -m gan_core train --preset tutorial-mlp ...` (speed read
   from metrics.csv's wall_time) against the tutorial's loop (DataLoader, batch 64, shuffle, BCE, Adam).
2. the same model at batch 256 as a share of the measured float32 matrix-multiply peak (FLOPs counted
   for the plain loop's forward and backward passes, so work we avoid counts in our favour).
3. the same in distribution: final losses and classifier metrics after --quality-steps steps, 3 seeds,
   ours against the plain loop.
4. `import gan_core` on top of `import torch`.
Rounds alternate between the contenders, so machine noise hits both alike.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from plain_loops import plain_gan_loop, tutorial_mlp_models  # noqa: E402


def mnist_loader(batch: int, seed: int):
    """The tutorial's data pipeline: normalise to [-1, 1], DataLoader(batch, shuffle=True)."""
    from torch.utils.data import DataLoader, TensorDataset

    from gan_core.data.images import load_mnist_bundled

    images, labels = load_mnist_bundled("train")
    x = torch.from_numpy(images).float().div(255).sub(0.5).div(0.5).view(-1, 784)
    g = torch.Generator().manual_seed(seed)
    loader = DataLoader(TensorDataset(x, torch.from_numpy(labels)), batch_size=batch, shuffle=True, drop_last=True, generator=g)

    def batches():
        while True:
            for xb, _ in loader:
                yield xb

    it = batches()
    return lambda: next(it)


def plain_tutorial(steps: int, batch: int, seed: int = 0, log: list | None = None, logits: bool = False):
    """The tutorial loop (logits=True: the same loop on logits, see plain_loops). Returns (seconds, G)."""
    torch.manual_seed(seed)
    G, D = tutorial_mlp_models(logits)
    next_real = mnist_loader(batch, seed)
    plain_gan_loop(G, D, next_real, 100, 2, 2e-4, 2e-4, logits=logits)  # warm-up
    secs = plain_gan_loop(G, D, next_real, 100, steps, 2e-4, 2e-4, log=log, logits=logits)
    return secs, G


def ours_cli(steps: int, batch: int, seed: int = 0, extra: tuple = ()) -> tuple[float, Path]:
    out = Path(tempfile.mkdtemp(prefix="speed-")) / "run"
    cmd = [sys.executable, "-m", "gan_core", "train", "--preset", "tutorial-mlp", "--data", "mnist", "--steps", str(steps),
           "--batch-size", str(batch), "--seed", str(seed), "--eval-every", "0", "--log-every", "50", "--quiet",
           "--out", str(out), *extra]
    subprocess.run(cmd, check=True, cwd=ROOT)
    m = pd.read_csv(out / "metrics.csv").iloc[:-1]  # the last row's clock includes the final evaluation
    first = m.iloc[0]  # step 1 includes start-up; measure from it on
    return float(m["wall_time"].iloc[-1] - first["wall_time"]) / (m["step"].iloc[-1] - first["step"]) * steps, out


def matmul_peak(n: int = 2048, reps: int = 5) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best


def plain_flops_per_step(batch: int) -> float:
    """FLOPs of one tutorial-loop iteration (multiply-adds x 2), weight matmuls only.

    D on real, D on fake (D step), D on fake again (G step): 3 D forwards; 1 G forward.
    Backward: D step = D weight grads + input grads (2 x forward) on 2 batches; G step = D input and
    weight grads (2x) + G weight and input grads (2x) on 1 batch.
    """
    G, D = tutorial_mlp_models()
    g = 2 * sum(p.numel() for n, p in G.named_parameters() if n.endswith("weight"))
    d = 2 * sum(p.numel() for n, p in D.named_parameters() if n.endswith("weight"))
    per_row = 3 * d + g + 2 * (2 * d) + 2 * d + 2 * g
    return per_row * batch


def import_overhead(rounds: int = 5) -> tuple[float, float]:
    def run(code):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        return time.perf_counter() - t

    base, ours = [], []
    for _ in range(rounds):
        base.append(run("import torch"))
        ours.append(run("import torch, gan_core"))
    return statistics.median(base), statistics.median(ours)


def quality(steps: int, seeds: int) -> pd.DataFrame:
    from gan_core.config import DataConfig
    from gan_core.evaluation.evaluator import ImageEvaluator
    from gan_core.runs import load_generator

    ev = ImageEvaluator(DataConfig("mnist"))
    rows = []
    for seed in range(seeds):
        log: list = []
        _, G = plain_tutorial(steps, 64, seed, log)
        G.eval()
        with torch.inference_mode():
            fake = G(torch.randn(2000, 100, generator=torch.Generator().manual_seed(99))).view(-1, 1, 28, 28)
        m = ev(fake)
        tail = np.array(log[-100:])
        rows.append({"loop": "plain", "seed": seed, "d_loss": tail[:, 0].mean(), "g_loss": tail[:, 1].mean(), **m})
        _, out = ours_cli(steps, 64, seed, ("--log-every", "1"))
        hist = pd.read_csv(out / "metrics.csv").tail(100)
        G2, *_ = load_generator(out)
        with torch.inference_mode():
            fake = G2(torch.randn(2000, 100, generator=torch.Generator().manual_seed(99)))
        m = ev(fake)
        rows.append({"loop": "gan_core", "seed": seed, "d_loss": hist["d_loss"].mean(), "g_loss": hist["g_loss"].mean(), **m})
    return pd.DataFrame(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=600, help="iterations per speed measurement")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds per contender")
    p.add_argument("--quality-steps", type=int, default=2000, help="iterations of the distribution check (0: skip)")
    p.add_argument("--seeds", type=int, default=3, help="seeds of the distribution check")
    p.add_argument("--write", action="store_true", help="write bench/results/speed.md")
    a = p.parse_args()
    threads = torch.get_num_threads()
    lines = ["## Speed of the tutorial MLP GAN on MNIST", "",
             f"Command: `python bench/speed.py --steps {a.steps} --rounds {a.rounds} --quality-steps {a.quality_steps} "
             f"--seeds {a.seeds}`  ", f"Machine: {platform.machine()} CPU, {threads} torch threads, torch {torch.__version__}; "
             f"ours runs `python -m gan_core train --preset tutorial-mlp --data mnist` (precision auto = bfloat16 "
             f"matrix products on this CPU) and is timed from its metrics.csv wall_time.", ""]

    for batch in (64, 256):
        plain_rates, our_rates = [], []
        for _ in range(a.rounds):
            secs, _ = plain_tutorial(a.steps, batch)
            plain_rates.append(a.steps * batch / secs)
            secs, _ = ours_cli(a.steps, batch)
            our_rates.append(a.steps * batch / secs)
        pr, orr = statistics.median(plain_rates), statistics.median(our_rates)
        lines += [f"### Batch {batch}", "", "| loop | examples/s (median) | steps/s | rounds (examples/s) |", "|---|---|---|---|",
                  f"| plain tutorial loop | {pr:,.0f} | {pr / batch:.1f} | {', '.join(f'{r:,.0f}' for r in plain_rates)} |",
                  f"| gan_core CLI | {orr:,.0f} | {orr / batch:.1f} | {', '.join(f'{r:,.0f}' for r in our_rates)} |", "",
                  f"Ratio gan_core / plain: **{orr / pr:.2f}x**" + (" (target >= 2x)" if batch == 64 else ""), ""]
        if batch == 256:
            peak = matmul_peak()
            flops = plain_flops_per_step(batch)
            ours_rate = orr / batch * flops
            plain_rate = pr / batch * flops
            lines += [f"float32 matmul peak (2048^3, {threads} threads, best of 5): {peak / 1e9:.1f} GFLOP/s. "
                      f"The plain loop needs {flops / 1e9:.2f} GFLOP per step.", "",
                      f"- plain loop: {plain_rate / 1e9:.1f} GFLOP/s = **{plain_rate / peak:.0%} of peak**",
                      f"- gan_core: {ours_rate / 1e9:.1f} GFLOP/s (plain-loop FLOPs per step) = **{ours_rate / peak:.0%} of peak** "
                      f"(target >= 85%)", ""]
        print("\n".join(lines[-12:]), flush=True)

    base, ours = import_overhead()
    lines += ["### Import time", "", f"`import torch`: {base:.2f} s; `import torch, gan_core`: {ours:.2f} s; "
              f"gan_core adds **{ours - base:.2f} s** (target < 0.5 s; median of 5 fresh interpreters).", ""]
    print("\n".join(lines[-3:]), flush=True)

    if a.quality_steps:
        q = quality(a.quality_steps, a.seeds)
        cols = ["d_loss", "g_loss", "fid", "is", "coverage", "mean_confidence", "precision", "recall"]
        agg = q.groupby("loop")[cols].agg(["mean", "std"])
        lines += [f"### Same results in distribution ({a.quality_steps} steps, batch 64, seeds 0-{a.seeds - 1})", "",
                  "Losses are the mean of the last 100 logged steps; metrics from 2,000 samples scored by the MNIST "
                  "evaluation classifier against the 1,000 held-out digits.", "",
                  "| loop | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        for loop in agg.index:
            lines.append(f"| {loop} | " + " | ".join(f"{agg.loc[loop, (c, 'mean')]:.3f} +- {agg.loc[loop, (c, 'std')]:.3f}"
                                                       for c in cols) + " |")
        lines += ["", "Per seed:", "", "| " + " | ".join(q.columns) + " |", "|" + "---|" * len(q.columns)]
        lines += ["| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |"
                  for row in q.itertuples(index=False)]
        lines.append("")
        print("\n".join(lines[-12:]), flush=True)

    if a.write:
        (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
        (ROOT / "bench" / "results" / "speed.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
