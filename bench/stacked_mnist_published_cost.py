"""What PacGAN's own Stacked MNIST run would cost on this machine: its networks, timed for a few iterations.

    python bench/stacked_mnist_published_cost.py [--iterations 5] [--threads 1] [--pack 1]

PacGAN's Table 2 (a plain DCGAN keeps 78.9 of the 1,000 modes, PacDCGAN2 all of them) comes from the authors'
TensorFlow DCGAN (the carpedm20 code, adapted), read from their repository (stacked_MNIST_experiments/
VEEGAN_experiment: config.py, model.py, ops.py):

- G: z (100, uniform on [-1, 1]) -> linear to 2 x 2 x 512 -> four 5 x 5 transposed convolutions of stride 2 to
  4 x 4 x 256, 7 x 7 x 128, 14 x 14 x 64 and 28 x 28 x 3, batch norm and ReLU after all but the last, tanh out;
- D: four 5 x 5 convolutions of stride 2 (64, 128, 256, 512 channels; batch norm on all but the first; LeakyReLU
  0.2), a linear logit; called apart on the real and the fake batch, so each batch norm sees one kind only;
- Adam 2e-4, beta1 0.5, batch 64, the non-saturating loss, one D step then two G steps on the same noise per
  iteration, 50 epochs of 2,000 iterations (100,000 iterations).

This script builds those networks in PyTorch (the padding of TensorFlow's SAME approximated by `padding=2` and
`output_padding`), times whole iterations after one of warm-up and prints the seconds per iteration and what
100,000 would take. It trains nothing to an end: it sizes the run, it does not reproduce it.
"""
from __future__ import annotations

import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def generator() -> nn.Module:
    def up(cin: int, cout: int, out_pad: int, last: bool = False) -> list[nn.Module]:
        layers: list[nn.Module] = [nn.ConvTranspose2d(cin, cout, 5, 2, 2, output_padding=out_pad)]
        return layers + ([nn.Tanh()] if last else [nn.BatchNorm2d(cout), nn.ReLU()])

    return nn.Sequential(
        nn.Linear(100, 2 * 2 * 512), nn.Unflatten(1, (512, 2, 2)), nn.BatchNorm2d(512), nn.ReLU(),
        *up(512, 256, 1),  # 2 -> 4
        *up(256, 128, 0),  # 4 -> 7
        *up(128, 64, 1),  # 7 -> 14
        *up(64, 3, 1, last=True),  # 14 -> 28
    )


def discriminator(pack: int) -> nn.Module:
    def down(cin: int, cout: int, bn: bool) -> list[nn.Module]:
        return [nn.Conv2d(cin, cout, 5, 2, 2)] + ([nn.BatchNorm2d(cout)] if bn else []) + [nn.LeakyReLU(0.2)]

    return nn.Sequential(*down(3 * pack, 64, False), *down(64, 128, True), *down(128, 256, True),
                         *down(256, 512, True), nn.Flatten(), nn.Linear(2 * 2 * 512, 1))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--iterations", type=int, default=5, help="timed iterations (after one of warm-up)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--pack", type=int, default=1, help="PacGAN's m: D sees m images per input")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    G, D, m, batch = generator(), discriminator(args.pack), args.pack, 64
    assert G(torch.zeros(2, 100)).shape == (2, 3, 28, 28)
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, 3 * m, 28, 28)  # the timing does not depend on the pixels

    def fakes(z: list[torch.Tensor]) -> torch.Tensor:  # G called m times, its outputs side by side on channels
        return torch.cat([G(zi) for zi in z], dim=1)

    def iteration() -> None:
        z = [torch.rand(batch, 100) * 2 - 1 for _ in range(m)]
        fake = fakes(z)
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        for _ in range(2):  # "run g_optim twice", on the same noise
            g_loss = F.softplus(-D(fakes(z))).mean()
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()

    iteration()
    t = time.perf_counter()
    for _ in range(args.iterations):
        iteration()
    per = (time.perf_counter() - t) / args.iterations
    print(f"PacGAN's Stacked MNIST networks, pack {m}, batch {batch}, {args.threads} thread(s): {per:.3f} s per "
          f"iteration; 100,000 iterations (the published 50 epochs) would take {per * 100_000 / 3600:.1f} h")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
