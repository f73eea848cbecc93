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

import torch
import torch.nn as nn

from gan_core.config import ModelConfig
from gan_core.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gan_core.models.layers import PreciseLinear, Tanh, apply_spectral_norm, init_weights, minibatch_std, pack, tanh
from gan_core.models.mlp import MLPDiscriminator, MLPGenerator

__all__ = ["build_generator", "build_discriminator", "pack", "minibatch_std", "PreciseLinear", "Tanh", "tanh",
           "MLPGenerator", "MLPDiscriminator", "DCGANGenerator", "DCGANDiscriminator", "GENERATORS", "DISCRIMINATORS"]

GENERATORS = {"mlp": MLPGenerator, "dcgan": DCGANGenerator}
DISCRIMINATORS = {"mlp": MLPDiscriminator, "dcgan": DCGANDiscriminator}


def build_generator(cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int,
                    generator: torch.Generator | None = None) -> nn.Module:
    g = GENERATORS[cfg.kind](cfg, data_shape, n_classes)
    init_weights(g, cfg.kind, generator, cfg.init, cfg.init_gain)
    return g


def build_discriminator(cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int,
                        generator: torch.Generator | None = None, *, pack: int = 1, mbstd: bool = False,
                        spectral_norm: bool = False) -> nn.Module:
    """D for `cfg`; pack (samples judged together), mbstd (the batch-spread feature) and spectral_norm are the
    variant's stabilisers that live inside D, passed as plain values."""
    d = DISCRIMINATORS[cfg.kind](cfg, data_shape, n_classes, pack, mbstd)
    init_weights(d, cfg.kind, generator, cfg.init, cfg.init_gain)
    if spectral_norm:
        apply_spectral_norm(d, generator)
    return d
