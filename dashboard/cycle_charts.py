"""Plotly figures of the Style transfer page, built from a `CycleSnapshot`'s plain numbers. No Streamlit here.

Colours: the arrow plots keep the app's legend (dashboard/charts.py): blue is real (the domain translated to),
vermillion is fake (the translations), green the way back (a generator's work), grey the points translated. The
losses keep it too: the generators' in green and the discriminators' in purple (solid for the A->B side, dashed for
B->A), the cycle losses in black, the identity losses in grey and the class terms in orange; the progress chart's
two directions take orange and sky blue.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.charts import (BLANK_AXIS, D_COLOUR, FAKE, G_COLOUR, MAX_CURVE_POINTS, MODE, NEUTRAL, REAL, _figure,
                              _note, _segments)

# The progress chart's two directions: Okabe-Ito orange and sky blue, told apart with colour blindness, and not the
# vermillion and green the rest of the app gives to fake samples and to the generator.
TO_COLOUR, BACK_COLOUR = "#E69F00", "#56B4E9"
LOSSES = {"loss_g": "G (A->B) adversarial", "loss_f": "F (B->A) adversarial", "loss_d_a": "D_A", "loss_d_b": "D_B",
          "cycle_a": "cycle A->B->A", "cycle_b": "cycle B->A->B", "identity_a": "identity F(a)",
          "identity_b": "identity G(b)", "class_g": "class term G(a)", "class_f": "class term F(b)"}
# Each loss: (colour, dash), in the app's legend: a generator's green, a discriminator's purple (charts.py).
LOSS_STYLE = {"loss_g": (G_COLOUR, "solid"), "loss_f": (G_COLOUR, "dash"), "loss_d_a": (D_COLOUR, "solid"),
              "loss_d_b": (D_COLOUR, "dash"), "cycle_a": (MODE, "solid"), "cycle_b": (MODE, "dash"),
              "identity_a": (NEUTRAL, "solid"), "identity_b": (NEUTRAL, "dash"), "class_g": (TO_COLOUR, "solid"),
              "class_f": (TO_COLOUR, "dash")}


def _every(xs: list, n: int = MAX_CURVE_POINTS) -> np.ndarray:
    step = max(1, len(xs) // n)
    return np.asarray(xs, dtype=float)[::step]


def losses(series: dict, height: int = 300) -> go.Figure:
    """Every loss against the step (identity only while its weight is on)."""
    traces = []
    if series.get("step"):
        x = _every(series["step"])
        for key, name in LOSSES.items():
            y = _every(series.get(key, []))
            colour, dash = LOSS_STYLE[key]
            if len(y) and np.isfinite(y).any():
                traces.append(dict(type="scatter", x=x, y=y, mode="lines", name=name,
                                   line=dict(width=2, color=colour, dash=dash)))
    notes = [] if traces else [_note("press Train to start")]
    blank = {} if traces else BLANK_AXIS  # an empty chart has no numbers on its axes (it showed -1..4 and 0..6)
    return _figure(traces, "Losses", height, annotations=notes, xaxis=dict(title=dict(text="step"), **blank),
                   yaxis=dict(title=dict(text="loss"), **blank), legend=dict(font=dict(size=12)))


def progress(evals: dict, is_image: bool, height: int = 300) -> go.Figure:
    """Class preserved (images) and cycle error over training, for both directions, in % as the page's metrics."""
    traces = []
    if evals.get("step"):
        x = np.asarray(evals["step"], dtype=float)
        keys = [("class_ab", "class kept A->B", TO_COLOUR, "solid"), ("class_ba", "class kept B->A", BACK_COLOUR, "solid")] \
            if is_image else []
        keys += [("cycle_ab", "cycle error A->B->A", TO_COLOUR, "dot"), ("cycle_ba", "cycle error B->A->B", BACK_COLOUR, "dot")]
        for key, name, colour, dash in keys:
            if key in evals:
                traces.append(dict(type="scatter", x=x, y=100 * np.asarray(evals[key], dtype=float),
                                   mode="lines+markers", name=name, line=dict(width=3, color=colour, dash=dash),
                                   hovertemplate="step %{x:,}: %{y:.1f}%<extra>" + name + "</extra>"))
    notes = [] if traces else [_note("measured every few steps on held-out samples")]
    title = "Class kept, cycle error (held-out, %)" if is_image else "Cycle error (held-out, % of the spread)"
    # Four legend entries beside a long title overlap it on a half-width chart: smaller, they wrap onto two rows at
    # the right, as the losses chart's do.
    blank = {} if traces else BLANK_AXIS
    return _figure(traces, title, height, annotations=notes, xaxis=dict(title=dict(text="step"), **blank),
                   yaxis=dict(ticksuffix="%", rangemode="tozero", **blank), legend=dict(font=dict(size=12)))


SOURCE = "#444444"  # the source domain's points: dark grey, neither real (blue) nor generated (vermillion)


def arrows_2d(panel: dict, title: str = "A -> B and back", height: int = 460, n_arrows: int = 120) -> go.Figure:
    """Both domains, where G sends A's points (arrows a -> G(a)) and where F brings them back (G(a) -> F(G(a)))."""
    traces = []
    if panel:
        a, ab, aba, b = panel["a"], panel["ab"], panel["aba"], panel["b"]
        for pts, name, colour in ((b, "target domain", REAL), (ab, "translations", FAKE)):
            traces.append(dict(type="scatter", x=pts[:, 0], y=pts[:, 1], mode="markers", name=name,
                               marker=dict(size=5, color=colour, opacity=0.6)))
        k = min(n_arrows, len(a))
        xs, ys = _segments(a[:k], ab[:k])
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", name="point -> translation", hoverinfo="skip",
                           opacity=0.45, line=dict(width=1, color=FAKE)))
        xs, ys = _segments(ab[:k], aba[:k])
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", name="translation -> way back", hoverinfo="skip",
                           opacity=0.45, line=dict(width=1, color=G_COLOUR, dash="dot")))
        # The source points above the translations and the arrows (drawn under them in light grey, they were lost
        # where the two shapes overlap), and the way back above them: an x on a dark dot is a point that came home.
        traces.append(dict(type="scatter", x=a[:, 0], y=a[:, 1], mode="markers", name="source domain",
                           marker=dict(size=4, color=SOURCE, opacity=0.75)))
        traces.append(dict(type="scatter", x=aba[:k, 0], y=aba[:k, 1], mode="markers", name="back in the source domain",
                           marker=dict(size=5, color=G_COLOUR, symbol="x")))
    notes = [] if traces else [_note("press Train to start")]
    return _figure(traces, f"{title}: arrows from each point to its translation", height, annotations=notes,
                   yaxis=dict(scaleanchor="x", scaleratio=1), legend=dict(orientation="h", yanchor="top", y=-0.08,
                                                                         xanchor="left", x=0.0, font=dict(size=12)),
                   margin=dict(t=44, b=60))


def draw_grid(n: int, height: int = 380) -> go.Figure:
    """An n x n grid of cells to select (box / lasso): the cells chosen become a digit's ink."""
    yy, xx = np.mgrid[0:n, 0:n]
    trace = dict(type="scatter", x=xx.ravel(), y=yy.ravel(), mode="markers", name="cells", hoverinfo="skip",
                 marker=dict(size=22, symbol="square", color="#eeeeee", line=dict(width=1, color="#bbbbbb")),
                 selected=dict(marker=dict(color="#111111")), unselected=dict(marker=dict(opacity=1.0)))
    return _figure([trace], "Draw: select cells", height, show_legend=False,
                   xaxis=dict(visible=False, range=[-0.7, n - 0.3]),
                   yaxis=dict(visible=False, range=[-0.7, n - 0.3], scaleanchor="x", scaleratio=1),
                   dragmode="lasso")
