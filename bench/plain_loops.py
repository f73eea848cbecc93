"""Plain PyTorch GAN loops written the way tutorials write them: the baselines every benchmark compares to.

Nothing here is used by gan_core; these exist so that our trainer is measured against code a class
would write by hand, with the same models and the same amount of work per step.
"""
from __future__ import annotations

import math
import time

import torch
import torch.nn as nn


def ring8_batch(n: int) -> torch.Tensor:
    k = torch.randint(0, 8, (n,))
    angle = 2 * math.pi * k.float() / 8
    centres = torch.stack([2 * torch.cos(angle), 2 * torch.sin(angle)], dim=1)
    return centres + 0.02 * torch.randn(n, 2)


def unrolled_style_models():
    """The Unrolled-GAN / VEEGAN reference MLPs: G 256 -> 128 -> 128 -> 2, D 2 -> 128 -> 128 -> 1, tanh."""
    G = nn.Sequential(nn.Linear(256, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 2))
    D = nn.Sequential(nn.Linear(2, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 1), nn.Sigmoid())
    return G, D


def tutorial_mlp_models(logits: bool = False):
    """The tutorial's MNIST MLP GAN: G 100-256-512-1024-784 (LeakyReLU 0.2, Tanh), D mirrored with Sigmoid.

    logits=True drops D's final Sigmoid (use it with BCEWithLogitsLoss): the same model and loss in exact
    arithmetic, computed the numerically stable way, as gan_core does."""
    G = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 784), nn.Tanh())
    D = nn.Sequential(nn.Linear(784, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1), *([] if logits else [nn.Sigmoid()]))
    return G, D


def plain_gan_loop(G, D, next_real, z_dim: int, steps: int, lr_g: float, lr_d: float, betas=(0.5, 0.999),
                   log: list | None = None, logits: bool = False) -> float:
    """The tutorial loop: BCE, D on real then on fake.detach(), G on D(fake), losses logged with .item().
    logits=True: D outputs logits (see `tutorial_mlp_models`) and the loss is BCEWithLogitsLoss.

    Returns the wall seconds of `steps` iterations.
    """
    criterion = nn.BCEWithLogitsLoss() if logits else nn.BCELoss()
    opt_d = torch.optim.Adam(D.parameters(), lr=lr_d, betas=betas)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr_g, betas=betas)
    t0 = time.perf_counter()
    for _ in range(steps):
        real = next_real()
        b = real.shape[0]
        ones, zeros = torch.ones(b, 1), torch.zeros(b, 1)
        # (1) update D: maximise log D(x) + log(1 - D(G(z)))
        D.zero_grad()
        loss_real = criterion(D(real), ones)
        z = torch.randn(b, z_dim)
        fake = G(z)
        loss_fake = criterion(D(fake.detach()), zeros)
        loss_d = loss_real + loss_fake
        loss_d.backward()
        opt_d.step()
        # (2) update G: maximise log D(G(z))
        G.zero_grad()
        loss_g = criterion(D(fake), ones)
        loss_g.backward()
        opt_g.step()
        if log is not None:
            log.append((loss_d.item(), loss_g.item()))
    return time.perf_counter() - t0
