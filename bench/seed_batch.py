"""Many seeds at once: K seeds of the arena's setup as one batched model against K separate runs, side by side.

    python bench/seed_batch.py [--seeds 5] [--steps 100] [--rounds 2] [--variants ns,pacgan-2] [--batch-sizes 512,64] [--write]

The Unrolled-GAN setup on ring8 (G and D 2 x 128 tanh, z 256, batch 512 unless --batch-sizes says otherwise), one
torch thread. Separate: K Trainers stepped one after another (the work of K one-thread runs); batched: one SeedBatch
of the same K configs. Rounds alternate, medians of seed-steps per second are compared. Each row also gives the
arithmetic of one seed-step (torch's FLOP counter on one step of a separate run) and the rate at which the separate
runs do it: when that rate is near what one core can multiply, the step is compute-bound and batching the seeds
cannot make it much faster; at a small batch the per-operation overhead dominates and batching pays.
With --write: bench/results/seed-batch.md.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_core import Trainer  # noqa: E402
from gan_core.arena import reference_config  # noqa: E402
from gan_core.training.seed_batch import SeedBatch  # noqa: E402


def step_flops(trainer: Trainer) -> float:
    """Floating-point operations of one training step (matrix products and convolutions, as torch counts them)."""
    with FlopCounterMode(display=False) as counter:
        trainer.step()
    return float(counter.get_total_flops())


def rates(variant: str, seeds: int, steps: int, rounds: int, batch_size: int) -> tuple[list[float], list[float], float]:
    base = reference_config("ring8", "unrolled-2d").replace(variant=variant, steps=10**6, eval_every=0,
                                                           optim={"batch_size": batch_size})
    configs = [base.replace(seed=s) for s in range(seeds)]
    batch, separate = SeedBatch(configs), [Trainer(c) for c in configs]
    batch.step()
    for t in separate:  # warm-up outside the clock
        t.step()
    flops = step_flops(Trainer(base))
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
    return sep, bat, flops


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--variants", default="ns,pacgan-2")
    p.add_argument("--batch-sizes", default="512", help="comma-separated batch sizes (512 is the setup's own)")
    p.add_argument("--write", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(1)
    lines = ["## Many seeds at once (seed batch)", "",
             f"Command: `python bench/seed_batch.py --seeds {a.seeds} --steps {a.steps} --rounds {a.rounds} "
             f"--variants {a.variants} --batch-sizes {a.batch_sizes}`  ",
             f"Machine: {platform.machine()} CPU, one torch thread, torch {torch.__version__}. The ratio, measured side "
             f"by side in alternating rounds, is the result. Unrolled-GAN setup on ring8.", "",
             "| variant | batch | MFLOP per seed-step | K separate runs (seed-steps/s) | their GFLOP/s | one seed batch "
             "(seed-steps/s) | ratio | rounds (sep / batch) |",
             "|---|---|---|---|---|---|---|---|"]
    for batch_size in [int(b) for b in a.batch_sizes.split(",")]:
        for variant in a.variants.split(","):
            sep, bat, flops = rates(variant, a.seeds, a.steps, a.rounds, batch_size)
            s, b = statistics.median(sep), statistics.median(bat)
            lines.append(f"| {variant} | {batch_size} | {flops / 1e6:.1f} | {s:.1f} | {s * flops / 1e9:.1f} | {b:.1f} | "
                         f"**{b / s:.2f}x** | {', '.join(f'{x:.1f}/{y:.1f}' for x, y in zip(sep, bat))} |")
            print(lines[-1], flush=True)
    lines.append("")
    if a.write:
        (ROOT / "bench" / "results" / "seed-batch.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
