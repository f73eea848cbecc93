"""`model.d_batch_norm`: the DCGAN reference code's discriminator normalises real and fake as separate batches.
The Trainer must keep them apart (one shared pass would normalise each with the other's statistics)."""
import math

import pytest
import torch
import torch.nn as nn

from gan_core import Trainer
from gan_core.config import ModelConfig
from gan_core.training.presets import preset_config


def _trainer(**model) -> Trainer:
    cfg = preset_config("dcgan", {"steps": 4, "eval_every": 0, "eval_samples": 60, "seed": 0,
                                  "optim": {"batch_size": 16}, "model": {"width": 8, **model}})
    return Trainer(cfg, "cpu")


def test_the_discriminator_gets_batch_norm_and_sees_real_and_fake_apart():
    t = _trainer(d_batch_norm=True)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in t.D.modules()) == 1
    assert sum(isinstance(m, nn.BatchNorm2d) for m in _trainer().D.modules()) == 0
    real, fake, y, y_fake = t._real_fake(detach_fake=True)
    with torch.no_grad():
        lr_, lf, _, _ = t._d_logits(real, fake, y, y_fake)
        alone_real, alone_fake = t.D(real).float(), t.D(fake).float()
        shared = t.D(torch.cat([real, fake])).float()
    torch.testing.assert_close(lr_, alone_real, rtol=2e-2, atol=2e-2)  # the trainer's bfloat16 products
    torch.testing.assert_close(lf, alone_fake, rtol=2e-2, atol=2e-2)
    assert (shared[: len(real)] - alone_real).abs().max() > 0.05  # one shared batch would give other logits
    for _ in range(4):
        r = t.step()
        assert math.isfinite(r.d_loss) and math.isfinite(r.g_loss)


def test_batch_norm_in_d_belongs_to_the_dcgan():
    with pytest.raises(ValueError, match="d_batch_norm belongs to the dcgan"):
        ModelConfig(kind="mlp", d_batch_norm=True)
    with pytest.raises(ValueError, match="must be true or false"):
        ModelConfig(kind="dcgan", d_batch_norm="yes")
