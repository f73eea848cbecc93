"""The arena's verdict: held modes, hops and collapse from a run's occupancy history, and the words for them."""
import numpy as np
import pandas as pd
import pytest

from gan_core.arena.verdict import explain, held_modes, occupancy, place
from gan_core.data.points import MIXTURES
from gan_core.evaluation.modes2d import mode_metrics

RING = MIXTURES["ring8"]


def _history(per_eval: list[list[float]], hq: float = 0.9) -> pd.DataFrame:
    rows = [{"step": 100 * (i + 1), "hq": hq, **{f"near_{k}": s for k, s in enumerate(near)}}
            for i, near in enumerate(per_eval)]
    return pd.DataFrame(rows[::-1])  # any order: occupancy sorts by step


def _one(mode: int, share: float = 0.95) -> list[float]:
    return [share if i == mode else 0.0 for i in range(8)]


def test_held_modes_ignore_strays():
    assert held_modes(np.array([0.9, 0.01, 0, 0, 0, 0, 0, 0.04])) == {0, 7}  # 1/(4*8) = 0.03125


def test_hopping_generator_is_collapsed_and_counted():
    occ = occupancy(_history([_one(0), _one(0), _one(3), _one(5), _one(5)]))
    assert occ.hops == 2 and occ.jumps == 2 and occ.visited == {0, 3, 5} and occ.final == {5}
    assert occ.collapsed and not occ.covers_all
    text = explain("vanilla", occ, RING.centres)
    assert "collapsed" in text and "1 of the 8" in text and "jumped 2 times from mode to mode (onto north-west, " \
        "south-west)" in text
    assert "90% of its samples are sharp" in text


def test_a_generator_that_narrows_onto_two_modes_did_not_jump():
    """The shipped ring8 arena's ns, seed 0: spread at first, then two steady modes while the others fade, their
    shares hovering around the quarter line on the way down. Its held set changes at every crossing (hops), but no
    sample moved onto a mode it had left, so the story is not D chasing G from mode to mode."""
    history = [[0.225, 0.152, 0.196, 0.149, 0.05, 0.018, 0.047, 0.163],
               [0.142, 0.082, 0.109, 0.321, 0.0, 0.0, 0.0, 0.347],
               [0.056, 0.047, 0.045, 0.412, 0.0, 0.0, 0.0, 0.440],
               [0.032, 0.032, 0.032, 0.453, 0.0, 0.0, 0.0, 0.452],  # 3.2%: held, by the quarter-share line
               [0.029, 0.030, 0.034, 0.452, 0.0, 0.0, 0.0, 0.455],
               [0.024, 0.036, 0.024, 0.475, 0.0, 0.0, 0.0, 0.451],
               [0.016, 0.016, 0.020, 0.483, 0.0, 0.0, 0.0, 0.465]]
    occ = occupancy(_history(history, hq=0.92))
    assert occ.hops >= 4 and occ.jumps == 0 and occ.final == {3, 7} and occ.collapsed
    text = explain("ns", occ, RING.centres)
    assert "only 2 of the 8 modes (north-west, south-east)" in text
    assert "jumped" not in text and "D learnt to reject" not in text
    assert "did not jump from mode to mode: it narrowed onto these, letting go of east, north-east, north, west " \
        "and 1 more" in text  # without the protocol's count (share_*), nothing is said of a trickle


def test_a_narrowed_run_says_which_modes_it_left_entirely_and_which_keep_a_trickle():
    """A browser rehearsal: the sentence said 'letting go of east, north-east, north' while the map ringed them (a
    few sharp samples each), and the Modes count said 5/8."""
    history = [[0.225, 0.152, 0.196, 0.149, 0.05, 0.018, 0.047, 0.163],
               [0.142, 0.082, 0.109, 0.321, 0.0, 0.0, 0.0, 0.347],
               [0.016, 0.016, 0.020, 0.483, 0.0, 0.0, 0.0, 0.465]]
    run = _history(history, hq=0.92)  # rows: the last evaluation first
    last_sharp = [0.016, 0.016, 0.0, 0.483, 0.0, 0.0, 0.0, 0.465]  # east and north-east keep a few sharp samples
    for i in range(8):
        run[f"share_{i}"] = [last_sharp[i]] + [0.1] * (len(run) - 1)
    occ = occupancy(run)
    assert occ.final == {3, 7} and occ.captured == {0, 1, 3, 7} and occ.collapsed
    text = explain("ns", occ, RING.centres, ringed=" (ringed on the map)")
    assert "only 2 of the 8 modes (north-west, south-east)" in text
    assert "4 modes are captured (ringed on the map)" in text and "east, north-east get only a trickle" in text
    assert "letting go of north, west, south (no sharp sample left there) and keeping only a trickle on east, " \
        "north-east" in text


def test_a_collapse_onto_most_modes_names_the_ones_missed():
    """grid25: 'sits on 20 of the 25 modes (row 5, column 1; ... and 16 more)' named modes a teacher can see are
    full; the five empty ones are what to point at."""
    from gan_core.data.points import MIXTURES

    grid = MIXTURES["grid25"]
    shares = [0.05] * 20 + [0.0] * 5
    occ = occupancy(_history([[0.04] * 25, shares], hq=0.95))
    assert occ.collapsed and len(occ.final) == 20
    text = explain("ns", occ, grid.centres)
    assert "sit on 20 of the 25 modes and miss" in text and "and 1 more" in text


def test_a_loose_hopping_generator_is_a_loose_collapse():
    """The Unrolled GAN paper's plain GAN: one blob at a time, moving, not yet sharp."""
    occ = occupancy(_history([_one(0, 1.0), _one(4, 1.0), _one(4, 1.0), _one(2, 1.0)], hq=0.01))
    assert occ.collapsed and not occ.sharp and occ.hops == 2
    text = explain("vanilla", occ, RING.centres)
    assert "collapsed" in text and "still loose: only 1%" in text and "(north)" in text


def test_a_loose_spread_whose_held_set_flickers_is_not_a_collapse():
    """A blurry generator over most modes: strays cross the quarter-share line from one evaluation to the next."""
    spread = [0.13] * 7 + [0.02]
    occ = occupancy(_history([[0.125] * 8, spread, [0.125] * 8, spread], hq=0.02))
    assert occ.hops == 3 and len(occ.final) == 7 and not occ.collapsed
    text = explain("pacgan-4", occ, RING.centres)
    assert "collapsed" not in text and "D learnt to reject" not in text
    assert "kept 7 of 8 modes" in text and "changed 3 times" in text and "still loose: only 2%" in text
    sharp = occupancy(_history([[0.125] * 8, spread, [0.125] * 8, spread], hq=0.9))
    assert sharp.collapsed  # the same flicker with sharp samples is a generator dropping and retaking a mode


def test_the_sentence_explains_a_table_count_above_the_held_modes():
    """The arena's table shows the protocol's count (one sharp sample is enough); the sentence beside it says why
    that count is higher than the modes the samples sit on."""
    near = [0.45, 0.01, 0.02, 0.0, 0.0, 0.0, 0.01, 0.51]  # the last evaluation: where the samples sit
    run = _history([_one(0, 0.5)[:7] + [0.4], near])  # rows in reverse: the last evaluation comes first
    sharp = [0.4, 0.004, 0.01, 0.0, 0.0, 0.0, 0.002, 0.5]  # its sharp samples: one or more on modes 1, 2 and 6
    for i in range(8):
        run[f"share_{i}"] = [sharp[i], 0.3 * (i in (0, 7))]
    occ = occupancy(run)
    assert occ.final == {0, 7} and occ.captured == {0, 1, 2, 6, 7} and occ.collapsed
    text = explain("ns", occ, RING.centres)
    assert "96% of its samples sit on only 2 of the 8 modes (east, south-east)" in text
    assert "protocol's count, 5 modes are captured, since one sharp sample" in text
    # the captured modes beyond the held ones are named, so the words agree with a picture that rings them
    assert "north-east, north, south get only a trickle, less than 3% of the samples each" in text
    assert "no sharp sample" not in text
    ringed = explain("ns", occ, RING.centres, ringed=" (ringed on the map)")
    assert "5 modes are captured (ringed on the map)" in ringed
    loose_east = run.copy()
    loose_east["share_7"] = 0.0  # mode 7 holds half the samples, none of them sharp
    assert "1 of the modes it sits on has no sharp sample" in explain("ns", occupancy(loose_east), RING.centres)
    # The other way round (the Train page's "Modes 10/25" beside "kept 22 of 25"): the samples sit on modes where
    # none is sharp yet, so the protocol's count is lower than the held modes; the sentence says why.
    early = run.copy()
    early["share_0"] = 0.0  # modes 0 and 7 are held, only mode 7 has a sharp sample
    for i in (1, 2, 6):
        early[f"share_{i}"] = 0.0
    text = explain("ns", occupancy(early), RING.centres)
    assert "By the protocol's count only 1 mode is captured" in text and "1 of the modes it sits on has none yet" in text
    # the Train page names the count where its reader sees it; the rest of the sentence is the same
    assert explain("ns", occupancy(early), RING.centres, count="By the Modes count above") == text.replace(
        "By the protocol's count", "By the Modes count above")
    run["share_1"] = run["share_2"] = run["share_6"] = 0.0  # captured = held: nothing to explain
    assert "protocol's count" not in explain("ns", occupancy(run), RING.centres)
    assert "protocol's count" not in explain("ns", occupancy(run[[c for c in run if not c.startswith("share_")]]),
                                             RING.centres)


def test_even_cover_is_not_collapse():
    occ = occupancy(_history([[0.11] * 8] * 3))
    assert occ.covers_all and not occ.collapsed and occ.hops == 0
    assert "kept all 8 modes" in explain("pacgan-2", occ, RING.centres)
    # the shares carry the fair share's decimals: 12.5% of 8 (rounded to 12% it read as less than a mode's 13%)
    shares = [0.121, 0.129] + [0.125] * 6
    text = explain("pacgan-2", occupancy(_history([shares] * 3)), RING.centres)
    assert "between 12.1% and 12.9% of the samples (a fair share is 12.5%)" in text, text


def test_a_loose_blob_after_a_few_evaluations_is_too_early_to_call():
    occ = occupancy(_history([_one(0, 1.0), _one(3, 1.0)], hq=0.0))
    assert occ.too_early and not occ.collapsed
    assert "too early to tell after 2 evaluations" in explain("ns", occ, RING.centres)
    assert not occupancy(_history([_one(0)] * 2)).too_early  # sharp samples need no history to be judged


def test_an_arena_summary_tells_each_runs_story():
    import pandas as pd

    from gan_core.arena.verdict import stories

    hop = _history([_one(0, 1.0), _one(3, 1.0), _one(5, 1.0), _one(6, 1.0)], hq=0.02).assign(variant="ns", seed=0)
    even = _history([[0.125] * 8] * 4, hq=0.9).assign(variant="pacgan-2", seed=0)
    text = stories(pd.concat([hop, even]), RING.centres)
    assert "| ns | 0 | 1 | 3 | 3 | 4 | 2.0 | yes (loose) |" in text
    assert "| pacgan-2 | 0 | 8 | 0 | 0 | 8 | 90.0 | no |" in text
    assert "- seed 0: **pacgan-2** kept all 8 modes" in text


def test_blurry_run_is_neither():
    occ = occupancy(_history([[0.125] * 8] * 4, hq=0.05))
    assert not occ.sharp and not occ.collapsed and not occ.covers_all
    assert "has not learnt the modes yet" in explain("ns", occ, RING.centres)


def test_occupancy_matches_mode_metrics_on_real_samples():
    rng = np.random.default_rng(0)
    centres = RING.centres[[1, 4]]
    pts = np.concatenate([c + RING.sigma * rng.standard_normal((500, 2)) for c in centres])
    m = mode_metrics(pts, RING.centres, RING.sigma)
    occ = occupancy(pd.DataFrame([{"step": 1, "hq": m.hq, **m.shares()}]))
    assert occ.final == {1, 4} and occ.collapsed and occ.sharp
    assert sum(occ.final_shares) == pytest.approx(1.0)  # near_k: every sample sits nearest some mode
    assert sum(v for c, v in m.shares().items() if c.startswith("share_")) == pytest.approx(m.hq)


def test_places_in_words():
    assert [place(c, RING.centres) for c in RING.centres[[0, 2, 4, 6]]] == ["east", "north", "west", "south"]
    grid = MIXTURES["grid25"].centres
    top_left = grid[np.argmin(grid[:, 0] - grid[:, 1])]
    assert place(top_left, grid) == "row 1, column 1"


def test_no_shares_is_a_clear_error():
    with pytest.raises(ValueError, match="near_"):
        occupancy(pd.DataFrame({"step": [1], "fid": [3.0]}))


def test_grid_places_read_as_whole_places():
    """On grid25 each place is "row r, column c": a list of them is split by semicolons, so "row 1, column 2; row 5,
    column 3" is not read as four numbers."""
    grid = MIXTURES["grid25"]
    shares = [1 / 22] * 22 + [0.0] * 3
    rows = pd.DataFrame([{"step": 100 * (i + 1), "hq": 0.9, **{f"near_{k}": s for k, s in enumerate(shares)}}
                         for i in range(5)])
    text = explain("ns", occupancy(rows), grid.centres)
    missed = "; ".join(place(grid.centres[i], grid.centres) for i in (22, 23, 24))
    assert f"no samples at {missed}." in text and missed.count(";") == 2
