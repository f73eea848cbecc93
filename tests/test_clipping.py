"""Gradient clipping (the `clip` stabiliser) and weight clipping (`weight-clip`, WGAN's): each limits what it
promises, the logged norms are those before clipping, the threshold changes live, the old option name is refused
with what to use instead; keep_best saves the generator of the lowest FID."""
import json

import pytest
import torch

from gan_core import Trainer, TrainConfig
from gan_core.variants import LIVE_OPTIONS, describe, parse_variant


def _record_update_norms(opt, norms: list) -> None:
    """Wrap opt.step to note the total norm of the gradients it is about to apply."""
    step = opt.step

    def recording_step(*a, **kw):
        grads = [p.grad for g in opt.param_groups for p in g["params"] if p.grad is not None]
        norms.append(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])).item())
        return step(*a, **kw)

    opt.step = recording_step


def test_clip_limits_the_gradient_norm_it_promises(tiny_config):
    t = Trainer(tiny_config(variant="ns+clip", variant_options={"clip_norm": 0.05}, steps=10, eval_every=0))
    d_norms, g_norms = [], []
    _record_update_norms(t.opt_d, d_norms)
    _record_update_norms(t.opt_g, g_norms)
    results = [t.step() for _ in range(10)]
    assert len(d_norms) == len(g_norms) == 10
    # every update applied is at most clip_norm long ...
    assert max(d_norms + g_norms) <= 0.05 * (1 + 1e-5)
    # ... the logged norms are the ones before clipping: where they exceed the threshold, the update was cut to it
    for r, d, g in zip(results, d_norms, g_norms):
        assert r.d_grad > 0.05 and d == pytest.approx(0.05, rel=1e-4)
        assert g == pytest.approx(min(r.g_grad, 0.05), rel=1e-4)
    # live: a lower threshold holds from the next step on
    t.update_recipe(clip_norm=0.01)
    t.step()
    assert d_norms[-1] <= 0.01 * (1 + 1e-5) and g_norms[-1] <= 0.01 * (1 + 1e-5)


def test_without_clip_the_updates_are_the_logged_gradients(tiny_config):
    t = Trainer(tiny_config(variant="ns", steps=3, eval_every=0))
    d_norms = []
    _record_update_norms(t.opt_d, d_norms)
    r = t.step()
    assert d_norms[0] == pytest.approx(r.d_grad, rel=1e-5)


def test_clip_is_a_combinable_stabiliser_with_a_default_and_an_option():
    from gan_core.cli import build_parser, config_from_args

    assert parse_variant("clip").clip_norm == 1.0 and parse_variant("ns+clip").objective == "ns"
    assert parse_variant("hinge+sn+clip").spectral_norm and parse_variant("wgan-gp+clip").gp_lambda == 10.0
    cfg = config_from_args(build_parser().parse_args(["train", "--out", "x", "--variant", "ns+clip",
                                                      "--option", "clip_norm=0.5"]))
    assert cfg.recipe.clip_norm == 0.5
    assert "clip_norm" in LIVE_OPTIONS and "weight_clip" in LIVE_OPTIONS
    assert "clip_grad_norm_" in describe("clip").reference and "before clipping" in describe("clip").about
    assert parse_variant("weight-clip").weight_clip == 0.01 and parse_variant("wgan").weight_clip == 0.01


def test_the_old_clip_option_is_refused_with_both_new_names(tiny_config):
    with pytest.raises(ValueError, match="'weight_clip'.*'clip_norm'"):
        tiny_config(variant="wgan", variant_options={"clip": 0.02})
    with pytest.raises(ValueError, match="must be a finite number"):
        tiny_config(variant="ns+clip", variant_options={"clip_norm": "big"})


def test_a_config_json_written_before_gradient_clipping_keeps_its_weight_clipping(tiny_config):
    old = tiny_config(variant="wgan").to_dict()
    old["optim"]["n_critic"] = 1  # the earlier form of config.json
    old["variant_options"] = {"clip": 0.02}
    assert TrainConfig.from_dict(json.loads(json.dumps(old))).recipe.weight_clip == 0.02


def test_keep_best_saves_the_generator_of_the_lowest_fid(tmp_path):
    from gan_core.runs import read_weights, save_run
    from gan_core.training.presets import preset_config

    cfg = preset_config("tutorial-mlp", {"steps": 6, "eval_every": 2, "eval_samples": 60, "keep_best": True,
                                         "model": {"g_hidden": [32], "d_hidden": [32]}, "precision": "float32"})
    t = Trainer(cfg)
    fids, states = {}, {}
    while t.step_count < cfg.steps:
        t.step()
        if t.step_count % 2 == 0:
            fids[t.step_count] = t.last_eval["fid"]
            states[t.step_count] = {k: v.clone() for k, v in t.sampler.state_dict().items()}
    best = min(fids, key=fids.get)
    assert t.best["step"] == best and t.best["fid"] == fids[best]
    save_run(t, tmp_path)
    saved = read_weights(tmp_path / "generator.safetensors")
    assert all(torch.equal(saved[k], states[best][k]) for k in saved)
    with pytest.raises(ValueError, match="only image data has"):
        TrainConfig.from_dict({"data": {"name": "ring8"}, "keep_best": True})
