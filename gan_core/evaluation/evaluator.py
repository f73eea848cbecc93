"""Scoring generated images during training and evaluation: the evaluation classifier's metrics
against the held-out real images, with the real features computed once."""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import numpy as np
import torch

from gan_core.config import DataConfig
from gan_core.data.pixels import to_uint8
from gan_core.evaluation.image_metrics import (class_histogram_metrics, classifier_outputs, feature_statistics,
                                               frechet_distance, inception_score, manifold_metrics,
                                               real_manifold_radii, stacked_mnist_modes)

MAX_REAL = 2500
FEATURES_VERSION = 1  # raise it when Classifier.features computes other numbers: older cache files are then unused
_REAL_SIDE: dict[tuple, tuple] = {}
_REAL_LOCK = threading.Lock()


def _real_side(name: str, data_dir: str | None) -> tuple:
    """(classifier, real features, (mu, Sigma), {k: radii}) of a data set, computed once per process (the
    features once per machine: `_real_features`)."""
    from gan_core.evaluation.classifier import default_classifier
    from gan_core.data.images import load_images

    with _REAL_LOCK:
        key = (name, data_dir)
        if key not in _REAL_SIDE:
            classifier = default_classifier(name)
            if name == "stacked-mnist":
                _REAL_SIDE[key] = (classifier, None, None, None)
            else:
                real, _ = load_images(name, "test", data_dir)
                feats, radii = _real_features(np.asarray(real)[:MAX_REAL], classifier)
                _REAL_SIDE[key] = (classifier, feats, feature_statistics(feats), radii)
        return _REAL_SIDE[key]


def cache_dir() -> Path:
    """Where real-image features are kept between processes: $GAN_CLASSROOM_CACHE, else ~/.cache/gan-classroom."""
    return Path(os.environ.get("GAN_CLASSROOM_CACHE") or Path.home() / ".cache" / "gan-classroom")


RADII_K = (3, 5)  # the k of the real manifold's radii: precision / recall (3) and density / coverage (5)


def _real_features(real: np.ndarray, classifier) -> tuple[np.ndarray, dict]:
    """The classifier's features of the real images and the real manifold's radii ({k: NN_k distances}, k in
    RADII_K), read from the cache when the same classifier weights and the same images were seen before (the file
    names hold a hash of both), else computed and saved. Saved as float64, so a cached run gets the very numbers a
    fresh one computes."""
    h = hashlib.sha256(f"features v{FEATURES_VERSION}".encode())
    h.update(np.ascontiguousarray(real).tobytes())
    for name, t in sorted(classifier.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    stem = h.hexdigest()[:24]
    feats = _cached(cache_dir() / f"real-features-{stem}.npy", (len(real),),
                    lambda: classifier_outputs(real, classifier)[0])
    radii = {k: torch.from_numpy(_cached(cache_dir() / f"real-radii-k{k}-{stem}.npy", (len(real),),
                                         lambda k=k: real_manifold_radii(feats, (k,))[k].numpy()))
             for k in RADII_K}
    return feats, radii


def _cached(path: Path, rows: tuple[int], compute) -> np.ndarray:
    """The float64 array of `path` if it holds `rows` rows, else compute() saved there (a read-only home: computed
    every time)."""
    try:
        arr = np.load(path)
        if arr.shape[:1] == rows and arr.dtype == np.float64:
            return arr
    except (OSError, ValueError):
        pass  # no cache yet, or an unreadable one: compute
    arr = np.asarray(compute(), dtype=np.float64)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, arr)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the whole file or none
    except OSError:
        pass
    return arr


class ImageEvaluator:
    """`evaluator(fake)` -> dict of metrics. fake: (N, C, 28, 28) tensor in [-1, 1].

    The real side (classifier, real features, their statistics and k-NN radii) depends only on the data, so
    it is computed once per process and data set and shared by every evaluator of it (read-only): a second
    run in the same process (the app, the arena's workers, the tests) skips the real images' pass."""

    def __init__(self, data: DataConfig):
        self.name = data.name
        self.classifier, self.real_feats, self.real_stats, self.real_radii = _real_side(data.name, data.data_dir)

    def __call__(self, fake: torch.Tensor) -> dict:
        images = to_uint8(fake)
        if self.name == "stacked-mnist":
            out = stacked_mnist_modes(images, self.classifier)
            return {"modes": out["modes"], "kl": out["kl"]}
        feats, probs = classifier_outputs(images, self.classifier)
        hist = class_histogram_metrics(probs.argmax(axis=1), 10)
        k_pr, k_dc = RADII_K  # the radii cached for the real side are these k's
        manifold = manifold_metrics(self.real_feats, feats, k_pr=k_pr, k_dc=k_dc, real_radii=self.real_radii)
        return {
            "fid": frechet_distance(*self.real_stats, *feature_statistics(feats)),
            "is": inception_score(probs),
            "coverage": int(hist["coverage"]),
            "class_kl": float(hist["class_kl"]),
            **manifold,  # precision, recall (k = 3), density, coverage_dc (k = 5)
            "mean_confidence": float(probs.max(axis=1).mean()),
            # the class histogram: share_c = share of the samples the classifier calls class c (the occupancy view)
            **{f"share_{c}": float(h) for c, h in enumerate(hist["histogram"])},
        }
