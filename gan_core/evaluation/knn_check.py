"""A second opinion on which classes a generator draws, that does not share the evaluation classifier's blind spots.

The evaluation classifier (classifier.py) labels samples through learned features; a generator can find images
it labels confidently that a person would not (or the features can lump different-looking images together).
This check uses no learned weights at all: each sample takes the majority label of its k nearest held-out real
images in pixel space (Euclidean distance on [0, 1] pixels; a tie goes to the class of the nearest of the tied).
Its own accuracy is measured the same way on real training images and reported beside it, so a reader knows how
far to trust it (pixel k-NN labels MNIST digits well, Fashion-MNIST garments less so: shirts, pullovers and coats
look alike pixel for pixel).

The class-share rule reported on every card, by both labellers:
    share_c          = fraction of the samples labelled c
    classes covered  = #{c : share_c >= MIN_SHARE}        (MIN_SHARE = 3%: a class drawn once in 33 samples or more)
    largest share    = max_c share_c                      (a balanced 10-class generator has 10%; the target is <= 16%)
"""
from __future__ import annotations

import numpy as np
import torch

MIN_SHARE = 0.03   # a class counts as covered when at least 3% of the samples are labelled with it
MAX_SHARE = 0.16   # the target: no class takes more than 16% of the samples
K = 5
MAX_REFERENCE = 10_000


def _flat(images_uint8: np.ndarray) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(images_uint8))
    if x.dtype != torch.uint8 or x.dim() < 3:
        raise ValueError("images must be a uint8 array of shape (N, H, W) or (N, C, H, W)")
    return x.reshape(len(x), -1).float() / 255.0  # (N, D) pixels in [0, 1]


def knn_labels(images_uint8: np.ndarray, ref_uint8: np.ndarray, ref_labels: np.ndarray, k: int = K,
               chunk: int = 500) -> np.ndarray:
    """The majority label of each image's k nearest reference images (Euclidean, pixel space). (N,) int64."""
    x, ref = _flat(images_uint8), _flat(ref_uint8)
    if x.shape[1] != ref.shape[1]:
        raise ValueError(f"images have {x.shape[1]} pixels but the reference images {ref.shape[1]}")
    labels = torch.as_tensor(np.asarray(ref_labels), dtype=torch.int64)
    n_classes = int(labels.max()) + 1
    k = min(k, len(ref))
    out = []
    for i in range(0, len(x), chunk):
        d = torch.cdist(x[i:i + chunk], ref)                       # (n, R)
        dist, idx = d.topk(k, dim=1, largest=False)                # sorted nearest first
        votes = torch.zeros(len(idx), n_classes).scatter_add_(1, labels[idx], torch.ones(idx.shape))
        # tie-break: among the classes with the most votes, the one whose first neighbour is nearest
        rank = torch.full((len(idx), n_classes), float(k))
        rank.scatter_reduce_(1, labels[idx], torch.arange(k).float().expand(len(idx), k), reduce="amin")
        score = votes * (k + 1) - rank
        out.append(score.argmax(dim=1))
    return torch.cat(out).numpy()


def share_summary(labels: np.ndarray, n_classes: int) -> dict:
    """{"classes_covered", "largest_share", "largest_class", "shares"} of a set of labels (see the module doc)."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size == 0:
        raise ValueError("no labels to count")
    shares = np.bincount(labels, minlength=n_classes)[:n_classes] / labels.size
    return {"classes_covered": int((shares >= MIN_SHARE).sum()), "largest_share": float(shares.max()),
            "largest_class": int(shares.argmax()), "shares": [round(float(s), 4) for s in shares]}


def meets_share_rule(summary: dict, n_classes: int = 10) -> bool:
    """Every class covered and none above MAX_SHARE."""
    return summary["classes_covered"] == n_classes and summary["largest_share"] <= MAX_SHARE


class KnnCheck:
    """`check(fake_uint8)` -> the class-share summary by pixel k-NN against the held-out real images of a data set.

    `accuracy` is the same vote's accuracy on `n_calibration` real training images (never part of the reference)."""

    def __init__(self, data_name: str, data_dir=None, k: int = K, n_calibration: int = 2000):
        from gan_core.data.images import load_images

        ref, ref_labels = load_images(data_name, "test", data_dir, download=False)
        self.ref, self.ref_labels = np.asarray(ref)[:MAX_REFERENCE], np.asarray(ref_labels)[:MAX_REFERENCE]
        self.k, self.n_classes = k, int(self.ref_labels.max()) + 1
        train, train_labels = load_images(data_name, "train", data_dir, download=False)
        pick = np.random.default_rng(0).choice(len(train), size=min(n_calibration, len(train)), replace=False)
        predicted = knn_labels(np.asarray(train)[pick], self.ref, self.ref_labels, k)
        self.accuracy = float((predicted == np.asarray(train_labels)[pick]).mean())

    def __call__(self, fake_uint8: np.ndarray) -> dict:
        return share_summary(knn_labels(fake_uint8, self.ref, self.ref_labels, self.k), self.n_classes)


def class_checks(fake_uint8: np.ndarray, data_name: str, data_dir=None, classifier=None) -> dict:
    """Both labellers' class-share summaries of a set of generated images, flat for a metrics file:
    classifier_* (the evaluation classifier's argmax) and knn_* (this module's pixel vote), plus knn_accuracy."""
    from gan_core.evaluation.classifier import default_classifier
    from gan_core.evaluation.image_metrics import classifier_outputs

    _, probs = classifier_outputs(fake_uint8, classifier or default_classifier(data_name))
    by_classifier = share_summary(probs.argmax(axis=1), probs.shape[1])
    knn = KnnCheck(data_name, data_dir)
    by_knn = knn(fake_uint8)
    out = {f"classifier_{k}": v for k, v in by_classifier.items()}
    out.update({f"knn_{k}": v for k, v in by_knn.items()})
    out.update(knn_k=knn.k, knn_accuracy=round(knn.accuracy, 4), min_share=MIN_SHARE, max_share=MAX_SHARE)
    return out
