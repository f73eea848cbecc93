"""The Unrolled GAN paper's 2D experiment as a bare PyTorch loop, to check the trainer's `collapse-metz2016` runs.

    python bench/metz_loop.py MODE SEED STEPS [LR_G]     MODE: sim (simultaneous updates, as the paper's code),
                                                           alt (alternating, saddle loss), ns (alternating, NS loss)

Prints, every 500 steps: modes covered by sharp samples, % HQ (within 3 sigma), the median distance of the samples
to their nearest centre, the sharp share per mode and the share of all samples nearest each mode (BENCHMARKS.md,
"Mode collapse you can show").
"""
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
mode, seed, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lr_g = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-4
torch.manual_seed(seed)
th = np.arange(8) * 2 * np.pi / 8
C = torch.tensor(np.stack([2 * np.cos(th), 2 * np.sin(th)], 1), dtype=torch.float32)
def data(n):
    return C[torch.randint(0, 8, (n,))] + 0.02 * torch.randn(n, 2)
G = nn.Sequential(nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
D = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 1))
for m in list(G) + list(D):
    if isinstance(m, nn.Linear):
        nn.init.orthogonal_(m.weight, 0.8); nn.init.zeros_(m.bias)
og = torch.optim.Adam(G.parameters(), lr_g, betas=(0.5, 0.999), eps=1e-8)
od = torch.optim.Adam(D.parameters(), 1e-4, betas=(0.5, 0.999), eps=1e-8)
bce = F.binary_cross_entropy_with_logits
def Dx(x): return D(x / 4)
t0 = time.time()
for i in range(1, steps + 1):
    x = data(512); z = torch.randn(512, 256)
    if mode == "sim":
        fake = G(z)
        rs, fs = Dx(x), Dx(fake)
        loss = bce(rs, torch.ones_like(rs)) + bce(fs, torch.zeros_like(fs))
        gd = torch.autograd.grad(loss, list(D.parameters()), retain_graph=True)
        gg = torch.autograd.grad(-loss, list(G.parameters()))
        for p, g in zip(D.parameters(), gd): p.grad = g
        for p, g in zip(G.parameters(), gg): p.grad = g
        od.step(); og.step()
    else:
        fake = G(z).detach(); rs, fs = Dx(x), Dx(fake)
        loss = bce(rs, torch.ones_like(rs)) + bce(fs, torch.zeros_like(fs))
        od.zero_grad(); loss.backward(); od.step()
        fs = Dx(G(torch.randn(512, 256)))
        gl = -bce(fs, torch.zeros_like(fs)) if mode == "alt" else bce(fs, torch.ones_like(fs))
        og.zero_grad(); gl.backward(); og.step()
    if i % 500 == 0:
        with torch.no_grad():
            s = G(torch.randn(2500, 256))
        d = torch.cdist(s, C); dist, near = d.min(1)
        hq = dist <= 0.06
        cnt = torch.bincount(near[hq], minlength=8)
        spread = (s - C[near]).norm(dim=1).median().item()
        print(f"{mode} s{seed} {i:6d} modes {(cnt>0).sum().item()} hq {hq.float().mean():.2f} medDist {spread:.3f} | " + " ".join(f"{int(100*c/2500):3d}" for c in cnt) + f" | near " + " ".join(f"{int(100*(near==k).float().mean()):3d}" for k in range(8)), flush=True)
print(f"wall {time.time()-t0:.0f}s")
