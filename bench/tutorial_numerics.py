"""Where the tutorial loop and gan_core part ways in distribution: the loss's numerics, not the speed-ups.

After 2,000 steps of the tutorial MLP GAN on MNIST (batch 64), gan_core's generators spread their samples
less evenly over the ten classes than the tutorial's loop does (class KL ~0.86 against ~0.50 in
bench/results/speed.md). The two differ in three ways: bfloat16 matrix products, one discriminator pass over
real and fake together, and the loss written on logits (softplus) instead of a Sigmoid followed by BCELoss.
This script trains, per seed, the loops chosen with --loops and scores 2,000 samples of each with the MNIST
evaluation classifier:

- `plain`: the tutorial loop as written (Sigmoid + BCELoss), as in bench/speed.py;
- `plain-logits`: the same loop and model with D's Sigmoid removed and BCEWithLogitsLoss (same maths);
- `gan_core-float32`: `python -m gan_core train --preset tutorial-mlp --precision float32`;
- `gan_core`: the same with the preset's precision (bfloat16 products where the CPU has them).

    python bench/tutorial_numerics.py --loops plain-logits,gan_core-float32 --seeds 3 --write
"""
from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from speed import ours_cli, plain_tutorial  # noqa: E402

LOOPS = ("plain", "plain-logits", "gan_core-float32", "gan_core")
COLS = ["d_loss", "g_loss", "coverage", "class_kl", "mean_confidence", "fid"]


def plain(seed: int, steps: int, logits: bool):
    log: list = []
    _, G = plain_tutorial(steps, 64, seed, log, logits)
    G.eval()
    with torch.inference_mode():
        fake = G(torch.randn(2000, 100, generator=torch.Generator().manual_seed(99))).view(-1, 1, 28, 28)
    tail = np.array(log[-100:])
    return fake, tail[:, 0].mean(), tail[:, 1].mean()


def ours(seed: int, steps: int, extra: tuple):
    from gan_core.runs import load_generator

    _, out = ours_cli(steps, 64, seed, ("--log-every", "1", *extra))
    hist = pd.read_csv(out / "metrics.csv").tail(100)
    G, *_ = load_generator(out)
    with torch.inference_mode():
        fake = G(torch.randn(2000, 100, generator=torch.Generator().manual_seed(99)))
    return fake, hist["d_loss"].mean(), hist["g_loss"].mean()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--loops", default=",".join(LOOPS), help=f"comma-separated, of {', '.join(LOOPS)}")
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..n-1")
    p.add_argument("--steps", type=int, default=2000, help="training iterations per run")
    p.add_argument("--write", action="store_true", help="write bench/results/tutorial-numerics.md")
    a = p.parse_args(argv)
    loops = [x.strip() for x in a.loops.split(",")]
    bad = [x for x in loops if x not in LOOPS]
    if bad:
        p.error(f"unknown loop(s) {bad}; choose from {', '.join(LOOPS)}")
    from gan_core.config import DataConfig
    from gan_core.evaluation.evaluator import ImageEvaluator

    ev = ImageEvaluator(DataConfig("mnist"))
    rows = []
    for seed in range(a.seeds):
        for loop in loops:
            if loop.startswith("plain"):
                fake, d, g = plain(seed, a.steps, loop == "plain-logits")
            else:
                fake, d, g = ours(seed, a.steps, ("--precision", "float32") if loop.endswith("float32") else ())
            m = ev(fake)
            rows.append({"loop": loop, "seed": seed, "d_loss": d, "g_loss": g, **{c: m[c] for c in COLS[2:]}})
            print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in rows[-1].items()),
                  flush=True)
    q = pd.DataFrame(rows)
    agg = q.groupby("loop", sort=False)[COLS].agg(["mean", "std"])
    cmd = "python bench/tutorial_numerics.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = ["## The tutorial loop's numerics against gan_core's", "",
             f"Command: `{cmd.strip()}` ({platform.machine()}, {torch.get_num_threads()} torch threads, torch "
             f"{torch.__version__}). {a.steps} steps, batch 64; losses: mean of the last 100 steps; metrics: 2,000 "
             "samples scored by the MNIST evaluation classifier.", "",
             "| loop | " + " | ".join(COLS) + " |", "|---|" + "---|" * len(COLS)]
    for loop in agg.index:
        lines.append(f"| {loop} | " + " | ".join(f"{agg.loc[loop, (c, 'mean')]:.3f} +- {agg.loc[loop, (c, 'std')]:.3f}"
                                                   for c in COLS) + " |")
    lines += ["", "Per seed:", "", "| loop | seed | " + " | ".join(COLS) + " |", "|---|---|" + "---|" * len(COLS)]
    lines += [f"| {r.loop} | {r.seed} | " + " | ".join(f"{getattr(r, c):.3f}" for c in COLS) + " |"
              for r in q.itertuples(index=False)]
    print("\n".join(lines))
    if a.write:
        (ROOT / "bench" / "results" / "tutorial-numerics.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
