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


def test_random_distortion_keeps_the_background_and_changes_each_image_its_own_way():
    import torch

    from gan_core.evaluation.classifier import random_distortion

    blank = -torch.ones(4, 1, 28, 28)
    assert torch.allclose(random_distortion(blank, torch.Generator().manual_seed(0)), blank)  # nothing to move
    x = -torch.ones(2, 1, 28, 28)
    x[:, :, 6:22, 12:16] = 1.0  # the same upright bar twice
    a = random_distortion(x, torch.Generator().manual_seed(1))
    b = random_distortion(x, torch.Generator().manual_seed(1))
    assert a.shape == x.shape and torch.equal(a, b)  # same generator state, same maps
    assert a.min() >= -1 - 1e-6 and a.max() <= 1 + 1e-6
    assert not torch.allclose(a[0], x[0], atol=0.1) and not torch.allclose(a[0], a[1], atol=0.1)  # per-image maps
    still = random_distortion(x, torch.Generator().manual_seed(1), degrees=0, scale=0, aspect=0, shear=0)
    assert torch.allclose(still, x, atol=1e-5)  # no distortion: the identity map


def test_the_judge_probe_renders_mnist_the_uci_way():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from digits8_judge import uci_render

    images, _ = load_images("mnist", "test")
    rendered = uci_render(images[:20])
    assert rendered.shape == (20, 28, 28) and rendered.dtype == np.uint8
    # like the scans, the digit fills its frame: ink reaches the top and bottom rows' neighbourhood
    rows_with_ink = (rendered > 64).any(axis=2)
    assert rows_with_ink[:, :3].any(axis=1).all() and rows_with_ink[:, -3:].any(axis=1).all()
    # solid strokes fill whole 4 x 4 blocks: the 16-count level (white) is there
    assert rendered.max() > 200
