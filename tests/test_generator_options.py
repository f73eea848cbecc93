"""The DCGAN generator's options: `model.g_cond_bn` (the label sets every batch norm's scale and shift) and
`model.g_refine` (a deeper G). Off by default, so shipped weights keep their layout."""
import math

import pytest
import torch

from gan_core import Trainer
from gan_core.cli import build_parser
from gan_core.config import ModelConfig
from gan_core.models import build_generator
from gan_core.models.layers import ConditionalBatchNorm
from gan_core.training.presets import preset_config


def _g(**kw):
    cfg = ModelConfig(kind="dcgan", conditional=True, width=8, z_dim=16, **kw)
    return build_generator(cfg, (1, 28, 28), 10, torch.Generator().manual_seed(0))


def test_defaults_keep_the_shipped_layout():
    keys = set(_g().state_dict())
    assert {"project.1.weight", "up.1.weight", "up.3.weight", "up.3.bias"} <= keys
    assert not any("gamma" in k for k in keys)


def test_conditional_batch_norm_takes_scale_and_shift_from_the_label():
    g = _g(g_cond_bn=True)
    norms = [m for m in g.modules() if isinstance(m, ConditionalBatchNorm)]
    assert len(norms) == 2
    cbn = norms[1]
    with torch.no_grad():
        cbn.gamma.weight[3].fill_(1.0)  # label 3: scale 2
        cbn.beta.weight[3].fill_(0.5)   # and shift 0.5
    cbn.eval()
    x = torch.randn(4, cbn.norm.num_features, 14, 14)
    plain = cbn.norm(x)
    out = cbn(x, torch.tensor([0, 3, 3, 0]))
    torch.testing.assert_close(out[1], plain[1] * (1 + 1.0) + 0.5)
    torch.testing.assert_close(out[0], plain[0] * (1 + cbn.gamma.weight[0].view(-1, 1, 1)))
    z = torch.randn(2, 16)
    g.eval()
    with torch.no_grad():
        a, b = g(z, torch.tensor([3, 3])), g(z, torch.tensor([3, 4]))
    assert torch.equal(a[0], b[0]) and not torch.allclose(a[1], b[1])


def test_the_deeper_generator_draws_28x28_in_range():
    g = _g(g_refine=True)
    convs = [m for m in g.up if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    assert len(convs) == 4
    with torch.no_grad():
        x = g(torch.randn(5, 16), torch.arange(5))
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1


def test_both_options_train_and_bad_settings_are_refused():
    cfg = preset_config("cgan", {"steps": 3, "eval_every": 0, "eval_samples": 60, "seed": 0,
                                 "optim": {"batch_size": 16},
                                 "model": {"width": 8, "g_cond_bn": True, "g_refine": True}})
    t = Trainer(cfg, "cpu")
    for _ in range(3):
        r = t.step()
        assert math.isfinite(r.d_loss) and math.isfinite(r.g_loss)
    with pytest.raises(ValueError, match="needs a label"):
        ModelConfig(kind="dcgan", g_cond_bn=True)
    with pytest.raises(ValueError, match="belong to the dcgan generator"):
        ModelConfig(kind="mlp", g_refine=True)
    with pytest.raises(ValueError, match="must be true or false"):
        ModelConfig(kind="dcgan", g_refine="yes")


def test_true_or_false_flags_are_read_as_booleans():
    args = build_parser().parse_args(["train", "--out", "x", "--g-refine", "true", "--d-batch-norm", "no",
                                      "--g-cond-bn", "1"])
    assert vars(args)["model.g_refine"] is True
    assert vars(args)["model.d_batch_norm"] is False
    assert vars(args)["model.g_cond_bn"] is True
