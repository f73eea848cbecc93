"""One 2D GAN written as a bare PyTorch loop, every setting a key=value argument, to scan for a sharp mode collapse
(BENCHMARKS.md, "A sharp collapse"):

    python bench/collapse_scan.py steps=3000 act=relu init=default lrg=1e-4 lrd=1e-3 loss=ns

Keys (default): seed (0), steps (3000), every (500), act (tanh | relu), gh / dh (hidden widths, "128,128"),
init (orth | default | xavier), gain (orthogonal gain, 1.4), lrg (1e-3), lrd (1e-4), b1 (0.5), bs (512), z (256),
R / std (ring radius 1, std 0.01), upd (alt | sim: alternating or simultaneous updates), loss (saddle | ns),
dscale (D's input multiplier, 1). The defaults are the Unrolled GAN notebook's (poolio/unrolled_gan), but with 8
distinct modes. Prints, every `every` steps: modes covered by sharp samples (within 3 std), % HQ, the median
distance to the nearest centre, the median distance to the samples' mean (spread), the sharp share per mode and
the modes held (at least 1/32 of the samples nearest to them).
"""
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
a = dict(seed=0, steps=3000, every=500, act="tanh", gh="128,128", dh="128,128", init="orth", gain=1.4, lrg=1e-3,
         lrd=1e-4, b1=0.5, bs=512, z=256, R=1.0, std=0.01, upd="alt", loss="saddle", dscale=1.0)
for kv in sys.argv[1:]:
    k, v = kv.split("=")
    a[k] = v if isinstance(a[k], str) else type(a[k])(v)
torch.manual_seed(a["seed"])
K = 8
th = np.arange(K) * 2 * np.pi / K
C = torch.tensor(np.stack([a["R"] * np.cos(th), a["R"] * np.sin(th)], 1), dtype=torch.float32)
act = {"tanh": nn.Tanh, "relu": nn.ReLU}[a["act"]]


def mlp(i, hidden, o):
    layers, d = [], i
    for h in (int(x) for x in hidden.split(",") if x):
        layers += [nn.Linear(d, h), act()]
        d = h
    return nn.Sequential(*layers, nn.Linear(d, o))


G, D = mlp(a["z"], a["gh"], 2), mlp(2, a["dh"], 1)
for m in list(G) + list(D):
    if isinstance(m, nn.Linear) and a["init"] != "default":
        nn.init.orthogonal_(m.weight, a["gain"]) if a["init"] == "orth" else nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
og = torch.optim.Adam(G.parameters(), a["lrg"], betas=(a["b1"], 0.999), eps=1e-8)
od = torch.optim.Adam(D.parameters(), a["lrd"], betas=(a["b1"], 0.999), eps=1e-8)
bce = F.binary_cross_entropy_with_logits


def data(n):
    return C[torch.randint(0, K, (n,))] + a["std"] * torch.randn(n, 2)


def d_of(x):
    return D(x * a["dscale"])


def g_loss(fs, saddle_value):
    return -saddle_value if a["loss"] == "saddle" else bce(fs, torch.ones_like(fs))


bs, t0 = a["bs"], time.time()
for i in range(1, a["steps"] + 1):
    x, z = data(bs), torch.randn(bs, a["z"])
    if a["upd"] == "sim":  # one gradient of the same loss for both, as the notebook's single sess.run
        rs, fs = d_of(x), d_of(G(z))
        loss = bce(rs, torch.ones_like(rs)) + bce(fs, torch.zeros_like(fs))
        gd = torch.autograd.grad(loss, list(D.parameters()), retain_graph=True)
        gg = torch.autograd.grad(g_loss(fs, loss), list(G.parameters()))
        for p, g in zip(list(D.parameters()) + list(G.parameters()), list(gd) + list(gg)):
            p.grad = g
        od.step()
        og.step()
    else:
        rs, fs = d_of(x), d_of(G(z).detach())
        loss = bce(rs, torch.ones_like(rs)) + bce(fs, torch.zeros_like(fs))
        od.zero_grad()
        loss.backward()
        od.step()
        fs = d_of(G(torch.randn(bs, a["z"])))
        og.zero_grad()
        g_loss(fs, bce(fs, torch.zeros_like(fs))).backward()
        og.step()
    if i % a["every"] == 0:
        with torch.no_grad():
            s = G(torch.randn(2500, a["z"]))
        dist, near = torch.cdist(s, C).min(1)
        hq = dist <= 3 * a["std"]
        cnt = torch.bincount(near[hq], minlength=K)
        held = (torch.bincount(near, minlength=K) >= 2500 / (4 * K)).nonzero().flatten().tolist()
        spread = (s - s.mean(0)).norm(dim=1).median()
        print(f"{i:6d} modes {(cnt > 0).sum().item()} hq {hq.float().mean():.2f} dist {dist.median():.3f} "
              f"spread {spread:.3f} | " + " ".join(f"{int(100 * c / 2500):3d}" for c in cnt)
              + f" | held {held} {time.time() - t0:.0f}s", flush=True)
