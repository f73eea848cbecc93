"""What a 2D run looks like from inside: D's decision map, the push D gives each fake, G's warped noise grid.

Engine maths only (numpy out, no plotting): the dashboard draws a `Views2D`, the GIF timelapse keeps its fakes.
`views_2d` reads the trainer through its public members (`D`, `sampler`, `generate`, `objective`, `recipe`,
`data`) and leaves it as it found it: both networks go back to their train/eval mode, no optimiser moves, and
the training random streams are never drawn from. The caller holds whatever lock keeps the trainer still.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from gan_core.evaluation.modes2d import mode_metrics
from gan_core.models import pack

if TYPE_CHECKING:  # the trainer imports this package's metrics: no import at run time
    from gan_core.training.trainer import Trainer

GRID = 60        # resolution of D's decision map
N_ARROWS = 80    # fakes that carry a gradient arrow


@dataclass(frozen=True)
class Views2D:
    """Pictures of a 2D run, all numpy (a page only draws them)."""
    bounds: tuple[float, float, float, float]
    real: np.ndarray                  # (N, 2)
    fake: np.ndarray                  # (N, 2) from a fixed noise batch
    grid_x: np.ndarray                # (GRID,)
    grid_y: np.ndarray                # (GRID,)
    d_map: np.ndarray                 # (GRID, GRID) D's output, rows along y
    d_is_probability: bool
    manifold: np.ndarray              # (L, M, 2): L polylines of the warped noise grid
    arrow_from: np.ndarray            # (A, 2)
    arrow_dir: np.ndarray             # (A, 2) minus the gradient of G's loss at each fake (unit length)
    centres: np.ndarray | None        # (K, 2) mixture centres
    covered: np.ndarray | None        # (K,) bool


@torch.no_grad()
def views_2d(t: "Trainer", real: np.ndarray | None, z: torch.Tensor) -> Views2D:
    """D's map, the warped noise grid, gradient arrows and the fakes G(z) of a 2D run."""
    bounds = t.data.source.bounds()
    x0, x1, y0, y1 = bounds
    m = t.recipe.pack
    D, G = t.D, t.sampler
    d_was, g_was = D.training, G.training
    D.eval()  # spectral norm: no power-iteration update from a picture
    G.eval()
    try:
        fake = t.generate(z)
        fake_np = fake.cpu().numpy()

        gx = np.linspace(x0, x1, GRID, dtype=np.float32)
        gy = np.linspace(y0, y1, GRID, dtype=np.float32)
        xx, yy = np.meshgrid(gx, gy)  # (GRID, GRID), rows along y
        pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1)).to(t.device)  # (GRID*GRID, 2)
        logits = D(pack(pts.repeat_interleave(m, dim=0), m))  # a packed D sees the grid point m times
        prob = t.objective.probability
        d_map = (torch.sigmoid(logits) if prob else logits).reshape(GRID, GRID).cpu().numpy()

        manifold = warped_grid(t, G)

        with torch.enable_grad():
            xa = fake[:N_ARROWS - N_ARROWS % m].clone().requires_grad_(True)
            loss = t.objective.g_loss(D(pack(xa, m)))
            (grad,) = torch.autograd.grad(loss, xa)
        direction = -grad.cpu().numpy()  # where G's loss falls fastest: the push D gives each fake
        norm = np.linalg.norm(direction, axis=1, keepdims=True)
        direction = np.where(norm > 0, direction / np.maximum(norm, 1e-12), 0.0)
    finally:
        D.train(d_was)
        G.train(g_was)

    centres = covered = None
    if t.data.mixture is not None:
        centres = t.data.mixture.centres
        covered = np.asarray(mode_metrics(fake_np, centres, t.data.mixture.sigma).counts) > 0
    return Views2D(bounds, real if real is not None else np.zeros((0, 2), np.float32), fake_np, gx, gy, d_map,
                   bool(prob), manifold, xa.detach().cpu().numpy(), direction, centres, covered)


def warped_grid(t: "Trainer", G: torch.nn.Module, lines: int = 13, points: int = 40) -> np.ndarray:
    """The image under G of a square grid in noise space: the first two latent dims span it, the rest are 0.

    The grid covers +-2 (normal noise) or +-1 (uniform). Returns (2*lines, points, 2) polylines; with a 1-d noise,
    whose space is a line, its one image: (1, lines*points, 2).
    """
    z_dim = t.config.model.z_dim
    r = 1.0 if t.config.model.noise == "uniform" else 2.0
    if z_dim == 1:
        z = torch.linspace(-r, r, lines * points)[:, None].to(t.device)
        return G(z).cpu().numpy().reshape(1, lines * points, 2)
    a = torch.linspace(-r, r, lines)
    b = torch.linspace(-r, r, points)
    zs = []
    for fixed in a:
        for axis in (0, 1):
            z = torch.zeros(points, z_dim)
            z[:, axis] = b
            z[:, 1 - axis] = fixed
            zs.append(z)
    z = torch.cat(zs).to(t.device)
    x = G(z).cpu().numpy()
    return x.reshape(len(zs), points, 2)
