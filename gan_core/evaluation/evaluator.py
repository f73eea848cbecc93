"""Scoring generated images during training and evaluation: the evaluation classifier's metrics
against the held-out real images, with the real features computed once."""
from __future__ import annotations

import numpy as np
import torch

from gan_core.config import DataConfig
from gan_core.data.pixels import to_uint8
from gan_core.evaluation.image_metrics import (class_histogram_metrics, classifier_outputs, density_coverage, feature_statistics,
                            frechet_distance, inception_score, precision_recall, stacked_mnist_modes)

MAX_REAL = 2500


class ImageEvaluator:
    """`evaluator(fake)` -> dict of metrics. fake: (N, C, 28, 28) tensor in [-1, 1]."""

    def __init__(self, data: DataConfig):
        from gan_core.evaluation.classifier import default_classifier
        from gan_core.data.images import load_images

        self.name = data.name
        self.classifier = default_classifier(data.name)
        if self.name != "stacked-mnist":
            real, _ = load_images(data.name, "test", data.data_dir)
            real = np.asarray(real)[:MAX_REAL]
            self.real_feats, _ = classifier_outputs(real, self.classifier)
            self.real_stats = feature_statistics(self.real_feats)

    def __call__(self, fake: torch.Tensor) -> dict:
        images = to_uint8(fake)
        if self.name == "stacked-mnist":
            out = stacked_mnist_modes(images, self.classifier)
            return {"modes": out["modes"], "kl": out["kl"]}
        feats, probs = classifier_outputs(images, self.classifier)
        hist = class_histogram_metrics(probs.argmax(axis=1), 10)
        precision, recall = precision_recall(self.real_feats, feats, k=3)
        density, coverage_dc = density_coverage(self.real_feats, feats, k=5)
        return {
            "fid": frechet_distance(*self.real_stats, *feature_statistics(feats)),
            "is": inception_score(probs),
            "coverage": int(hist["coverage"]),
            "class_kl": float(hist["class_kl"]),
            "precision": precision,
            "recall": recall,
            "density": density,
            "coverage_dc": coverage_dc,
            "mean_confidence": float(probs.max(axis=1).mean()),
            # the class histogram: share_c = share of the samples the classifier calls class c (the occupancy view)
            **{f"share_{c}": float(h) for c, h in enumerate(hist["histogram"])},
        }
