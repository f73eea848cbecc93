"""Image metrics: hand-computable cases, then the shipped classifiers on real data.

No network. The Fashion-MNIST check runs only where its IDX files are installed.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from gan_core.evaluation.classifier import PRETRAINED_DIR, Classifier, default_classifier, heldout_accuracy, load_classifier
from gan_core.data.pixels import to_unit
from gan_core.data.images import DatasetUnavailable, load_images, load_mnist_bundled
from gan_core.evaluation.image_metrics import (
    class_histogram_metrics,
    classifier_outputs,
    density_coverage,
    evaluate_images,
    feature_statistics,
    frechet_distance,
    inception_score,
    manifold_metrics,
    precision_recall,
    real_manifold_radii,
    stacked_mnist_modes,
)


# --------------------------------------------------------------------------- hand cases

def test_frechet_distance_hand_cases():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 6))
    cov = a @ a.T + 0.1 * np.eye(6)
    mu = rng.normal(size=6)
    assert frechet_distance(mu, cov, mu, cov) == pytest.approx(0.0, abs=1e-8)
    shift = np.array([1.0, -2.0, 0.5, 0.0, 3.0, 1.0])
    assert frechet_distance(mu, cov, mu + shift, cov) == pytest.approx(float(shift @ shift), rel=1e-8)
    # 1-D: d^2 = (m1 - m2)^2 + (sigma1 - sigma2)^2, with variances passed in.
    assert frechet_distance(0.0, 2.0**2, 0.0, 5.0**2) == pytest.approx(9.0)
    assert frechet_distance(1.0, 4.0, 3.0, 1.0) == pytest.approx(4.0 + 1.0)
    # Torch inputs and a singular covariance are fine.
    singular = np.diag([1.0, 0.0, 0.0])
    assert frechet_distance(torch.zeros(3), torch.tensor(singular), np.zeros(3), singular) == pytest.approx(0.0, abs=1e-10)
    with pytest.raises(ValueError, match="covariances"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))


def test_inception_score_hand_cases():
    same = np.tile(np.eye(10)[3], (50, 1))
    assert inception_score(same) == pytest.approx(1.0)
    spread = np.eye(10)[np.arange(100) % 10]
    assert inception_score(spread) == pytest.approx(10.0, rel=1e-6)
    assert inception_score(np.full((20, 10), 0.1)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="softmax"):
        inception_score(np.ones((4, 10)))


def test_class_histogram_metrics():
    one = class_histogram_metrics(np.full(100, 7), 10)
    assert one["coverage"] == 1 and one["class_kl"] == pytest.approx(math.log(10))
    even = class_histogram_metrics(np.arange(1000) % 10, 10)
    assert even["coverage"] == 10 and even["class_kl"] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="0..9"):
        class_histogram_metrics(np.array([0, 10]), 10)


def test_precision_recall_density_coverage_on_simple_sets():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 8))
    p, r = precision_recall(real, real.copy(), k=3)
    assert p == 1.0 and r == 1.0
    d, c = density_coverage(real, real.copy(), k=5)
    assert c == 1.0 and d == pytest.approx(1.0 + 1 / 5, abs=0.05)  # each point is in its own ball too
    same_dist = rng.normal(size=(400, 8))
    p, r = precision_recall(real, same_dist)
    assert p > 0.6 and r > 0.6
    far = rng.normal(size=(400, 8)) + 20.0
    p, r = precision_recall(real, far)
    d, c = density_coverage(real, far)
    assert p == 0.0 and r == 0.0 and d == 0.0 and c == 0.0
    collapsed = np.repeat(real[:1], 400, axis=0) + 1e-3 * rng.normal(size=(400, 8))
    p, r = precision_recall(real, collapsed)
    assert p > 0.9 and r < 0.1  # good samples, no diversity
    with pytest.raises(ValueError, match="width"):
        precision_recall(real, real[:, :4])


# --------------------------------------------------------------------------- shipped classifiers

@pytest.fixture(scope="module")
def mnist_classifier() -> Classifier:
    return default_classifier("mnist")


@pytest.fixture(scope="module")
def mnist_real():
    test_x, test_y = load_mnist_bundled("test")
    train_x, _ = load_mnist_bundled("train")
    return test_x, test_y, train_x[np.random.default_rng(0).permutation(len(train_x))[:2000]]


def _card_accuracy(folder: str) -> float:
    return json.loads((PRETRAINED_DIR / folder / "config.json").read_text())["heldout_accuracy"]


def test_shipped_mnist_classifier_matches_its_card(mnist_classifier, mnist_real):
    test_x, test_y, _ = mnist_real
    _, probs = classifier_outputs(test_x, mnist_classifier)
    measured = float((probs.argmax(1) == test_y).mean())
    assert abs(measured - _card_accuracy("mnist-classifier")) <= 0.005
    assert measured >= 0.98
    card = (PRETRAINED_DIR / "mnist-classifier" / "README.md").read_text()
    assert f"{100 * _card_accuracy('mnist-classifier'):.2f}%" in card


def test_shipped_fashion_classifier_matches_its_card():
    try:
        load_images("fashion-mnist", "test", download=False)
    except DatasetUnavailable:
        pytest.skip("Fashion-MNIST files not installed")
    measured, recorded = heldout_accuracy(PRETRAINED_DIR / "fashion-classifier")
    assert abs(measured - recorded) <= 0.005 and measured >= 0.89


def test_shipped_weights_are_small_and_loader_refuses_mismatches(tmp_path):
    for folder in ("mnist-classifier", "fashion-classifier"):
        assert (PRETRAINED_DIR / folder / "model.safetensors").stat().st_size < 2_000_000
    src = PRETRAINED_DIR / "mnist-classifier"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text((src / "config.json").read_text())
    tensors = load_file(str(src / "model.safetensors"))
    tensors["fc1.weight"] = tensors["fc1.weight"][:64].contiguous()
    save_file(tensors, str(bad / "model.safetensors"))
    with pytest.raises(ValueError, match="fc1.weight"):
        load_classifier(bad)
    del tensors["fc1.weight"]
    save_file(tensors, str(bad / "model.safetensors"))
    with pytest.raises(ValueError, match="lacks tensor 'fc1.weight'"):
        load_classifier(bad)
    with pytest.raises(ValueError, match="not a classifier folder"):
        load_classifier(tmp_path / "nowhere")


# --------------------------------------------------------------------------- real vs. real, real vs. broken

def test_real_heldout_vs_real_train_scores_well(mnist_classifier, mnist_real):
    test_x, _, train_sub = mnist_real
    real_vs_real = evaluate_images(test_x, train_sub, mnist_classifier)
    noise = np.random.default_rng(1).integers(0, 256, size=test_x.shape, dtype=np.uint8)
    noise_vs_real = evaluate_images(noise, train_sub, mnist_classifier)
    assert set(real_vs_real) == {"fid", "is", "coverage", "class_kl", "precision", "recall",
                                 "density", "coverage_dc", "mean_confidence"}
    assert real_vs_real["fid"] < 0.05 * noise_vs_real["fid"]
    assert real_vs_real["precision"] > 0.6 and real_vs_real["recall"] > 0.6
    assert real_vs_real["coverage"] == 10 and real_vs_real["class_kl"] < 0.05
    assert real_vs_real["is"] > 8.0 and real_vs_real["mean_confidence"] > 0.9
    assert real_vs_real["coverage_dc"] > 0.6 and 0.6 < real_vs_real["density"] < 1.5
    assert noise_vs_real["precision"] < 0.1 and noise_vs_real["coverage_dc"] < 0.1


def test_one_repeated_image_collapses_coverage(mnist_classifier, mnist_real):
    test_x, _, train_sub = mnist_real
    repeated = np.repeat(test_x[:1], 500, axis=0)[:, None]  # (500, 1, 28, 28) is accepted too
    result = evaluate_images(repeated, train_sub, mnist_classifier)
    assert result["coverage"] == 1
    assert result["class_kl"] == pytest.approx(math.log(10), abs=1e-9)
    assert result["is"] == pytest.approx(1.0, abs=1e-6)
    assert result["recall"] < 0.05 and result["coverage_dc"] < 0.05
    with pytest.raises(ValueError, match="grey images"):
        evaluate_images(np.zeros((10, 28, 28, 3), np.uint8), train_sub, mnist_classifier)


def test_stacked_mnist_modes(mnist_classifier):
    # 2,000 uniform draws from 1,000 modes hit about 1000 * (1 - e^-2) = 865 of them.
    x, _ = load_images("stacked-mnist", "test", seed=0, n=2000, download=False)
    result = stacked_mnist_modes(x, mnist_classifier)
    assert 800 <= result["modes"] <= 1000 and result["kl"] < 0.5
    same = np.repeat(x[:1], 50, axis=0)
    collapsed = stacked_mnist_modes(same, mnist_classifier)
    assert collapsed["modes"] == 1 and collapsed["kl"] == pytest.approx(math.log(1000))


def test_feature_statistics_shapes(mnist_classifier, mnist_real):
    feats, probs = classifier_outputs(mnist_real[0][:100], mnist_classifier)
    mu, sigma = feature_statistics(feats)
    assert feats.shape == (100, 128) and probs.shape == (100, 10)
    assert mu.shape == (128,) and sigma.shape == (128, 128)
    assert np.allclose(probs.sum(1), 1.0)


def test_manifold_metrics_in_one_pass_equal_the_separate_metrics():
    """Three distance matrices instead of six, the real radii kept: exactly the same four numbers."""
    g = torch.Generator().manual_seed(0)
    real = torch.randn(700, 16, generator=g, dtype=torch.float64)
    fake = 0.8 * torch.randn(500, 16, generator=g, dtype=torch.float64) + 0.3
    p, r = precision_recall(real, fake, k=3)
    d, c = density_coverage(real, fake, k=5)
    expected = {"precision": p, "recall": r, "density": d, "coverage_dc": c}
    assert 0 < p < 1 and 0 < r < 1 and 0 < c < 1
    assert manifold_metrics(real, fake) == expected
    assert manifold_metrics(real, fake, real_radii=real_manifold_radii(real, (3, 5))) == expected


def test_classifier_pass_gives_the_numbers_of_the_plain_layout(mnist_classifier, mnist_real):
    """Pool-then-ReLU in channels-last batches of 200: the same features and probabilities as ReLU-then-pool
    over one batch in the default layout (the form the classifier was trained in)."""
    import torch.nn.functional as F

    clf = mnist_classifier
    images = np.asarray(mnist_real[0])[:450]
    feats, probs = classifier_outputs(images, clf)
    with torch.inference_mode():
        x = to_unit(images)
        h = F.max_pool2d(F.relu(clf.conv1(x)), 2)
        h = F.max_pool2d(F.relu(clf.conv2(h)), 2)
        f = F.relu(clf.fc1(h.flatten(1)))
        p = torch.softmax(clf.fc2(f), dim=1)
    np.testing.assert_allclose(feats, f.double().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(probs, p.double().numpy(), rtol=1e-6, atol=1e-6)


def test_real_features_are_kept_between_processes_as_the_same_numbers(mnist_classifier, mnist_real, tmp_path,
                                                                     monkeypatch):
    """The features and the real manifold's radii: computed once per machine, read back as the very numbers."""
    import gan_core.evaluation.evaluator as ev

    monkeypatch.setenv("GAN_CLASSROOM_CACHE", str(tmp_path / "cache"))
    images = np.asarray(mnist_real[0])[:300]
    fresh, fresh_radii = ev._real_features(images, mnist_classifier)
    assert len(list((tmp_path / "cache").glob("real-features-*.npy"))) == 1
    assert len(list((tmp_path / "cache").glob("real-radii-*.npy"))) == len(ev.RADII_K)
    expected = real_manifold_radii(fresh, ev.RADII_K)
    assert all(torch.equal(fresh_radii[k], expected[k]) for k in ev.RADII_K)

    def no_pass(*args, **kwargs):
        raise AssertionError("the cached features should have been read, not computed")

    monkeypatch.setattr(ev, "classifier_outputs", no_pass)
    monkeypatch.setattr(ev, "real_manifold_radii", no_pass)
    cached, cached_radii = ev._real_features(images, mnist_classifier)
    assert cached.dtype == np.float64 and np.array_equal(cached, fresh)
    assert all(torch.equal(cached_radii[k], expected[k]) for k in ev.RADII_K)
    with pytest.raises(AssertionError, match="cached"):  # other images: another file, computed
        ev._real_features(images[:299], mnist_classifier)
