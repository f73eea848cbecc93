"""The mode-occupancy view draws exactly the shares the mode metrics count, for the samples a trainer scored."""
import numpy as np
import pandas as pd

from dashboard.charts import occupancy, occupancy_matrix
from gan_core import Trainer
from gan_core.data.points import MIXTURES
from gan_core.evaluation.modes2d import mode_metrics


def test_the_heatmap_cells_are_the_mode_metrics_counts_of_each_evaluation(tiny_config):
    t = Trainer(tiny_config(steps=30, eval_every=10, eval_samples=500))
    scored = {}  # step -> the samples Trainer.evaluate scored, drawn with G as it was at that step
    t.train(callback=lambda r: scored.update({r.step: t.sample(500, seed=t.config.seed * 7919 + r.step).numpy()})
            if r.step % 10 == 0 else None)
    evals = t.history.dropna(subset=["modes"])
    steps, shares = occupancy_matrix(evals, 8)
    assert list(steps) == [10, 20, 30] and shares.shape == (8, 3)
    assert np.allclose(shares.sum(0), 1.0)
    ring = MIXTURES["ring8"]
    for j, step in enumerate(steps):
        m = mode_metrics(scored[int(step)], ring.centres, ring.sigma)
        assert np.allclose(shares[:, j] * 500, m.near)  # where the samples sit, sharp or not
        assert np.allclose([evals.iloc[j][f"share_{i}"] * 500 for i in range(8)], m.counts)  # the sharp ones
    fig = occupancy(evals, ring.centres)
    assert np.allclose(np.asarray(fig.data[0].z), 100 * shares)
    assert list(fig.layout.yaxis.ticktext) == ["east", "north-east", "north", "north-west", "west", "south-west",
                                              "south", "south-east"]  # the words of the arena's verdict


def test_a_hopping_generator_draws_one_bright_cell_per_column():
    e = pd.DataFrame([{"step": s, **{f"share_{i}": 0.9 * (i == s // 100 % 8) for i in range(8)}} for s in range(100, 900, 100)])
    _, shares = occupancy_matrix(e, 8)
    assert (shares > 0).sum(0).tolist() == [1] * 8 and shares.argmax(0).tolist() == [1, 2, 3, 4, 5, 6, 7, 0]
    assert occupancy(pd.DataFrame(), MIXTURES["grid25"].centres).layout.annotations  # "appears after the first evaluation"


def test_the_charts_read_on_a_projector():
    """grid25's heatmap gives every mode's label its own row; the mode chart names its two lines on its axes (a
    legend ran into the title) with round % ticks; a fresh run's losses tick whole steps."""
    from dashboard.charts import curves, mode_metrics_chart

    grid = MIXTURES["grid25"]
    evals = pd.DataFrame([{"step": s, "modes": 10, "hq": 0.5, **{f"near_{i}": 0.04 for i in range(25)}}
                          for s in (500, 1000)])
    fig = occupancy(evals, grid.centres)
    assert len(fig.layout.yaxis.ticktext) == 25 and fig.layout.height >= 14 * 25 + 90
    assert occupancy(evals, MIXTURES["ring8"].centres).layout.height == 260  # ring8 keeps its height
    modes = mode_metrics_chart(evals, 25)
    assert modes.layout.showlegend is False
    assert "modes covered" in modes.layout.yaxis.title.text and "% high quality" in modes.layout.yaxis2.title.text
    assert list(modes.layout.yaxis2.tickvals) == [0, 25, 50, 75, 100]
    fresh = pd.DataFrame({"step": [1, 2, 3], "d_loss": [1.0, 0.9, 0.8], "g_loss": [0.7, 0.8, 0.9]})
    assert curves(fresh, {"d_loss": "D loss"}, "Losses", "loss").layout.xaxis.dtick == 1
    later = pd.DataFrame({"step": [100, 200], "d_loss": [1.0, 0.9]})
    assert curves(later, {"d_loss": "D loss"}, "Losses", "loss").layout.xaxis.dtick is None
