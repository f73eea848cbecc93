"""The cost of one step of the `classroom` recipe, by torch threads and matrix precision.

    python bench/classroom_step_cost.py [--data grid25] [--steps 600] [--rounds 2]

For each round, each thread count (1, 2) and precision (float32, bfloat16) in turn, a fresh process-local Trainer of
the preset on --data at batch 512 and at batch 1,024 (the recipe's two halves; batch growth off) takes 100 steps of
warm-up, then --steps timed steps. Prints milliseconds per step. The runs alternate within each round, so a change of
the machine's load moves all of them alike; the rows compare with each other, not with another day's.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core import Trainer  # noqa: E402
from gan_core.training.presets import preset_config  # noqa: E402


def ms_per_step(data: str, batch: int, precision: str, steps: int) -> float:
    cfg = preset_config("classroom", {"data": {"name": data}, "steps": 10 * (steps + 100), "seed": 0, "eval_every": 0,
                                      "log_every": 10, "precision": precision,
                                      "optim": {"batch_size": batch, "batch_growth": 1}})
    trainer = Trainer(cfg, "cpu")
    for _ in range(100):
        trainer.step()
    t = time.perf_counter()
    for _ in range(steps):
        trainer.step()
    return (time.perf_counter() - t) / steps * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="grid25")
    p.add_argument("--steps", type=int, default=600, help="timed steps per measurement")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    results: dict[tuple, list[float]] = {}
    for _ in range(args.rounds):
        for threads in (1, 2):
            torch.set_num_threads(threads)
            for precision in ("float32", "bfloat16"):
                for batch in (512, 1024):
                    results.setdefault((threads, precision, batch), []).append(
                        ms_per_step(args.data, batch, precision, args.steps))
    print("| threads | precision | ms per step, batch 512 | ms per step, batch 1,024 |")
    print("|---|---|---|---|")
    for threads in (1, 2):
        for precision in ("float32", "bfloat16"):
            cells = [", ".join(f"{v:.2f}" for v in results[(threads, precision, b)]) for b in (512, 1024)]
            print(f"| {threads} | {precision} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
