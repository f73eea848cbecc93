"""Raster pictures without a plotting library: image grids and 2D points drawn on a canvas (numpy and PIL)."""
from __future__ import annotations

import numpy as np

Bounds = tuple[float, float, float, float]  # (xmin, xmax, ymin, ymax) of the view


def image_grid(images: np.ndarray, cols: int | None = None, pad: int = 2) -> np.ndarray:
    """(N, H, W[, C]) uint8 -> one (rows*H, cols*W[, C]) uint8 picture."""
    n = len(images)
    cols = cols or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    h, w = images.shape[1:3]
    extra = images.shape[3:]
    canvas = np.zeros((rows * (h + pad) + pad, cols * (w + pad) + pad, *extra), dtype=np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        canvas[pad + r * (h + pad):pad + r * (h + pad) + h, pad + c * (w + pad):pad + c * (w + pad) + w] = img
    return canvas


def points_to_pixels(points: np.ndarray, bounds: Bounds, width: int, height: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) pixel coordinates of (N, 2) points in a width x height canvas showing `bounds`: x grows to the
    right, y upwards (row 0 is the top of the view)."""
    x0, x1, y0, y1 = bounds
    height = width if height is None else height
    p = np.asarray(points, dtype=np.float64)
    u = (p[..., 0] - x0) / (x1 - x0) * (width - 1)
    v = (1.0 - (p[..., 1] - y0) / (y1 - y0)) * (height - 1)
    return u, v


def square_bounds(lo: np.ndarray, hi: np.ndarray, margin: float = 1.0) -> Bounds:
    """A square view around the box [lo, hi] with `margin` times its largest side (1.0: the box itself)."""
    span = float(max(hi - lo)) * margin
    mid = (np.asarray(hi) + np.asarray(lo)) / 2
    return (mid[0] - span / 2, mid[0] + span / 2, mid[1] - span / 2, mid[1] + span / 2)


def scatter_png(points: np.ndarray, size: int = 400) -> np.ndarray:
    """A plain raster scatter of 2D points (no plotting library needed), (size, size, 3) uint8."""
    img = np.full((size, size, 3), 255, dtype=np.uint8)
    lo, hi = points.min(0), points.max(0)
    span = np.maximum(hi - lo, 1e-6) * 1.1
    mid = (hi + lo) / 2
    u, v = points_to_pixels(points, (mid[0] - span[0] / 2, mid[0] + span[0] / 2, mid[1] - span[1] / 2,
                                     mid[1] + span[1] / 2), size)
    u, v = np.clip(u.round().astype(int), 0, size - 1), np.clip(v.round().astype(int), 0, size - 1)
    img[v, u] = (200, 60, 20)
    return img


def share_heatmap(shares: np.ndarray, steps: np.ndarray, title: str = "", cell: tuple[int, int] = (22, 20),
                  full: float = 0.5, scale: int = 2) -> np.ndarray:
    """A class histogram over training as an RGB picture: one row per class (0 at the top), one column per
    evaluation, white = no samples, darkest = `full` of the samples or more. shares: (K, T); steps: (T,).
    Rows are labelled with the class, a few columns with their step. `scale` multiplies every size, the text drawn
    in a scalable font at that size: a page shows the picture at twice its pixels on a projector, where a bitmap
    font stretched out read as blurred, spaced-out letters ("writte n")."""
    from PIL import Image, ImageDraw, ImageFont

    k, t = shares.shape
    cw, ch = cell[0] * scale, cell[1] * scale
    left, top, bottom = 28 * scale, (22 if title else 6) * scale, 30 * scale
    font = ImageFont.load_default(size=11 * scale)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    title_w = int(measure.textlength(title, font=font)) if title else 0
    every = max(1, int(np.ceil(60 / cell[0])))  # a step label about every 60 pixels (of the unscaled picture)
    labelled = range(0, t, every)
    # the last label starts at its column and may run past the cells ("80,00" cut off at the edge): room for it
    label_end = max((left + c * cw + int(measure.textlength(f"{int(steps[c]):,}", font=font)) for c in labelled),
                    default=0)
    w, h = max(left + t * cw, left + title_w, label_end) + 8 * scale, top + k * ch + bottom
    level = np.clip(np.asarray(shares, dtype=np.float64) / full, 0.0, 1.0)  # (K, T)
    dark = np.array([8, 48, 107], dtype=np.float64)
    rgb = (255 - level[..., None] * (255 - dark)).astype(np.uint8)                       # (K, T, 3)
    canvas = np.full((h, w, 3), 255, dtype=np.uint8)
    canvas[top:top + k * ch, left:left + t * cw] = np.repeat(np.repeat(rgb, ch, axis=0), cw, axis=1)
    for g in range(scale):                                                               # gaps, `scale` pixels wide
        canvas[top:top + k * ch, left + cw * np.arange(1, t) + g] = 255                  # between columns
        canvas[top + ch * np.arange(1, k) + g, left:left + t * cw] = 255                 # between rows
    img = Image.fromarray(canvas)
    draw = ImageDraw.Draw(img)
    if title:
        draw.text((left, 4 * scale), title, fill=(0, 0, 0), font=font)
    for r in range(k):
        draw.text((8 * scale, top + r * ch + ch // 2 - 6 * scale), str(r), fill=(0, 0, 0), font=font)
    for c in labelled:
        draw.text((left + c * cw, top + k * ch + 6 * scale), f"{int(steps[c]):,}", fill=(0, 0, 0), font=font)
    draw.text((left, top + k * ch + 18 * scale), "step", fill=(90, 90, 90), font=font)
    return np.asarray(img)
