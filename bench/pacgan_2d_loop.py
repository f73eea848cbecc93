"""PacGAN's 2D experiment (Lin et al. 2018, Table 1) as a bare PyTorch loop: does its plain GAN collapse here?

    python bench/pacgan_2d_loop.py DATA PACK SEED STEPS [--every N]     DATA: ring8-pacgan or grid25; PACK: 1 = GAN

The setup as the protocol notes give it (../shared/reference/mode-collapse-protocol.md, "Reference architectures"):
G 4 x 400 with batch norm and ReLU -> 2, D 3 x 200 maxout with 5 pieces -> 1 seeing PACK samples concatenated
(input 2 * PACK), 2-d normal noise, Adam 1e-4 with beta1 0.8 for both, the non-saturating loss, batch 100 (100
packed inputs for D, so 100 * PACK samples of each kind), one D step per G step. PacGAN trained 400,000 iterations.
Prints, every `--every` steps: modes covered by sharp samples, % HQ and the reverse KL on 2,500 samples (the
protocol's definitions, `gan_core.evaluation.modes2d`), the modes held by at least 5% of the samples, and the
seconds so far.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gan_core.data.points import MIXTURES  # noqa: E402
from gan_core.evaluation.modes2d import mode_metrics  # noqa: E402
from gan_core.models.layers import Maxout  # noqa: E402  - the same layer as the trainer's collapse-pacgan2018 D


def networks(pack: int) -> tuple[nn.Module, nn.Module]:
    g_layers, width = [], 2
    for _ in range(4):
        g_layers += [nn.Linear(width, 400), nn.BatchNorm1d(400), nn.ReLU()]
        width = 400
    G = nn.Sequential(*g_layers, nn.Linear(400, 2))
    D = nn.Sequential(Maxout(2 * pack, 200, 5), Maxout(200, 200, 5), Maxout(200, 200, 5), nn.Linear(200, 1))
    return G, D


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", choices=["ring8-pacgan", "grid25"])
    ap.add_argument("pack", type=int)
    ap.add_argument("seed", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("--every", type=int, default=2000)
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    mix = MIXTURES[a.data]
    centres = torch.tensor(mix.centres, dtype=torch.float32)
    G, D = networks(a.pack)
    opt_g = torch.optim.Adam(G.parameters(), 1e-4, betas=(0.8, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), 1e-4, betas=(0.8, 0.999))
    n = 100 * a.pack

    def real(k: int) -> torch.Tensor:
        return centres[torch.randint(0, len(centres), (k,))] + mix.sigma * torch.randn(k, 2)

    def d_of(x: torch.Tensor) -> torch.Tensor:
        return D(x.reshape(-1, 2 * a.pack)).squeeze(1)  # PACK consecutive samples form one input

    t0 = time.perf_counter()
    for step in range(1, a.steps + 1):
        with torch.no_grad():
            fake = G(torch.randn(n, 2))
        rs, fs = d_of(real(n)), d_of(fake)
        loss_d = F.binary_cross_entropy_with_logits(rs, torch.ones_like(rs)) + \
            F.binary_cross_entropy_with_logits(fs, torch.zeros_like(fs))
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        fs = d_of(G(torch.randn(n, 2)))
        loss_g = F.binary_cross_entropy_with_logits(fs, torch.ones_like(fs))
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        if step % a.every == 0 or step == a.steps:
            G.eval()
            with torch.no_grad():
                s = G(torch.randn(2500, 2)).numpy()
            G.train()
            m = mode_metrics(s, mix.centres, mix.sigma)
            held = sum(c >= 0.05 * len(s) for c in m.near)  # samples per nearest centre, sharp or not
            print(f"{a.data} pack {a.pack} seed {a.seed} step {step}: modes {m.modes}/{len(centres)}, "
                  f"HQ {100 * m.hq:.1f}%, KL {m.kl:.3f}, held by >= 5%: {held}, {time.perf_counter() - t0:.0f} s",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
