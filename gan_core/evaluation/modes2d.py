"""Mode metrics for 2D data (VEEGAN / PacGAN definitions) and GAN Lab's grid KL / JS.

For a mixture with K centres and std sigma, over generated samples:
- a sample is high quality (HQ) when its distance to the nearest centre is <= 3 sigma;
- a mode is captured when at least one HQ sample has it as nearest centre;
- reverse KL: p = histogram of HQ samples over the K centres, KL(p || uniform) = sum_k p_k log(K p_k).
  With no HQ sample at all the KL is reported as log K (nothing covered).
- occupancy: share_k = (HQ samples whose nearest centre is k) / (all samples), k = 0..K-1; the shares add up
  to the HQ share, and the modes captured are the k with share_k > 0. Logged over training, they show a
  generator hopping from mode to mode or dropping one.
- where the samples sit: near_k = (samples whose nearest centre is k, sharp or not) / (all samples); they add up
  to 1. A generator hopping between loose blobs (the Unrolled GAN paper's plain GAN, fig. 1) shows in near_k long
  before its samples are sharp enough for share_k (the Train page's and the arena's occupancy heatmaps).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ModeMetrics:
    modes: int          # captured modes
    k: int              # modes in the data
    hq: float           # share of high-quality samples, in [0, 1]
    kl: float           # reverse KL of the HQ histogram to uniform
    counts: tuple       # HQ samples per centre
    n_samples: int = 0  # samples scored
    near: tuple = ()    # samples (sharp or not) per nearest centre

    def as_dict(self) -> dict:
        return {"modes": self.modes, "hq": self.hq, "kl": self.kl}

    def shares(self) -> dict:
        """share_k and near_k of every mode (see the module docstring), as fractions of all samples."""
        n = max(self.n_samples, 1)
        return {**{f"share_{i}": c / n for i, c in enumerate(self.counts)},
                **{f"near_{i}": c / n for i, c in enumerate(self.near)}}


def mode_metrics(samples: np.ndarray, centres: np.ndarray, sigma: float) -> ModeMetrics:
    samples = np.asarray(samples, dtype=np.float64)  # (N, 2)
    centres = np.asarray(centres, dtype=np.float64)  # (K, 2)
    k = len(centres)
    d2 = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1)  # (N, K)
    nearest = d2.argmin(1)
    dist = np.sqrt(d2[np.arange(len(samples)), nearest])
    finite = np.isfinite(dist)
    hq = finite & (dist <= 3 * sigma)
    counts = np.bincount(nearest[hq], minlength=k)
    n_hq = int(hq.sum())
    if n_hq == 0:
        kl = math.log(k)
    else:
        p = counts / n_hq
        nz = p > 0
        kl = float((p[nz] * np.log(k * p[nz])).sum())
    near = np.bincount(nearest[finite], minlength=k)
    return ModeMetrics(int((counts > 0).sum()), k, n_hq / max(len(samples), 1), kl, tuple(int(c) for c in counts),
                       len(samples), tuple(int(c) for c in near))


def grid_divergences(real: np.ndarray, fake: np.ndarray, bounds: tuple[float, float, float, float],
                     bins: int = 30, eps: float = 1e-10) -> dict:
    """GAN Lab's distribution metric: KL(real || fake) and JS over a bins x bins histogram of the view.

    Both histograms are normalised; eps stands in for an empty fake bin (a fake histogram empty where real data lies
    gives a large, finite KL). JS uses the natural log, so it lies in [0, log 2].
    """
    x0, x1, y0, y1 = bounds
    rng = [[x0, x1], [y0, y1]]
    p, _, _ = np.histogram2d(real[:, 0], real[:, 1], bins=bins, range=rng)
    q, _, _ = np.histogram2d(fake[:, 0], fake[:, 1], bins=bins, range=rng)
    p = p.ravel() / max(p.sum(), 1)
    q = q.ravel() / max(q.sum(), 1)
    m = 0.5 * (p + q)

    def kl(a: np.ndarray, b: np.ndarray) -> float:
        nz = a > 0
        return float((a[nz] * np.log(a[nz] / np.where(b[nz] > 0, b[nz], eps))).sum())

    return {"grid_kl": kl(p, q), "grid_js": 0.5 * kl(p, m) + 0.5 * kl(q, m)}


def score_points(fake: np.ndarray, source, real: np.ndarray) -> dict:
    """Every 2D metric of generated points: the mode metrics where the data is a mixture with known centres, and
    the grid KL / JS against `real` points of the same data in its view. source: a `gan_core.data.points.Data2D`."""
    out: dict = {}
    if source.mixture is not None:
        m = mode_metrics(fake, source.mixture.centres, source.mixture.sigma)
        out.update(m.as_dict())
        out.update(m.shares())
    out.update(grid_divergences(real, fake, source.bounds()))
    return out
