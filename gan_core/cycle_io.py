"""The files `translate` reads and writes: images as .npz (an `images` array, uint8, N x H x W, any size) or .png,
points as .csv with columns x,y (the formats `sample` writes). A bad file is refused with a ValueError that says
in one line what was wrong and what to give instead.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import torch

from gan_core.data.pixels import to_unit

SIDE = 28  # the CycleGAN networks' image size here
MAX_IMAGES = 10_000
MAX_SIDE = 4096
MAX_BYTES = 200 * 1024 * 1024


def resize_images(images: np.ndarray, side: int = SIDE) -> np.ndarray:
    """uint8 (N, H, W) -> uint8 (N, side, side), bilinear (antialiased when shrinking)."""
    if images.shape[1:] == (side, side):
        return images
    x = torch.from_numpy(images.astype(np.float32))[:, None]  # (N, 1, H, W)
    y = torch.nn.functional.interpolate(x, size=(side, side), mode="bilinear", align_corners=False, antialias=True)
    return y[:, 0].round().clamp(0, 255).to(torch.uint8).numpy()


def _read_npz(path: Path) -> dict:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        reason = " ".join(str(e).split())[:120]
        raise ValueError(f"{path.name} is not a readable .npz file ({reason}); write one with numpy.savez") from None


def _check_images(images: np.ndarray, name: str) -> np.ndarray:
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 2:
        images = images[None]
    if images.ndim != 3:
        raise ValueError(f"{name}: 'images' has shape {images.shape}; give grey images as N x H x W")
    if images.dtype != np.uint8:
        raise ValueError(f"{name}: 'images' is {images.dtype}; give uint8 grey levels 0-255 (0 = background)")
    n, h, w = images.shape
    if n == 0:
        raise ValueError(f"{name}: 'images' holds no image")
    if n > MAX_IMAGES or max(h, w) > MAX_SIDE or min(h, w) < 4:
        raise ValueError(f"{name}: {n} images of {h} x {w}; give at most {MAX_IMAGES:,} images of 4 to {MAX_SIDE} pixels a side")
    return images


def _read_png(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    from gan_core.uploads import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS

    data = path.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"{path.name} is {len(data) / 1e6:.1f} MB; the limit for one image is {MAX_IMAGE_BYTES // 2**20} MB")
    try:
        img = Image.open(io.BytesIO(data))
        if img.size[0] * img.size[1] > MAX_IMAGE_PIXELS:
            raise ValueError(f"{path.name} is {img.size[0]} x {img.size[1]} pixels; the limit is 4096 x 4096")
        grey = np.asarray(img.convert("L"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValueError(f"{path.name} is not a readable image; give a PNG") from None
    if grey.mean() > 127:
        grey = 255 - grey  # dark ink on paper -> a light digit on black, as the data sets draw them
    return grey[None]


def read_translate_input(path: Path, is_image: bool) -> torch.Tensor:
    """(N, 1, 28, 28) float in [-1, 1] for an image run, (N, 2) float32 points for a 2D run."""
    if not path.is_file():
        raise ValueError(f"--input {path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"--input {path.name} is larger than {MAX_BYTES // 2**20} MB")
    suffix = path.suffix.lower()
    if is_image:
        if suffix == ".npz":
            arrays = _read_npz(path)
            if "images" not in arrays:
                raise ValueError(f"{path.name} has no 'images' array (it holds {', '.join(arrays) or 'nothing'}); "
                                 "save uint8 N x H x W images under the name 'images'")
            images = _check_images(arrays["images"], path.name)
        elif suffix == ".png":
            images = _read_png(path)
        else:
            raise ValueError(f"--input {path.name}: this run translates images; give a .npz (an 'images' array) or a .png")
        return to_unit(resize_images(images))
    if suffix == ".csv":
        from gan_core.data.points import parse_points_csv

        try:
            return torch.from_numpy(parse_points_csv(path.read_bytes()))
        except ValueError as e:
            raise ValueError(f"{path.name}: {e}") from None
    if suffix == ".npz":
        arrays = _read_npz(path)
        pts = arrays.get("points")
        if pts is None or pts.ndim != 2 or pts.shape[1] != 2 or not np.isfinite(pts).all() or len(pts) == 0:
            raise ValueError(f"{path.name} needs a 'points' array of finite N x 2 numbers")
        return torch.from_numpy(pts.astype(np.float32))
    raise ValueError(f"--input {path.name}: this run translates 2D points; give a .csv with columns x,y")


def write_translate_output(y: torch.Tensor, path: Path, is_image: bool) -> None:
    """Write translations as `sample` writes samples: .npz / .png for images, .csv / .npz / .png for points."""
    from gan_core.data.pixels import to_uint8
    from gan_core.sampling import Samples, write_samples

    data = to_uint8(y) if is_image else y.cpu().numpy().astype(np.float32)
    write_samples(Samples(data, None, is_image), path)


FILLS_FRAME = ("digits8",)  # image sets whose digits fill their frame (the others centre a 20 x 20 digit in 28 x 28)


BLANK_CONTRAST = 24.0  # grey levels (of 255) between a picture's darkest and lightest pixel below which it holds no digit


def frame_digit(grey: np.ndarray, domain: str) -> np.ndarray:
    """A light-on-dark digit of any size -> uint8 (28, 28) framed as `domain` frames its digits: fitted into 20 x 20
    and centred (MNIST's way), or made as the UCI scans were (digits8): the digit scaled to fill a 32 x 32 box along
    its longer side, centred, its ink counted in 4 x 4 blocks (an 8 x 8 scan, the strongest block full ink) and that
    scan resized to 28 x 28 as the bundled ones are. A thin 1 stays a narrow stroke, as in the scans."""
    from PIL import Image

    from gan_core.data.images import digits8_to_side
    from gan_core.uploads import _fit_28, fit_ink

    g = np.asarray(grey, dtype=np.float32)
    if g.size == 0 or float(g.max() - g.min()) < BLANK_CONTRAST:  # a blank photo was "read as a 9" with confidence
        raise ValueError("the picture is one flat shade, with no digit in it to translate; upload a picture of one "
                         "digit: a pale stroke on a dark ground, or a dark stroke on a pale one")
    if domain not in FILLS_FRAME:
        return _fit_28(grey)
    box = fit_ink(grey, 32, 32, Image.BILINEAR).astype(np.float32)
    scan = box.reshape(8, 4, 8, 4).mean(axis=(1, 3))
    if scan.max() > 0:
        scan *= 255.0 / scan.max()
    return digits8_to_side(scan[None])[0]
