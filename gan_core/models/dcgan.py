"""DCGAN generator and discriminator for 28x28 images (Radford et al. 2016), optionally conditional."""
from __future__ import annotations

import torch
import torch.nn as nn

from gan_core.config import ModelConfig
from gan_core.models.layers import ConditionalBatchNorm, minibatch_std


class DCGANGenerator(nn.Module):
    """z -> (2w, 7, 7) -> (w, 14, 14) -> (C, 28, 28); transposed convolutions with batch norm.

    Conditional: the label's learnt embedding is concatenated to z; with `model.g_cond_bn` every batch norm also
    takes its scale and shift from the label. `model.g_refine` makes G deeper: a 3x3 convolution after the 14x14
    upsampling, and the last upsampling to w/2 channels (batch norm, ReLU) followed by a 3x3 convolution to the image.
    """

    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0):
        super().__init__()
        c, w = data_shape[0], cfg.width
        self.embed = nn.Embedding(n_classes, n_classes) if cfg.conditional else None
        in_dim = cfg.z_dim + (n_classes if cfg.conditional else 0)

        def norm(features: int, spatial: bool = True) -> nn.Module:
            if cfg.g_cond_bn:
                return ConditionalBatchNorm(features, n_classes, spatial)
            return nn.BatchNorm2d(features) if spatial else nn.BatchNorm1d(features)

        self.project = nn.Sequential(nn.Linear(in_dim, 2 * w * 7 * 7, bias=False), norm(2 * w * 7 * 7, False), nn.ReLU())
        self.w = w
        if cfg.g_refine:
            half = max(w // 2, 1)
            layers = [
                nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), norm(w), nn.ReLU(),  # (B, w, 14, 14)
                nn.Conv2d(w, w, 3, 1, 1, bias=False), norm(w), nn.ReLU(),  # (B, w, 14, 14)
                nn.ConvTranspose2d(w, half, 4, 2, 1, bias=False), norm(half), nn.ReLU(),  # (B, w/2, 28, 28)
                nn.Conv2d(half, c, 3, 1, 1), nn.Tanh(),  # (B, C, 28, 28)
            ]
        else:
            layers = [
                nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False),  # (B, w, 14, 14)
                norm(w),
                nn.ReLU(),
                nn.ConvTranspose2d(w, c, 4, 2, 1),  # (B, C, 28, 28)
                nn.Tanh(),
            ]
        self.up = nn.Sequential(*layers)

    @staticmethod
    def _run(seq: nn.Sequential, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        for layer in seq:
            h = layer(h, y) if isinstance(layer, ConditionalBatchNorm) else layer(h)
        return h

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        h = self._run(self.project, z, y).view(z.shape[0], 2 * self.w, 7, 7)  # (B, 2w, 7, 7)
        return self._run(self.up, h, y)


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
