import math

import numpy as np
import pytest

from gan_core.data.points import MIXTURES
from gan_core.evaluation.modes2d import grid_divergences, mode_metrics

RING = MIXTURES["ring8"]


def test_all_on_one_centre_is_one_mode_and_full_collapse_kl():
    s = np.repeat(RING.centres[:1], 2500, axis=0)
    m = mode_metrics(s, RING.centres, RING.sigma)
    assert m.modes == 1 and m.hq == 1.0 and m.kl == pytest.approx(math.log(8))


def test_exactly_uniform_is_every_mode_and_zero_kl():
    s = np.repeat(RING.centres, 100, axis=0)
    m = mode_metrics(s, RING.centres, RING.sigma)
    assert m.modes == 8 and m.hq == 1.0 and m.kl == pytest.approx(0.0, abs=1e-12)


def test_all_far_away_is_zero_hq():
    s = np.full((2500, 2), 10.0)
    m = mode_metrics(s, RING.centres, RING.sigma)
    assert m.hq == 0.0 and m.modes == 0 and m.kl == pytest.approx(math.log(8))


def test_hq_threshold_is_three_sigma():
    c = RING.centres[0]
    inside = c + np.array([2.99 * RING.sigma, 0.0])
    outside = c + np.array([3.01 * RING.sigma, 0.0])
    m = mode_metrics(np.stack([inside, outside]), RING.centres, RING.sigma)
    assert m.hq == 0.5 and m.modes == 1


def test_kl_of_two_thirds_one_third_by_hand():
    grid = MIXTURES["grid25"]
    s = np.concatenate([np.repeat(grid.centres[:1], 2, 0), grid.centres[1:2]])
    m = mode_metrics(s, grid.centres, grid.sigma)
    p = np.array([2 / 3, 1 / 3])
    assert m.kl == pytest.approx(float((p * np.log(25 * p)).sum()))
    assert m.modes == 2


def test_nan_samples_are_not_high_quality():
    s = np.array([[np.nan, 0.0], RING.centres[0]])
    m = mode_metrics(s, RING.centres, RING.sigma)
    assert m.hq == 0.5 and m.modes == 1


def test_grid_kl_js():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20000, 2))
    same = grid_divergences(a, a, (-3, 3, -3, 3))
    assert same["grid_kl"] == pytest.approx(0.0, abs=1e-9) and same["grid_js"] == pytest.approx(0.0, abs=1e-9)
    far = grid_divergences(np.full((50, 2), -2.0), np.full((50, 2), 2.0), (-3, 3, -3, 3))
    assert far["grid_js"] == pytest.approx(math.log(2), rel=1e-6)
    near = grid_divergences(a, rng.normal(size=(20000, 2)), (-3, 3, -3, 3))
    assert 0 < near["grid_js"] < 0.05


def test_occupancy_shares_are_the_mode_metrics_counts_over_all_samples():
    """Hand-made samples: 300 on centre 0, 100 on centre 3 (HQ), 100 at 2.5 sigma from centre 5 (HQ), 500 far away."""
    c = RING.centres
    s = np.concatenate([np.repeat(c[:1], 300, 0), np.repeat(c[3:4], 100, 0),
                        np.repeat(c[5:6] + [2.5 * RING.sigma, 0.0], 100, 0), np.full((500, 2), 9.0)])
    m = mode_metrics(s, c, RING.sigma)
    shares = m.shares()
    assert list(shares) == [f"share_{k}" for k in range(8)] + [f"near_{k}" for k in range(8)]
    hq = {k: v for k, v in shares.items() if k.startswith("share_")}
    assert shares["share_0"] == 0.3 and shares["share_3"] == 0.1 and shares["share_5"] == 0.1
    assert [shares[f"share_{k}"] * 1000 for k in range(8)] == list(m.counts)
    assert sum(hq.values()) == pytest.approx(m.hq) and sum(v > 0 for v in hq.values()) == m.modes == 3
    # where the samples sit, sharp or not: the 500 far points at (9, 9) are nearest the north-east mode
    assert [shares[f"near_{k}"] for k in range(8)] == [0.3, 0.5, 0, 0.1, 0, 0.1, 0, 0]


def test_a_trainer_logs_the_occupancy_of_the_samples_it_scores(tiny_config):
    from gan_core import Trainer

    t = Trainer(tiny_config(steps=10, eval_every=10, eval_samples=400))
    t.train()
    row = t.history.iloc[-1]
    pts = t.sample(400, seed=t.config.seed * 7919 + 10).numpy()  # the samples Trainer.evaluate scored
    m = mode_metrics(pts, RING.centres, RING.sigma)
    assert [row[f"share_{k}"] * 400 for k in range(8)] == pytest.approx(list(m.counts))
    assert row["modes"] == m.modes
