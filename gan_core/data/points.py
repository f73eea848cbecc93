"""2D data: Gaussian mixtures (with known centres, for counting modes), shapes, and the user's points.

Mixtures follow the mode-collapse protocol: centres at angles 2*pi*k/K, k = 0..K-1 (never
linspace(0, 2*pi, K), which puts the first and last centre on top of each other).
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np
import torch

from gan_core.checks import check_distinct_points


@dataclass(frozen=True)
class Mixture:
    centres: np.ndarray  # (K, 2)
    sigma: float

    @property
    def k(self) -> int:
        return len(self.centres)


def ring(k: int, radius: float, sigma: float) -> Mixture:
    angles = 2 * np.pi * np.arange(k) / k
    return Mixture(np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1), sigma)


def grid(side: int, spacing: float, sigma: float) -> Mixture:
    ticks = (np.arange(side) - (side - 1) / 2) * spacing
    xx, yy = np.meshgrid(ticks, ticks, indexing="ij")
    return Mixture(np.stack([xx.ravel(), yy.ravel()], axis=1), sigma)


MIXTURES: dict[str, Mixture] = {
    "two-gaussians": Mixture(np.array([[-1.0, 0.0], [1.0, 0.0]]), 0.1),
    "ring8": ring(8, 2.0, 0.02),
    "ring8-pacgan": ring(8, 1.0, 0.01),
    "grid25": grid(5, 2.0, 0.05),
}

SHAPES = ("spiral", "moons", "circles")

MAX_POINTS = 100_000
MAX_POINTS_BYTES = 5 * 1024 * 1024


class Data2D:
    """Draws batches of 2D points on `device` from a seeded torch.Generator."""

    def __init__(self, name: str, device: torch.device | str = "cpu", points: list | np.ndarray | None = None):
        self.name = name
        self.device = torch.device(device)
        self.mixture = MIXTURES.get(name)
        self.shape = (2,)
        self.n_classes = 0
        if self.mixture is not None:
            self._centres = torch.tensor(self.mixture.centres, dtype=torch.float32, device=self.device)
        elif name == "points":
            if points is None or len(points) == 0:
                raise ValueError("the 'points' data needs at least one point")
            self._points = torch.tensor(np.asarray(points, dtype=np.float32), device=self.device)  # (N, 2)
        elif name not in SHAPES:
            raise ValueError(f"unknown 2D data {name!r}; choose one of {', '.join([*MIXTURES, *SHAPES, 'points'])}")

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """(n, 2) float32 samples."""
        dev, g = self.device, generator
        if self.mixture is not None:
            idx = torch.randint(0, self.mixture.k, (n,), generator=g, device=dev)
            return self._centres[idx] + self.mixture.sigma * torch.randn(n, 2, generator=g, device=dev)
        if self.name == "points":
            idx = torch.randint(0, len(self._points), (n,), generator=g, device=dev)
            return self._points[idx]
        u = torch.rand(n, generator=g, device=dev)
        noise = torch.randn(n, 2, generator=g, device=dev)
        if self.name == "spiral":
            # One arm, 1.5 turns, radius growing from 0.25 to 2.
            t = u * 3 * math.pi
            r = 0.25 + 1.75 * u
            pts = torch.stack([r * torch.cos(t), r * torch.sin(t)], dim=1)
            return pts + 0.04 * noise
        if self.name == "moons":
            upper = torch.rand(n, generator=g, device=dev) < 0.5
            t = u * math.pi
            x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
            y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
            return torch.stack([x - 0.5, y - 0.25], dim=1) * 1.5 + 0.05 * noise
        # circles: two concentric rings, radii 2 and 1.
        outer = torch.rand(n, generator=g, device=dev) < 0.5
        t = u * 2 * math.pi
        r = torch.where(outer, torch.full_like(t, 2.0), torch.full_like(t, 1.0))
        return torch.stack([r * torch.cos(t), r * torch.sin(t)], dim=1) + 0.04 * noise

    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) of a view that shows the data with a margin."""
        if self.mixture is not None:
            c = self.mixture.centres
            lo, hi = c.min(0) - 1.0, c.max(0) + 1.0
        elif self.name == "points":
            p = self._points.cpu().numpy()
            span = np.maximum(p.max(0) - p.min(0), 1e-3)
            lo, hi = p.min(0) - 0.25 * span, p.max(0) + 0.25 * span
        else:
            lo, hi = np.array([-3.0, -3.0]), np.array([3.0, 3.0])
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def parse_points_csv(data: bytes | str, max_rows: int = MAX_POINTS, max_bytes: int = MAX_POINTS_BYTES) -> np.ndarray:
    """Parse a CSV of 2D points into a (N, 2) float32 array, or raise ValueError saying what to fix.

    Accepts a header `x,y` (any case; extra columns are refused) or no header; separators ',' only.
    """
    if isinstance(data, str):
        raw = data.encode("utf-8", errors="surrogatepass")
    else:
        raw = bytes(data)
    if len(raw) > max_bytes:
        raise ValueError(f"the points file is {len(raw) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB "
                         f"(at most {max_rows:,} points)")
    if b"\x00" in raw:
        raise ValueError("the points file is not text (it holds binary data); use a CSV file: a header x,y and one point per line")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the points file is not UTF-8 text; save it as UTF-8 CSV: a header x,y and one point per line") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ValueError("the points file is empty; it needs a header x,y and one point per line")
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    first = [c.strip().lower() for c in rows[0]]
    if len(first) == 1 and any(sep in rows[0][0] for sep in (";", "\t", "|")):
        raise ValueError("the points file seems to use ';', tab or '|' between values; use commas: x,y")
    if first == ["x", "y"]:
        rows = rows[1:]
    elif not _is_number(first[0]):
        raise ValueError(f"the header {','.join(rows[0])!r} is not 'x,y'; the file needs two columns named x and y")
    if not rows:
        raise ValueError("the points file has a header but no points; add one x,y pair per line")
    if len(rows) > max_rows:
        raise ValueError(f"the points file has {len(rows):,} points; the limit is {max_rows:,}")
    out = np.empty((len(rows), 2), dtype=np.float64)
    for i, row in enumerate(rows):
        line = i + 1 + (first == ["x", "y"])
        if len(row) != 2:
            raise ValueError(f"line {line} has {len(row)} value(s); every line needs exactly two numbers x,y")
        for j, cell in enumerate(row):
            try:
                v = float(cell)
            except ValueError:
                raise ValueError(f"line {line}: {cell.strip()[:30]!r} is not a number") from None
            if not math.isfinite(v):
                raise ValueError(f"line {line}: {cell.strip()!r} is not a finite number (NaN and infinity are not allowed)")
            if abs(v) > 1e6:
                raise ValueError(f"line {line}: {v:g} is too large; keep coordinates within +-1e6 (rescale the data)")
            out[i, j] = v
    out = out.astype(np.float32)
    check_distinct_points("the points file", out.tolist())
    return out


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False
