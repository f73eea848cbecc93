"""The collapse preset is the Unrolled GAN paper's published 2D setup, value by value, on the CLI, the Train page
and as the arena's default for 2D data."""
from gan_core.arena import plan_runs, reference_config
from gan_core.training.presets import preset_config


def test_the_collapse_preset_resolves_to_the_papers_settings():
    c = preset_config("collapse-metz2016")
    m, o = c.model, c.optim
    assert (m.kind, m.g_hidden, m.d_hidden, m.activation) == ("mlp", (128, 128), (128,), "relu")
    assert (m.z_dim, m.noise, m.init, m.init_gain, m.d_input_scale) == (256, "normal", "orthogonal", 0.8, 0.25)
    assert (o.optimizer, o.lr_g, o.lr_d, o.beta1_g, o.beta1_d, o.beta2_g, o.beta2_d) == ("adam", 1e-4, 1e-4, 0.5, 0.5,
                                                                                       0.999, 0.999)
    assert (o.batch_size, o.lr_decay, o.batch_growth) == (512, 0.0, 1)
    assert c.variant == "vanilla" and c.recipe.objective == "minimax" and c.recipe.n_critic == 1
    assert c.data.name == "ring8" and c.steps == 10_000


def test_the_networks_are_what_the_paper_describes():
    import torch

    from gan_core.models import build_discriminator, build_generator

    c = preset_config("collapse-metz2016")
    g, d = build_generator(c.model, (2,), 0), build_discriminator(c.model, (2,), 0)
    g_lin = [x for x in g.modules() if isinstance(x, torch.nn.Linear)]
    d_lin = [x for x in d.modules() if isinstance(x, torch.nn.Linear)]
    assert [tuple(x.weight.shape) for x in g_lin] == [(128, 256), (128, 128), (2, 128)]
    assert [tuple(x.weight.shape) for x in d_lin] == [(128, 2), (1, 128)]
    w = g_lin[1].weight.detach()  # orthogonal with gain 0.8: W W^T = 0.64 I
    assert torch.allclose(w @ w.T, 0.64 * torch.eye(128), atol=1e-4)
    assert all(float(x.bias.detach().abs().max()) == 0 for x in g_lin + d_lin)
    x = torch.randn(5, 2)
    assert torch.allclose(d(x), d_lin[1](torch.relu(d_lin[0](x / 4))).reshape(d(x).shape), atol=1e-6)


def test_the_arena_trains_2d_variants_on_the_sharp_collapse_setup_unless_told_otherwise():
    base = reference_config("ring8")
    assert base.model == preset_config("collapse-ttur").model and base.optim == preset_config("collapse-ttur").optim
    assert reference_config("ring8", "collapse-metz2016").model == preset_config("collapse-metz2016").model
    runs = plan_runs("grid25", ["vanilla", "pacgan-2"], 2, 300, 100)
    assert {(r.variant, r.seed, r.steps, r.data.name) for r in runs} == {
        (v, s, 300, "grid25") for v in ("vanilla", "pacgan-2") for s in (0, 1)}
    assert all(r.model == base.model and r.optim == base.optim for r in runs)
    assert reference_config("ring8", "unrolled-2d").model.activation == "tanh"  # the earlier tables' setup


def test_the_train_page_carries_every_setting_of_the_preset():
    from dashboard import settings

    page = settings.build_config(settings.preset_settings("collapse-metz2016", "ring8"))
    want = preset_config("collapse-metz2016")
    assert page.model == want.model and page.optim == want.optim and page.variant == want.variant
    assert page.steps == want.steps


def test_the_sharp_collapse_preset_resolves_to_its_settings():
    """collapse-ttur: the notebook's 2 x 128 networks with ReLU and default init, D 4x faster than G."""
    c = preset_config("collapse-ttur")
    m, o = c.model, c.optim
    assert (m.kind, m.g_hidden, m.d_hidden, m.activation) == ("mlp", (128, 128), (128, 128), "relu")
    assert (m.z_dim, m.noise, m.init, m.init_gain, m.d_input_scale) == (256, "normal", "default", 1.0, 1.0)
    assert (o.optimizer, o.lr_g, o.lr_d, o.beta1_g, o.beta1_d, o.beta2_g, o.beta2_d) == ("adam", 5e-4, 2e-3, 0.5, 0.5,
                                                                                       0.999, 0.999)
    assert o.lr_d == 4 * o.lr_g
    assert (o.batch_size, o.lr_decay, o.batch_growth) == (512, 0.0, 1)
    assert c.variant == "ns" and c.recipe.objective == "ns" and c.recipe.n_critic == 1
    assert (c.data.name, c.steps, c.eval_every) == ("ring8", 12_000, 500)
    from dashboard import settings

    assert "collapse-ttur" in settings.PAGE_PRESETS["2d"]
    page = settings.build_config(settings.preset_settings("collapse-ttur", "ring8"))
    assert page.model == m and page.optim == o and page.variant == c.variant and page.steps == c.steps


def test_ns_collapses_onto_few_modes_with_sharp_samples_on_the_sharp_collapse_preset():
    """What the preset is for, on a small budget (seed 3 of the 5-seed arena in BENCHMARKS.md, "A sharp collapse"):
    after 2,000 steps the non-saturating GAN's samples sit on at most 3 of the 8 modes, and most are sharp."""
    from gan_core.training.trainer import Trainer

    t = Trainer(preset_config("collapse-ttur", {"seed": 3, "steps": 2000, "eval_every": 2000}))
    t.train()
    m = t.last_eval
    near = [m[f"near_{k}"] for k in range(8)]
    assert sum(s >= 1 / 32 for s in near) <= 3, near  # held modes (gan_core/arena/verdict.py)
    assert m["hq"] >= 0.4, m["hq"]


def test_the_r1_penalty_keeps_every_mode_on_the_sharp_collapse_preset():
    """The fix beside the collapse (seed 3 as above, BENCHMARKS.md "Two fixes that keep all eight"): with the R1
    penalty on D the same networks and budget hold all 8 modes, each with a fair share of the samples."""
    from gan_core.training.trainer import Trainer

    t = Trainer(preset_config("collapse-ttur", {"seed": 3, "steps": 2000, "eval_every": 2000, "variant": "ns+r1"}))
    t.train()
    near = [t.last_eval[f"near_{k}"] for k in range(8)]
    assert all(s >= 1 / 32 for s in near), near  # all 8 held, where ns holds at most 3
    assert max(near) <= 0.2, near  # none hoards the samples (a fair share is 12.5%)


def test_the_pacgan_preset_resolves_to_the_papers_settings():
    """collapse-pacgan2018: PacGAN's 2D networks and optimiser (Lin et al. 2018), value by value."""
    c = preset_config("collapse-pacgan2018")
    m, o = c.model, c.optim
    assert (m.kind, m.g_hidden, m.d_hidden, m.activation) == ("mlp", (400, 400, 400, 400), (200, 200, 200), "relu")
    assert (m.g_batch_norm, m.d_maxout, m.z_dim, m.noise, m.init) == (True, 5, 2, "normal", "default")
    assert (o.optimizer, o.lr_g, o.lr_d, o.beta1_g, o.beta1_d, o.beta2_g, o.beta2_d) == ("adam", 1e-4, 1e-4, 0.8, 0.8,
                                                                                       0.999, 0.999)
    assert (o.batch_size, o.pack_batch, o.lr_decay, o.batch_growth) == (100, True, 0.0, 1)
    assert c.variant == "ns" and c.recipe.objective == "ns" and c.recipe.n_critic == 1
    assert (c.data.name, c.steps, c.eval_every) == ("grid25", 20_000, 1000)
    from dashboard import settings

    assert "collapse-pacgan2018" in settings.PAGE_PRESETS["2d"]
    page = settings.build_config(settings.preset_settings("collapse-pacgan2018", "grid25"))
    assert page.model == m and page.optim == o and page.variant == c.variant and page.steps == c.steps
    back, warnings = settings.from_query(settings.to_query(settings.preset_settings("collapse-pacgan2018", "grid25")))
    assert not warnings and settings.build_config(back).model == m  # a shared link carries batch norm and maxout


def test_the_pacgan_networks_are_batch_norm_relu_and_maxout():
    import torch

    from gan_core.models import build_discriminator, build_generator
    from gan_core.models.layers import Maxout

    c = preset_config("collapse-pacgan2018")
    g = build_generator(c.model, (2,), 0, torch.Generator().manual_seed(0))
    d = build_discriminator(c.model, (2,), 0, torch.Generator().manual_seed(0), pack=2)
    kinds = [type(x).__name__ for x in g.net]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU"] * 4 + ["PreciseLinear"]
    bns = [x for x in g.net if isinstance(x, torch.nn.BatchNorm1d)]
    assert all(torch.equal(b.weight, torch.ones(400)) and torch.equal(b.bias, torch.zeros(400)) for b in bns)
    maxouts = [x for x in d.net if isinstance(x, Maxout)]
    assert [(x.linear.in_features, x.out, x.pieces) for x in maxouts] == [(4, 200, 5), (200, 200, 5), (200, 200, 5)]
    x = torch.randn(6, 4)
    pieces = maxouts[0].linear(x).view(6, 200, 5)
    assert torch.equal(maxouts[0](x), pieces.max(-1).values)  # each unit the largest of its 5 pieces
    assert d(torch.randn(3, 2, 2)).shape == (3,)


def test_batch_norm_and_maxout_are_checked_and_kept_to_the_mlp():
    import pytest

    from gan_core.config import ModelConfig
    from gan_core.training.seed_batch import batchable

    for bad in ({"d_maxout": 1}, {"d_maxout": 11}, {"d_maxout": True}, {"g_batch_norm": "yes"},
                {"kind": "dcgan", "g_batch_norm": True}, {"kind": "dcgan", "d_maxout": 5}):
        with pytest.raises(ValueError):
            ModelConfig(**bad)
    assert "batch norm" in batchable(preset_config("collapse-pacgan2018"))


def test_a_pacgan_run_trains_and_samples_the_same_twice():
    """A few steps with batch norm in G: training stays finite, and sampling (G in eval mode, its running
    statistics) gives the same points for the same seed, before and after another sampling call."""
    import torch

    from gan_core.training.trainer import Trainer

    t = Trainer(preset_config("collapse-pacgan2018", {"steps": 20, "eval_every": 20, "seed": 1}))
    t.train()
    assert 0 <= t.last_eval["modes"] <= 25
    a, b = t.sample(500, seed=3), t.sample(500, seed=3)
    assert torch.equal(a, b) and torch.isfinite(a).all()
    assert t.G.training  # sampling put G back in training mode


def test_with_pack_batch_d_sees_the_same_number_of_inputs_whatever_the_pack():
    """PacGAN's protocol: 100 inputs to D per step, so the plain GAN draws 100 samples of each kind and PacGAN-m
    100 x m; without pack_batch every variant draws batch_size samples (the arena's tables)."""
    import torch

    from gan_core.training.trainer import Trainer

    seen = {}
    for variant in ("ns", "ns+pacgan-2", "ns+pacgan-3"):
        t = Trainer(preset_config("collapse-pacgan2018", {"variant": variant, "steps": 2, "eval_every": 0}))
        real, fake, _, _ = t._real_fake(detach_fake=True)
        lr_, lf, _, _ = t._d_logits(real, fake, None, None)
        seen[variant] = (len(real), len(lr_))
    assert seen == {"ns": (100, 100), "ns+pacgan-2": (200, 100), "ns+pacgan-3": (300, 100)}
    plain = Trainer(preset_config("collapse-pacgan2018", {"variant": "ns+pacgan-2", "steps": 2, "eval_every": 0,
                                                          "optim": {"pack_batch": False, "batch_size": 200}}))
    assert plain.batch_size == 200


def test_the_page_gives_batch_norm_and_maxout_to_any_mlp_and_never_to_a_dcgan():
    from dashboard import settings

    s = {**settings.preset_settings("tutorial-mlp", "mnist"), "g_bn": True, "d_maxout": 3}
    m = settings.build_config(s).model
    assert (m.kind, m.g_batch_norm, m.d_maxout) == ("mlp", True, 3)  # an image MLP takes them
    s = {**settings.preset_settings("dcgan", "mnist"), "g_bn": True, "d_maxout": 3}
    m = settings.build_config(s).model  # left over from a 2D preset: the DCGAN has its own layers
    assert (m.kind, m.g_batch_norm, m.d_maxout) == ("dcgan", False, 0)
