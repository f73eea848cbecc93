"""The blocks of the style-based generator and its discriminator (models/style.py), each a screenful.

Equalised learning rate (Karras et al. 2018, ProGAN section 4.1): every weight is stored as N(0, 1) and
multiplied at run time by He's constant c = lr_mul / sqrt(fan_in), so Adam's step, which is invariant to a
parameter's scale, moves every layer at the same relative speed. `init_equalised` draws those N(0, 1)
weights from an explicit torch.Generator (runs in parallel threads stay reproducible).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

SQRT2 = math.sqrt(2.0)


def lrelu(x: torch.Tensor) -> torch.Tensor:
    """LeakyReLU(0.2) times sqrt(2): the gain that keeps unit variance through the layer (StyleGAN2's fused_lrelu)."""
    return F.leaky_relu(x, 0.2) * SQRT2


def pixel_norm(z: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """z / sqrt(mean(z^2) + eps) over the features: every z on the sphere of radius sqrt(z_dim) (ProGAN eq. 1)."""
    return z * torch.rsqrt(z.pow(2).mean(dim=1, keepdim=True) + eps)


class EqualLinear(nn.Module):
    """y = x (c W)^T + lr_mul b, with W ~ N(0, 1 / lr_mul^2) stored and c = lr_mul / sqrt(in)."""

    def __init__(self, in_dim: int, out_dim: int, bias_init: float = 0.0, lr_mul: float = 1.0, activate: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_dim, in_dim))
        self.bias = nn.Parameter(torch.full((out_dim,), float(bias_init) / lr_mul))
        self.scale, self.lr_mul, self.activate, self.bias_init = lr_mul / math.sqrt(in_dim), lr_mul, activate, bias_init

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)
        return lrelu(y) if self.activate else y


class EqualConv2d(nn.Module):
    """A same-padded convolution with equalised learning rate (D's layers)."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_ch, in_ch, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_ch))
        self.scale, self.lr_mul, self.bias_init = 1.0 / math.sqrt(in_ch * kernel * kernel), 1.0, 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.weight.shape[-1] // 2)


class MappingNetwork(nn.Module):
    """z -> w: pixel-normalised z through `layers` equalised linear layers with LeakyReLU, at 1/100 of the
    learning rate (StyleGAN section 2, appendix C: lr_mul 0.01)."""

    def __init__(self, z_dim: int, w_dim: int, layers: int):
        super().__init__()
        dims = [z_dim] + [w_dim] * layers
        self.net = nn.Sequential(*[EqualLinear(a, b, lr_mul=0.01, activate=True) for a, b in zip(dims, dims[1:])])

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(pixel_norm(z))  # (B, w_dim)


class ModulatedConv2d(nn.Module):
    """StyleGAN2's weight modulation and demodulation (Karras et al. 2020, section 2.2, equations 1-3):

        w'_ijk = s_i * w_ijk                                  (1: the style scales each input feature map)
        w''_ijk = w'_ijk / sqrt(sum_{i,k} w'_ijk^2 + eps)     (3: each output map back to unit variance)

    Computed in the equivalent unfused form (the paper's fused_modconv=False): scale the input by s, convolve
    with the shared weight, scale the output by the demodulation factor. On a CPU that is one ordinary
    convolution instead of a grouped one per sample. `upsample` doubles the size first (nearest neighbour,
    as ProGAN), so the 3x3 kernel works at the new resolution.
    """

    def __init__(self, in_ch: int, out_ch: int, kernel: int, w_dim: int, demodulate: bool = True, upsample: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_ch, in_ch, kernel, kernel))
        self.scale, self.lr_mul, self.bias_init = 1.0 / math.sqrt(in_ch * kernel * kernel), 1.0, 0.0
        self.affine = EqualLinear(w_dim, in_ch, bias_init=1.0)  # s = A(w), starting near 1
        self.demodulate, self.upsample = demodulate, upsample

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        s = self.affine(w)                                     # (B, in)
        weight = self.weight * self.scale                      # (out, in, k, k)
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = x * s[:, :, None, None]
        y = F.conv2d(x, weight, padding=weight.shape[-1] // 2)  # (B, out, H, W)
        if self.demodulate:
            # sum_{i,k} (s_i w_ijk)^2 = sum_i s_i^2 (sum_k w_ijk^2): (B, in) @ (in, out)
            d = torch.rsqrt(s.pow(2) @ weight.pow(2).sum(dim=(2, 3)).T + 1e-8)  # (B, out)
            y = y * d[:, :, None, None]
        return y


class NoiseInjection(nn.Module):
    """x + strength * noise, with one learned strength per layer, starting at 0 (StyleGAN2's per-layer noise)."""

    def __init__(self):
        super().__init__()
        self.strength = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return x + self.strength * noise  # noise (B or 1, 1, H, W)


class StyledConv(nn.Module):
    """Modulated 3x3 convolution, then noise, bias and LeakyReLU: one style input (one row of w+)."""

    def __init__(self, in_ch: int, out_ch: int, w_dim: int, upsample: bool = False):
        super().__init__()
        self.conv = ModulatedConv2d(in_ch, out_ch, 3, w_dim, upsample=upsample)
        self.noise = NoiseInjection()
        self.bias = nn.Parameter(torch.zeros(1, out_ch, 1, 1))

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return lrelu(self.noise(self.conv(x, w), noise) + self.bias)


class ToRGB(nn.Module):
    """Modulated 1x1 convolution to the image channels, without demodulation (StyleGAN2's tRGB)."""

    def __init__(self, in_ch: int, channels: int, w_dim: int):
        super().__init__()
        self.conv = ModulatedConv2d(in_ch, channels, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return self.conv(x, w) + self.bias


class DBlock(nn.Module):
    """D's block at one resolution: two 3x3 convolutions with LeakyReLU, then 2x2 average pooling (ProGAN)."""

    def __init__(self, in_ch: int, out_ch: int):
        super().__init__()
        self.conv1, self.conv2 = EqualConv2d(in_ch, in_ch, 3), EqualConv2d(in_ch, out_ch, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(lrelu(self.conv2(lrelu(self.conv1(x)))), 2)


def grouped_minibatch_std(h: torch.Tensor, group: int = 4) -> torch.Tensor:
    """ProGAN's minibatch standard deviation over groups of `group` consecutive samples (the whole batch if it
    does not divide): one extra feature map per sample, the mean spread of its group. h: (B, C, H, W).

    Consecutive groups matter here: the trainer sends real and fake through D as one batch (reals first), so a
    group never mixes the two, and a collapsed fake batch shows a spread near 0 that real groups never have."""
    b = h.shape[0]
    g = group if b % group == 0 else b
    y = h.reshape(b // g, g, *h.shape[1:])                                   # (B/g, g, C, H, W)
    std = (y.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (B/g,)
    extra = std.repeat_interleave(g)[:, None, None, None].expand(b, 1, *h.shape[2:])
    return torch.cat([h, extra.to(h.dtype)], dim=1)


@torch.no_grad()
def init_equalised(module: nn.Module, generator: torch.Generator | None) -> None:
    """Every equalised weight ~ N(0, 1/lr_mul^2) from `generator`; biases at their start value; the learned
    constant and the fixed noise images ~ N(0, 1)."""
    for m in module.modules():
        if isinstance(m, (EqualLinear, EqualConv2d, ModulatedConv2d)):
            m.weight.normal_(0.0, 1.0 / m.lr_mul, generator=generator)
            if isinstance(m, (EqualLinear, EqualConv2d)):
                m.bias.fill_(m.bias_init / m.lr_mul)
    for name, b in module.named_buffers():
        if name.rsplit(".", 1)[-1].startswith("noise_"):  # the fixed per-layer noise used when sampling
            b.normal_(0.0, 1.0, generator=generator)
    const = getattr(module, "const", None)
    if const is not None:
        const.normal_(0.0, 1.0, generator=generator)
