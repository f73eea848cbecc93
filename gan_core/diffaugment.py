"""Differentiable augmentation of what D sees (DiffAugment, Zhao et al. 2020), the `diffaug` stabiliser.

With few training images D learns them by heart, its feedback to G stops being useful and the FID stalls or
climbs. DiffAugment shows D every image, real and generated, randomly shifted and with a square cut out, in both
D's and G's update; the changes are differentiable, so G learns through them, and because the fakes are changed
the same way as the reals, G is not taught to draw shifted or cut images. The policy is the one the paper trains
BigGAN on CIFAR-10 with, "translation,cutout" (its StyleGAN2 runs add colour changes): a shift of up to 1/8 of the
side (uncovered pixels filled with 0) and a cut-out square of half the side (filled with 0), one draw per image.
On images scaled to [-1, 1] with a background of -1, such as MNIST, 0 is mid-grey: D sees grey margins and a grey
square on reals and fakes alike.

Every draw comes from the `torch.Generator` passed in (the trainer's training stream), so a run repeats exactly.
"""
from __future__ import annotations

import torch

Tensor = torch.Tensor

SHIFT_RATIO = 0.125   # largest shift, as a share of the side (the paper's rand_translation)
CUTOUT_RATIO = 0.5    # side of the cut-out square, as a share of the image's side (the paper's rand_cutout)


def translate(x: Tensor, generator: torch.Generator, ratio: float = SHIFT_RATIO) -> Tensor:
    """Each image of (B, C, H, W) shifted by its own whole number of pixels in [-s, s] on each axis
    (s = round(ratio * side)); pixels shifted in from outside are 0."""
    b, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (b, 1), generator=generator, device=x.device)
    dx = torch.randint(-sw, sw + 1, (b, 1), generator=generator, device=x.device)
    padded = torch.nn.functional.pad(x, (sw, sw, sh, sh))
    rows = torch.arange(h, device=x.device) + sh + dy  # (B, H): the padded row each output row reads
    cols = torch.arange(w, device=x.device) + sw + dx  # (B, W)
    batch = torch.arange(b, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


def cutout(x: Tensor, generator: torch.Generator, ratio: float = CUTOUT_RATIO) -> Tensor:
    """Each image of (B, C, H, W) with a square of side round(ratio * side) set to 0; its centre is drawn
    uniformly over the image, so the square may be cut by the border (the paper's rand_cutout)."""
    b, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (b, 1), generator=generator, device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (b, 1), generator=generator, device=x.device)
    top, left = cy - ch // 2, cx - cw // 2
    ys = torch.arange(h, device=x.device)
    xs = torch.arange(w, device=x.device)
    in_rows = (ys >= top) & (ys < top + ch)    # (B, H)
    in_cols = (xs >= left) & (xs < left + cw)  # (B, W)
    keep = ~(in_rows[:, :, None] & in_cols[:, None, :])
    return x * keep[:, None].to(x.dtype)


def diff_augment(x: Tensor, generator: torch.Generator) -> Tensor:
    """The `diffaug` stabiliser's policy: translation, then cutout, each image its own draw."""
    return cutout(translate(x, generator), generator)
