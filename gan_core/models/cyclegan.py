"""CycleGAN's networks (Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
Networks"): translators G: A -> B, F: B -> A and discriminators D_A, D_B. Networks only: the losses are in
`objectives.py`, the training in `training/cycle_trainer.py`.

- 2D points: MLP translators x (B, 2) -> (B, 2) and MLP discriminators (B, 2) -> (B,) logits.
- Images (B, C, H, W) in [-1, 1], H and W divisible by 4 (28 x 28 here): the paper's ResNet translator
  (Johnson et al. 2016, the paper's Appendix 7.2: c7s1-k, d2k, d4k, R4k x n, u2k, uk, c7s1-C with instance
  norm, reflection padding and a tanh output) and its PatchGAN discriminator (C64-C128-C256-C512 with 4x4
  strided convolutions, LeakyReLU 0.2, a 1-channel map of logits, one per overlapping patch). With
  `translator="warp"` each translator first reframes its image by one learnt affine map (a spatial transformer,
  `WarpTranslator`), then runs the ResNet.

Small settings depart from the paper where its 256 x 256 sizes make no sense at 28 x 28 on a CPU: the first
layer has `width` channels (the paper: 64; the config's default 16, the `cyclegan` preset's images 12), G has
`n_blocks` residual blocks (the paper: 9 at 256 px, 6 at 128 px; the default 3, the preset 2), and the PatchGAN
has `d_layers` strided layers (the paper: 3, giving 70 x 70 patches of 256 x 256; here 2 give ~18 x 18 patches of
28 x 28, 3, the preset's, patches that see nearly all of it). On mnist:digits8 the 3-layer D is what keeps the
digits' classes (2 layers: 13% / 21% kept after 1,000 steps, 3 layers: 55% / 76%), and widths 12, 16 and 24 kept
about as much as each other at 1,000 steps (BENCHMARKS.md, "CycleGAN").
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.cycle_config import CycleModelConfig
from gan_core.models.layers import ACTIVATIONS, PreciseLinear


def _mlp(sizes: list[int], activation: str) -> nn.Sequential:
    """Linear layers with `activation` between them; the first and last stay float32 (they touch 2D points)."""
    layers: list[nn.Module] = []
    for i, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        edge = i == 0 or i == len(sizes) - 2
        layers.append(PreciseLinear(m, n) if edge else nn.Linear(m, n))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


class MLPTranslator(nn.Module):
    """2D point -> 2D point: an MLP with `g_hidden` layers, unbounded output (points are not in [-1, 1])."""

    def __init__(self, cfg: CycleModelConfig):
        super().__init__()
        self.net = _mlp([2, *cfg.g_hidden, 2], cfg.activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # (B, 2)


class MLPCritic(nn.Module):
    """2D point -> one logit: an MLP with `d_hidden` layers."""

    def __init__(self, cfg: CycleModelConfig):
        super().__init__()
        self.net = _mlp([2, *cfg.d_hidden, 1], cfg.activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)  # (B,)


def _conv_norm_relu(c_in: int, c_out: int, k: int, stride: int, pad: int, reflect: bool = False) -> list[nn.Module]:
    """conv k x k (no bias: instance norm removes it) -> InstanceNorm -> ReLU."""
    mode = "reflect" if reflect else "zeros"
    return [nn.Conv2d(c_in, c_out, k, stride, pad, bias=False, padding_mode=mode), nn.InstanceNorm2d(c_out, affine=True),
            nn.ReLU(inplace=True)]


class ResidualBlock(nn.Module):
    """R_k: x + (reflect-pad conv3x3 IN ReLU, reflect-pad conv3x3 IN)(x), channels kept."""

    def __init__(self, c: int):
        super().__init__()
        self.body = nn.Sequential(
            *_conv_norm_relu(c, c, 3, 1, 1, reflect=True),
            nn.Conv2d(c, c, 3, 1, 1, bias=False, padding_mode="reflect"),
            nn.InstanceNorm2d(c, affine=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResnetTranslator(nn.Module):
    """(B, C, H, W) -> (B, C, H, W) in [-1, 1]: c7s1-w, d2w, d4w, n_blocks x R4w, u2w, uw, c7s1-C, tanh."""

    def __init__(self, cfg: CycleModelConfig, channels: int = 1):
        super().__init__()
        w = cfg.width
        self.net = nn.Sequential(
            *_conv_norm_relu(channels, w, 7, 1, 3, reflect=True),  # (B, w, H, W)
            *_conv_norm_relu(w, 2 * w, 3, 2, 1),  # (B, 2w, H/2, W/2)
            *_conv_norm_relu(2 * w, 4 * w, 3, 2, 1),  # (B, 4w, H/4, W/4)
            *[ResidualBlock(4 * w) for _ in range(cfg.n_blocks)],
            nn.ConvTranspose2d(4 * w, 2 * w, 3, 2, 1, output_padding=1, bias=False),  # (B, 2w, H/2, W/2)
            nn.InstanceNorm2d(2 * w, affine=True), nn.ReLU(inplace=True),
            nn.ConvTranspose2d(2 * w, w, 3, 2, 1, output_padding=1, bias=False),  # (B, w, H, W)
            nn.InstanceNorm2d(w, affine=True), nn.ReLU(inplace=True),
            nn.Conv2d(w, channels, 7, 1, 3, padding_mode="reflect"),  # (B, C, H, W)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.net(x))


class WarpTranslator(nn.Module):
    """(B, C, H, W) -> (B, C, H, W) in [-1, 1]: a learnt affine reframing, then the paper's ResNet translator.

    A spatial transformer (Jaderberg et al. 2015) reads the image with two strided convolutions and a small MLP and
    gives one affine map per image (it starts as the identity), by which the image is resampled, background
    outside; the `ResnetTranslator` then restyles the resampled image. CycleGAN itself has no such stage. It is here
    because the MNIST <-> digits8 translation is mostly a reframing (digits8 crops each digit to its ink and
    stretches it to the frame; MNIST centres it in a 20 x 20 box): left to the ResNet alone, the reframing is
    redrawn stroke by stroke, and a digit redrawn is a digit that can come out as another one. On mnist:digits8
    (12,000 steps, seeds 0 and 1) the transformer raised the class kept, averaged over the seeds, in both directions
    by both the classifiers and a 5-NN vote, and lowered the FID (BENCHMARKS.md, "CycleGAN")."""

    def __init__(self, cfg: CycleModelConfig, channels: int = 1, size: int = 28):
        super().__init__()
        w = cfg.width
        self.locate = nn.Sequential(
            nn.Conv2d(channels, w, 3, 2, 1), nn.ReLU(inplace=True),  # (B, w, H/2, W/2)
            nn.Conv2d(w, 2 * w, 3, 2, 1), nn.ReLU(inplace=True),  # (B, 2w, H/4, W/4)
            nn.Flatten(), nn.Linear(2 * w * ((size + 3) // 4) ** 2, 32), nn.ReLU(inplace=True),
        )
        self.affine = nn.Linear(32, 6)  # the 2 x 3 map from output to input coordinates, less the identity
        self.restyle = ResnetTranslator(cfg, channels)

    # The affine map is the identity plus GAIN times the last layer's output: Adam moves each weight by about its
    # learning rate a step, so the gain lets the frame move GAIN times faster than the restyling layers learn.
    # With gain 1 (in a trial with small local layers where the ResNet is now) the frame stayed the identity on 1 of
    # 3 seeds for 3,000 steps: the restyling took the job over.
    GAIN = 10.0

    def start_at_identity(self) -> None:
        """The affine map starts as the identity (the last layer zero), as in the spatial transformer paper."""
        with torch.no_grad():
            self.affine.weight.zero_()
            self.affine.bias.zero_()

    def theta(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 3): each image's affine map from output to input coordinates (in [-1, 1] units)."""
        eye = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=x.dtype, device=x.device)
        return eye + self.GAIN * self.affine(self.locate(x)).view(-1, 2, 3)

    def reframe(self, x: torch.Tensor) -> torch.Tensor:
        """x resampled through its affine map, background (-1) outside the frame: (B, C, H, W)."""
        grid = F.affine_grid(self.theta(x), list(x.shape), align_corners=False)  # (B, H, W, 2)
        return F.grid_sample(x + 1.0, grid, padding_mode="zeros", align_corners=False) - 1.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.restyle(self.reframe(x))


class PatchCritic(nn.Module):
    """(B, C, H, W) -> (B, P) logits, one per patch: C_w (no norm), then C_2w, C_4w ... (instance norm), each a
    4x4 convolution of stride 2, and a 3x3 convolution to one channel. `d_layers` strided layers: 2 give a 7 x 7
    map of ~18-pixel patches on 28 x 28 (local texture), 3 a 3 x 3 map of patches that see nearly the whole image
    (where the digit sits in its frame).

    With `n_classes` > 0 the critic also names the class of an image (`score`): a linear layer on its last
    feature map averaged over the image (AC-GAN's auxiliary classifier, Odena et al. 2017), beside the patch logits.
    The class term of `training/cycle_trainer.py` trains it on real images and asks the translators that
    their translations be named as their sources' class."""

    def __init__(self, cfg: CycleModelConfig, channels: int = 1, n_classes: int = 0):
        super().__init__()
        w = cfg.width
        layers: list[nn.Module] = [nn.Conv2d(channels, w, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]  # (B, w, H/2, W/2)
        for i in range(1, cfg.d_layers):
            layers += [nn.Conv2d(w * 2 ** (i - 1), w * 2 ** i, 4, 2, 1, bias=False),  # halves H and W
                       nn.InstanceNorm2d(w * 2 ** i, affine=True), nn.LeakyReLU(0.2, inplace=True)]
        top = w * 2 ** (cfg.d_layers - 1)
        layers.append(nn.Conv2d(top, 1, 3, 1, 1))  # (B, 1, h, w)
        self.net = nn.Sequential(*layers)
        self.classes = nn.Linear(top, n_classes) if n_classes > 0 else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten(1)  # (B, P): the LSGAN losses average over patches too

    def score(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """((B, P) patch logits, (B, n_classes) class logits) from one pass over the features."""
        if self.classes is None:
            raise ValueError("this critic names no classes; build it with n_classes > 0")
        h = self.net[:-1](x)  # (B, top, h, w)
        return self.net[-1](h).flatten(1), self.classes(h.mean((2, 3)))


def init_cycle_weights(module: nn.Module, generator: torch.Generator) -> None:
    """The paper's initialisation: weights ~ N(0, 0.02), biases 0, instance-norm scales ~ N(1, 0.02), drawn from
    `generator` (reproducible in threads). MLPs keep PyTorch's default uniform draw, re-drawn from `generator`."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.weight.shape, generator=generator) * 0.02)
                if m.bias is not None:
                    m.bias.zero_()
        elif isinstance(m, nn.InstanceNorm2d) and m.affine:
            with torch.no_grad():
                m.weight.copy_(1.0 + 0.02 * torch.randn(m.weight.shape, generator=generator))
                m.bias.zero_()
        elif isinstance(m, nn.Linear):
            bound = 1.0 / m.in_features ** 0.5
            with torch.no_grad():
                m.weight.copy_((torch.rand(m.weight.shape, generator=generator) * 2 - 1) * bound)
                m.bias.copy_((torch.rand(m.bias.shape, generator=generator) * 2 - 1) * bound)


def build_cycle_networks(cfg: CycleModelConfig, data_shape: tuple[int, ...],
                         generator: torch.Generator | None = None, n_classes: int = 0) -> dict[str, nn.Module]:
    """{'G': A -> B, 'F': B -> A, 'D_A', 'D_B'} for samples of `data_shape` ((2,) points or (C, H, W) images);
    `n_classes` > 0 gives the image critics a class head (`PatchCritic.score`, the config's `lambda_class`)."""
    generator = generator if generator is not None else torch.Generator().manual_seed(0)
    if cfg.kind == "mlp":
        if tuple(data_shape) != (2,):
            raise ValueError(f"mlp CycleGAN networks translate 2D points; got samples of shape {tuple(data_shape)}")
        if n_classes:
            raise ValueError("2D points have no classes to keep; the class term is for labelled images")
        nets = {"G": MLPTranslator(cfg), "F": MLPTranslator(cfg), "D_A": MLPCritic(cfg), "D_B": MLPCritic(cfg)}
    else:
        if len(data_shape) != 3 or data_shape[1] % 4 or data_shape[2] % 4:
            raise ValueError(f"resnet CycleGAN networks need (C, H, W) images with H and W divisible by 4; "
                             f"got {tuple(data_shape)}")
        c = data_shape[0]
        if cfg.translator == "warp":
            if data_shape[1] != data_shape[2]:
                raise ValueError(f"warp translators need square images; got {tuple(data_shape)}")
            G, F_ = WarpTranslator(cfg, c, data_shape[1]), WarpTranslator(cfg, c, data_shape[1])
        else:
            G, F_ = ResnetTranslator(cfg, c), ResnetTranslator(cfg, c)
        nets = {"G": G, "F": F_, "D_A": PatchCritic(cfg, c, n_classes), "D_B": PatchCritic(cfg, c, n_classes)}
    for name in ("G", "F", "D_A", "D_B"):
        init_cycle_weights(nets[name], generator)
        if isinstance(nets[name], WarpTranslator):
            nets[name].start_at_identity()
    return nets


@torch.inference_mode()
def translate_with(net: torch.nn.Module, x: torch.Tensor, chunk: int = 1024) -> torch.Tensor:
    """A translator applied in chunks, in eval mode (instance norm has no running statistics: same numbers)."""
    was = net.training
    net.eval()
    device = next(net.parameters()).device
    out = torch.cat([net(x[i:i + chunk].to(device)).float() for i in range(0, len(x), chunk)]) if len(x) else x
    net.train(was)
    return out
