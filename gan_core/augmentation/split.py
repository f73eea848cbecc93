"""Who may see which label: the labeled split of a training set, and the held-out set nobody trains on.

For a seed, every class's training indices are shuffled once (numpy's PCG64 seeded with `seed`); the first N of
each class are labeled. The splits are nested: the 10 labeled digits per class of N = 10 hold the single one of
N = 1, so a larger N only adds labels. Everything else in the training split is unlabeled: only the
semi-supervised arm sees those images, and never their labels. The held-out split is a different file (MNIST:
the bundled test indices, Fashion-MNIST: the 10,000 test images) and is only ever scored.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_core.data.images import load_images

STUDY_DATA = ("mnist", "fashion-mnist")


@dataclass(frozen=True)
class LabeledSplit:
    """Indices into the training split: `labeled` (N per class, sorted by class then draw order) and `unlabeled`
    (the rest, ascending); `labels_per_class` = N."""
    labeled: np.ndarray
    unlabeled: np.ndarray
    labels_per_class: int
    seed: int


def labeled_split(train_labels: np.ndarray, labels_per_class: int, seed: int) -> LabeledSplit:
    """N labeled indices per class (nested in N for a seed), the remainder unlabeled; refuses an N some class lacks."""
    y = np.asarray(train_labels)
    classes = np.unique(y)
    smallest = min(int((y == c).sum()) for c in classes)
    if isinstance(labels_per_class, bool) or not isinstance(labels_per_class, (int, np.integer)) \
            or not 1 <= labels_per_class <= smallest:
        raise ValueError(f"labels per class={labels_per_class!r} must be a whole number from 1 to {smallest} "
                         f"(the smallest class of this training split)")
    rng = np.random.default_rng(seed)
    chosen = []
    for c in classes:  # one permutation per class, drawn in class order: the same for every N
        members = np.flatnonzero(y == c)
        chosen.append(members[rng.permutation(len(members))[:labels_per_class]])
    labeled = np.concatenate(chosen)
    unlabeled = np.setdiff1d(np.arange(len(y)), labeled)
    return LabeledSplit(labeled, unlabeled, int(labels_per_class), int(seed))


@dataclass(frozen=True)
class StudyData:
    """A data set's training split (labels kept here, handed out only through a LabeledSplit) and held-out split."""
    name: str
    train_x: np.ndarray  # uint8 (N, 28, 28)
    train_y: np.ndarray  # int64 (N,)
    test_x: np.ndarray
    test_y: np.ndarray

    @property
    def n_classes(self) -> int:
        return int(self.train_y.max()) + 1


def load_study_data(name: str, data_dir: str | None = None) -> StudyData:
    if name not in STUDY_DATA:
        raise ValueError(f"data {name!r} is not available for the augmentation study; choose one of: {', '.join(STUDY_DATA)}")
    train_x, train_y = load_images(name, "train", data_dir)
    test_x, test_y = load_images(name, "test", data_dir)
    return StudyData(name, train_x, train_y, test_x, test_y)
