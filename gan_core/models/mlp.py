"""MLP generator and discriminator: any data (2D points, or images flattened), optionally conditional; G may batch-
normalise its hidden layers and D use maxout units (PacGAN's 2D networks)."""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from gan_core.config import ModelConfig
from gan_core.models.layers import minibatch_std, mlp


class MLPGenerator(nn.Module):
    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0):
        super().__init__()
        self.data_shape = data_shape
        self.embed = nn.Embedding(n_classes, n_classes) if cfg.conditional else None
        in_dim = cfg.z_dim + (n_classes if cfg.conditional else 0)
        self.net = mlp([in_dim, *cfg.g_hidden, math.prod(data_shape)], cfg.activation, precise_last=len(data_shape) == 1,
                       batch_norm=cfg.g_batch_norm)
        self.out_tanh = len(data_shape) > 1  # images live in [-1, 1]; 2D points are unbounded

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        x = self.net(z)
        if self.out_tanh:
            x = torch.tanh(x)
        return x.view(x.shape[0], *self.data_shape)


class MLPDiscriminator(nn.Module):
    groups_ok = True  # forward(..., groups=2) judges real and fake in one pass, each batch by its own spread (mbstd)

    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0, pack: int = 1,
                 mbstd: bool = False):
        super().__init__()
        self.mbstd = mbstd
        self.input_scale = cfg.d_input_scale
        self.embed = nn.Embedding(n_classes, n_classes) if cfg.conditional else None
        in_dim = math.prod(data_shape) * pack + int(mbstd) + (n_classes if cfg.conditional else 0)
        self.net = mlp([in_dim, *cfg.d_hidden, 1], cfg.activation, precise_first=len(data_shape) == 1,
                       maxout=cfg.d_maxout)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None, groups: int = 1) -> torch.Tensor:
        """Logits (B,). groups: x is that many batches one after another, each given its own batch-spread feature."""
        h = x.flatten(1)  # (B, m*D)
        if self.input_scale != 1.0:
            h = h * self.input_scale
        if self.mbstd:
            h = minibatch_std(h, groups)
        if self.embed is not None:
            h = torch.cat([h, self.embed(y)], dim=1)
        return self.net(h).squeeze(1)
