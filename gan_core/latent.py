"""Latent-space tools for a trained generator: interpolation, principal directions, inversion.

Pure functions of tensors (no UI). Shapes: z (z_dim,) or (N, z_dim); images (C, H, W) in [-1, 1].

Principal directions (GANSpace, Harkonen et al. 2020, their BigGAN recipe): draw N latents z, take the
activations h = G_1(z) of G's first hidden layer, run PCA on h, and regress each latent onto its PCA
coordinates (least squares, z ~ c @ U) to carry the principal axes of h back into latent space. The
directions U are then orthonormalised in order of importance (Gram-Schmidt via QR), so each slider
moves along its own axis. For a generator whose first layer is linear in z the result matches PCA
of z mapped through that layer.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch


def sample_noise(n: int, z_dim: int, dist: str, generator: torch.Generator,
                 device: torch.device | str | None = None) -> torch.Tensor:
    """(n, z_dim) latents from G's prior: N(0, I) for dist 'normal', U(-1, 1) for 'uniform', drawn from `generator`
    (on the generator's device unless `device` is given)."""
    device = generator.device if device is None else device
    if dist == "uniform":
        return torch.rand(n, z_dim, generator=generator, device=device) * 2 - 1
    return torch.randn(n, z_dim, generator=generator, device=device)


def seeded_noise(n: int, z_dim: int, dist: str, seed: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """The same latents for the same seed on any device: drawn on the CPU from `seed`, then moved."""
    return sample_noise(n, z_dim, dist, torch.Generator().manual_seed(seed)).to(device)


def lerp(z0: torch.Tensor, z1: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
    """(1 - t) z0 + t z1."""
    return torch.lerp(z0, z1, torch.as_tensor(t, dtype=z0.dtype))


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: float, eps: float = 1e-7) -> torch.Tensor:
    """Spherical interpolation along the great circle from z0 to z1 (Shoemake 1985), with the norm
    interpolated linearly: sin((1-t)w)/sin(w) z0_hat + sin(tw)/sin(w) z1_hat, times (1-t)|z0| + t|z1|.

    Gaussian latents live near a sphere of radius sqrt(z_dim); lerp cuts through the inside (samples
    that G rarely saw), slerp stays on it. Falls back to lerp when z0 and z1 are (anti)parallel.
    """
    n0, n1 = z0.norm(dim=-1, keepdim=True), z1.norm(dim=-1, keepdim=True)
    u0, u1 = z0 / n0.clamp_min(eps), z1 / n1.clamp_min(eps)
    cos = (u0 * u1).sum(-1, keepdim=True).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    so = torch.sin(omega)
    if bool((so.abs() < 1e-4).any()):
        return lerp(z0, z1, t)
    direction = (torch.sin((1 - t) * omega) / so) * u0 + (torch.sin(t * omega) / so) * u1
    return direction * ((1 - t) * n0 + t * n1)


def interpolate(z0: torch.Tensor, z1: torch.Tensor, n: int, method: str = "slerp") -> torch.Tensor:
    """n latents from z0 to z1 inclusive, (n, z_dim)."""
    if method not in ("lerp", "slerp"):
        raise ValueError(f"method={method!r}: choose 'lerp' or 'slerp'")
    if n < 2:
        raise ValueError("an interpolation needs at least 2 steps")
    f = slerp if method == "slerp" else lerp
    return torch.stack([f(z0, z1, float(t)) for t in np.linspace(0.0, 1.0, n)])


def first_hidden(G: torch.nn.Module) -> Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]:
    """The map z -> activations of G's first hidden layer, (N, F), for the models in gan_core.models."""
    def run(z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        embed = getattr(G, "embed", None)
        if embed is not None and y is not None:
            z = torch.cat([z, embed(y)], dim=1)
        if hasattr(G, "project"):          # DCGAN: linear + batch norm + ReLU
            return G.project(z)
        if hasattr(G, "mapping"):          # style model: w, where GANSpace runs its PCA for StyleGAN
            return G.mapping(z)
        net = G.net                        # MLP: Linear, activation, ...
        h = net[0](z)
        return net[1](h) if len(net) > 1 else h
    return run


@torch.no_grad()
def principal_directions(G: torch.nn.Module, z_dim: int, k: int = 8, n: int = 2000, seed: int = 0,
                         noise: str = "normal", y: torch.Tensor | None = None,
                         progress: Callable[[float, str], None] | None = None) -> tuple[torch.Tensor, np.ndarray]:
    """(directions (k, z_dim) with orthonormal rows, share of the activation variance each PCA axis explains (k,)).

    Wide activations take a randomised SVD for the top k axes (Halko et al. 2011: k + 16 columns, 6 power
    iterations, its random start drawn from `seed`): on the shipped MNIST DCGAN's first layer (2,000 x 3,136
    activations) well under a second instead of 45-90 s for the full SVD on a busy laptop core, with the same
    axes and singular values (tests/test_latent.py). The variance shares divide by the total variance (the
    squared Frobenius norm), as the full SVD's would. progress(fraction, what) is told at each stage."""
    tell = progress or (lambda fraction, what: None)
    k = max(1, min(k, z_dim))
    z = seeded_noise(n, z_dim, noise, seed)
    labels = None
    if y is not None:
        labels = y.expand(n) if y.numel() == 1 else y
    tell(0.0, f"{n:,} random latents through G's first layer")
    was = G.training
    G.eval()
    try:
        with torch.no_grad():
            h = first_hidden(G)(z, labels).flatten(1).double().cpu()  # (n, F)
    finally:
        G.train(was)
    h = h - h.mean(0)
    tell(0.4, "PCA of the activations")
    q = k + 16
    if min(h.shape) >= 256:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            _, s, v = torch.svd_lowrank(h, q=q, niter=6)
        vt = v.T
    else:
        _, s, vt = torch.linalg.svd(h, full_matrices=False)
    total = (h ** 2).sum()
    k_eff = min(k, vt.shape[0])
    tell(0.8, "the axes carried back into latent space")
    coords = h @ vt[:k_eff].T                               # (n, k) PCA coordinates
    u = torch.linalg.lstsq(coords, z.double()).solution     # (k, z_dim): z ~ coords @ u
    q_, _ = torch.linalg.qr(u.T)                            # orthonormal columns, in order of importance
    dirs = q_.T[:k_eff]
    signs = torch.sign((dirs * u[:k_eff]).sum(1, keepdim=True))  # keep each axis pointing like its regression
    dirs = dirs * torch.where(signs == 0, torch.ones_like(signs), signs)
    var = (s[:k_eff] ** 2) / total
    tell(1.0, "done")
    return dirs.float(), var.numpy()


# An inversion whose pixel error (MSE in [-1, 1]) ends above this has not found its picture: the shipped image
# generators end at 0.01-0.06 on held-out digits they can draw, and at 0.3 or more on a stroke of another digit
# (bench/inversion.py). The Latent explorer warns above it instead of announcing a success.
CLOSE_ENOUGH = 0.1


def invert(G: torch.nn.Module, target: torch.Tensor, steps: int = 200, seed: int = 0, lr: float = 0.05,
           y: torch.Tensor | None = None, prior: float = 1e-3, z_dim: int | None = None,
           progress_callback: Callable[[int, float], None] | None = None,
           starts: int = 256) -> tuple[torch.Tensor, list[float]]:
    """Find a latent z with G(z) close to `target` (C, H, W) in [-1, 1]: Adam on z, minimising
    MSE(G(z), target) + prior * mean(z^2) (the small prior keeps z where G was trained). Adam starts from the
    closest of `starts` random latents (one batched pass of G): from a single random start a style-based generator
    often stalls on another digit (on mnist-style's first ten held-out digits, 200 steps ended at pixel error
    0.035-0.75, mean 0.43, against 0.02-0.30, mean 0.07, from the best of 256). Returns (z (z_dim,), the loss after
    each step). progress_callback(step, mse) is called every step.
    """
    if steps < 1:
        raise ValueError("steps must be at least 1")
    if starts < 1:
        raise ValueError("starts must be at least 1")
    if z_dim is None:
        z_dim = _z_dim(G)
    g = torch.Generator().manual_seed(seed)
    target = target.unsqueeze(0).float()
    labels = None if y is None else y.reshape(1)
    was = G.training
    G.eval()
    with torch.no_grad():
        candidates = torch.randn(starts, z_dim, generator=g)
        drawn = G(candidates, None if labels is None else labels.expand(starts))
        first = int(((drawn - target) ** 2).flatten(1).mean(1).argmin())
    z = candidates[first:first + 1].clone().requires_grad_(True)
    opt = torch.optim.Adam([z], lr=lr)
    params = [p.requires_grad for p in G.parameters()]
    for p in G.parameters():
        p.requires_grad_(False)  # only z moves; the shared generator is never changed
    losses = []
    try:
        for i in range(steps):
            out = G(z, labels)
            mse = torch.mean((out - target) ** 2)
            loss = mse + prior * torch.mean(z ** 2)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(float(mse.detach()))
            if progress_callback is not None:
                progress_callback(i + 1, losses[-1])
    finally:
        for p, r in zip(G.parameters(), params):
            p.requires_grad_(r)
        G.train(was)
    return z.detach()[0], losses


def _z_dim(G: torch.nn.Module) -> int:
    if hasattr(G, "z_dim"):
        return G.z_dim
    first = G.project[0] if hasattr(G, "project") else G.net[0]
    extra = G.embed.embedding_dim if getattr(G, "embed", None) is not None else 0
    return first.in_features - extra


def angle_between(a: torch.Tensor, b: torch.Tensor) -> float:
    """The angle in degrees between two latents (for the page's explanation of slerp)."""
    cos = float((a @ b) / (a.norm() * b.norm()).clamp_min(1e-12))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))
