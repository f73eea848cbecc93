import copy

import numpy as np
import pandas as pd
import pytest
import torch

from gan_core import DataConfig, TrainConfig, Trainer, TrainingDiverged
from gan_core.runs import load_trainer, save_run


def _params(m):
    return [p.detach().clone() for p in m.parameters()]


def _same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_step_returns_numbers_and_logs_history(tiny_config):
    t = Trainer(tiny_config())
    r = t.step()
    assert r.step == 1 and np.isfinite([r.d_loss, r.g_loss, r.d_real, r.d_fake, r.d_grad, r.g_grad]).all()
    assert 0 < r.d_real < 1 and 0 < r.d_fake < 1  # probabilities for the ns objective
    t.train()
    h = t.history
    assert list(h["step"]) == [1, 5, 10, 15, 20]
    assert {"d_loss", "g_loss", "d_real", "d_fake", "d_grad", "g_grad", "wall_time", "modes", "hq", "kl"} <= set(h.columns)
    assert h["wall_time"].is_monotonic_increasing
    assert h.loc[h.step == 10, "modes"].notna().all() and h.loc[h.step == 5, "modes"].isna().all()


def test_same_seed_same_numbers_and_other_seed_differs(tiny_config):
    a = Trainer(tiny_config()).train().drop(columns="wall_time")
    b = Trainer(tiny_config()).train().drop(columns="wall_time")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = Trainer(tiny_config(seed=1)).train().drop(columns="wall_time")
    assert not a["d_loss"].equals(c["d_loss"])


def test_step_discriminator_changes_only_d_and_step_generator_only_g(tiny_config):
    t = Trainer(tiny_config())
    g0, d0 = _params(t.G), _params(t.D)
    t.step_discriminator()
    assert _same(g0, _params(t.G)) and not _same(d0, _params(t.D))
    d1 = _params(t.D)
    res = t.step_generator()
    assert _same(d1, _params(t.D)) and not _same(g0, _params(t.G))
    assert res.step == 1


@pytest.mark.parametrize("variant", ["unrolled-3", "unrolled-1+sn"])
def test_unrolled_generator_step_leaves_d_as_it_was(tiny_config, variant):
    t = Trainer(tiny_config(variant=variant))
    t.step()
    d_before = copy.deepcopy(t.D.state_dict())
    opt_before = copy.deepcopy(t.opt_d.state_dict())
    g_before = _params(t.G)
    t.step_generator()
    for k, v in t.D.state_dict().items():
        assert torch.equal(v, d_before[k]), k
    assert t.opt_d.state_dict()["state"][0]["exp_avg"].equal(opt_before["state"][0]["exp_avg"])
    assert not _same(g_before, _params(t.G))


def test_unrolling_changes_the_generator_update(tiny_config):
    """With k > 0 the G gradient flows through D's look-ahead, so G moves differently than with k = 0."""
    plain, unrolled = Trainer(tiny_config(variant="ns")), Trainer(tiny_config(variant="unrolled-2"))
    unrolled.load_state_dict(copy.deepcopy(plain.state_dict()) | {"recipe": copy.deepcopy(vars(unrolled.recipe))})
    plain.step_discriminator(); unrolled.step_discriminator()
    plain.step_generator(); unrolled.step_generator()
    assert not _same(_params(plain.G), _params(unrolled.G))


def test_save_and_resume_continue_identically(tiny_config, tmp_path):
    cfg = tiny_config(steps=30, variant="pacgan-2+ema")
    full = Trainer(cfg)
    full.train()
    half = Trainer(cfg)
    half.train(15)
    save_run(half, tmp_path / "run")
    resumed = load_trainer(tmp_path / "run")
    resumed.train()
    for a, b in zip(full.G.state_dict().values(), resumed.G.state_dict().values()):
        assert torch.equal(a, b)
    pd.testing.assert_frame_equal(full.history.drop(columns="wall_time"), resumed.history.drop(columns="wall_time"),
                                  check_exact=True, check_dtype=False)


def test_a_checkpoint_from_another_device_type_resumes_with_reseeded_streams(tiny_config):
    """A CUDA generator's state (16 bytes of Philox) cannot go into a CPU generator (and back): the run resumes
    with streams reseeded from seed and step, flags it, and two such resumes continue identically."""
    cfg = tiny_config(steps=20)
    src = Trainer(cfg)
    src.train(10)
    state = src.state_dict()
    state["rng"] = state["data_rng"] = torch.zeros(16, dtype=torch.uint8)  # as saved by a CUDA generator
    a, b = Trainer(cfg), Trainer(cfg)
    a.load_state_dict(copy.deepcopy(state)); b.load_state_dict(copy.deepcopy(state))
    assert a.rng_reseeded and b.rng_reseeded and not src.rng_reseeded
    a.train(); b.train()
    assert a.step_count == 20 and _same(_params(a.G), _params(b.G))


def test_a_huge_learning_rate_ends_in_training_diverged(tiny_config):
    t = Trainer(tiny_config(optim={"lr_g": 1e6, "lr_d": 1e6}, variant="lsgan", steps=500))
    with pytest.raises(TrainingDiverged) as err:
        t.train()
    e = err.value
    assert e.step >= 1 and e.quantity and "diverged at step" in str(e)
    logged = t.history
    assert logged.empty or np.isfinite(logged[["d_loss", "g_loss"]].to_numpy()).all()  # nothing broken logged
    t.restore_last_good()
    assert all(torch.isfinite(p).all() for p in t.G.parameters())


def test_learning_rates_change_between_steps(tiny_config):
    t = Trainer(tiny_config())
    t.step()
    t.set_learning_rates(lr_g=0.05, lr_d=0.02)
    t.step()
    assert t.opt_g.param_groups[0]["lr"] == 0.05 and t.opt_d.param_groups[0]["lr"] == 0.02
    with pytest.raises(ValueError, match="lr_g"):
        t.set_learning_rates(lr_g=-1)


def test_fixed_noise_batch_is_fixed(tiny_config):
    t = Trainer(tiny_config())
    z = t.fixed_z.clone()
    t.train()
    assert torch.equal(z, t.fixed_z) and z.shape == (64, 4)


def test_ns_gan_learns_two_gaussians():
    """The learning test: non-saturating GAN covers both modes with >= 90% HQ samples (seeded, a few seconds)."""
    cfg = TrainConfig(data=DataConfig("two-gaussians"), variant="ns", steps=1000, seed=0, eval_every=0)
    t = Trainer(cfg)
    t.train()
    assert t.last_eval["modes"] == 2
    assert t.last_eval["hq"] >= 0.90


def test_variant_weights_change_live_but_not_the_layers(tiny_config):
    t = Trainer(tiny_config(variant="wgan-gp"))
    t.step()
    t.update_recipe(gp_lambda=2.5)
    assert t.recipe.gp_lambda == 2.5
    t.step()
    with pytest.raises(ValueError, match="pack"):
        t.update_recipe(pack=2)
    with pytest.raises(ValueError, match="gp_lambda"):
        t.update_recipe(gp_lambda=-1.0)


def test_linear_lr_decay(tiny_config):
    t = Trainer(tiny_config(variant="ns", steps=10, optim={"lr_g": 1e-3, "lr_decay": 0.5}))
    t.train()
    assert t.opt_g.param_groups[0]["lr"] == pytest.approx(0.5e-3)


def test_history_can_be_capped_for_long_sessions(tiny_config):
    t = Trainer(tiny_config(steps=400, log_every=1, eval_every=0))
    t.max_rows = 50
    t.train()
    steps = list(t.history["step"])
    assert len(steps) <= 50 and steps[-1] == 400 and steps == sorted(steps) and steps[0] == 1


def test_a_capped_history_keeps_every_evaluation(tiny_config):
    """metrics.csv of a long interactive run: plain rows are thinned, the evaluation rows all stay."""
    t = Trainer(tiny_config(steps=400, log_every=1, eval_every=25))
    t.max_rows = 50
    t.train()
    h = t.history
    assert len(h) <= 50 and h["step"].iloc[-1] == 400
    assert list(h.dropna(subset=["modes"])["step"]) == list(range(25, 401, 25))


def test_optimisers_wait_for_the_first_step_and_the_start_is_still_restorable(tiny_config):
    """A page can draw a fresh run without building its optimisers (the first one of a process imports
    torch._dynamo); the first update still remembers the starting state, so a run that diverges at once goes back."""
    t = Trainer(tiny_config(optim={"lr_g": 1e6, "lr_d": 1e6}, variant="lsgan", steps=500, eval_every=0))
    start = _params(t.G)
    t.sample(8)
    assert t._opt_g is None and t._opt_d is None
    with pytest.raises(TrainingDiverged) as err:
        t.train()
    assert t._opt_g is not None and err.value.step < 100  # before the first periodic snapshot (step 100)
    t.restore_last_good()
    assert t.step_count == 0 and _same(_params(t.G), start)


def test_minibatch_std_sees_the_real_and_the_fake_batch_apart(tiny_config):
    """With mbstd, D's verdict on the real batch must not depend on the fake batch (the spread feature of a joint
    batch would give both halves one value, and a collapsed G would go unseen)."""
    import torch

    from gan_core import Trainer

    t = Trainer(tiny_config(variant="ns+mbstd"))
    real = torch.randn(32, 2)
    collapsed, spread = torch.zeros(32, 2), 3 * torch.randn(32, 2)
    r1, f1, _, _ = t._d_logits(real, collapsed, None, None)
    r2, f2, _, _ = t._d_logits(real, spread, None, None)
    assert torch.equal(r1, r2)
    assert torch.allclose(f1, t.D(collapsed).float())  # the fakes judged on their own spread (zero here)


def test_minibatch_std_on_an_mlp_takes_one_pass_with_a_spread_per_batch(tiny_config):
    """The MLP D takes real and fake in one pass (groups=2), each half with its own spread feature: the logits of
    two separate passes, from one call."""
    import torch

    from gan_core import Trainer

    t = Trainer(tiny_config(variant="ns+pacgan-2+mbstd"))
    calls = []
    t.D.register_forward_hook(lambda module, args, out: calls.append(args[0].shape[0]))
    real, fake = torch.randn(32, 2), 0.1 * torch.randn(32, 2)
    r, f, pr, pf = t._d_logits(real, fake, None, None)
    assert calls == [32]  # 16 packed pairs of each, one call
    with torch.no_grad():
        torch.testing.assert_close(r, t.D(pr).float(), rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(f, t.D(pf).float(), rtol=1e-6, atol=1e-6)
