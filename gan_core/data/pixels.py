"""Pixels and the networks' numbers: the one place where uint8 images become floats in [-1, 1] and back.

    x = pixel * (2 / 255) - 1                        (`to_unit`: uint8 -> float32, the tutorial's normalisation)
    pixel = round((clamp(x, -1, 1) + 1) * 127.5)     (`to_uint8`: float -> uint8)

so `to_uint8(to_unit(images))` returns `images`. Layouts: images on disk and in files are (N, H, W) grey or
(N, H, W, C) colour; networks see (N, C, H, W).
"""
from __future__ import annotations

import numpy as np
import torch


def to_nchw(images: torch.Tensor) -> torch.Tensor:
    """(N, H, W) -> (N, 1, H, W); (N, H, W, C) with C in {1, 3} -> (N, C, H, W); NCHW kept."""
    if images.ndim == 3:
        return images.unsqueeze(1)
    if images.ndim == 4 and images.shape[1] in (1, 3):
        return images
    if images.ndim == 4 and images.shape[-1] in (1, 3):
        return images.permute(0, 3, 1, 2)
    raise ValueError(
        f"images of shape {tuple(images.shape)} are not understood; give (N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3"
    )


def to_unit(images: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 images (N, H, W) / (N, H, W, C) / (N, C, H, W) -> float32 (N, C, H, W) in [-1, 1], on their device."""
    if isinstance(images, np.ndarray) and not images.flags.writeable:
        images = images.copy()  # a read-only array (a shared, cached one): torch would warn; .float() copies anyway
    t = torch.as_tensor(images)
    if t.dtype != torch.uint8:
        raise ValueError(f"to_unit needs uint8 images (0-255); got {t.dtype}. Convert them, or use to_uint8's output")
    return to_nchw(t).float().mul_(2.0 / 255.0).sub_(1.0).contiguous()


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """float (N, C, H, W) in [-1, 1] -> uint8 numpy: (N, H, W) for one channel, (N, H, W, C) for several."""
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] not in (1, 3):
        shape = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
        raise ValueError(f"to_uint8 needs a float tensor (N, C, H, W) with C = 1 or 3; got {shape}")
    pixels = ((x.detach().float().clamp(-1.0, 1.0) + 1.0) * 127.5).round_().to(torch.uint8).cpu()
    pixels = pixels[:, 0] if pixels.shape[1] == 1 else pixels.permute(0, 2, 3, 1)  # (N, H, W) or (N, H, W, 3)
    return pixels.contiguous().numpy()
