"""A digit drawn or uploaded on the Style transfer page is framed as its data set frames digits: a thin 1 stays a
narrow stroke in the UCI scans' frame (it once became a solid white block, read as a 7), and the shipped translator
reads drawn digits as what they are."""
import numpy as np
import pytest
import torch

from gan_core.cycle_io import frame_digit
from gan_core.uploads import _fit_28

N = 12  # the page's drawing grid


def drawn(cells) -> np.ndarray:
    grid = np.zeros((N, N), np.float32)
    for r, c in cells:
        grid[r, c] = 255.0
    return np.kron(grid, np.ones((4, 4), np.float32))  # as the page blows its grid up


ONE = [(r, 5) for r in range(1, 11)]
SEVEN = [(1, c) for c in range(3, 9)] + [(r, 8 - (r - 1) // 2) for r in range(2, 11)]
ZERO = ([(1, c) for c in range(4, 8)] + [(10, c) for c in range(4, 8)] + [(r, 3) for r in range(2, 10)]
        + [(r, 8) for r in range(2, 10)])


def test_a_thin_one_stays_a_narrow_full_height_stroke_in_the_scans_frame():
    d = frame_digit(drawn(ONE), "digits8")
    assert d.shape == (28, 28) and d.dtype == np.uint8
    ink = d > 64
    cols, rows = np.where(ink.any(0))[0], np.where(ink.any(1))[0]
    assert len(cols) <= 9  # a third of the frame at most (it was all 28 columns: a white block)
    assert rows[0] <= 3 and rows[-1] >= 24  # it fills the frame's height, as the scans' digits do
    assert ink.mean() < 0.3


def test_mnist_framing_is_mnist_s():
    picture = drawn(SEVEN)
    assert np.array_equal(frame_digit(picture, "mnist"), _fit_28(picture))


@pytest.mark.parametrize("cells, digit", [(ONE, 1), (SEVEN, 7), (ZERO, 0)])
def test_the_shipped_translator_reads_drawn_scans_as_drawn(cells, digit):
    from gan_core.cycle_runs import load_translators
    from gan_core.data.pixels import to_unit
    from gan_core.evaluation.classifier import PRETRAINED_DIR, default_classifier
    from gan_core.models.cyclegan import translate_with

    _, to_mnist, cfg = load_translators(PRETRAINED_DIR / "cyclegan-mnist-digits8")
    assert (cfg.data_a.name, cfg.data_b.name) == ("mnist", "digits8")
    y = translate_with(to_mnist, to_unit(frame_digit(drawn(cells), "digits8")[None]))
    with torch.inference_mode():
        assert int(default_classifier("mnist").eval()(y).argmax(1)[0]) == digit


@pytest.mark.parametrize("domain", ["mnist", "digits8"])
@pytest.mark.parametrize("shade", [0.0, 255.0, 130.0])
def test_a_blank_picture_is_refused_not_read_as_a_digit(domain, shade):
    """A rehearsal: an all-black upload was translated and 'read as a 9' (a 7 the other way), with no warning."""
    with pytest.raises(ValueError, match="no digit in it"):
        frame_digit(np.full((200, 200), shade, np.float32), domain)
    assert frame_digit(drawn(ONE), domain).max() > 0  # a drawn digit still goes through
