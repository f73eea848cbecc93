"""The arena's verdict: held modes, hops and collapse from a run's occupancy history, and the words for them."""
import numpy as np
import pandas as pd
import pytest

from gan_core.arena.verdict import explain, held_modes, occupancy, place
from gan_core.data.points import MIXTURES
from gan_core.evaluation.modes2d import mode_metrics

RING = MIXTURES["ring8"]


def _history(per_eval: list[list[float]], hq: list[float] | None = None) -> pd.DataFrame:
    rows = []
    for i, shares in enumerate(per_eval):
        row = {"step": 100 * (i + 1), **{f"share_{k}": s for k, s in enumerate(shares)}}
        row["hq"] = sum(shares) if hq is None else hq[i]
        rows.append(row)
    return pd.DataFrame(rows[::-1])  # any order: occupancy sorts by step


def _one(mode: int, share: float = 0.95) -> list[float]:
    return [share if i == mode else 0.0 for i in range(8)]


def test_held_modes_ignore_strays():
    assert held_modes(np.array([0.9, 0.01, 0, 0, 0, 0, 0, 0.04])) == {0, 7}  # 1/(4*8) = 0.03125


def test_hopping_generator_is_collapsed_and_counted():
    occ = occupancy(_history([_one(0), _one(0), _one(3), _one(5), _one(5)]))
    assert occ.hops == 2 and occ.visited == {0, 3, 5} and occ.final == {5}
    assert occ.collapsed and not occ.covers_all
    text = explain("vanilla", occ, RING.centres)
    assert "collapsed" in text and "1 of the 8" in text and "jumped 2 times" in text and "visited 3 of the 8" in text


def test_even_cover_is_not_collapse():
    occ = occupancy(_history([[0.11] * 8] * 3))
    assert occ.covers_all and not occ.collapsed and occ.hops == 0
    assert "kept all 8 modes" in explain("pacgan-2", occ, RING.centres)


def test_blurry_run_is_neither():
    occ = occupancy(_history([_one(2, 0.1)] * 3))
    assert not occ.sharp and not occ.collapsed and not occ.covers_all
    assert "has not learnt the modes yet" in explain("ns", occ, RING.centres)


def test_occupancy_matches_mode_metrics_on_real_samples():
    rng = np.random.default_rng(0)
    centres = RING.centres[[1, 4]]
    pts = np.concatenate([c + RING.sigma * rng.standard_normal((500, 2)) for c in centres])
    m = mode_metrics(pts, RING.centres, RING.sigma)
    occ = occupancy(pd.DataFrame([{"step": 1, "hq": m.hq, **m.shares()}]))
    assert occ.final == {1, 4} and occ.collapsed
    assert sum(occ.final_shares) == pytest.approx(m.hq)


def test_places_in_words():
    assert [place(c, RING.centres) for c in RING.centres[[0, 2, 4, 6]]] == ["east", "north", "west", "south"]
    grid = MIXTURES["grid25"].centres
    top_left = grid[np.argmin(grid[:, 0] - grid[:, 1])]
    assert place(top_left, grid) == "row 1, column 1"


def test_no_shares_is_a_clear_error():
    with pytest.raises(ValueError, match="share_"):
        occupancy(pd.DataFrame({"step": [1], "fid": [3.0]}))
