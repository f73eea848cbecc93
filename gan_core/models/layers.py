"""Small building blocks shared by the model families: activations, packing, the minibatch-std feature,
precise linear layers, MLPs, weight initialisation and spectral normalisation.

Parameters are initialised from an explicit torch.Generator so that runs in parallel threads stay reproducible.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


# tanh is PyTorch's own kernel. An earlier build computed it on the CPU as 2 * sigmoid(2x) - 1, then measured faster;
# with torch 2.14.1 on the 2-core laptop torch.tanh is 2.5-2.8x faster forward and backward, and a step of the
# classroom recipe 1.23-1.40x faster (BENCHMARKS.md, "The activation's kernel").
ACTIVATIONS = {"relu": lambda: nn.ReLU(), "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": lambda: nn.Tanh()}


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """(B, C, ...) -> (B/m, m*C, ...): m consecutive samples become one input of D (PacGAN)."""
    if m == 1:
        return x
    return x.reshape(x.shape[0] // m, m * x.shape[1], *x.shape[2:])


def minibatch_std(h: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """Append the batch's mean standard deviation as one extra feature / channel. h: (B, F) or (B, C, H, W).
    With groups > 1, h is that many batches one after another (B divisible by groups), each given its own spread:
    real and fake through D in one pass, each judged by its own spread."""
    if h.shape[0] % groups:
        raise ValueError(f"a batch of {h.shape[0]} does not split into {groups} equal groups")
    per = h.shape[0] // groups
    parts = h.reshape(groups, per, *h.shape[1:])
    std = (parts.var(dim=1, unbiased=False) + 1e-8).sqrt().flatten(1).mean(dim=1)  # (groups,): how spread each is
    extra = std.view(groups, 1, 1, *([1] * (h.ndim - 2))).expand(groups, per, 1, *h.shape[2:])
    return torch.cat([h, extra.reshape(h.shape[0], 1, *h.shape[2:])], dim=1)


class ConditionalBatchNorm(nn.Module):
    """Batch norm whose scale and shift come from the class label (de Vries et al. 2017): normalise without affine
    parameters, then x * (1 + gamma[y]) + beta[y]. Built as plain batch norm (gamma, beta = 0); init_weights then
    draws gamma from N(0, 0.02), as DCGAN's scales. x: (B, F) or (B, F, H, W); y: (B,) class indices."""

    def __init__(self, features: int, n_classes: int, spatial: bool):
        super().__init__()
        self.norm = (nn.BatchNorm2d if spatial else nn.BatchNorm1d)(features, affine=False)
        self.gamma = nn.Embedding(n_classes, features)
        self.beta = nn.Embedding(n_classes, features)
        nn.init.zeros_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        shape = (x.shape[0], x.shape[1]) + (1,) * (x.ndim - 2)
        return self.norm(x) * (1 + self.gamma(y).view(shape)) + self.beta(y).view(shape)


class PreciseLinear(nn.Linear):
    """A Linear layer that stays float32 under bfloat16 autocast. Used where an MLP reads or writes 2D points
    (D's first layer, G's last): bfloat16 keeps 8 bits of mantissa, steps of 0.016 near 2, as coarse as a ring8
    mode's sigma (0.02), while the hidden layers in between lose nothing a GAN can see (bench/results/throughput.md)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.autocast(x.device.type, enabled=False):
            return super().forward(x.float())


class Maxout(nn.Module):
    """A linear layer to `out * pieces` units and the maximum over each unit's `pieces` (Goodfellow et al. 2013): a
    learnt piecewise-linear activation; PacGAN's 2D discriminator uses 5 pieces."""

    def __init__(self, d_in: int, out: int, pieces: int, precise: bool = False):
        super().__init__()
        self.out, self.pieces = out, pieces
        self.linear = (PreciseLinear if precise else nn.Linear)(d_in, out * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).view(x.shape[0], self.out, self.pieces).amax(-1)


def mlp(sizes: list[int], activation: str, precise_first: bool = False, precise_last: bool = False,
        batch_norm: bool = False, maxout: int = 0) -> nn.Sequential:
    """Linear layers of `sizes`; between them the activation (after batch norm with `batch_norm`), or with `maxout`
    > 0 each hidden layer a Maxout of that many pieces (no separate activation)."""
    layers: list[nn.Module] = []
    last = len(sizes) - 2
    for i in range(len(sizes) - 1):
        precise = (precise_first and i == 0) or (precise_last and i == last)
        if maxout and i < last:
            layers.append(Maxout(sizes[i], sizes[i + 1], maxout, precise))
            continue
        layers.append((PreciseLinear if precise else nn.Linear)(sizes[i], sizes[i + 1]))
        if i < last:
            if batch_norm:
                layers.append(nn.BatchNorm1d(sizes[i + 1]))
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


@torch.no_grad()
def init_weights(module: nn.Module, kind: str, generator: torch.Generator | None, scheme: str = "default",
                 gain: float = 1.0) -> None:
    """PyTorch's default init for MLPs (U(+-1/sqrt(fan_in))), N(0, 0.02) for DCGAN, or (scheme 'orthogonal') gain
    times an orthogonal matrix with zero biases (Saxe et al. 2014; the Unrolled GAN paper's 2D networks, gain 0.8);
    every draw from `generator`."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            if scheme == "orthogonal":
                nn.init.orthogonal_(m.weight, gain=gain, generator=generator)
                if m.bias is not None:
                    m.bias.zero_()
            elif kind == "dcgan":
                m.weight.normal_(0.0, 0.02, generator=generator)
                if m.bias is not None:
                    m.bias.zero_()
            else:
                fan_in = m.weight[0].numel() if not isinstance(m, nn.ConvTranspose2d) else m.weight.shape[0] * m.weight[0, 0].numel()
                bound = 1.0 / math.sqrt(fan_in)
                m.weight.uniform_(-bound, bound, generator=generator)
                if m.bias is not None:
                    m.bias.uniform_(-bound, bound, generator=generator)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) and m.affine and kind == "dcgan":  # DCGAN's N(1, 0.02)
            m.weight.normal_(1.0, 0.02, generator=generator)                          # scales; an MLP's keep 1, 0
            m.bias.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.normal_(0.0, 1.0, generator=generator)
    for m in module.modules():  # conditional batch norm: scales 1 + N(0, 0.02) per class, shifts 0, as DCGAN's
        if isinstance(m, ConditionalBatchNorm):
            m.gamma.weight.normal_(0.0, 0.02, generator=generator)
            m.beta.weight.zero_()


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
