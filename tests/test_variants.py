import math

import pytest
import torch

from gan_core import Trainer
from gan_core.models import pack
from gan_core.variants import OBJECTIVE_VARIANTS, RECIPES, describe, parse_variant

ALL = [*OBJECTIVE_VARIANTS, "unrolled-2", "pacgan-2", "pacgan-4", "sn", "mbstd", "r1", "noise", "ema", "ttur", *RECIPES,
       "hinge+sn", "pacgan-2+wgan-gp", "lsgan+mbstd+r1", "unrolled-1+ema"]


@pytest.mark.parametrize("name", ALL)
def test_every_variant_trains_and_stays_finite(tiny_config, name):
    t = Trainer(tiny_config(variant=name, steps=4, eval_every=0))
    t.train()
    assert t.step_count == 4
    assert all(math.isfinite(v) for v in t.history[["d_loss", "g_loss", "d_grad", "g_grad"]].to_numpy().ravel())
    info = describe(name.split("+")[0])
    assert info.about.count(".") >= 2 and info.reference  # two sentences and a reference


@pytest.mark.parametrize("bad", ["wgan+hinge", "pacgan-5", "unrolled-11", "wgan+sn", "foo", "ns+ns", ""])
def test_bad_variants_give_a_clear_error(bad):
    with pytest.raises(ValueError) as err:
        parse_variant(bad)
    assert any(w in str(err.value) for w in ("valid variants", "between", "pick", "twice", "both bound"))


def test_unknown_variant_lists_the_valid_ones():
    with pytest.raises(ValueError, match="wgan-gp.*pacgan-2..pacgan-4"):
        parse_variant("wgan-xx")


def test_packing_shapes():
    x = torch.arange(12.0).reshape(6, 2)  # six 2D samples
    p = pack(x, 3)
    assert p.shape == (2, 6) and p[0].tolist() == [0, 1, 2, 3, 4, 5]
    img = torch.randn(8, 1, 28, 28)
    assert pack(img, 4).shape == (2, 4, 28, 28)
    assert torch.equal(pack(img, 4)[1, 2], img[6, 0])


def test_packed_discriminator_sees_m_samples(tiny_config):
    t = Trainer(tiny_config(variant="pacgan-4"))
    assert t.D.net[0].in_features == 8
    assert parse_variant("pacgan-4").pack == 4 and parse_variant("unrolled-5").unroll == 5


def test_wgan_clips_and_imposes_five_critic_steps(tiny_config):
    t = Trainer(tiny_config(variant="wgan"))
    t.step()
    assert t.n_critic == 5
    assert max(p.abs().max().item() for p in t.D.parameters()) <= 0.01 + 1e-9


def test_spectral_norm_bounds_each_layer(tiny_config):
    t = Trainer(tiny_config(variant="hinge+sn", steps=30))
    t.train()
    for layer in t.D.net:
        if isinstance(layer, torch.nn.Linear):
            assert torch.linalg.matrix_norm(layer.weight, ord=2).item() <= 1.05


def test_ttur_ties_lr_d_to_lr_g(tiny_config):
    t = Trainer(tiny_config(variant="ttur", optim={"lr_g": 1e-4, "lr_d": 1e-3}))
    assert t.opt_d.param_groups[0]["lr"] == pytest.approx(4e-4)
