"""Many seeds at once: K seeds of the arena's setup as one batched model against K separate runs, side by side.

    python bench/seed_batch.py [--seeds 5] [--steps 100] [--rounds 2] [--variants ns,pacgan-2] [--write]

The Unrolled-GAN setup on ring8 (G and D 2 x 128 tanh, z 256, batch 512), one torch thread. Separate: K Trainers
stepped one after another (the work of K one-thread runs); batched: one SeedBatch of the same K configs. Rounds
alternate, medians of seed-steps per second are compared. With --write: bench/results/seed-batch.md.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core import Trainer  # noqa: E402
from gan_core.arena import reference_config  # noqa: E402
from gan_core.training.seed_batch import SeedBatch  # noqa: E402


def rates(variant: str, seeds: int, steps: int, rounds: int) -> tuple[list[float], list[float]]:
    base = reference_config("ring8", "unrolled-2d").replace(variant=variant, steps=10**6, eval_every=0)
    configs = [base.replace(seed=s) for s in range(seeds)]
    batch, separate = SeedBatch(configs), [Trainer(c) for c in configs]
    batch.step()
    for t in separate:  # warm-up outside the clock
        t.step()
    sep, bat = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for t in separate:
            for _ in range(steps):
                t.step()
        sep.append(seeds * steps / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        for _ in range(steps):
            batch.step()
        bat.append(seeds * steps / (time.perf_counter() - t0))
    return sep, bat


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--variants", default="ns,pacgan-2")
    p.add_argument("--write", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(1)
    lines = ["## Many seeds at once (seed batch)", "",
             f"Command: `python bench/seed_batch.py --seeds {a.seeds} --steps {a.steps} --rounds {a.rounds} "
             f"--variants {a.variants}`  ",
             f"Machine: {platform.machine()} CPU, one torch thread, torch {torch.__version__}; the 2 cores were shared "
             f"with other work while measuring, so absolute rates are low and noisy; the ratio, measured side by "
             f"side in alternating rounds, is the result. Unrolled-GAN setup on ring8, batch 512.", "",
             "| variant | K separate runs (seed-steps/s) | one seed batch (seed-steps/s) | ratio | rounds (sep / batch) |",
             "|---|---|---|---|---|"]
    for variant in a.variants.split(","):
        sep, bat = rates(variant, a.seeds, a.steps, a.rounds)
        s, b = statistics.median(sep), statistics.median(bat)
        lines.append(f"| {variant} | {s:.1f} | {b:.1f} | **{b / s:.2f}x** | "
                     f"{', '.join(f'{x:.1f}/{y:.1f}' for x, y in zip(sep, bat))} |")
        print(lines[-1], flush=True)
    lines.append("")
    if a.write:
        (ROOT / "bench" / "results" / "seed-batch.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
