"""Mode seeking (the `ms` stabiliser, MSGAN): its term punishes look-alike outputs of distant noise, following its
gradient spreads a collapsed generator, a conditional run's pairs share their label, D's step is untouched, the
weight changes live, and a batch too small for a pair is refused with what to do."""
import pytest
import torch

from gan_core import Trainer
from gan_core.stabilisers import mode_seeking
from gan_core.training.presets import preset_config
from gan_core.variants import LIVE_OPTIONS, describe, parse_variant


def test_the_term_is_large_for_look_alikes_and_small_for_varied_outputs():
    z = torch.randn(8, 4, generator=torch.Generator().manual_seed(0))
    same = torch.ones(8, 3)
    varied = z[:, :3] * 2.0
    assert mode_seeking(same, z).item() == pytest.approx(1e5, rel=1e-6)  # 1 / eps: no difference at all
    assert mode_seeking(varied, z).item() < 2.0
    # an odd batch: the last sample has no partner and is left out
    assert mode_seeking(torch.cat([varied, torch.zeros(1, 3)]), torch.cat([z, torch.zeros(1, 4)])).item() == \
        pytest.approx(mode_seeking(varied, z).item())


def test_following_its_gradient_spreads_a_nearly_collapsed_generator():
    torch.manual_seed(0)
    g = torch.nn.Linear(4, 3)
    with torch.no_grad():
        g.weight.mul_(1e-3)  # almost the same output whatever z
    z = torch.randn(64, 4, generator=torch.Generator().manual_seed(1))

    def spread() -> float:
        out = g(z)
        return (out[:32] - out[32:]).abs().mean().item()

    before = spread()
    opt = torch.optim.SGD(g.parameters(), lr=1e-4)
    for _ in range(20):
        opt.zero_grad()
        mode_seeking(g(z), z).backward()
        opt.step()
    assert spread() > 10 * before


def test_ms_changes_g_step_only(tiny_config):
    plain, ms = (Trainer(tiny_config(variant=v, steps=5, eval_every=0, seed=3)) for v in ("ns", "ns+ms"))
    d_before = [p.detach().clone() for p in ms.D.parameters()]
    a, b = plain.step(), ms.step()
    # D's update is the same (the same fakes, the same loss): ms acts on G's loss only ...
    assert a.d_loss == pytest.approx(b.d_loss, rel=1e-6)
    for p, q in zip(plain.D.parameters(), ms.D.parameters()):
        assert torch.allclose(p, q, atol=1e-6)
    assert any(not torch.equal(p, q) for p, q in zip(d_before, ms.D.parameters()))
    # ... and G's update differs; the logged G loss is the objective's, as it is for the penalties
    assert a.g_loss == pytest.approx(b.g_loss, rel=1e-6)
    assert any(not torch.allclose(p, q, atol=1e-7) for p, q in zip(plain.G.parameters(), ms.G.parameters()))


def test_a_conditional_run_pairs_samples_of_one_label():
    t = Trainer(preset_config("cgan", {"data": {"name": "digits8"}, "steps": 2, "eval_every": 0,
                                       "variant": "ns+ms", "optim": {"batch_size": 9}}))
    _, _, y, y_fake = t._real_fake(detach_fake=True)
    assert y_fake.shape == y.shape == (9,)
    assert torch.equal(y_fake[:4], y_fake[4:8]) and y_fake[8] == y[8]
    assert t.step().g_loss > 0


def test_ms_is_a_combinable_stabiliser_with_a_live_weight(tiny_config):
    assert parse_variant("ms").ms_lambda == 1.0 and parse_variant("hinge+sn+ms+ema").ms_lambda == 1.0
    assert "Mao et al. 2019" in describe("ms").reference and "ms_lambda" in describe("ms").about
    assert "ms_lambda" in LIVE_OPTIONS
    t = Trainer(tiny_config(variant="ns+ms", variant_options={"ms_lambda": 0.5}, steps=5, eval_every=0))
    assert t.recipe.ms_lambda == 0.5
    t.step()
    t.update_recipe(ms_lambda=2.0)
    assert t.recipe.ms_lambda == 2.0
    t.step()


def test_a_batch_without_a_pair_is_refused(tiny_config):
    with pytest.raises(ValueError, match="too small for mode seeking.*at least 2"):
        tiny_config(variant="ns+ms", optim={"batch_size": 1})
    with pytest.raises(ValueError, match="ms_lambda"):
        tiny_config(variant="ns+ms", variant_options={"ms_lambda": -1.0})
