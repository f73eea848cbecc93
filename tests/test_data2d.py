
import numpy as np
import pytest
import torch

from gan_core.data.points import MIXTURES, SHAPES, Data2D, parse_points_csv


def test_ring8_follows_the_protocol():
    m = MIXTURES["ring8"]
    assert m.k == 8 and m.sigma == 0.02
    assert np.allclose(np.linalg.norm(m.centres, axis=1), 2.0)
    # 2*pi*k/8, k = 0..7: 8 distinct centres, 45 degrees apart (no linspace duplicate).
    angles = np.sort(np.mod(np.arctan2(m.centres[:, 1], m.centres[:, 0]), 2 * np.pi))
    assert np.allclose(np.diff(angles), np.pi / 4)
    assert len(np.unique(np.round(m.centres, 6), axis=0)) == 8


def test_ring8_pacgan_and_grid25():
    m = MIXTURES["ring8-pacgan"]
    assert m.k == 8 and m.sigma == 0.01 and np.allclose(np.linalg.norm(m.centres, axis=1), 1.0)
    g = MIXTURES["grid25"]
    assert g.k == 25 and g.sigma == 0.05
    assert sorted(set(np.round(g.centres[:, 0], 6))) == [-4, -2, 0, 2, 4]
    assert sorted(set(np.round(g.centres[:, 1], 6))) == [-4, -2, 0, 2, 4]


@pytest.mark.parametrize("name", ["ring8", "grid25", "ring8-pacgan", "two-gaussians"])
def test_mixture_samples_have_the_stated_sigma_and_balance(name):
    d = Data2D(name)
    x = d.sample(50_000, torch.Generator().manual_seed(0)).numpy()
    c = d.mixture.centres
    nearest = ((x[:, None] - c[None]) ** 2).sum(-1).argmin(1)
    resid = x - c[nearest]
    assert resid.std() == pytest.approx(d.mixture.sigma, rel=0.03)
    counts = np.bincount(nearest, minlength=d.mixture.k)
    assert counts.min() > 0.8 * len(x) / d.mixture.k


@pytest.mark.parametrize("name", SHAPES)
def test_shapes_are_bounded_and_seeded(name):
    a = Data2D(name).sample(1000, torch.Generator().manual_seed(3))
    b = Data2D(name).sample(1000, torch.Generator().manual_seed(3))
    assert a.shape == (1000, 2) and torch.equal(a, b)
    assert a.abs().max() < 3.0


def test_points_resamples_the_users_points():
    pts = [[0.0, 1.0], [2.0, 3.0]]
    x = Data2D("points", points=pts).sample(100, torch.Generator().manual_seed(0)).numpy()
    assert set(map(tuple, x.tolist())) == {(0.0, 1.0), (2.0, 3.0)}


def test_parse_points_csv_good():
    arr = parse_points_csv("x,y\n1,2\n3.5,-4\n")
    assert arr.tolist() == [[1.0, 2.0], [3.5, -4.0]]
    assert parse_points_csv(b"1,2\n3,4").shape == (2, 2)  # no header is fine


@pytest.mark.parametrize("data,needle", [
    (b"", "empty"),
    (b"x,y\n", "no points"),
    (b"x,y\n1,abc\n", "not a number"),
    (b"x,y\n1,nan\n", "finite"),
    (b"x,y\n1,inf\n", "finite"),
    (b"x\n1\n2\n", "header"),
    (b"1\n2\n", "two numbers"),
    (b"x;y\n1;2\n", "commas"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    (b"x,y\n\xff\xfe1,2\n", "UTF-8"),
    (b"x,y,z\n1,2,3\n", "header"),
    (b"x,y\n1,2\n", "only 1 point; a GAN needs at least 2 distinct points"),
    (b"x,y\n1,2\n1,2\n1.0,2.0\n", "3 points, all at the same place .* at least 2 distinct points"),
])
def test_parse_points_csv_bad_inputs_say_what_is_wrong(data, needle):
    with pytest.raises(ValueError, match=needle):
        parse_points_csv(data)


def test_parse_points_csv_limits():
    with pytest.raises(ValueError, match="limit"):
        parse_points_csv(b"x,y\n" + b"1,2\n" * 11, max_rows=10)
    with pytest.raises(ValueError, match="MB"):
        parse_points_csv(b"1,2\n" * 100, max_bytes=100)
