"""The `diffaug` stabiliser (DiffAugment, Zhao et al. 2020): each image is shifted and has a square cut out, as
the paper's policy says; D sees the changed images in both updates, G's gradient passes through them, a run repeats
exactly, and 2D data is refused."""
import math

import pytest
import torch

from gan_core import Trainer
from gan_core.diffaugment import cutout, diff_augment, translate
from gan_core.training.presets import preset_config


def _images(b=16, h=28, w=28):
    return torch.rand(b, 1, h, w, generator=torch.Generator().manual_seed(5)) + 1.0  # no zeros anywhere


def test_translate_shifts_each_image_by_its_own_draw_and_fills_with_zero():
    x = _images()
    out = translate(x, torch.Generator().manual_seed(3))
    g = torch.Generator().manual_seed(3)  # the same draws, in the same order, to build the expected images
    dy = torch.randint(-4, 5, (16, 1), generator=g)
    dx = torch.randint(-4, 5, (16, 1), generator=g)
    assert dy.abs().max() > 0 and dx.abs().max() > 0 and len(set(dy.ravel().tolist())) > 1
    for i in range(16):
        a, b = int(dy[i]), int(dx[i])
        want = torch.zeros(1, 28, 28)
        # output pixel (r, c) reads input pixel (r + a, c + b) where that lies inside the image
        want[:, max(0, -a):28 - max(0, a), max(0, -b):28 - max(0, b)] = \
            x[i, :, max(0, a):28 - max(0, -a), max(0, b):28 - max(0, -b)]
        assert torch.equal(out[i], want), i


def test_cutout_blanks_one_square_of_half_the_side_per_image_and_keeps_the_rest():
    x = _images()
    out = cutout(x, torch.Generator().manual_seed(4))
    zero = out == 0
    assert torch.equal(out[~zero], x[~zero])  # every other pixel untouched
    for i in range(16):
        rows = zero[i, 0].any(1).nonzero().ravel()
        cols = zero[i, 0].any(0).nonzero().ravel()
        # one axis-aligned block: every pixel in its bounding box is blanked
        assert zero[i, 0, rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()
        assert 7 <= len(rows) <= 14 and 7 <= len(cols) <= 14  # side 14, cut by the border at most to 7
    sides = {(int(zero[i, 0].any(1).sum()), int(zero[i, 0].any(0).sum())) for i in range(16)}
    assert (14, 14) in sides


def test_the_gradient_passes_through_the_changes():
    x = _images(4).requires_grad_(True)
    out = diff_augment(x, torch.Generator().manual_seed(0))
    out.sum().backward()
    # a pixel's gradient is 1 where it is seen once, 0 where it was shifted out or cut out
    assert set(x.grad.unique().tolist()) <= {0.0, 1.0}
    assert x.grad.sum() == (out != 0).sum()


def _trainer(variant: str, seed: int = 0) -> Trainer:
    cfg = preset_config("dcgan", {"steps": 3, "eval_every": 0, "seed": seed, "variant": variant,
                                  "optim": {"batch_size": 8}})
    return Trainer(cfg, "cpu")


def _d_inputs(trainer: Trainer) -> list[torch.Tensor]:
    seen = []
    trainer.D.register_forward_pre_hook(lambda module, args: seen.append(args[0].detach().clone()))
    trainer.step()
    return seen


@pytest.mark.parametrize("variant, blanked, calls", [
    ("ns+diffaug", True, 2),  # D's update (real and fake in one pass), then G's update
    ("ns", False, 2),
    ("ns+unrolled-1+diffaug", True, 3),  # and, between them, D's look-ahead on real and fake (Metz et al.)
])
def test_d_sees_cut_images_in_every_call_only_with_diffaug(variant, blanked, calls):
    seen = _d_inputs(_trainer(variant))
    assert len(seen) == calls
    for batch in seen:
        # real digits in [-1, 1] are never exactly 0 (pixel / 127.5 - 1), so a block of zeros is a cut-out
        zeros_per_image = (batch == 0).flatten(1).sum(1)
        if blanked:
            assert (zeros_per_image >= 49).all()
        else:
            assert (zeros_per_image < 49).all()


def test_a_diffaug_run_repeats_exactly_and_moves_g():
    a, b = _trainer("ns+r1+ema+diffaug"), _trainer("ns+r1+ema+diffaug")
    before = [p.detach().clone() for p in a.G.parameters()]
    ra, rb = [a.step() for _ in range(3)], [b.step() for _ in range(3)]
    for x, y in zip(ra, rb):
        assert (x.d_loss, x.g_loss, x.d_grad, x.g_grad) == (y.d_loss, y.g_loss, y.d_grad, y.g_grad)
        assert all(math.isfinite(v) for v in (x.d_loss, x.g_loss, x.d_grad, x.g_grad))
    assert any(not torch.equal(p0, p) for p0, p in zip(before, a.G.parameters()))
    c = _trainer("ns+r1+ema")
    assert [c.step().d_loss for _ in range(3)] != [r.d_loss for r in ra]


def test_diffaug_is_refused_on_2d_data_with_what_to_do(tiny_config):
    with pytest.raises(ValueError, match="diffaug shifts and cuts images; 'ring8' is 2D, so drop '\\+diffaug'"):
        tiny_config(variant="ns+diffaug")
