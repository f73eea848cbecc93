"""tanh on the CPU: PyTorch's kernel against the form 2 * sigmoid(2x) - 1, alone and inside a training step.

    python bench/activations.py [--rounds 3] [--threads 1]

An earlier build of the engine computed tanh on the CPU as 2 * sigmoid(2x) - 1 because the kernel measured slower
then; the engine now uses torch.tanh. This bench keeps the question open on the machine at hand:

1. the activation's forward and backward on float32 batches of the sizes the 2D MLPs see (microseconds, median of
   --rounds, 500 calls each);
2. a step of the `classroom` recipe on grid25 (G 4 x 64, D 2 x 128, pack 2) at batch 512 and 1,024, float32, with
   either form swapped into the MLPs (milliseconds per step, 300 steps after 100 of warm-up, timed as
   bench/classroom_step_cost.py times them; the forms alternate within each round so that a change of the machine's
   load moves both alike).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gan_core.models.layers as layers  # noqa: E402
from classroom_step_cost import ms_per_step  # noqa: E402  - bench/ is the script's own folder


class SigmoidTanh(nn.Module):
    """The earlier form: 2 * sigmoid(2x) - 1 (equal to tanh within 2e-7)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(x + x) * 2.0 - 1.0


FORMS = {"torch.tanh": lambda: nn.Tanh(), "2 sigmoid(2x) - 1": lambda: SigmoidTanh()}


def kernel_us(form: str, shape: tuple[int, int], calls: int = 500) -> float:
    act = FORMS[form]()
    x = torch.randn(*shape, requires_grad=True)
    g = torch.randn(*shape)
    for _ in range(20):
        act(x).backward(g)
    t = time.perf_counter()
    for _ in range(calls):
        act(x).backward(g)
    return (time.perf_counter() - t) / calls * 1e6


def step_ms(form: str, batch: int, steps: int = 300) -> float:
    layers.ACTIVATIONS["tanh"] = FORMS[form]
    return ms_per_step("grid25", batch, "float32", steps)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    kernels: dict[tuple, list[float]] = {}
    steps: dict[tuple, list[float]] = {}
    for _ in range(a.rounds):
        for form in FORMS:
            for shape in ((512, 64), (1024, 128)):
                kernels.setdefault((form, shape), []).append(kernel_us(form, shape))
            for batch in (512, 1024):
                steps.setdefault((form, batch), []).append(step_ms(form, batch))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {a.rounds} rounds (medians)\n")
    print("| form | forward + backward, (512, 64) | forward + backward, (1024, 128) | classroom step, batch 512 "
          "| classroom step, batch 1,024 |")
    print("|---|---|---|---|---|")
    for form in FORMS:
        k = [statistics.median(kernels[(form, s)]) for s in ((512, 64), (1024, 128))]
        s = [statistics.median(steps[(form, b)]) for b in (512, 1024)]
        print(f"| {form} | {k[0]:.0f} us | {k[1]:.0f} us | {s[0]:.2f} ms | {s[1]:.2f} ms |")


if __name__ == "__main__":
    main()
