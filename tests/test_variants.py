import math

import pytest
import torch

from gan_core import Trainer
from gan_core.models import pack
from gan_core.variants import OBJECTIVE_VARIANTS, describe, parse_variant

ALL = [*OBJECTIVE_VARIANTS, "unrolled-2", "pacgan-2", "pacgan-4", "sn", "mbstd", "r1", "noise", "ema", "ttur",
       "hinge+sn", "pacgan-2+wgan-gp", "lsgan+mbstd+r1", "unrolled-1+ema"]


@pytest.mark.parametrize("name", ALL)
def test_every_variant_trains_and_stays_finite(tiny_config, name):
    t = Trainer(tiny_config(variant=name, steps=4, eval_every=0))
    t.train()
    assert t.step_count == 4
    assert all(math.isfinite(v) for v in t.history[["d_loss", "g_loss", "d_grad", "g_grad"]].to_numpy().ravel())
    info = describe(name.split("+")[0])
    assert info.about.count(".") >= 2 and info.reference  # two sentences and a reference


@pytest.mark.parametrize("bad, says", [
    ("wgan+hinge", "combines two objectives ('wgan' and 'hinge'); pick one of vanilla, ns"),
    ("pacgan-5", "'pacgan-5': pacgan-N needs N between 2 and 4"),
    ("unrolled-11", "'unrolled-11': unrolled-N needs N between 1 and 10"),
    ("wgan+sn", "combines weight clipping with spectral normalisation; both bound D, pick one"),
    ("foo", "unknown variant 'foo'; valid variants: vanilla, ns"),
    ("ns+ns", "names the same part twice; give each part once"),
    ("pacgan-2+pacgan-3", "sets pacgan twice; give one pacgan-N"),
    ("ns+wgan-gp", "combines two objectives ('ns' and 'wgan-gp')"),
    ("", "unknown variant ''"),
])
def test_bad_variants_name_the_input_and_what_to_do(bad, says):
    with pytest.raises(ValueError) as err:
        parse_variant(bad)
    assert str(err.value).startswith(f"variant {bad!r}") and says in str(err.value), str(err.value)


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


def test_each_optimisation_setting_has_one_home_and_typed_options_win():
    """Rates, decay and batch growth live in optim, D's step count in the variant; a preset fills them, whatever is
    typed on the command line wins, and the Trainer trains at exactly those values."""
    from gan_core.cli import build_parser, config_from_args

    def config(*args):
        return config_from_args(build_parser().parse_args(["train", "--out", "unused", *args]))

    cfg = config("--preset", "classroom")
    assert cfg.variant == "ns+pacgan-2+ema" and cfg.variant_options == {"ema": 0.995}
    assert (cfg.optim.lr_g, cfg.optim.lr_d, cfg.optim.lr_decay, cfg.optim.batch_growth) == (0.002, 0.002, 0.99, 1)
    assert cfg.steps == 5000 and config("--preset", "classroom", "--data", "grid25").steps == 24000
    # on grid25 D also sees each batch's spread (Preset.for_data); the variant's options stay the preset's
    grid = config("--preset", "classroom", "--data", "grid25")
    assert grid.variant == "ns+pacgan-2+ema+mbstd" and grid.variant_options == {"ema": 0.995} and grid.recipe.mbstd
    assert config("--preset", "classroom", "--data", "grid25", "--variant", "ns+pacgan-2+ema").variant_options == {}
    assert config("--preset", "classroom", "--data", "grid25", "--steps", "300").steps == 300
    t = Trainer(config("--preset", "classroom", "--lr-g", "0.0005"))
    assert (t.base_lr_g, t.base_lr_d, t.lr_decay) == (0.0005, 0.002, 0.99)
    assert t.recipe.ema == 0.995 and t.recipe.pack == 2
    # another variant drops the preset's variant options (EMA 0.995 belonged to its variant), keeps the rest
    cfg = config("--preset", "classroom", "--variant", "ns")
    assert cfg.variant_options == {} and cfg.recipe.ema == 0 and cfg.optim.lr_g == 0.002
    cfg = config("--variant", "wgan", "--n-critic", "2")
    assert cfg.variant_options == {"n_critic": 2} and Trainer(cfg).n_critic == 2
    assert Trainer(config("--variant", "wgan")).n_critic == 5
    assert Trainer(config("--variant", "ns")).n_critic == 1
    with pytest.raises(ValueError, match="--preset classroom"):
        config("--variant", "classroom")


def test_a_config_json_of_the_earlier_form_trains_the_same_way():
    """config.json files written when the classroom recipe was a variant (and wgan's 5 D steps overrode
    optim.n_critic) load as the same training in today's form."""
    from gan_core.config import TrainConfig

    old = TrainConfig().to_dict()
    old["optim"] = {k: v for k, v in old["optim"].items() if k not in ("lr_decay", "batch_growth")} | {"n_critic": 1}
    cfg = TrainConfig.from_dict(old | {"variant": "classroom"})
    assert cfg.variant == "ns+pacgan-2+ema" and cfg.recipe.ema == 0.99 and cfg.recipe.pack == 2
    assert (cfg.optim.lr_g, cfg.optim.lr_d, cfg.optim.lr_decay, cfg.optim.batch_growth) == (0.002, 0.002, 0.99, 2)
    assert TrainConfig.from_dict(old | {"variant": "wgan"}).recipe.n_critic == 5
    old["optim"]["n_critic"] = 3
    assert TrainConfig.from_dict(old | {"variant": "ns"}).recipe.n_critic == 3


def test_the_dashboard_trains_at_the_rates_its_sidebar_shows():
    from dashboard.settings import DEFAULTS, build_config

    t = Trainer(build_config(dict(DEFAULTS)))
    assert (t.base_lr_g, t.base_lr_d) == (DEFAULTS["lr_g"], DEFAULTS["lr_d"]) == (0.002, 0.002)
    t = Trainer(build_config(dict(DEFAULTS, lr_g=0.0005, lr_d=0.001)))
    assert (t.base_lr_g, t.base_lr_d) == (0.0005, 0.001)
    t = Trainer(build_config(dict(DEFAULTS, objective="wgan", n_critic=5, lr_g=0.0005)))
    assert t.n_critic == 5 and t.base_lr_g == 0.0005


def test_batch_growth_doubles_the_batch_for_the_second_half_of_the_budget(tiny_config):
    t = Trainer(tiny_config(steps=4, eval_every=0, optim={"batch_growth": 2}))
    sizes = []
    for _ in range(4):
        real, fake, _, _ = t._real_fake(detach_fake=True)
        sizes.append((t.batch_size, real.shape[0], fake.shape[0]))
        t.step()
    assert sizes == [(32, 32, 32), (32, 32, 32), (64, 64, 64), (64, 64, 64)]  # config batch 32, budget 4
    t = Trainer(tiny_config(steps=4, eval_every=0))
    t.train()
    assert t.batch_size == 32  # growth 1 (the default): constant
    with pytest.raises(ValueError, match="optim.batch_growth"):
        tiny_config(optim={"batch_growth": 0})
