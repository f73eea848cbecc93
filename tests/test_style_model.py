"""The style-based generator and its discriminator (gan_core/models/style.py): shapes at every stage of growing,
the fade-in's end points, demodulation, truncation, style mixing, and its training inside the Trainer."""
from __future__ import annotations

import pytest
import torch

from gan_core.config import ModelConfig, TrainConfig
from gan_core.models import build_discriminator, build_generator
from gan_core.models.style import grow_schedule
from gan_core.models.style_layers import ModulatedConv2d, init_equalised

SHAPE = (1, 28, 28)


def _cfg(**kw) -> ModelConfig:
    return ModelConfig(**{"kind": "style", "z_dim": 16, "width": 8, "mapping_layers": 2, **kw})


def _nets(seed: int = 0, **kw):
    g = build_generator(_cfg(**kw), SHAPE, 0, torch.Generator().manual_seed(seed)).eval()
    d = build_discriminator(_cfg(**kw), SHAPE, 0, torch.Generator().manual_seed(seed + 1), mbstd=True).eval()
    return g, d


@pytest.mark.parametrize("stage", [0, 1, 2])
@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
def test_shapes_at_every_stage_and_alpha(stage, alpha):
    g, d = _nets()
    g.set_growth(stage, alpha)
    d.set_growth(stage, alpha)
    x = g(torch.randn(5, 16))
    assert x.shape == (5, *SHAPE) and torch.isfinite(x).all()
    logits = d(x)
    assert logits.shape == (5,) and torch.isfinite(logits).all()
    if stage < 2:  # below full size the image is blocks of (28 / r)^2 equal pixels
        k = 28 // g.res[stage]
        assert torch.equal(x, x[:, :, ::k, ::k].repeat_interleave(k, 2).repeat_interleave(k, 3))


def test_fade_end_points():
    """alpha = 0 is the previous stage's network exactly; alpha = 1 no longer depends on the old toRGB / fromRGB."""
    g, d = _nets()
    z = torch.randn(4, 16)
    with torch.no_grad():
        for s in (1, 2):
            g.set_growth(s - 1, 1.0)
            d.set_growth(s - 1, 1.0)
            old_img = g(z)
            old_logit = d(old_img)
            g.set_growth(s, 0.0)
            d.set_growth(s, 0.0)
            torch.testing.assert_close(g(z), old_img)
            torch.testing.assert_close(d(old_img), old_logit)
            g.set_growth(s, 1.0)
            d.set_growth(s, 1.0)
            img, logit = g(z), d(old_img)
            g.to_rgbs[s - 1].bias.add_(1.0)
            d.from_rgbs[s - 1].bias.add_(1.0)
            assert torch.equal(g(z), img) and torch.equal(d(old_img), logit)
            g.set_growth(s, 0.5)
            assert not torch.allclose(g(z), img)
            g.to_rgbs[s - 1].bias.sub_(1.0)
            d.from_rgbs[s - 1].bias.sub_(1.0)


def test_grown_network_equals_network_built_without_growing():
    g_grow, d_grow = _nets(grow=True)
    g_plain, d_plain = _nets(grow=False)
    g_grow.set_growth(2, 1.0)
    d_grow.set_growth(2, 1.0)
    z = torch.randn(6, 16)
    with torch.no_grad():
        torch.testing.assert_close(g_grow(z), g_plain(z), rtol=0, atol=0)
        torch.testing.assert_close(d_grow(g_plain(z)), d_plain(g_plain(z)), rtol=0, atol=0)


def test_grow_schedule():
    steps = [grow_schedule(t, 3, 10) for t in (0, 9, 10, 15, 20, 29, 30, 35, 40, 55, 1000)]
    assert steps == [(0, 1.0), (0, 1.0), (1, 0.0), (1, 0.5), (1, 1.0), (1, 1.0), (2, 0.0), (2, 0.5), (2, 1.0),
                     (2, 1.0), (2, 1.0)]


def test_demodulation_keeps_unit_variance():
    torch.manual_seed(0)
    conv = ModulatedConv2d(64, 32, 3, 16)
    init_equalised(conv, torch.Generator().manual_seed(0))
    with torch.no_grad():
        conv.affine.weight.mul_(3.0)  # styles far from 1: without demodulation the output scale follows them
        w = torch.randn(8, 16)
        x = torch.randn(8, 64, 24, 24)
        y = conv(x, w)[:, :, 1:-1, 1:-1]  # away from the zero padding
        per_map = y.var(dim=(2, 3))        # (B, out): each sample's each output map
        assert (per_map.mean() - 1).abs() < 0.05 and ((per_map - 1).abs() < 0.25).all()
        conv.demodulate = False
        assert (conv(x, w)[:, :, 1:-1, 1:-1].var() - 1).abs() > 0.5


def test_truncation():
    g, _ = _nets()
    g.w_avg.copy_(torch.linspace(-1, 1, 16))
    w = torch.randn(5, 16)
    assert torch.equal(g.truncate(w, 1.0), w)
    torch.testing.assert_close(g.truncate(w, 0.0), g.w_avg.expand(5, -1))
    torch.testing.assert_close(g.truncate(w, 0.5), (w + g.w_avg) / 2)
    with torch.no_grad():  # psi = 0: every z gives the same picture
        x = g(torch.randn(3, 16), psi=0.0)
    torch.testing.assert_close(x, x[:1].expand(3, -1, -1, -1))


def test_mixing_with_the_same_w_is_no_mixing():
    g, _ = _nets()
    with torch.no_grad():
        ws = g.broadcast(g.map(torch.randn(4, 16)))
        other = g.broadcast(g.map(torch.randn(4, 16)))
        for level in ("coarse", "middle", "fine"):
            layers = g.level_layers(level)
            assert torch.equal(g.synthesis(g.mix(ws, ws, layers)), g.synthesis(ws))
            mixed = g.mix(ws, other, layers)
            assert torch.equal(mixed[:, layers], other[:, layers])
            keep = [j for j in range(g.n_ws) if j not in layers]
            assert torch.equal(mixed[:, keep], ws[:, keep])
            assert not torch.allclose(g.synthesis(mixed), g.synthesis(ws))
    assert sorted(sum((g.level_layers(v) for v in ("coarse", "middle", "fine")), [])) == list(range(g.n_ws))
    with pytest.raises(ValueError, match="level 'medium' unknown"):
        g.level_layers("medium")


def test_fixed_noise_is_deterministic_and_resampled_noise_only_changes_detail():
    g, _ = _nets()
    with torch.no_grad():
        g.convs[4].noise.strength.fill_(0.5)
        z = torch.randn(3, 16)
        assert torch.equal(g(z), g(z))
        fresh = g.random_noise(3, torch.Generator().manual_seed(1))
        assert len(fresh) == g.n_ws and fresh[0].shape == (3, 1, 7, 7) and fresh[-1].shape == (3, 1, 28, 28)
        assert not torch.equal(g(z, noise=fresh), g(z))


def _train_config(**model) -> TrainConfig:
    return TrainConfig.from_dict({
        "data": {"name": "mnist"}, "model": {"kind": "style", "z_dim": 16, "width": 8, "mapping_layers": 2, **model},
        "optim": {"lr_g": 2e-3, "lr_d": 2e-3, "beta1_g": 0.0, "beta1_d": 0.0, "batch_size": 8},
        "variant": "ns+r1+mbstd+ema", "variant_options": {"r1_gamma": 0.1, "r1_every": 2, "ema": 0.9},
        "steps": 8, "log_every": 1, "eval_every": 0, "eval_samples": 10})


def test_trainer_grows_and_is_reproducible(tmp_path):
    from gan_core.runs import load_generator, save_run
    from gan_core.training.trainer import Trainer

    cfg = _train_config(grow=True, grow_steps=2)
    a, b = Trainer(cfg), Trainer(cfg)
    seen = []
    for _ in range(6):
        ra, rb = a.step(), b.step()
        assert (ra.d_loss, ra.g_loss, ra.d_grad, ra.g_grad) == (rb.d_loss, rb.g_loss, rb.d_grad, rb.g_grad)
        seen.append(a.growth)
    assert seen == [(7, 1.0), (7, 1.0), (14, 0.0), (14, 0.5), (14, 1.0), (14, 1.0)]  # the stage each step trained at
    hist = a.history
    assert list(hist["resolution"][:3]) == [7, 7, 14] and list(hist["alpha"][:3]) == [1.0, 1.0, 0.0]
    assert a.G.w_avg.abs().sum() > 0  # the running mean of w follows training
    save_run(a, tmp_path / "run")
    g, *_ = load_generator(tmp_path / "run")
    assert g.growth() == a.sampler.growth()  # a run saved mid-growth loads at its stage
    torch.testing.assert_close(g(a.fixed_z[:4]), a.sampler(a.fixed_z[:4]))


@pytest.mark.parametrize("change, message", [
    ({"data": {"name": "ring8"}}, "model.kind='style' needs image data"),
    ({"model": {"kind": "style", "conditional": True}}, "model.kind='style' is unconditional"),
    ({"variant": "ns+sn"}, "spectral normalisation does not combine"),
    ({"model": {"kind": "dcgan", "grow": True}}, "model.grow=true needs model.kind='style'"),
])
def test_refusals(change, message):
    d = _train_config().to_dict()
    for key, value in change.items():
        d[key] = {**d[key], **value} if isinstance(value, dict) else value
    if "variant" in change:
        d["variant_options"] = {}
    with pytest.raises(ValueError, match=message):
        TrainConfig.from_dict(d)


def test_minibatch_std_groups_never_mix_real_and_fake():
    from gan_core.models.style_layers import grouped_minibatch_std

    h = torch.randn(8, 3, 4, 4)
    h[4:] = h[4:5]  # the second half (the fakes, as the trainer concatenates them) collapsed to one sample
    extra = grouped_minibatch_std(h)[:, 3]
    assert extra.shape == (8, 4, 4)
    assert (extra[:4] > 0.3).all() and (extra[4:] < 1e-3).all()
    assert grouped_minibatch_std(h[:6]).shape == (6, 4, 4, 4)  # 6 is no multiple of 4: one group
