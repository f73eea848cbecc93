"""Our trainer's steps/s on ring8 (Unrolled-style setup) against a tutorial-style plain loop, side by side.

    python bench/throughput.py [--steps 1500] [--rounds 3] [--threads 1] [--check-steps 3000] [--write]

Three loops: the plain loop, our Trainer in float32, and our Trainer with `precision="bfloat16"` (matrix
products of the hidden layers in bfloat16; the layers that read or write the 2D points stay float32, see
`gan_core.models.PreciseLinear`). Rounds alternate so that machine noise hits all alike; the ratio of
medians is reported. Then a distribution check: ns on ring8 for `--check-steps` iterations, seeds 0-4, in
float32 and in bfloat16 (the arena, 2 workers), compared as mean +- s.e. of modes, % HQ and reverse KL.
With --write the result replaces bench/results/throughput.md.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gan_core import Trainer  # noqa: E402
from plain_loops import plain_gan_loop, ring8_batch, unrolled_style_models  # noqa: E402


def ours(steps: int, variant: str = "ns", precision: str = "float32") -> float:
    from gan_core.arena import reference_config  # the Unrolled-GAN setup: the same models as the plain loop

    cfg = reference_config("ring8", "unrolled-2d").replace(variant=variant, steps=steps, eval_every=0, log_every=10,
                                     seed=0, precision=precision)
    t = Trainer(cfg, "cpu")
    t.step()  # warm-up outside the clock, like the plain loop's first allocation below
    import time

    t0 = time.perf_counter()
    for _ in range(steps):
        t.step()
    return time.perf_counter() - t0


def plain(steps: int) -> float:
    torch.manual_seed(0)
    G, D = unrolled_style_models()
    plain_gan_loop(G, D, lambda: ring8_batch(512), 256, 1, 1e-3, 1e-4)
    return plain_gan_loop(G, D, lambda: ring8_batch(512), 256, steps, 1e-3, 1e-4, log=[])


def distribution_check(steps: int) -> list[str]:
    """ns on ring8, seeds 0-4, float32 against bfloat16: mean +- s.e. of the final mode metrics."""
    import pandas as pd

    from gan_core.arena import reference_config, run_arena

    out = ["", f"Distribution check: ns on ring8, {steps:,} iterations, seeds 0-4, final metrics on 2,500 samples "
           "(mean +- s.e.; the same seeds in both rows):", "",
           "| precision | modes | % HQ | reverse KL | per-seed % HQ |", "|---|---|---|---|---|"]
    for prec in ("float32", "bfloat16"):
        rows = [ev.metrics for ev in run_arena("ring8", ["ns"], 5, steps, eval_every=0, workers=2,
                                               base_config=reference_config("ring8", "unrolled-2d").replace(precision=prec))
                if ev.kind == "done"]
        df = pd.DataFrame(rows)
        se = lambda c: df[c].std(ddof=1) / len(df) ** 0.5  # noqa: E731
        out.append(f"| {prec} | {df['modes'].mean():.1f} +- {se('modes'):.1f} | {100 * df['hq'].mean():.1f} +- "
                   f"{100 * se('hq'):.1f} | {df['kl'].mean():.3f} +- {se('kl'):.3f} | "
                   f"{', '.join(f'{100 * h:.0f}' for h in df['hq'])} |")
    return out + [""]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1500, help="iterations per measurement")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    p.add_argument("--threads", type=int, default=torch.get_num_threads(), help="torch threads")
    p.add_argument("--check-steps", type=int, default=3000, help="iterations of the distribution check (0: skip it)")
    p.add_argument("--write", action="store_true", help="write the result into bench/results/throughput.md")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    rates = {"plain": [], "ours": [], "bf16": []}
    for _ in range(a.rounds):
        rates["plain"].append(a.steps / plain(a.steps))
        rates["ours"].append(a.steps / ours(a.steps))
        rates["bf16"].append(a.steps / ours(a.steps, precision="bfloat16"))
    med = {k: statistics.median(v) for k, v in rates.items()}
    ratio = med["ours"] / med["plain"]
    ratio_bf16 = med["bf16"] / med["plain"]
    lines = [
        "## Trainer throughput on ring8 (Unrolled-style setup: G/D 2x128 tanh, z 256, batch 512, Adam)",
        "",
        f"Command: `python bench/throughput.py --steps {a.steps} --rounds {a.rounds} --threads {a.threads}`",
        f"Machine: {platform.machine()} CPU, {torch.get_num_threads()} torch thread(s), torch {torch.__version__}",
        "",
        "| loop | steps/s (median of rounds) | rounds |",
        "|---|---|---|",
        f"| plain tutorial-style loop | {med['plain']:.1f} | {', '.join(f'{r:.1f}' for r in rates['plain'])} |",
        f"| gan_core Trainer (ns), float32 | {med['ours']:.1f} | {', '.join(f'{r:.1f}' for r in rates['ours'])} |",
        f"| gan_core Trainer (ns), `--precision bfloat16` | {med['bf16']:.1f} | "
        f"{', '.join(f'{r:.1f}' for r in rates['bf16'])} |",
        "",
        f"Ratio ours / plain: **{ratio:.2f}x** in float32, **{ratio_bf16:.2f}x** with bfloat16 hidden layers "
        f"(target >= 1.5x: {'met' if max(ratio, ratio_bf16) >= 1.5 else 'not met'} on this machine). Both loops run the "
        "same networks (the `unrolled-2d` preset's) and the same matrix products, about 0.35 GFLOP a step at batch 512.",
        "",
    ]
    if a.check_steps:
        lines += distribution_check(a.check_steps)
    text = "\n".join(lines)
    print(text)
    if a.write:
        out = ROOT / "bench" / "results" / "throughput.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)


if __name__ == "__main__":
    main()
