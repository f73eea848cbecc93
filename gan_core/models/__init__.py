"""Generators and discriminators: MLPs for any data, DCGAN for 28x28 images, optionally conditional; the
style-based generator (StyleGAN2 synthesis, optional progressive growing) for images.

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
from gan_core.models.layers import PreciseLinear, apply_spectral_norm, init_weights, minibatch_std, pack
from gan_core.models.mlp import MLPDiscriminator, MLPGenerator
from gan_core.models.style import StyleDiscriminator, StyleGenerator
from gan_core.models.style_layers import init_equalised

__all__ = ["build_generator", "build_discriminator", "pack", "minibatch_std", "PreciseLinear",
           "MLPGenerator", "MLPDiscriminator", "DCGANGenerator", "DCGANDiscriminator", "StyleGenerator", "StyleDiscriminator", "GENERATORS", "DISCRIMINATORS"]

GENERATORS = {"mlp": MLPGenerator, "dcgan": DCGANGenerator, "style": StyleGenerator}
DISCRIMINATORS = {"mlp": MLPDiscriminator, "dcgan": DCGANDiscriminator, "style": StyleDiscriminator}


def _init(module: nn.Module, cfg: ModelConfig, generator: torch.Generator | None) -> None:
    if cfg.kind == "style":
        init_equalised(module, generator)  # equalised learning rate: N(0, 1) weights, scaled at run time
    else:
        init_weights(module, cfg.kind, generator, cfg.init, cfg.init_gain)


def build_generator(cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int,
                    generator: torch.Generator | None = None) -> nn.Module:
    g = GENERATORS[cfg.kind](cfg, data_shape, n_classes)
    _init(g, cfg, generator)
    return g


def build_discriminator(cfg: ModelConfig, data_shape: tuple[int, ...], n_classes: int,
                        generator: torch.Generator | None = None, *, pack: int = 1, mbstd: bool = False,
                        spectral_norm: bool = False) -> nn.Module:
    """D for `cfg`; pack (samples judged together), mbstd (the batch-spread feature) and spectral_norm are the
    variant's stabilisers that live inside D, passed as plain values."""
    d = DISCRIMINATORS[cfg.kind](cfg, data_shape, n_classes, pack, mbstd)
    _init(d, cfg, generator)
    if spectral_norm:
        apply_spectral_norm(d, generator)
    return d
