"""Image GANs train through the same trainer as the 2D ones: each preset takes a few steps on the bundled
MNIST with finite losses and logs the image metrics; the shipped conditional generator draws the digit
it is asked for; the tutorial preset is exactly the tutorial's network."""
import math
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from gan_core import TrainConfig, Trainer
from gan_core.evaluation.classifier import default_classifier
from gan_core.evaluation.image_metrics import classifier_outputs
from gan_core.training.presets import preset_config
from gan_core.sampling import sample_run

ROOT = Path(__file__).resolve().parents[1]
IMAGE_METRICS = ("fid", "is", "coverage", "class_kl", "precision", "recall", "density", "coverage_dc", "mean_confidence")


def _preset_config(name: str, **top) -> TrainConfig:
    return preset_config(name, top)


@pytest.mark.parametrize("name", ["tutorial-mlp", "dcgan", "cgan"])
def test_each_image_preset_trains_and_logs_the_image_metrics(name):
    cfg = _preset_config(name, steps=8, log_every=2, eval_every=4, eval_samples=60, seed=0)
    trainer = Trainer(cfg, "cpu")
    results = [trainer.step() for _ in range(cfg.steps)]
    for r in results:
        for value in (r.d_loss, r.g_loss, r.d_real, r.d_fake, r.d_grad, r.g_grad):
            assert math.isfinite(value)
    h = trainer.history
    assert list(h["step"]) == [1, 2, 4, 6, 8]
    for col in IMAGE_METRICS:
        assert col in h.columns, col
    evaluated = h[h["step"].isin([4, 8])]
    assert evaluated[list(IMAGE_METRICS)].notna().all().all()
    assert h[~h["step"].isin([4, 8])]["fid"].isna().all()
    assert (evaluated["fid"] > 0).all() and evaluated["coverage"].between(1, 10).all()
    assert trainer.sample(5, seed=0).shape == (5, 1, 28, 28)


@pytest.mark.parametrize("digit", [3, 7])
def test_shipped_conditional_generator_draws_the_requested_digit(digit):
    s = sample_run(ROOT / "pretrained" / "mnist-cgan", 100, seed=0, label=digit)
    assert s.data.shape == (100, 28, 28) and (s.labels == digit).all()
    _, probs = classifier_outputs(s.data, default_classifier("mnist"))
    share = float((probs.argmax(1) == digit).mean())
    assert share >= 0.8, f"only {share:.0%} of the samples asked to be a {digit} are classified as one"


def test_tutorial_preset_builds_exactly_the_tutorials_networks():
    cfg = _preset_config("tutorial-mlp", steps=1)
    assert cfg.data.name == "mnist" and cfg.variant == "ns"
    o = cfg.optim
    assert (o.optimizer, o.lr_g, o.lr_d, o.batch_size, cfg.recipe.n_critic) == ("adam", 2e-4, 2e-4, 64, 1)
    assert (o.beta1_g, o.beta2_g, o.beta1_d, o.beta2_d) == (0.5, 0.999, 0.5, 0.999)
    trainer = Trainer(cfg, "cpu")

    def linears(module):
        return [(m.in_features, m.out_features) for m in module.modules() if isinstance(m, nn.Linear)]

    def slopes(module):
        return {m.negative_slope for m in module.modules() if isinstance(m, nn.LeakyReLU)}

    G, D = trainer.G, trainer.D
    assert linears(G) == [(100, 256), (256, 512), (512, 1024), (1024, 784)]
    assert linears(D) == [(784, 1024), (1024, 512), (512, 256), (256, 1)]
    assert slopes(G) == {0.2} and slopes(D) == {0.2}
    assert sum(isinstance(m, nn.LeakyReLU) for m in G.modules()) == 3
    assert sum(isinstance(m, nn.LeakyReLU) for m in D.modules()) == 3
    assert sum(p.numel() for p in G.parameters()) == 1_486_352
    assert sum(p.numel() for p in D.parameters()) == 1_460_225
    # Tanh output in [-1, 1] shaped as an image; D gives one logit per image (BCE-with-logits = the tutorial's Sigmoid + BCE).
    x = G(torch.randn(4, 100) * 10)
    assert x.shape == (4, 1, 28, 28) and x.abs().max() <= 1
    assert D(x).shape == (4,)
    # The non-saturating BCE of the tutorial: D loss = BCE(D(x), 1) + BCE(D(G(z)), 0), G loss = BCE(D(G(z)), 1).
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    bce = nn.functional.binary_cross_entropy_with_logits
    assert torch.allclose(trainer.objective.d_loss(real, fake), bce(real, torch.ones(2)) + bce(fake, torch.zeros(2)))
    assert torch.allclose(trainer.objective.g_loss(fake), bce(fake, torch.ones(2)))


def test_evaluations_before_the_last_use_fewer_samples_and_the_rows_say_how_many():
    cfg = _preset_config("tutorial-mlp", steps=4, log_every=1, eval_every=2, eval_samples=120, eval_samples_during=40,
                         seed=1, precision="float32")
    trainer = Trainer(cfg, "cpu")
    trainer.train()
    evals = trainer.history.dropna(subset=["fid"]).set_index("step")
    assert evals["eval_samples"].to_dict() == {2: 40, 4: 120}
    # the interim row holds the metrics of 40 samples of G at step 2 (evaluation draws from no training stream)
    again = Trainer(cfg.replace(eval_every=0), "cpu")
    again.step(), again.step()
    assert again.evaluate(40)["fid"] == evals.loc[2, "fid"]
    assert again.evaluate()["fid"] != evals.loc[2, "fid"]  # 120 samples: another number
    # keep_best compares the FIDs, so every evaluation uses them all
    best = Trainer(cfg.replace(keep_best=True), "cpu")
    best.train()
    assert best.history.dropna(subset=["fid"])["eval_samples"].tolist() == [120, 120]
