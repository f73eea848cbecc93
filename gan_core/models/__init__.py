"""Generators and discriminators: MLPs for any data, DCGAN for 28x28 images, optionally conditional.

Interfaces, whatever the family:
- `G(z, y=None) -> x` with z (B, z_dim), y (B,) class labels for conditional models, x (B, *data_shape).
- `D(x, y=None) -> logits` with x (B', *packed_shape) where a pack of m samples is concatenated along
  the feature / channel axis (see `pack`), logits (B',).
Stabilisers that live inside D (spectral normalisation, the minibatch-std feature, the wider input
layer of a packed D) are switched on by the variant; the layers themselves are the user's choice.
Parameters are initialised from an explicit torch.Generator so that runs in parallel threads stay
reproducible.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.config import ModelConfig

class Tanh(nn.Module):
    """tanh(x), computed on the CPU as 2 * sigmoid(2x) - 1 (equal to within 2e-7).

    Measured here (bench/activations.py): PyTorch's CPU tanh kernel takes ~8x longer than sigmoid on
    a (1024, 128) batch, and tanh dominated the Unrolled-style MLPs' step time. CUDA keeps torch.tanh.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return tanh(x)


def tanh(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(x) if x.is_cuda else torch.sigmoid(x + x) * 2.0 - 1.0


ACTIVATIONS = {"relu": lambda: nn.ReLU(), "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": lambda: Tanh()}


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """(B, C, ...) -> (B/m, m*C, ...): m consecutive samples become one input of D (PacGAN)."""
    if m == 1:
        return x
    return x.reshape(x.shape[0] // m, m * x.shape[1], *x.shape[2:])


def minibatch_std(h: torch.Tensor) -> torch.Tensor:
    """Append the batch's mean standard deviation as one extra feature / channel. h: (B, F) or (B, C, H, W)."""
    std = (h.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()  # scalar: how spread the batch is
    extra = std.expand(h.shape[0], 1, *h.shape[2:])
    return torch.cat([h, extra], dim=1)


class PreciseLinear(nn.Linear):
    """A Linear layer that stays float32 under bfloat16 autocast. Used where an MLP reads or writes 2D points
    (D's first layer, G's last): bfloat16 keeps 8 bits of mantissa, steps of 0.016 near 2, as coarse as a ring8
    mode's sigma (0.02), while the hidden layers in between lose nothing a GAN can see (bench/results/throughput.md)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.autocast(x.device.type, enabled=False):
            return super().forward(x.float())


def mlp(sizes: list[int], activation: str, precise_first: bool = False, precise_last: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = []
    last = len(sizes) - 2
    for i in range(len(sizes) - 1):
        precise = (precise_first and i == 0) or (precise_last and i == last)
        layers.append((PreciseLinear if precise else nn.Linear)(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0):
        super().__init__()
        self.data_shape = data_shape
        self.embed = nn.Embedding(n_classes, n_classes) if cfg.conditional else None
        in_dim = cfg.z_dim + (n_classes if cfg.conditional else 0)
        self.net = mlp([in_dim, *cfg.g_hidden, math.prod(data_shape)], cfg.activation, precise_last=len(data_shape) == 1)
        self.out_tanh = len(data_shape) > 1  # images live in [-1, 1]; 2D points are unbounded

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        x = self.net(z)
        if self.out_tanh:
            x = tanh(x)
        return x.view(x.shape[0], *self.data_shape)


class MLPDiscriminator(nn.Module):
    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0, pack: int = 1,
                 mbstd: bool = False):
        super().__init__()
        self.mbstd = mbstd
        self.embed = nn.Embedding(n_classes, n_classes) if cfg.conditional else None
        in_dim = math.prod(data_shape) * pack + int(mbstd) + (n_classes if cfg.conditional else 0)
        self.net = mlp([in_dim, *cfg.d_hidden, 1], cfg.activation, precise_first=len(data_shape) == 1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = x.flatten(1)  # (B, m*D)
        if self.mbstd:
            h = minibatch_std(h)
        if self.embed is not None:
            h = torch.cat([h, self.embed(y)], dim=1)
        return self.net(h).squeeze(1)


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
            Tanh(),
        )

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        h = self.project(z).view(z.shape[0], 2 * self.w, 7, 7)  # (B, 2w, 7, 7)
        return self.up(h)


class DCGANDiscriminator(nn.Module):
    """(m*C, 28, 28) -> (w, 14, 14) -> (2w, 7, 7) -> 1; strided convolutions and LeakyReLU(0.2).

    No batch norm, so real and fake can share one forward pass and penalties (GP, R1) are per-sample.
    A conditional D uses a projection head: logit = psi(h) + <embed(y), h> (Miyato & Koyama 2018).
    """

    def __init__(self, cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int = 0, pack: int = 1,
                 mbstd: bool = False):
        super().__init__()
        c, w = data_shape[0], cfg.width
        self.mbstd = mbstd
        self.features = nn.Sequential(
            nn.Conv2d(c * pack, w, 4, 2, 1),  # (B, w, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(w, 2 * w, 4, 2, 1),  # (B, 2w, 7, 7)
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


GENERATORS = {"mlp": MLPGenerator, "dcgan": DCGANGenerator}
DISCRIMINATORS = {"mlp": MLPDiscriminator, "dcgan": DCGANDiscriminator}


def build_generator(cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int,
                    generator: torch.Generator | None = None) -> nn.Module:
    g = GENERATORS[cfg.kind](cfg, data_shape, n_classes)
    init_weights(g, cfg.kind, generator)
    return g


def build_discriminator(cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int,
                        generator: torch.Generator | None = None, *, pack: int = 1, mbstd: bool = False,
                        spectral_norm: bool = False) -> nn.Module:
    """D for `cfg`; pack (samples judged together), mbstd (the batch-spread feature) and spectral_norm are the
    variant's stabilisers that live inside D, passed as plain values."""
    d = DISCRIMINATORS[cfg.kind](cfg, data_shape, n_classes, pack, mbstd)
    init_weights(d, cfg.kind, generator)
    if spectral_norm:
        apply_spectral_norm(d, generator)
    return d


@torch.no_grad()
def init_weights(module: nn.Module, kind: str, generator: torch.Generator | None) -> None:
    """PyTorch's default init for MLPs (U(+-1/sqrt(fan_in))), N(0, 0.02) for DCGAN, drawn from `generator`."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            if kind == "dcgan":
                m.weight.normal_(0.0, 0.02, generator=generator)
                if m.bias is not None:
                    m.bias.zero_()
            else:
                fan_in = m.weight[0].numel() if not isinstance(m, nn.ConvTranspose2d) else m.weight.shape[0] * m.weight[0, 0].numel()
                bound = 1.0 / math.sqrt(fan_in)
                m.weight.uniform_(-bound, bound, generator=generator)
                if m.bias is not None:
                    m.bias.uniform_(-bound, bound, generator=generator)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.weight.normal_(1.0, 0.02, generator=generator)
            m.bias.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.normal_(0.0, 1.0, generator=generator)


def apply_spectral_norm(module: nn.Module, generator: torch.Generator | None) -> None:
    """Spectral normalisation on every linear / conv layer; its power-iteration vectors seeded from `generator`."""
    from torch.nn.utils.parametrizations import spectral_norm

    for m in list(module.modules()):
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            spectral_norm(m)
            sn = m.parametrizations.weight[0]
            with torch.no_grad():
                sn._u.copy_(F.normalize(torch.randn(sn._u.shape, generator=generator), dim=0, eps=sn.eps))
                sn._v.copy_(F.normalize(torch.randn(sn._v.shape, generator=generator), dim=0, eps=sn.eps))
                sn._power_method(sn._reshape_weight_to_matrix(m.parametrizations.weight.original), 15)
