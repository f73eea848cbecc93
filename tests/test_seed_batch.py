"""Several seeds as one batched model: each seed draws what its separate run draws, its first step gives the
separate run's numbers (float32 rounding aside), and the arena runs batched seeds beside separate runs."""
import pytest
import torch

from gan_core import Trainer, TrainConfig
from gan_core.arena import run_arena
from gan_core.training.seed_batch import SeedBatch, batchable

TINY = {"data": {"name": "ring8"}, "model": {"g_hidden": [16, 16], "d_hidden": [16, 16], "z_dim": 4},
        "optim": {"batch_size": 64}, "eval_samples": 300, "steps": 50, "eval_every": 0}


def _configs(variant="ns", seeds=(0, 1, 2)):
    base = TrainConfig.from_dict({**TINY, "variant": variant})
    return [base.replace(seed=s) for s in seeds]


@pytest.mark.parametrize("variant", ["ns", "pacgan-2", "hinge", "lsgan"])
def test_each_seed_matches_its_separate_run(variant):
    configs = _configs(variant)
    batch, separate = SeedBatch(configs), [Trainer(c) for c in configs]
    first = batch.step()
    for k, t in enumerate(separate):
        r = t.step()
        expected = torch.tensor([r.d_loss, r.d_real, r.d_fake, r.d_grad, r.g_loss, r.g_grad])
        torch.testing.assert_close(first[k].double(), expected.double(), rtol=1e-5, atol=1e-6)
    for _ in range(4):
        batch.step()
        for t in separate:
            t.step()
    for k, t in enumerate(separate):  # the same draws from the same streams, in the same order
        mine = batch.trainers[k]
        assert torch.equal(mine.rng.get_state(), t.rng.get_state())
        assert torch.equal(mine.data_rng.get_state(), t.data_rng.get_state())
        synced = batch.sync(k)
        assert synced.step_count == 5

    def dist(a, b):
        return sum(float((p - q).detach().norm()) for p, q in zip(a.G.parameters(), b.G.parameters()))

    for k in range(3):  # each slice of the batch is its own seed's network, closer to its run than to any other
        others = [dist(batch.trainers[k], separate[j]) for j in range(3) if j != k]
        assert dist(batch.trainers[k], separate[k]) < 0.2 * min(others)
        for net in ("G", "D"):  # and after five updates it holds the very weights its separate run holds
            for p, q in zip(getattr(batch.trainers[k], net).parameters(), getattr(separate[k], net).parameters()):
                torch.testing.assert_close(p, q, rtol=0, atol=1e-5)


@pytest.mark.parametrize("variant, why", [("wgan-gp", "gradient penalty"), ("unrolled-2", "unrolled"),
                                          ("hinge+sn", "spectral norm"), ("wgan", "several D steps"), ("ns", "")])
def test_what_cannot_be_batched_says_why(variant, why):
    reason = batchable(_configs(variant)[0])
    assert (why in reason) if why else reason == ""
    if why:
        with pytest.raises(ValueError, match=why):
            SeedBatch(_configs(variant))


def test_a_batch_is_one_setup_on_several_seeds():
    a, b = _configs("ns", (0, 1))
    with pytest.raises(ValueError, match="differ only in their seed"):
        SeedBatch([a, b.replace(optim={"lr_g": 5e-4})])


def test_arena_with_batched_seeds_beside_separate_runs():
    base = TrainConfig.from_dict(TINY)
    args = ("ring8", ["ns", "wgan-gp"], 2, 10)
    batched = list(run_arena(*args, eval_every=5, base_config=base, workers=2, batch_seeds=True))
    plain = list(run_arena("ring8", ["wgan-gp"], 2, 10, eval_every=5, base_config=base, workers=2))
    done = {(e.variant, e.seed): e for e in batched if e.kind == "done"}
    assert sorted(done) == [("ns", 0), ("ns", 1), ("wgan-gp", 0), ("wgan-gp", 1)] and not [e for e in batched if e.kind == "error"]
    assert [e.done_runs for e in batched if e.kind in ("done", "error")] == [1, 2, 3, 4]
    evals = [e for e in batched if e.kind == "eval"]
    assert sorted((e.variant, e.seed, e.step) for e in evals) == sorted((v, s, st) for v in ("ns", "wgan-gp")
                                                                        for s in (0, 1) for st in (5, 10))
    assert all(e.samples.shape == (300, 2) for e in evals)
    for e in plain:  # wgan-gp cannot be batched: its runs are the separate runs, number for number
        if e.kind == "done":
            assert done[(e.variant, e.seed)].metrics == e.metrics
    for seed in (0, 1):
        assert 0 <= done[("ns", seed)].metrics["modes"] <= 8 and done[("ns", seed)].wall_time > 0
