"""Standing statistics for G's moving average (option ema_bn): the average's batch-norm statistics are recomputed
from its own outputs before it samples, the training itself is untouched (same weights, same streams), the numbers
are the same for the same seed, and the option is refused where it means nothing."""
import pytest
import torch

from gan_core import Trainer
from gan_core.config import TrainConfig
from gan_core.training.presets import preset_config


def _dcgan(**options) -> TrainConfig:
    return preset_config("dcgan", {"steps": 6, "log_every": 3, "eval_every": 3, "eval_samples": 60, "seed": 0,
                                   "model": {"width": 8}, "variant": "ns+ema",
                                   "variant_options": {"ema": 0.9999, **options}})


def _norms(g: torch.nn.Module) -> list:
    return [m for m in g.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]


def test_the_option_is_checked():
    assert _dcgan(ema_bn=4).recipe.ema_bn == 4
    with pytest.raises(ValueError, match="add the 'ema' stabiliser"):
        preset_config("dcgan", {"variant": "ns", "variant_options": {"ema_bn": 4}}).recipe
    for bad in (-1, 1001, 2.5):
        with pytest.raises(ValueError, match="ema_bn"):
            _dcgan(ema_bn=bad).recipe


def test_training_is_untouched_and_the_statistics_are_the_averages_own():
    plain, standing = Trainer(_dcgan(), "cpu"), Trainer(_dcgan(ema_bn=5), "cpu")
    for t in (plain, standing):
        t.train()  # evaluations at steps 3 and 6 sample from the average
    for a, b in ((plain.G, standing.G), (plain.D, standing.D)):
        for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
            assert torch.equal(x, y), name  # the recomputation draws from a stream of its own
    for x, y in zip(plain.G_ema.parameters(), standing.G_ema.parameters()):
        assert torch.equal(x, y)
    # Without the option the average carries the training G's statistics; with it, statistics of its own outputs.
    for m_plain, m_live in zip(_norms(plain.sampler), _norms(plain.G)):
        assert torch.equal(m_plain.running_mean, m_live.running_mean)
    norms = _norms(standing.G_ema)
    assert len(norms) == 2
    for m, m_live in zip(norms, _norms(standing.G)):
        assert not torch.allclose(m.running_mean, m_live.running_mean)

    # Replay the recomputation with hooks: each layer's statistics are the mean of its inputs' batch statistics.
    seen = {id(m): [] for m in norms}

    def record(module, inputs):
        x = inputs[0].float().transpose(0, 1).flatten(1)  # (channels, values)
        seen[id(module)].append((x.mean(1), x.var(1, unbiased=True)))

    hooks = [m.register_forward_pre_hook(record) for m in norms]
    standing._standing_at = None  # recompute at the next use
    standing.sampler
    for h in hooks:
        h.remove()
    for m in norms:
        means, variances = zip(*seen[id(m)])
        assert len(means) == 5
        torch.testing.assert_close(m.running_mean, torch.stack(means).mean(0), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(m.running_var, torch.stack(variances).mean(0), rtol=1e-4, atol=1e-5)


def test_same_seed_same_samples():
    a, b = Trainer(_dcgan(ema_bn=3), "cpu"), Trainer(_dcgan(ema_bn=3), "cpu")
    for t in (a, b):
        for _ in range(4):
            t.step()
    assert torch.equal(a.sample(16, seed=1), b.sample(16, seed=1))
    a.step()  # a new step: the statistics are recomputed for the new weights
    assert not torch.equal(a.sample(16, seed=1), b.sample(16, seed=1))
