"""The cost of one step of the `classroom` recipe, by torch threads and matrix precision.

    python bench/classroom_step_cost.py [--data grid25] [--steps 600] [--rounds 2]
    python bench/classroom_step_cost.py --bare [--rounds 3]

With `--bare` it times instead, on one thread in float32 at batch 512, the Trainer's step against a plain PyTorch loop
on the same two networks (the same weights at the start, the same pack of 2, the non-saturating loss, fused Adam,
real and fake through D in one pass, one G forward per iteration; no moving average, no gradient norms, no checks):
what the Trainer's own bookkeeping costs on top of the arithmetic.

For each round, each thread count (1, 2) and precision (float32, bfloat16) in turn, a fresh process-local Trainer of
the preset on --data at batch 512 and at batch 1,024 (the recipe's two halves; batch growth off) takes 100 steps of
warm-up, then --steps timed steps. Prints milliseconds per step. The runs alternate within each round, so a change of
the machine's load moves all of them alike; the rows compare with each other, not with another day's.
"""
from __future__ import annotations

import argparse
import copy
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


def bare_against_trainer(data: str, steps: int, rounds: int) -> None:
    import torch.nn.functional as F

    torch.set_num_threads(1)
    cfg = preset_config("classroom", {"data": {"name": data}, "steps": 100 * steps, "seed": 0, "eval_every": 0,
                                      "log_every": 100, "precision": "float32", "optim": {"batch_growth": 1}})
    trainer = Trainer(cfg, "cpu")
    g, d = copy.deepcopy(trainer.G), copy.deepcopy(trainer.D)
    o = cfg.optim
    opt_g = torch.optim.Adam(g.parameters(), o.lr_g, betas=(o.beta1_g, o.beta2_g), fused=True)
    opt_d = torch.optim.Adam(d.parameters(), o.lr_d, betas=(o.beta1_d, o.beta2_d), fused=True)
    b, z_dim = o.batch_size, cfg.model.z_dim
    real_pool = trainer.data.sample(100_000, torch.Generator().manual_seed(0))[0]

    def bare_step() -> None:
        real = real_pool[torch.randint(0, real_pool.shape[0], (b,))]
        fake = g(torch.randn(b, z_dim))
        pr, pf = real.reshape(b // 2, -1), fake.reshape(b // 2, -1)
        logits = d(torch.cat([pr, pf.detach()]))
        loss_d = F.softplus(-logits[: b // 2]).mean() + F.softplus(logits[b // 2:]).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        loss_g = F.softplus(-d(pf)).mean()
        opt_g.zero_grad(set_to_none=True)
        for p, grad in zip(g.parameters(), torch.autograd.grad(loss_g, list(g.parameters()))):
            p.grad = grad
        opt_g.step()

    print("| round | plain loop, ms per step | Trainer, ms per step | Trainer / plain |")
    print("|---|---|---|---|")
    for r in range(rounds):
        times = []
        for step in (bare_step, trainer.step):
            for _ in range(100):
                step()
            t = time.perf_counter()
            for _ in range(steps):
                step()
            times.append((time.perf_counter() - t) / steps * 1000)
        print(f"| {r + 1} | {times[0]:.2f} | {times[1]:.2f} | {times[1] / times[0]:.2f}x |", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="grid25")
    p.add_argument("--steps", type=int, default=600, help="timed steps per measurement")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--bare", action="store_true", help="the Trainer's step against a plain loop on the same networks")
    args = p.parse_args(argv)
    if args.bare:
        bare_against_trainer(args.data, args.steps, args.rounds)
        return 0
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
