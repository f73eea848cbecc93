"""What a trained style generator can show: style mixing, the truncation trick, stochastic variation, W vs Z.

Pure functions of a `StyleGenerator` (models/style.py) and latents, for the CLI (`mix`, `sample --psi`), the
latent explorer and the benchmarks. Latents come from `latent.seeded_noise`, so the same seed gives the same
pictures on any device. Images are returned as tensors in [-1, 1] (B, C, H, W) unless said otherwise.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gan_core.latent import seeded_noise
from gan_core.models.style import LEVELS, StyleGenerator


def require_style(g: torch.nn.Module, config, what: str = "this") -> StyleGenerator:
    """`g` itself, or a ValueError saying that `what` needs a style model."""
    if not isinstance(g, StyleGenerator):
        raise ValueError(f"{what} needs a style model, but the run holds a {config.model.kind!r} generator; "
                         f"train one with 'python -m gan_core train --preset style'")
    return g


def load_style(run: str | Path, device: str = "cpu"):
    """(StyleGenerator in eval mode, TrainConfig) of a run folder, or a ValueError naming the run's model kind."""
    from gan_core.device import resolve_device
    from gan_core.runs import load_generator

    g, config, _, _ = load_generator(run, resolve_device(device))
    return require_style(g, config, f"{run}"), config


def parse_levels(text: str) -> list[str]:
    """'coarse' or 'coarse,middle' -> the level names, each checked."""
    names = [t.strip() for t in str(text).split(",") if t.strip()]
    bad = [n for n in names if n not in LEVELS]
    if not names or bad:
        raise ValueError(f"--levels {text!r}: give one or more of {', '.join(LEVELS)}, separated by commas")
    return names


def layers_of(g: StyleGenerator, levels: list[str]) -> list[int]:
    return sorted({j for level in levels for j in g.level_layers(level)})


@torch.inference_mode()
def mix(g: StyleGenerator, z_base: torch.Tensor, z_source: torch.Tensor, layers: list[int], psi: float = 1.0):
    """(base, source, mixed) images: mixed[i] takes rows `layers` of w+ from source[i], the others from base[i]."""
    ws_b = g.broadcast(g.map(z_base, psi))
    ws_s = g.broadcast(g.map(z_source, psi))
    return g.synthesis(ws_b), g.synthesis(ws_s), g.synthesis(g.mix(ws_b, ws_s, layers))


def mix_latents(n: int, seed: int, z_dim: int, dist: str = "normal") -> tuple[torch.Tensor, torch.Tensor]:
    """The base and source latents of `mix --n n --seed seed`: the first and the second n draws of the seed."""
    z = seeded_noise(2 * n, z_dim, dist, seed)
    return z[:n], z[n:]


@torch.inference_mode()
def mixing_agreement(g: StyleGenerator, classify, n: int, seed: int, layer_sets: list[list[int]], psi: float = 1.0,
                     batch: int = 250) -> list[dict]:
    """For each set of rows of w+ taken from the source: how often the mixed image keeps the source's class and
    the base's class (classify: uint8 (N, H, W) -> class ids), over the n pairs of `mix_latents`."""
    from gan_core.data.pixels import to_uint8

    zb, zs = mix_latents(n, seed, g.z_dim)
    base, source, mixed = [], [], [[] for _ in layer_sets]
    for i in range(0, n, batch):
        ws_b, ws_s = g.broadcast(g.map(zb[i:i + batch], psi)), g.broadcast(g.map(zs[i:i + batch], psi))
        base.append(np.asarray(classify(to_uint8(g.synthesis(ws_b)))))
        source.append(np.asarray(classify(to_uint8(g.synthesis(ws_s)))))
        for out, layers in zip(mixed, layer_sets):
            out.append(np.asarray(classify(to_uint8(g.synthesis(g.mix(ws_b, ws_s, layers))))))
    b, s = np.concatenate(base), np.concatenate(source)
    return [{"pairs": n, "layers": list(layers), "source_class": float((np.concatenate(m) == s).mean()),
             "base_class": float((np.concatenate(m) == b).mean()), "differ": float((b != s).mean())}
            for m, layers in zip(mixed, layer_sets)]


@torch.inference_mode()
def truncation_spread(g: StyleGenerator, psis: list[float], n: int = 500, seed: int = 0) -> list[float]:
    """For each psi, the pixel spread across z: the standard deviation over n samples, averaged over pixels.
    It shrinks to 0 at psi = 0, where every z gives the average image."""
    z = seeded_noise(n, g.z_dim, "normal", seed, g.w_avg.device)
    return [float(g(z, psi=psi).std(dim=0).mean()) for psi in psis]


@torch.inference_mode()
def noise_variation(g: StyleGenerator, z: torch.Tensor, k: int = 16, seed: int = 0, psi: float = 1.0):
    """Stochastic variation (StyleGAN fig. 4): the same w with k fresh draws of the per-layer noise.
    Returns (images (k, C, H, W) for the first z, per-pixel std over the k draws (C, H, W))."""
    ws = g.broadcast(g.map(z[:1], psi)).expand(k, -1, -1)
    imgs = g.synthesis(ws, g.random_noise(k, torch.Generator(device=z.device).manual_seed(seed)))
    return imgs, imgs.std(dim=0)


@torch.inference_mode()
def interpolate_wz(g: StyleGenerator, z0: torch.Tensor, z1: torch.Tensor, steps: int, psi: float = 1.0):
    """Interpolation from z0 to z1 two ways: linear in Z (then mapped) and linear in W (between the two w's).
    Returns (images along Z, images along W), each (steps, C, H, W). The path in W is the smoother one when the
    mapping network has untangled the factors (StyleGAN section 4)."""
    t = torch.linspace(0, 1, steps, device=z0.device)[:, None]
    zs = torch.lerp(z0[None], z1[None], t)
    w0, w1 = g.map(torch.stack([z0, z1]), psi)
    ws = torch.lerp(w0[None], w1[None], t)
    return g(zs, psi=psi), g.synthesis(g.broadcast(ws))


@torch.inference_mode()
def path_length(images: torch.Tensor) -> float:
    """Sum of the mean squared pixel changes between neighbouring frames: lower is a smoother path."""
    return float((images[1:] - images[:-1]).pow(2).mean(dim=(1, 2, 3)).sum())


@torch.inference_mode()
def mixing_grid(g: StyleGenerator, z_base: torch.Tensor, z_source: torch.Tensor, layers: list[int],
                psi: float = 1.0) -> np.ndarray:
    """The paper's figure 3 as one uint8 picture: a row of sources on top, a column of bases on the left, and at
    (base i, source j) the image whose rows `layers` of w+ come from source j and the others from base i.
    The top-left cell is black. z_base (nb, z_dim), z_source (ns, z_dim)."""
    from gan_core.data.pixels import to_uint8
    from gan_core.pictures import image_grid

    nb, ns = len(z_base), len(z_source)
    ws_b = g.broadcast(g.map(z_base, psi))
    ws_s = g.broadcast(g.map(z_source, psi))
    pairs_b = ws_b.repeat_interleave(ns, dim=0)        # (nb*ns, n_ws, w_dim): base i, ns times
    pairs_s = ws_s.repeat(nb, 1, 1)                    # source 0..ns-1, nb times
    mixed = to_uint8(g.synthesis(g.mix(pairs_b, pairs_s, layers)))
    bases, sources = to_uint8(g.synthesis(ws_b)), to_uint8(g.synthesis(ws_s))
    cells = [np.zeros_like(sources[0]), *sources]
    for i in range(nb):
        cells += [bases[i], *mixed[i * ns:(i + 1) * ns]]
    return image_grid(np.stack(cells), cols=ns + 1)


def std_picture(std: torch.Tensor) -> np.ndarray:
    """A per-pixel standard deviation (C, H, W) as a uint8 picture, brightest where the noise changes most
    (scaled by the largest value, so a model whose noise does nothing shows black)."""
    s = std.float().mean(dim=0) if std.dim() == 3 else std.float()
    top = float(s.max())
    return (s / top * 255).round().clamp(0, 255).to(torch.uint8).cpu().numpy() if top > 1e-6 else \
        np.zeros(tuple(s.shape), np.uint8)
