"""DCGAN generator and discriminator for 28x28 images (Radford et al. 2016), optionally conditional."""
from __future__ import annotations

import torch
import torch.nn as nn

from gan_core.config import ModelConfig
from gan_core.models.layers import minibatch_std


class DCGANGenerator(nn.Module):
    """z -> (2w, 7, 7) -> (w, 14, 14) -> (C, 28, 28); transposed convolutions with batch norm."""

    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0):
        super().__init__()
        c, w = data_shape[0], cfg.width
        self.embed = nn.Embedding(n_classes, n_classes) if cfg.conditional else None
        in_dim = cfg.z_dim + (n_classes if cfg.conditional else 0)
        self.project = nn.Sequential(nn.Linear(in_dim, 2 * w * 7 * 7, bias=False), nn.BatchNorm1d(2 * w * 7 * 7), nn.ReLU())
        self.w = w
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False),  # (B, w, 14, 14)
            nn.BatchNorm2d(w),
            nn.ReLU(),
            nn.ConvTranspose2d(w, c, 4, 2, 1),  # (B, C, 28, 28)
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        h = self.project(z).view(z.shape[0], 2 * self.w, 7, 7)  # (B, 2w, 7, 7)
        return self.up(h)


class DCGANDiscriminator(nn.Module):
    """(m*C, 28, 28) -> (w, 14, 14) -> (2w, 7, 7) -> 1; strided convolutions and LeakyReLU(0.2).

    No batch norm by default, so real and fake can share one forward pass and penalties (GP, R1) are per-sample;
    `model.d_batch_norm` adds it after the second convolution, as the DCGAN reference code has it (the Trainer then
    passes real and fake as separate batches). A conditional D uses a projection head: logit = psi(h) + <embed(y), h>
    (Miyato & Koyama 2018).
    """

    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0, pack: int = 1,
                 mbstd: bool = False):
        super().__init__()
        c, w = data_shape[0], cfg.d_width or cfg.width
        self.mbstd = mbstd
        self.features = nn.Sequential(
            nn.Conv2d(c * pack, w, 4, 2, 1),  # (B, w, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=not cfg.d_batch_norm),  # (B, 2w, 7, 7)
            *([nn.BatchNorm2d(2 * w)] if cfg.d_batch_norm else []),
            nn.LeakyReLU(0.2),
        )
        feat = (2 * w + int(mbstd)) * 7 * 7
        self.head = nn.Linear(feat, 1)
        self.embed = nn.Embedding(n_classes, feat) if cfg.conditional else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)
        if self.mbstd:
            h = minibatch_std(h)
        h = h.flatten(1)  # (B, F)
        out = self.head(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(1)
        return out
