"""Sampling and scoring a saved generator (a run folder or a pretrained/ folder), for the CLI and the app."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gan_core.data.pixels import to_uint8, to_unit
from gan_core.latent import seeded_noise
from gan_core.pictures import image_grid, scatter_png
from gan_core.runs import load_generator

MAX_SAMPLES = 100_000


@dataclass
class Samples:
    data: np.ndarray            # (N, 2) float32 points, or (N, H, W) / (N, H, W, C) uint8 images
    labels: np.ndarray | None   # (N,) class labels of a conditional generator
    is_image: bool


def sample_run(run: str | Path, n: int, seed: int = 0, label: int | None = None, device: str = "cpu",
               psi: float = 1.0) -> Samples:
    """n samples of a saved generator; psi (style models only) is the truncation of w towards its average."""
    if not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"--n={n} is out of range; draw between 1 and {MAX_SAMPLES:,} samples")
    if not 0.0 <= psi <= 2.0:
        raise ValueError(f"--psi={psi} is out of range; use 0 (the average image) to 2 (1 = no truncation)")
    from gan_core.device import resolve_device

    dev = resolve_device(device)
    g, config, shape, n_classes = load_generator(run, dev)
    if psi != 1.0:
        from gan_core.style_tools import require_style

        g = require_style(g, config, "--psi (truncation)")
    z = seeded_noise(n, config.model.z_dim, config.model.noise, seed, dev)
    labels = None
    if label is not None and not config.model.conditional:
        raise ValueError(f"--label={label}: this generator is not conditional (it takes no class label); leave "
                         f"--label out, or use a conditional one such as pretrained/mnist-cgan")
    if config.model.conditional:
        if label is not None and not 0 <= label < n_classes:
            raise ValueError(f"--label={label} is out of range; this generator knows classes 0..{n_classes - 1}")
        labels = torch.full((n,), label, dtype=torch.long) if label is not None else torch.arange(n) % n_classes
        labels = labels.to(dev)
    with torch.inference_mode():
        extra = {"psi": psi} if psi != 1.0 else {}
        out = torch.cat([g(z[i:i + 2048], None if labels is None else labels[i:i + 2048], **extra)
                         for i in range(0, n, 2048)])
    lab = None if labels is None else labels.cpu().numpy()
    if len(shape) == 1:
        return Samples(out.cpu().numpy().astype(np.float32), lab, False)
    return Samples(to_uint8(out), lab, True)


# Files a run, an arena or a card keeps beside its weights: samples written over one would lose it (a training's
# history replaced by x,y rows). Only names a sample file can have (.csv, .npz, .png) need listing; besides these,
# a card's samples.png (beside its metrics.json or card.json) and an arena's pictures (any .png beside its results.csv)
# are kept.
KEPT_FILES = ("metrics.csv", "results.csv", "curves.csv", "class_history.png")


def kept_file(out: Path) -> bool:
    """Whether `out` is an existing file that a run, an arena or a card keeps (KEPT_FILES)."""
    if not out.is_file():
        return False
    card = any((out.parent / f).is_file() for f in ("metrics.json", "card.json"))
    return (out.name in KEPT_FILES or (out.name == "samples.png" and card)
            or (out.suffix.lower() == ".png" and (out.parent / "results.csv").is_file()))


def write_samples(s: Samples, out: Path, replace_kept: bool = False) -> None:
    """Samples to .csv (2D), .npz or .png; never over a kept file (`kept_file`) unless `replace_kept` (the card
    writer, which remakes a card's own samples.png)."""
    from gan_core.runs import atomic_write

    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; name a file, e.g. {out / 'samples.csv'}")
    if not replace_kept and kept_file(out):
        free = next(c for c in (out.with_name(f"{stem}{out.suffix}") for stem in
                                ("samples", "my-samples", *(f"my-samples-{i}" for i in range(2, 1000))))
                    if not c.exists())
        raise ValueError(f"--out {out} is a file the results saved in {out.parent} keep; writing there would replace "
                         f"it. Name another file, e.g. {free}")
    suffix = out.suffix.lower()
    if suffix == ".csv":
        if s.is_image:
            raise ValueError("image samples cannot be written as CSV; use --out FILE.npz or FILE.png")
        lines = ["x,y"] + [f"{x!r},{y!r}" for x, y in s.data.tolist()]
        atomic_write(out, "\n".join(lines) + "\n")
    elif suffix == ".npz":
        import io

        buf = io.BytesIO()
        arrays = {"images" if s.is_image else "points": s.data}
        if s.labels is not None:
            arrays["labels"] = s.labels
        np.savez_compressed(buf, **arrays)
        atomic_write(out, buf.getvalue())
    elif suffix == ".png":
        import io

        from PIL import Image

        if s.is_image:
            picture = image_grid(s.data[:400])
        else:
            picture = scatter_png(s.data)
        buf = io.BytesIO()
        Image.fromarray(picture).save(buf, format="PNG")
        atomic_write(out, buf.getvalue())
    else:
        raise ValueError(f"--out {out}: unknown file type {suffix!r}; use .csv (2D), .npz or .png")


def evaluate_run(run: str | Path, n: int | None = None, seed: int = 1, device: str = "cpu") -> dict:
    """The metrics of a saved generator: mode metrics for 2D mixtures, image metrics for images."""
    from gan_core.runs import load_config

    config = load_config(run)
    n = n or config.eval_samples
    s = sample_run(run, n, seed, None, device)
    if not s.is_image:
        from gan_core.data.points import Data2D
        from gan_core.evaluation.modes2d import score_points

        source = Data2D(config.data.name, "cpu", config.data.points)
        real = source.sample(n, torch.Generator().manual_seed(seed + 1)).numpy()
        out = {"samples": n, **score_points(s.data, source, real)}
        if source.mixture is not None:
            out["k"] = source.mixture.k
        return out
    from gan_core.evaluation.evaluator import ImageEvaluator

    out = {"samples": n, **ImageEvaluator(config.data)(to_unit(s.data))}
    if config.data.name != "stacked-mnist":
        from gan_core.evaluation.knn_check import class_checks

        out.update(class_checks(s.data, config.data.name, config.data.data_dir))  # the second opinion (knn_check.py)
    return out
