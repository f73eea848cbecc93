"""What a page reads: an immutable `Snapshot` of a run, and the `Record` the runner builds it from.

A page never touches the trainer. The runner's thread keeps a `Record` of its run (bounded series of the
steps, the evaluations and the timelapse frames, the pictures' fixed noise and real points) and, a few times a
second, freezes it into a new `Snapshot`: numbers, pandas tables and numpy pictures that no one changes after.
Series stay bounded however long a class trains: `Thinned` drops every other item when full, so hours of
training still draw as the whole run, evenly spaced. (The trainer's own log, saved as metrics.csv, has its own
bound, `Trainer.max_rows`, which keeps evaluation rows.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from gan_core import TrainConfig, Trainer
from gan_core.evaluation.probes2d import Views2D, views_2d
from gan_core.variants import Recipe

HISTORY_COLUMNS = ["step", "d_loss", "g_loss", "d_real", "d_fake", "d_grad", "g_grad"]
# The evaluation metrics (2D: modes2d.score_points; images: evaluator.ImageEvaluator), plus each mode's or
# class's share of the samples, share_0..share_K-1, and on 2D where the samples sit, near_0..near_K-1 (the
# occupancy view).
EVAL_KEYS = ("modes", "hq", "kl", "grid_kl", "grid_js", "fid", "is", "coverage", "class_kl", "precision", "recall",
             "density", "coverage_dc", "mean_confidence")
_SHARE = re.compile(r"(share|near)_\d+")
HISTORY_CAP = 2000          # points kept per history curve (then every other point is dropped)
FRAME_CAP = 120             # GIF timelapse frames kept (same thinning)
FRAME_EVERY = 1.0           # seconds of training between two timelapse frames
N_POINTS = 2000             # generated / real points drawn for the 2D views
REAL_SEED = 12345           # the real points drawn beside the fakes (the same all along a run)
VIEW_SEED = 99              # added to the run's seed: the noise of the drawn fakes (the same at every snapshot)
CLASS_SEED, CLASS_SAMPLES = 4242, 256   # the samples the class histogram counts


def is_eval_key(key: str) -> bool:
    return key in EVAL_KEYS or _SHARE.fullmatch(key) is not None


class Thinned:
    """An append-only series that keeps at most `cap` items by dropping every other one when full.

    Kept items stay evenly spaced: after k thinnings, one item in 2**k is recorded.
    """

    def __init__(self, cap: int):
        self.cap = cap
        self.items: list = []
        self.stride = 1
        self._seen = 0

    def add(self, item: Any) -> None:
        if self._seen % self.stride == 0:
            self.items.append(item)
            if len(self.items) > self.cap:
                self.items = self.items[::2]
                self.stride *= 2
        self._seen += 1

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class ViewsImage:
    grid: np.ndarray                  # (H, W) or (H, W, 3) uint8: the fixed noise batch
    class_counts: np.ndarray | None   # (classes,) from the evaluation classifier
    shown: int = 64                   # samples in the grid
    by_class: bool = False            # a conditional G's: column k holds the samples asked for class k


@dataclass(frozen=True)
class Snapshot:
    status: str = "idle"              # idle | queued | running | paused | finished | diverged | error | closed
    step: int = 0
    budget: int = 0
    steps_per_s: float = 0.0
    examples_per_s: float = 0.0
    last: Any = None                  # the last StepResult
    history: pd.DataFrame = field(default_factory=pd.DataFrame)   # HISTORY_COLUMNS
    evals: pd.DataFrame = field(default_factory=pd.DataFrame)     # step + metrics (modes, hq, kl, share_0, ...)
    metrics: dict = field(default_factory=dict)
    views: Views2D | ViewsImage | None = None
    message: str = ""
    queue_position: int | None = None
    substep: str = ""
    narration: str = ""
    phase: str = ""                   # "D" or "G" in slow motion
    config: TrainConfig | None = None  # None: no run is configured
    recipe: Recipe | None = None      # the variant as it trains now (live options included)
    lr_decay: float = 0.0             # the decay as it trains now
    modes: int | None = None          # the data's modes (a 2D mixture), None where they are not known
    version: int = 0                  # grows with every published snapshot
    frames: int = 0                   # timelapse frames kept


class Record:
    """What the runner keeps of one run to draw it (the caller holds the runner's lock)."""

    def __init__(self, trainer: Trainer | None):
        self.history = Thinned(HISTORY_CAP)
        self.evals = Thinned(HISTORY_CAP)
        self.frames = Thinned(FRAME_CAP)
        self.last_eval_step = -1
        self.last_frame_t = 0.0
        self._view_z: torch.Tensor | None = None
        self._classifier = None
        self.real: np.ndarray | None = None
        if trainer is not None and not trainer.config.data.is_image:
            g = torch.Generator(device=trainer.device).manual_seed(REAL_SEED)
            self.real = trainer.data.source.sample(N_POINTS, g).cpu().numpy()

    def add_step(self, t: Trainer, r) -> bool:
        """Record a finished iteration; True when it was evaluated."""
        self.history.add((r.step, r.d_loss, r.g_loss, r.d_real, r.d_fake, r.d_grad, r.g_grad))
        row = t.rows[-1] if t.rows else None
        if (row is not None and row.get("step") == r.step and t.last_eval and self.last_eval_step != r.step
                and all(k in row for k in t.last_eval)):
            self.last_eval_step = r.step
            self.evals.add({"step": r.step, **{k: v for k, v in t.last_eval.items() if np.isscalar(v)}})
            return True
        return False

    def add_rows(self, rows: list[dict]) -> None:
        """Redraw a logged history (a run taken over from another session)."""
        for row in rows:
            self.history.add(tuple(row.get(c, float("nan")) for c in HISTORY_COLUMNS))
            metrics = {k: v for k, v in row.items() if is_eval_key(k) and v == v}
            if metrics:
                self.evals.add({"step": row["step"], **metrics})

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return pd.DataFrame(self.history.items, columns=HISTORY_COLUMNS), pd.DataFrame(self.evals.items)

    def add_frame(self, views: Views2D | ViewsImage | None, now: float) -> None:
        """One timelapse frame per FRAME_EVERY seconds (the first at once)."""
        if views is not None and (now - self.last_frame_t >= FRAME_EVERY or len(self.frames) == 0):
            self.frames.add(frame_of(views))
            self.last_frame_t = now

    @torch.no_grad()
    def views(self, t: Trainer) -> Views2D | ViewsImage:
        if t.config.data.is_image:
            return self._image_views(t)
        if self._view_z is None:
            self._view_z = t.noise(N_POINTS, t.config.seed + VIEW_SEED)
        return views_2d(t, self.real, self._view_z)

    def _image_views(self, t: Trainer) -> ViewsImage:
        from gan_core.data.pixels import to_uint8
        from gan_core.pictures import image_grid

        imgs = to_uint8(t.generate(t.fixed_z, t.fixed_y))  # (64, 28, 28) the fixed noise batch
        k = t.n_classes if t.fixed_y is not None else 0
        if 1 < k <= 10:  # the labels cycle 0..k-1: k columns put one class in each, a row per cycle (60 of 64)
            n = len(imgs) // k * k
            return ViewsImage(image_grid(imgs[:n], cols=k), self._class_counts(t), shown=n, by_class=True)
        return ViewsImage(image_grid(imgs, cols=8), self._class_counts(t), shown=len(imgs))

    def _class_counts(self, t: Trainer) -> np.ndarray | None:
        """How many of CLASS_SAMPLES samples (a fixed seed) the evaluation classifier puts in each class."""
        if t.config.data.name == "stacked-mnist":
            return None
        if self._classifier is None:
            from gan_core.evaluation.classifier import default_classifier

            try:
                self._classifier = default_classifier(t.config.data.name).eval()
            except (OSError, ValueError):  # no shipped classifier: the page shows no histogram
                return None
        x = t.sample(CLASS_SAMPLES, seed=CLASS_SEED)
        if x.shape[1] != 1:
            return None
        logits = self._classifier(x.float().cpu())
        return np.bincount(logits.argmax(1).numpy(), minlength=logits.shape[1])


def frame_of(v: Views2D | ViewsImage):
    """What the GIF keeps of a picture: the first 1000 fakes of a 2D run, the grid of an image run."""
    if isinstance(v, Views2D):
        return v.fake[:1000].copy()
    return v.grid.copy()
