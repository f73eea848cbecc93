"""The cost of one step of the image CycleGAN, by translator: the paper's ResNet against the transformer + ResNet.

    python bench/cyclegan_step.py [--data mnist:digits8] [--steps 200] [--rounds 3]

For each round, each translator in turn (`resnet`, then `warp`): a fresh CycleTrainer of the `cyclegan` preset's
image setting (width 12, 2 residual blocks, 3-layer D, batch 8: the shipped model's) takes 20 steps of warm-up, then
--steps timed steps, evaluations off, one torch thread. Prints milliseconds per step (wall and this process's CPU
time) and the medians' ratio. The two alternate within each round, so a change of the machine's load moves both
alike; compare the rows with each other, not with another day's.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core.cycle_config import CYCLE_PRESETS, CycleConfig, parse_pair  # noqa: E402
from gan_core.training.cycle_trainer import CycleTrainer  # noqa: E402
from gan_core.training.presets import merge  # noqa: E402

TRANSLATORS = ("resnet", "warp")


def ms_per_step(pair: str, translator: str, steps: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per step of a fresh trainer, after 20 steps of warm-up."""
    a, b = parse_pair(pair)
    d = merge(CycleConfig(data_a=a, data_b=b, model={"kind": "resnet"}).to_dict(), CYCLE_PRESETS["images"])
    cfg = CycleConfig.from_dict(merge(d, {"model": {"translator": translator}, "steps": 10 * (steps + 20),
                                          "eval_every": 0, "seed": 0}))
    trainer = CycleTrainer(cfg, "cpu")
    for _ in range(20):
        trainer.step()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        trainer.step()
    return 1000 * (time.perf_counter() - wall) / steps, 1000 * (time.process_time() - cpu) / steps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="mnist:digits8", help="an image pair A:B")
    ap.add_argument("--steps", type=int, default=200, help="timed steps per run")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    times: dict[str, list[tuple[float, float]]] = {t: [] for t in TRANSLATORS}
    for r in range(a.rounds):
        for t in TRANSLATORS:
            times[t].append(ms_per_step(a.data, t, a.steps))
            print(f"round {r + 1}: {t:<6} {times[t][-1][0]:.1f} ms wall, {times[t][-1][1]:.1f} ms CPU per step",
                  flush=True)
    print("\n| translator | ms per step, wall (median; rounds) | ms per step, CPU (median) |\n|---|---|---|")
    med = {}
    for t in TRANSLATORS:
        walls, cpus = [w for w, _ in times[t]], [c for _, c in times[t]]
        med[t] = (statistics.median(walls), statistics.median(cpus))
        print(f"| {t} | {med[t][0]:.1f} ({', '.join(f'{w:.1f}' for w in walls)}) | {med[t][1]:.1f} |")
    print(f"\nwarp / resnet: {med['warp'][0] / med['resnet'][0]:.2f}x wall, {med['warp'][1] / med['resnet'][1]:.2f}x CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
