"""The bundled UCI digits (digits8): shapes, the held-out split, and the shipped classifier's card."""
import numpy as np
import pytest

from gan_core.data.images import load_digits8, load_images
from gan_core.evaluation.classifier import PRETRAINED_DIR, heldout_accuracy


def test_digits8_is_28x28_filling_its_frame_with_a_disjoint_stratified_split():
    train_x, train_y = load_images("digits8", "train")
    test_x, test_y = load_images("digits8", "test")
    assert train_x.shape == (1437, 28, 28) and test_x.shape == (360, 28, 28) and train_x.dtype == np.uint8
    assert set(np.bincount(test_y)) <= {35, 36, 37}  # ~20% of every digit
    all_x, _ = load_digits8("all")
    assert len(all_x) == 1797 and all_x.max() == 255 and all_x.min() == 0
    # The scans fill their frame: ink reaches the outer quarter, where MNIST's centred digits have almost none.
    edge = lambda x: (x[:, :, :5] > 64).mean() + (x[:, :, -5:] > 64).mean()  # noqa: E731
    mnist, _ = load_images("mnist", "test")
    assert edge(test_x) > 3 * edge(mnist)
    # The 8 x 8 source is kept: resizing to 8 x 8 gives back the 17 grey levels' grid exactly.
    small, _ = load_digits8("test", side=8)
    assert set(np.unique(small)) <= {round(k * 255 / 16) for k in range(17)}


def test_shipped_digits8_classifier_scores_what_its_card_says():
    measured, recorded = heldout_accuracy(PRETRAINED_DIR / "digits8-classifier")
    assert measured == pytest.approx(recorded, abs=1e-6) and measured >= 0.97
