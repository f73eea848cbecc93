"""Raster pictures without a plotting library: 2D scatter frames, upscaled images, GIF timelapses (PIL), and
pictures as data URIs for st.image.

Why data URIs: st.image given an array stores it as a media file and sends its /media/ URL; a slider moved
again before the browser fetched it replaces that file, and the browser's request for the old one gets a 404
("Image source error" in the console). A data URI travels inside the message itself: nothing to fetch, nothing
to go stale. The pictures here are small (a 280 x 280 upscaled digit is a few kB of PNG).
"""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image, ImageDraw

from gan_core.pictures import points_to_pixels

REAL_RGB = (0, 114, 178)     # the app's colours (dashboard/charts.py LEGEND): blue = real
FAKE_RGB = (213, 94, 0)      # vermillion = fake


def scatter_frame(fake: np.ndarray, bounds: tuple[float, float, float, float], real: np.ndarray | None = None,
                  size: int = 360, label: str = "") -> Image.Image:
    """One picture of fake points (vermillion) over real points (blue) in the view `bounds`."""
    img = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(img)

    for pts, rgb, r in ((real, REAL_RGB, 1), (fake, FAKE_RGB, 2)):
        if pts is None or len(pts) == 0:
            continue
        finite = np.isfinite(pts).all(1)
        for u, v in zip(*points_to_pixels(pts[finite], bounds, size)):
            if -r <= u <= size + r and -r <= v <= size + r:
                draw.ellipse((u - r, v - r, u + r, v + r), fill=rgb)
    if label:
        draw.text((6, 4), label, fill=(0, 0, 0))
    return img


def data_uri(picture: np.ndarray | Image.Image | bytes, mime: str = "image/png") -> str:
    """A picture as a data URI for st.image: a uint8 array (H, W) or (H, W, 3), a PIL image, or encoded bytes
    (`mime` says their type, e.g. image/gif)."""
    if isinstance(picture, bytes):
        raw = picture
    else:
        img = picture if isinstance(picture, Image.Image) else Image.fromarray(np.ascontiguousarray(picture))
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=False, compress_level=1)
        raw, mime = buf.getvalue(), "image/png"
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


def upscale(image: np.ndarray, factor: int = 8) -> np.ndarray:
    """Nearest-neighbour upscaling of an (H, W) or (H, W, C) uint8 picture, for a projector."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def frames_to_gif(frames: list, bounds: tuple[float, float, float, float], real: np.ndarray | None,
                  size: int = 360, ms_per_frame: int = 120) -> bytes:
    """An animated GIF: frames are (N, 2) point sets (2D runs) or uint8 image grids (image runs)."""
    pictures = []
    for i, f in enumerate(frames):
        if f is None:
            continue
        if f.ndim == 2 and f.shape[1] == 2 and f.dtype != np.uint8:
            pictures.append(scatter_frame(f, bounds, real, size, label=f"frame {i + 1}/{len(frames)}"))
        else:
            img = Image.fromarray(f)
            scale = max(1, size // max(img.size))
            pictures.append(img.resize((img.size[0] * scale, img.size[1] * scale), Image.NEAREST).convert("RGB"))
    return gif_bytes(pictures, ms_per_frame)


def gif_bytes(pictures: list[Image.Image], ms_per_frame: int = 120) -> bytes:
    buf = io.BytesIO()
    pictures[0].save(buf, format="GIF", save_all=True, append_images=pictures[1:], duration=ms_per_frame, loop=0)
    return buf.getvalue()
