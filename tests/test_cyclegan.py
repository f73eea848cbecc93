"""CycleGAN: the losses on fixed tensors, the networks' shapes, the history pool, the config, and the trainer's
contract (deterministic for a seed, exact resume, a run folder of four safetensors)."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from gan_core.cycle_config import CycleConfig, CycleModelConfig, parse_pair
from gan_core.cycle_runs import load_cycle_trainer, load_translators, save_cycle_run
from gan_core.models.cyclegan import build_cycle_networks
from gan_core.objectives import cycle_l1, identity_l1, lsgan_adv, lsgan_d
from gan_core.runs import RunFolderError, load_config
from gan_core.training.cycle_trainer import CycleTrainer
from gan_core.training.cycle_eval import balanced_order
from gan_core.training.history_pool import HistoryPool

TINY_MODEL = {"kind": "mlp", "g_hidden": [16, 16], "d_hidden": [16]}


def tiny_2d(**top) -> CycleConfig:
    a, b = parse_pair("ring8:grid25")
    base = dict(data_a=a, data_b=b, model=TINY_MODEL, optim={"batch_size": 32, "lr_g": 1e-3, "lr_d": 1e-3},
                steps=6, log_every=1, eval_every=3, eval_samples=200, pool_size=10)
    return CycleConfig(**{**base, **top})


# ----- losses on fixed tensors

def test_least_squares_terms_by_hand():
    f = torch.tensor([0.0, 2.0, 1.0, 3.0])
    assert lsgan_adv(f).item() == pytest.approx((1 + 1 + 0 + 4) / 4)
    r = torch.tensor([1.0, 0.0])
    fake = torch.tensor([0.0, 2.0])
    assert lsgan_d(r, fake).item() == pytest.approx(0.5 * (0 + 1) / 2 + 0.5 * (0 + 4) / 2)


def test_cycle_and_identity_l1_by_hand():
    x = torch.tensor([[0.0, 1.0], [2.0, -1.0]])
    rec = torch.tensor([[0.5, 1.0], [2.0, 1.0]])
    assert cycle_l1(x, rec).item() == pytest.approx((0.5 + 0 + 0 + 2) / 4)
    assert identity_l1(x, rec).item() == pytest.approx(cycle_l1(x, rec).item())


def test_cycle_loss_is_zero_for_identity_maps():
    x = torch.randn(8, 1, 28, 28)
    G = F = torch.nn.Identity()
    assert cycle_l1(x, F(G(x))).item() == 0.0
    assert identity_l1(x, G(x)).item() == 0.0
    assert cycle_l1(x, -x).item() > 0  # and not zero for a map that does not come back


# ----- networks

@pytest.mark.parametrize("kind, translator, shape, d_layers, logits", [
    ("mlp", "resnet", (2,), 2, ()), ("resnet", "resnet", (1, 28, 28), 2, (49,)), ("resnet", "resnet", (1, 28, 28), 3, (9,)),
    ("resnet", "resnet", (1, 32, 32), 2, (64,)), ("resnet", "warp", (1, 28, 28), 3, (9,)),
    ("resnet", "warp", (1, 32, 32), 2, (64,))])
def test_network_shapes(kind, translator, shape, d_layers, logits):
    cfg = CycleModelConfig(kind=kind, width=4, n_blocks=1, d_layers=d_layers, translator=translator)
    nets = build_cycle_networks(cfg, shape, torch.Generator().manual_seed(0))
    x = torch.rand(3, *shape) * 2 - 1
    for name in ("G", "F"):
        y = nets[name](x)
        assert y.shape == x.shape
        if kind == "resnet":
            assert y.abs().max() <= 1.0  # images stay in [-1, 1]
    for name in ("D_A", "D_B"):
        assert nets[name](x).shape == (3, *logits)


def test_warp_translator_starts_as_the_identity_frame_and_can_move_the_digit():
    cfg = CycleModelConfig(kind="resnet", width=4, n_blocks=1, d_layers=3, translator="warp")
    nets = build_cycle_networks(cfg, (1, 28, 28), torch.Generator().manual_seed(0))
    G = nets["G"]
    x = -torch.ones(2, 1, 28, 28)
    x[:, :, 10:18, 12:16] = 1.0  # a bar of ink in the middle
    y = G(x)
    assert y.shape == x.shape and y.abs().max() <= 1.0
    assert torch.equal(G.theta(x), torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).expand(2, 2, 3))
    assert torch.allclose(G.reframe(x), x, atol=1e-5)  # at the start the frame is left as it is
    with torch.no_grad():  # an affine map of half the scale zooms in: the bar doubles, centred where it was
        G.affine.bias.copy_(torch.tensor([-0.5, 0.0, 0.0, 0.0, -0.5, 0.0]) / G.GAIN)
    wide = G.reframe(x)
    assert wide[:, :, 7:21, 11:17].mean().item() > 0.9 and wide[:, :, :5].max().item() == -1.0
    assert (wide > 0).sum().item() == pytest.approx(4 * (x > 0).sum().item(), rel=0.2)


def test_networks_refuse_shapes_they_cannot_translate():
    with pytest.raises(ValueError, match="divisible by 4"):
        build_cycle_networks(CycleModelConfig(kind="resnet"), (1, 30, 30))
    with pytest.raises(ValueError, match="2D points"):
        build_cycle_networks(CycleModelConfig(kind="mlp"), (1, 28, 28))
    with pytest.raises(ValueError, match="square"):
        build_cycle_networks(CycleModelConfig(kind="resnet", translator="warp"), (1, 28, 32))
    with pytest.raises(ValueError, match="translator"):
        CycleModelConfig(kind="resnet", translator="unet")


# ----- history pool

def test_history_pool_fills_then_mixes_old_and_new():
    pool, g = HistoryPool(4), torch.Generator().manual_seed(0)
    first = torch.arange(4.0)[:, None]
    assert torch.equal(pool.query(first, g), first) and len(pool) == 4  # filling: returned as they are
    seen_old = False
    for i in range(10):
        new = torch.full((4, 1), 100.0 + i)
        out = pool.query(new, g)
        assert len(pool) == 4 and out.shape == new.shape
        seen_old |= bool((out != new).any())
    assert seen_old  # some older samples came back
    assert torch.equal(HistoryPool(0).query(first, g), first)


def test_history_pool_matches_the_one_by_one_rule():
    def one_by_one(items, fakes, coin, slot, size):
        out, items = fakes.clone(), list(items)
        for i in range(len(fakes)):
            if len(items) < size:
                items.append(fakes[i])
            elif coin[i] > 0.5:
                out[i], items[slot[i]] = items[slot[i]], fakes[i]
        return out, list(items)

    pool, g, mirror = HistoryPool(5), torch.Generator().manual_seed(3), []
    for _ in range(6):
        fakes = torch.randn(7, 2)
        state = g.get_state()
        coin, slot = torch.rand(7, generator=g).tolist(), torch.randint(0, 5, (7,), generator=g).tolist()
        g.set_state(state)
        want, mirror = one_by_one(mirror, fakes, coin, slot, 5)
        assert torch.equal(pool.query(fakes, g), want)
        assert torch.equal(pool.items, torch.stack(mirror))


# ----- config

def test_config_round_trips_and_refuses_bad_values():
    cfg = tiny_2d(lambda_identity=0.5)
    assert CycleConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.to_dict()["family"] == "cyclegan"
    with pytest.raises(ValueError, match="lambda_cycle"):
        cfg.replace(lambda_cycle=-1)
    with pytest.raises(ValueError, match="pairs images with 2D points"):
        CycleConfig(*parse_pair("mnist:moons"), model={"kind": "resnet"})
    with pytest.raises(ValueError, match="use model.kind='resnet'"):
        CycleConfig(*parse_pair("mnist:digits8"))
    with pytest.raises(ValueError, match="A:B"):
        parse_pair("moons")
    with pytest.raises(ValueError, match="cannot be a CycleGAN domain"):
        CycleConfig(*parse_pair("stacked-mnist:mnist"), model={"kind": "resnet"})


# ----- the trainer's contract

def test_same_seed_same_numbers_and_another_seed_differs():
    h1 = CycleTrainer(tiny_2d()).train()
    h2 = CycleTrainer(tiny_2d()).train()
    pd.testing.assert_frame_equal(h1.drop(columns=["elapsed", "wall_time"]), h2.drop(columns=["elapsed", "wall_time"]))
    h3 = CycleTrainer(tiny_2d(seed=1)).train()
    assert not h1["loss_g"].equals(h3["loss_g"])
    for col in ("loss_g", "loss_f", "loss_d_a", "loss_d_b", "cycle_a", "cycle_b", "cycle_ab", "cycle_ba", "modes_ab",
                "grid_js_ba"):
        assert col in h1.columns, col
    assert h1["identity_a"].isna().all()  # the identity term is off by default


def test_resume_continues_exactly(tmp_path):
    cfg = tiny_2d(lambda_identity=0.5)
    straight = CycleTrainer(cfg)
    straight.train()
    half = CycleTrainer(cfg)
    half.train(3)
    save_cycle_run(half, tmp_path / "run")
    resumed = load_cycle_trainer(tmp_path / "run")
    resumed.train()
    for name in ("G", "F", "D_A", "D_B"):
        for (k, v), w in zip(getattr(straight, name).state_dict().items(), getattr(resumed, name).state_dict().values()):
            assert torch.equal(v, w), f"{name}.{k}"
    assert resumed.history["loss_g"].tolist() == straight.history["loss_g"].tolist()


def test_run_folder_holds_four_safetensors_and_rebuilds_the_translators(tmp_path):
    t = CycleTrainer(tiny_2d(steps=2))
    t.train()
    out = save_cycle_run(t, tmp_path / "run")
    for name in ("config.json", "G.safetensors", "F.safetensors", "D_A.safetensors", "D_B.safetensors", "metrics.csv"):
        assert (out / name).is_file(), name
    G, F, cfg = load_translators(out)
    x = torch.randn(5, 2)
    assert torch.equal(G(x), t.translate(x, "ab")) and torch.equal(F(x), t.translate(x, "ba"))
    assert cfg == t.config
    with pytest.raises(RunFolderError, match="CycleGAN run"):
        load_config(out)  # the GAN commands say what the folder is instead of failing on its fields


def test_live_weights_change_the_loss_and_are_checked():
    t = CycleTrainer(tiny_2d(steps=4))
    t.train(2)
    t.set_weights(lambda_cycle=0.0)
    t.step()
    assert t.rows[-1]["lambda_cycle"] == 0.0
    with pytest.raises(ValueError, match="lambda_identity"):
        t.set_weights(lambda_identity=-2)
    assert t.lambda_identity == 0.0


def test_an_image_pair_takes_a_step_and_is_scored():
    a, b = parse_pair("mnist:digits8")
    cfg = CycleConfig(a, b, model={"kind": "resnet", "width": 4, "n_blocks": 1}, optim={"batch_size": 4}, steps=1,
                      eval_samples=20)
    t = CycleTrainer(cfg)
    res = t.step()
    assert math.isfinite(res.cycle_a) and tuple(t.evaluator.panel_a.shape) == tuple(t.evaluator.panel_b.shape) == (8, 1, 28, 28)
    m = t.last_eval
    for key in ("class_ab", "class_ba", "knn_ab", "knn_ba", "cycle_ab", "cycle_ba", "fid_ab", "fid_ba"):
        assert math.isfinite(m[key]), key
    assert 0.0 <= m["class_ab"] <= 1.0 and 0.0 <= m["knn_ab"] <= 1.0 and 0.0 <= m["cycle_ab"] <= 1.0
    # The bundled MNIST test split is sorted by label; the held-out images take the classes in turn.
    assert t.evaluator.held["a"][1].tolist() == list(range(10)) * 2


def test_balanced_order_takes_the_classes_in_turn():
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    order = balanced_order(labels)
    assert sorted(order.tolist()) == list(range(9))
    assert labels[order].tolist() == [0, 1, 2, 0, 1, 2, 0, 2, 2]
    assert order[:3].tolist() == [0, 3, 5]  # the first of each class in file order


# ----- the class term (lambda_class): labels of two digit sets

def tiny_digits(**top) -> CycleConfig:
    a, b = parse_pair("mnist:digits8")
    base = dict(model={"kind": "resnet", "width": 4, "n_blocks": 1}, optim={"batch_size": 8}, steps=4,
                log_every=1, eval_every=0, eval_samples=20, pool_size=4)
    return CycleConfig(a, b, **{**base, **top})


def test_the_class_term_is_refused_where_labels_do_not_name_the_same_digits():
    with pytest.raises(ValueError, match="labels that name different things"):
        CycleConfig(*parse_pair("mnist:fashion-mnist"), model={"kind": "resnet"}, lambda_class=1.0)
    with pytest.raises(ValueError, match="no labels"):
        tiny_2d(lambda_class=1.0)
    with pytest.raises(ValueError, match="lambda_class"):
        tiny_digits(lambda_class=-1.0)
    cfg = tiny_digits(lambda_class=2.0)
    assert CycleConfig.from_dict(cfg.to_dict()) == cfg and cfg.n_classes == 10 and tiny_digits().n_classes == 0


def test_critics_with_a_class_head_score_patches_and_name_ten_classes():
    cfg = tiny_digits(lambda_class=1.0)
    nets = build_cycle_networks(cfg.model, (1, 28, 28), torch.Generator().manual_seed(0), n_classes=10)
    x = torch.randn(3, 1, 28, 28)
    patches, names = nets["D_B"].score(x)
    assert torch.equal(patches, nets["D_B"](x)) and names.shape == (3, 10)
    plain = build_cycle_networks(cfg.model, (1, 28, 28), torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="no classes"):
        plain["D_B"].score(x)
    # The translators are drawn before the critics: the head changes no translator's first weights.
    for name in ("G", "F"):
        for v, w in zip(nets[name].state_dict().values(), plain[name].state_dict().values()):
            assert torch.equal(v, w)
    with pytest.raises(ValueError, match="no classes to keep"):
        build_cycle_networks(CycleModelConfig(kind="mlp"), (2,), n_classes=10)


def test_the_class_term_moves_the_translators_and_is_logged():
    off, on = CycleTrainer(tiny_digits()), CycleTrainer(tiny_digits(lambda_class=5.0))
    h_off, h_on = off.train(), on.train()
    assert h_off["class_g"].isna().all() and h_off["class_f"].isna().all()
    assert np.isfinite(h_on[["class_g", "class_f"]].to_numpy()).all()
    assert (h_on["class_g"] > 0).all()  # a cross-entropy: positive, about log(10) at the start
    assert abs(h_on["class_g"].iloc[0] - math.log(10)) < 1.0
    # Same seed, same first weights of G; the term changes where G goes from the first step on.
    first = next(iter(off.G.state_dict()))
    assert not torch.equal(off.G.state_dict()[first], on.G.state_dict()[first])
    again = CycleTrainer(tiny_digits(lambda_class=5.0)).train()
    clocks = ["elapsed", "wall_time"]
    pd.testing.assert_frame_equal(h_on.drop(columns=clocks), again.drop(columns=clocks))


def test_the_critics_class_heads_learn_from_real_labels():
    """The critics' step trains their heads on real images and their labels: on one fixed batch of each domain, 60
    critic steps lower the heads' cross-entropy on that batch, and with the labels shuffled they learn other names."""
    def fit(shuffle: bool) -> tuple[list[float], list[float], CycleTrainer]:
        t = CycleTrainer(tiny_digits(lambda_class=1.0, optim={"batch_size": 16, "lr_d": 2e-3}))
        g = torch.Generator().manual_seed(7)
        a, ya = t.data_a.sample(16, g)
        b, yb = t.data_b.sample(16, g)
        if shuffle:
            ya, yb = ya.roll(1), yb.roll(1)

        def ce() -> list[float]:
            with torch.no_grad():
                return [torch.nn.functional.cross_entropy(d.score(x)[1], y).item()
                        for d, x, y in ((t.D_A, a, ya), (t.D_B, b, yb))]
        before = ce()
        for _ in range(60):
            t._d_step(a, b, torch.zeros_like(a), torch.zeros_like(b), ya, yb)
        return before, ce(), t

    before, after, t = fit(shuffle=False)
    assert all(x < y - 0.06 for x, y in zip(after, before))
    _, _, t_shuffled = fit(shuffle=True)
    assert not torch.equal(t.D_B.classes.weight, t_shuffled.D_B.classes.weight)
