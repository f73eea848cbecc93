"""Classic augmentation: random affine maps of a batch, as torchvision's RandomAffine draws and applies them.

torchvision.transforms.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1)) draws, per image,
    angle ~ U(-15, 15) degrees,  (tx, ty) = round(U(-0.1 W, 0.1 W)), round(U(-0.1 H, 0.1 H)) pixels,  s ~ U(0.9, 1.1)
and resamples the image bilinearly through the inverse map about the centre,
    x_src = (1 / s) R(-angle) (x_out - t)        (coordinates relative to the image centre)
filling what comes from outside with `fill` (here -1, the background). torchvision applies one draw to a whole
batch and takes its numbers from the global RNG; this does one draw per image, from the caller's generator, in
one `grid_sample` call for the batch (a per-image loop costs half a classifier step here). `affine_batch` is
tested against torchvision.transforms.v2.functional.affine image by image.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

DEGREES = 15.0
TRANSLATE = 0.1
SCALE = (0.9, 1.1)


def draw_params(b: int, h: int, w: int, generator: torch.Generator, degrees: float = DEGREES,
                translate: float = TRANSLATE, scale: tuple[float, float] = SCALE) -> torch.Tensor:
    """(B, 4) rows (angle in degrees, tx, ty in whole pixels, scale), drawn as RandomAffine.get_params does."""
    u = torch.rand(b, 4, generator=generator, device=generator.device).cpu().double()  # (B, 4) in [0, 1)
    angle = (2 * u[:, 0] - 1) * degrees
    tx = torch.round((2 * u[:, 1] - 1) * translate * w)
    ty = torch.round((2 * u[:, 2] - 1) * translate * h)
    s = scale[0] + u[:, 3] * (scale[1] - scale[0])
    return torch.stack([angle, tx, ty, s], 1)


def inverse_matrices(params: torch.Tensor) -> torch.Tensor:
    """(B, 4) params -> (B, 2, 3) inverse maps [M | -M t] with M = (1 / s) [[cos a, sin a], [-sin a, cos a]]
    (torchvision's _get_inverse_affine_matrix with centre 0 and no shear)."""
    rad = params[:, 0] * (math.pi / 180.0)
    cos, sin, inv = torch.cos(rad), torch.sin(rad), 1.0 / params[:, 3]
    m = torch.stack([torch.stack([cos, sin], 1), torch.stack([-sin, cos], 1)], 1) * inv[:, None, None]  # (B, 2, 2)
    offset = -(m @ params[:, 1:3, None])  # (B, 2, 1)
    return torch.cat([m, offset], 2)


def affine_batch(x: torch.Tensor, params: torch.Tensor, fill: float = -1.0) -> torch.Tensor:
    """Apply each row of `params` to its image: x (B, C, H, W) float -> (B, C, H, W), bilinear, `fill` outside."""
    b, c, h, w = x.shape
    theta = inverse_matrices(params).to(x.dtype)  # (B, 2, 3), pixel units about the centre
    xs = torch.linspace(-w * 0.5 + 0.5, w * 0.5 - 0.5, w, dtype=x.dtype)
    ys = torch.linspace(-h * 0.5 + 0.5, h * 0.5 - 0.5, h, dtype=x.dtype)
    base = torch.stack([xs.expand(h, w), ys[:, None].expand(h, w), torch.ones(h, w, dtype=x.dtype)], -1)  # (H, W, 3)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=x.dtype)  # (B, 3, 2): to [-1, 1]
    grid = (base.reshape(1, h * w, 3) @ rescaled).reshape(b, h, w, 2).to(x.device)
    ones = torch.ones(b, 1, h, w, dtype=x.dtype, device=x.device)
    out = F.grid_sample(torch.cat([x, ones], 1), grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    mask = out[:, -1:]  # how much of each output pixel came from inside the image
    return out[:, :-1] * mask + (1.0 - mask) * fill  # torchvision's blend towards the fill value


def random_affine(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A fresh RandomAffine(15, (0.1, 0.1), (0.9, 1.1)) draw per image of x (B, C, H, W) in [-1, 1]."""
    b, _, h, w = x.shape
    return affine_batch(x, draw_params(b, h, w, generator))
