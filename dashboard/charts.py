"""Plotly figures for the pages, built from plain numbers (snapshots, arrays). No Streamlit here.

Sized for a projector: large fonts, thick lines, every axis labelled, and one colour legend for the whole app
(LEGEND), from the Okabe-Ito palette, which stays distinct for the common kinds of colour blindness. Each colour
has one meaning: blue is real (real points, where D says real, D's output on real data), vermillion is fake
(generated points, where D says fake, D's output on fakes, the classes of generated images), green is the
generator G (its losses, its manifold, the direction it pushes each fake), purple the discriminator D. Modes are
marked by shape, in black: a ring where a mode is covered, a cross where it is missed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

FONT = dict(size=15)
REAL = "#0072B2"        # Okabe-Ito blue
FAKE = "#D55E00"        # Okabe-Ito vermillion
G_COLOUR = "#009E73"    # Okabe-Ito bluish green
D_COLOUR = "#CC79A7"    # Okabe-Ito reddish purple
MODE = "#000000"        # mode marks: a ring (covered) or a cross (missed)
NEUTRAL = "#999999"     # what is neither real nor fake (the canvas's empty grid, the latent plane)
MAX_CURVE_POINTS = 400
# D's map: pale vermillion where D says fake, white where it cannot tell, pale blue where it says real.
D_MAP_SCALE = [[0.0, FAKE], [0.5, "#ffffff"], [1.0, REAL]]
LEGEND = (("real", REAL, "data, and where D says real"), ("fake", FAKE, "G's samples, and where D says fake"),
          ("G", G_COLOUR, "the generator"), ("D", D_COLOUR, "the discriminator"))


def legend_html(modes: bool = True) -> str:
    """The colour legend, stated once on a page (a line of HTML; the charts below use the same colours); the mode
    marks with it when the data has modes."""
    swatch = '<span style="display:inline-block;width:.75em;height:.75em;border-radius:50%;background:{};' \
             'margin:0 .25em 0 .8em;vertical-align:-.05em"></span>'
    item = '<span style="white-space:nowrap">{}</span> '
    items = "".join(item.format(swatch.format(c) + f"<b>{name}</b> {text}") for name, c, text in LEGEND)
    marks = (item.format("&ensp;<b>&#9711;</b> mode covered") + item.format("&ensp;<b>&#10005;</b> mode missed")
             if modes else "")
    return f'<div style="font-size:.85rem;line-height:1.45">{items}{marks}</div>'


def _figure(traces: list[dict], title: str, height: int = 300, show_legend: bool = True, **layout) -> go.Figure:
    """One go.Figure from plain dicts: built in one go, ~10x faster than add_trace / update_layout
    (this runs once a second while training, beside the training thread)."""
    base = dict(title=dict(text=title, font=dict(size=17)), height=height, font=FONT,
                margin=dict(l=10, r=10, t=44, b=10), showlegend=show_legend,
                legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
                uirevision="keep")  # keep the zoom between live redraws
    for key, value in layout.items():
        base[key] = {**base[key], **value} if isinstance(base.get(key), dict) and isinstance(value, dict) else value
    return go.Figure(dict(data=traces, layout=base))


BLANK_AXIS = dict(showticklabels=False, showgrid=False, zeroline=False)  # an empty chart's axes: no made-up numbers


def _note(text: str) -> dict:
    return dict(text=text, showarrow=False, font=dict(size=16, color="#888"), xref="paper", yref="paper", x=0.5, y=0.5)


def thin(df: pd.DataFrame, n: int = MAX_CURVE_POINTS) -> pd.DataFrame:
    if len(df) <= n:
        return df
    return df.iloc[np.linspace(0, len(df) - 1, n).astype(int)]


def curves(history: pd.DataFrame, columns: dict[str, str], title: str, y_title: str,
           colours: tuple[str, ...] = (D_COLOUR, G_COLOUR), height: int = 240, log_y: bool = False,
           empty_note: str = "press Train to start", references: dict[str, float] | None = None) -> go.Figure:
    """Line chart of some history columns against the step ({column: legend name}); `empty_note` stands in the
    middle while there is nothing to draw. `references` ({label: value}): dotted grey lines across the chart, each
    labelled at its right end (a value to compare the curve with, there before the first point)."""
    h = thin(history)
    shown = [(col, name, colour) for (col, name), colour in zip(columns.items(), colours) if col in h]
    finite = [int(np.isfinite(h[col].to_numpy(dtype=float)).sum()) for col, _, _ in shown]
    # Sparse values (an evaluation every 500 steps) get a marker each: a line needs two points to be seen.
    traces = [dict(type="scatter", x=h["step"].to_numpy(), y=h[col].to_numpy(), name=name,
                   mode="lines+markers" if n <= 30 else "lines", line=dict(width=3, color=colour), marker=dict(size=8))
              for (col, name, colour), n in zip(shown, finite)]
    notes = [] if len(h) else [_note(empty_note)]
    # The first few steps: whole steps on the axis (Plotly would tick 1, 1.5, 2, ...).
    # autorange said each time: the live chart keeps its layout between redraws (uirevision), and an axis once
    # fitted to the first steps would otherwise stay there while the run goes on
    x_axis = {"autorange": True, **({"dtick": 1} if len(h) and h["step"].max() < 8 else {})}
    y_axis = {"autorange": True, **({"dtick": 1} if log_y else {})}
    if finite and max(finite) == 1:  # one value so far: from step 0 and value 0, not 499.5-500.5 around the point
        x_axis = {"range": [0, 1.1 * float(h["step"].max())], "autorange": False}
        y_axis = y_axis if log_y else {"autorange": True, "rangemode": "tozero"}
    if not len(h):  # nothing drawn yet: no numbers along empty axes
        x_axis = {**x_axis, **BLANK_AXIS}
        if not references:
            y_axis = {**y_axis, **BLANK_AXIS}
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=v, y1=v, layer="below",
                   line=dict(color="#777", width=2, dash="dot")) for v in (references or {}).values()]
    notes += [dict(text=label, showarrow=False, xref="paper", x=1, xanchor="right", yref="y", y=v, yanchor="bottom",
                   font=dict(size=13, color="#555")) for label, v in (references or {}).items()]
    if references and not len(h):  # the empty chart spans its references, from 0
        y_axis = {"range": [0, 1.6 * max(references.values())], "autorange": False}
    return _figure(traces, title, height, annotations=notes, shapes=shapes,
                   xaxis=dict(title=dict(text="step"), **x_axis),
                   yaxis=dict(title=dict(text=y_title), type="log" if log_y else "linear", **y_axis))


def gradient_norm_chart(history: pd.DataFrame, clip_norm: float = 0.0, height: int = 240) -> go.Figure:
    """D's and G's gradient norms (before clipping) on a log axis; with gradient clipping on, its threshold as a
    dashed line: the steps above it are the ones the clipping shortened."""
    fig = curves(history, {"d_grad": "D", "g_grad": "G"}, "Gradient norms (before clipping)" if clip_norm > 0
                 else "Gradient norms", "norm", height=height, log_y=True)
    if clip_norm > 0:
        h = thin(history)
        steps = h["step"].to_numpy() if len(h) else np.array([0, 1])
        line = dict(type="scatter", x=[steps.min(), steps.max()], y=[clip_norm, clip_norm], mode="lines",
                    name=f"clip_norm {clip_norm:g}", line=dict(width=2, color="#444", dash="dash"))
        fig = go.Figure(dict(data=[*fig.to_dict()["data"], line], layout=fig.layout))
    return fig


def mode_metrics_chart(evals: pd.DataFrame, k: int | None, height: int = 260) -> go.Figure:
    """Modes covered (left axis) and % high-quality samples (right axis) over time."""
    traces, notes = [], []
    if not evals.empty and "modes" in evals:
        e = thin(evals)
        traces = [dict(type="scatter", x=e["step"].to_numpy(), y=e["modes"].to_numpy(), name="modes covered",
                       mode="lines+markers", line=dict(width=3, color=MODE)),
                  dict(type="scatter", x=e["step"].to_numpy(), y=100 * e["hq"].to_numpy(), name="% high quality",
                       mode="lines", line=dict(width=3, color=NEUTRAL, dash="dot"), yaxis="y2")]
    else:
        notes = [_note("the metrics appear after the first evaluation")]
    # No legend (in a half-width column it ran into the title): each axis title names its line, in its colour.
    return _figure(traces, "Modes covered and sample quality", height, show_legend=False, annotations=notes,
                   xaxis=dict(title=dict(text="step"), showticklabels=bool(traces)),  # no numbers on an empty axis
                   yaxis=dict(title=dict(text="modes covered (line)", font=dict(color=MODE)), range=[0, (k or 1) + 0.5]),
                   yaxis2=dict(title=dict(text="% high quality (dots)", font=dict(color=NEUTRAL)), overlaying="y",
                               side="right", range=[0, 100], showgrid=False, tickmode="array",
                               tickvals=[0, 25, 50, 75, 100]))


def _segments(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line segments a[i] -> b[i] as one polyline broken by NaNs."""
    nan = np.full(len(a), np.nan)
    return (np.column_stack([a[:, 0], b[:, 0], nan]).ravel(), np.column_stack([a[:, 1], b[:, 1], nan]).ravel())


def view_2d(v, show: dict[str, bool], height: int = 560, max_points: int = 400) -> go.Figure:
    """GAN Lab's main picture: D's decision map, real and fake points, the generator's manifold, the direction
    G pushes each fake, and the mixture's modes (ring = covered, cross = missed). No legend of its own: the
    page states the colours once (LEGEND) for every chart."""
    x0, x1, y0, y1 = v.bounds
    traces: list[dict] = []
    if show.get("heatmap", True):
        if v.d_is_probability:
            zmin, zmax, label = 0.0, 1.0, "D(x)"
        else:
            lim = float(np.nanmax(np.abs(v.d_map))) or 1.0
            zmin, zmax, label = -lim, lim, "D score"
        mid = (zmin + zmax) / 2
        traces.append(dict(type="heatmap", x=v.grid_x, y=v.grid_y, z=v.d_map, zmin=zmin, zmax=zmax,
                           colorscale=D_MAP_SCALE, opacity=0.4, showscale=True, hoverinfo="skip", name="D",
                           zsmooth="fast",  # drawn at the grid's size and scaled by the browser: a cheap redraw
                           colorbar=dict(title=dict(text=label), thickness=14, len=0.8, tickvals=[zmin, mid, zmax],
                                         ticktext=["fake", f"{mid:.2g}", "real"])))
    if show.get("manifold", True) and v.manifold is not None:
        lines = v.manifold
        pad = np.full((len(lines), 1), np.nan)
        xs = np.concatenate([lines[:, :, 0], pad], axis=1).ravel()
        ys = np.concatenate([lines[:, :, 1], pad], axis=1).ravel()
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", name="G's manifold", hoverinfo="skip",
                           line=dict(width=1, color="rgba(0,158,115,0.55)")))
    if show.get("modes", True) and v.centres is not None:
        # under the points: a missed mode's cross must not hide the real cluster it marks (ring8's are tiny)
        traces.extend(mode_marks(v.centres, v.covered, size=18))
    if show.get("real", True) and len(v.real):
        r = v.real[:max_points]
        traces.append(dict(type="scatter", x=r[:, 0], y=r[:, 1], mode="markers", name="real",
                           marker=dict(size=5, color=REAL, opacity=0.7)))
    if show.get("fake", True):
        f = v.fake[:max_points]
        traces.append(dict(type="scatter", x=f[:, 0], y=f[:, 1], mode="markers", name="fake",
                           marker=dict(size=6, color=FAKE, opacity=0.9, line=dict(width=0.6, color="#ffffff"))))
    if show.get("arrows", True) and len(v.arrow_from):
        span = 0.05 * max(x1 - x0, y1 - y0)
        tips = v.arrow_from + span * v.arrow_dir
        xs, ys = _segments(v.arrow_from, tips)
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", name="where G pushes each fake",
                           hoverinfo="skip", line=dict(width=1.8, color="rgba(0,110,80,0.9)")))
    return _figure(traces, view_title(show), height, show_legend=False,
                   xaxis=dict(range=[x0, x1], showgrid=False, zeroline=False),
                   yaxis=dict(range=[y0, y1], showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1),
                   margin=dict(t=40, b=10))


def view_title(show: dict[str, bool]) -> str:
    """The main 2D view's title, naming what the Show pills leave on it (with D's map off it said "D's map")."""
    points = [w for w, key in (("real", "real"), ("fake", "fake")) if show.get(key, True)]
    said = " and the ".join(points)
    if show.get("heatmap", True):
        return f"D's map, the {said} points" if points else "D's map"
    return f"The {said} points" if points else "The plane of the samples"


def mode_marks(centres: np.ndarray, covered, size: int = 18) -> list[dict]:
    """The mixture's modes: a black ring where a mode is covered, a black cross where it is missed."""
    covered = np.asarray(covered, dtype=bool) if covered is not None else np.ones(len(centres), bool)
    out = []
    for hit, name, marker in ((True, "mode covered", dict(symbol="circle-open", size=size, color=MODE,
                                                          line=dict(width=3, color=MODE))),
                              (False, "mode missed", dict(symbol="x", size=size * 0.75, color=MODE,
                                                          line=dict(width=1, color="#ffffff")))):
        c = centres[covered == hit]
        out.append(dict(type="scatter", x=c[:, 0], y=c[:, 1], mode="markers", name=name, marker=marker,
                        hoverinfo="skip"))
    return out


def points_picker(candidates: np.ndarray, chosen: np.ndarray, height: int = 460) -> go.Figure:
    """A grid of candidate points to click / box-select (grey) with the chosen ones drawn on top (real data: blue)."""
    traces = [dict(type="scatter", x=candidates[:, 0], y=candidates[:, 1], mode="markers", name="click or box-select",
                   marker=dict(size=7, color="rgba(127,127,127,0.25)"))]
    if len(chosen):
        traces.append(dict(type="scatter", x=chosen[:, 0], y=chosen[:, 1], mode="markers", name="your data",
                           marker=dict(size=8, color=REAL), hoverinfo="skip"))
    return _figure(traces, "Draw your data: click points, or drag a box / lasso to fill a region", height,
                   yaxis=dict(scaleanchor="x", scaleratio=1), dragmode="select", clickmode="event+select")


def scatter_points(points: np.ndarray, title: str, height: int = 380, colour: str = FAKE,
                   highlight: np.ndarray | None = None, bounds=None, path: np.ndarray | None = None,
                   path_name: str = "") -> go.Figure:
    """Points (G's samples: the fake colour) with `highlight` as black stars (the last trace, joined by a line when
    several) and, under them, `path` (M, 2): where the star goes as one latent coordinate sweeps its range."""
    traces = [dict(type="scatter", x=points[:, 0], y=points[:, 1], mode="markers", name="samples",
                   marker=dict(size=5, color=colour, opacity=0.6))]
    if path is not None and len(path):
        traces.append(dict(type="scatter", x=path[:, 0], y=path[:, 1], mode="lines+markers", name=path_name,
                           line=dict(color=MODE, width=2, dash="dot"), hoverinfo="skip",
                           # the start's ring wider than the star (16 px): z's own place is often the start
                           marker=dict(size=[24] + [0] * (len(path) - 2) + [9], color=MODE, line=dict(width=2),
                                       symbol=["circle-open"] + ["circle"] * (len(path) - 2) + ["circle"])))
    if highlight is not None:
        traces.append(dict(type="scatter", x=highlight[:, 0], y=highlight[:, 1], mode="markers+lines", name="your z",
                           marker=dict(size=16, color=MODE, symbol="star"), line=dict(color=MODE, width=2)))
    xaxis, yaxis = {}, dict(scaleanchor="x", scaleratio=1)
    if bounds is not None:
        xaxis["range"], yaxis["range"] = list(bounds[:2]), list(bounds[2:])
    return _figure(traces, title, height, xaxis=xaxis, yaxis=yaxis,  # the legend under the chart, clear of the title
                   legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0.0), margin=dict(b=40))


def view_bounds(points: np.ndarray, pad: float = 0.15) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) around the middle 99% of `points`, padded: a fixed view, so a moving star does not rescale it."""
    lo, hi = np.nanpercentile(points, 0.5, axis=0), np.nanpercentile(points, 99.5, axis=0)
    span = np.maximum(hi - lo, 1e-6)
    lo, hi = lo - pad * span, hi + pad * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def class_histogram(counts: np.ndarray, names: list[str] | None = None, height: int = 260) -> go.Figure:
    """The evaluation classifier's reading of a batch of G's samples, the batch's size in the title (the grid beside
    it shows fewer of them)."""
    names = names or [str(i) for i in range(len(counts))]
    n = int(np.asarray(counts).sum())
    title = f"Which classes the classifier reads in {n:,} of G's samples" if n else "Which classes the generator makes"
    return _figure([dict(type="bar", x=names, y=np.asarray(counts), marker=dict(color=FAKE))],
                   title, height, show_legend=False,
                   xaxis=dict(title=dict(text="class the classifier sees"), type="category"),
                   yaxis=dict(title=dict(text="samples")))


PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
# Variants that score alike draw the same line: each is drawn narrower than the one before, with a marker of its
# own, so a line on top leaves the one below showing around it (two variants holding all 8 modes looked like one).
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")


def _line_style(i: int) -> tuple[dict, dict]:
    """(line, marker) of the i-th variant: its colour, a width and marker size that shrink with i, its symbol."""
    width = max(1.5, 6.0 - 1.25 * i)
    return (dict(width=width, color=PALETTE[i % len(PALETTE)]),
            dict(symbol=SYMBOLS[i % len(SYMBOLS)], size=max(6.0, 13.0 - 2.0 * i), color=PALETTE[i % len(PALETTE)]))


def arena_lines(df: pd.DataFrame, metric: str, title: str, y_title: str, height: int = 280,
                order: tuple[str, ...] | list[str] = ()) -> go.Figure:
    """One line per variant (mean over seeds) of an arena metric over steps; a variant keeps its colour
    (its place in `order`) in every chart."""
    traces = []
    last = 0
    if not df.empty:
        last = int(df["step"].max())
        mean = df.groupby(["variant", "step"], as_index=False)[metric].mean()
        names = list(order) or list(dict.fromkeys(df["variant"]))
        for i, name in enumerate(names):
            part = mean[mean["variant"] == name].sort_values("step")
            if len(part):
                line, marker = _line_style(i)
                traces.append(dict(type="scatter", x=part["step"].to_numpy(), y=part[metric].to_numpy(), name=name,
                                   mode="lines+markers", line=line, marker=marker))
    # From step 0: training's progress reads left to right, and a first evaluation alone is not drawn on an axis
    # of its own rounding ("199 200 200 201").
    xaxis = dict(title=dict(text="step"), tickformat=",d", rangemode="tozero")  # 1,000 as elsewhere
    if last:
        xaxis["range"] = [0, last * 1.04]
    return _figure(traces, title, height, xaxis=xaxis, yaxis=dict(title=dict(text=y_title)),
                   legend=dict(orientation="h", yanchor="top", y=-0.42, xanchor="left", x=0.0),  # below the axis title
                   margin=dict(b=10))


def arena_panel(points: np.ndarray, centres: np.ndarray, sigma: float, title: str, height: int = 300) -> go.Figure:
    """One variant's samples with its mixture's centres (ring = covered, cross = missed)."""
    from gan_core.evaluation.modes2d import mode_metrics

    covered = np.asarray(mode_metrics(points, centres, sigma).counts) > 0  # on every evaluated sample
    lo, hi = centres.min(0) - 1.0, centres.max(0) + 1.0
    shown = points[:1000]
    traces = [dict(type="scatter", x=shown[:, 0], y=shown[:, 1], mode="markers", name="samples",
                   marker=dict(size=4, color=FAKE, opacity=0.5)),
              *mode_marks(centres, covered, size=14)]
    return _figure(traces, title, height, show_legend=False,
                   # constrain: a wide column narrows the plot to a square, rather than widening the x range
                   # (the ring sat in the middle third of an axis from -8 to 8 beside y from -3 to 3)
                   xaxis=dict(range=[lo[0], hi[0]], showgrid=False, zeroline=False, constrain="domain"),
                   yaxis=dict(range=[lo[1], hi[1]], showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1,
                              constrain="domain"),
                   margin=dict(t=40))


def occupancy_matrix(evals: pd.DataFrame, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps (T,), shares (k, T)) from evaluation rows: where the samples sit (near_0..near_{k-1}, 2D mixtures)
    or, without those, share_0..share_{k-1} (images: the class histogram); empty when there are none."""
    for prefix in ("near", "share"):
        cols = [f"{prefix}_{i}" for i in range(k)]
        if not evals.empty and set(cols) <= set(evals.columns):
            e = evals.dropna(subset=cols)
            return e["step"].to_numpy(), e[cols].to_numpy(dtype=float).T
    return np.zeros(0), np.zeros((k, 0))


def occupancy(evals: pd.DataFrame, centres: np.ndarray | None = None,
              title: str = "Where the samples sit: share per mode over training", height: int = 260,
              labels: list[str] | None = None) -> go.Figure:
    """The mode-occupancy heatmap: one row per mode, one column per evaluation, colour = the share of all samples
    whose nearest mode it is (near_k, sharp or not). A generator hopping from mode to mode draws a staircase; a
    dropped mode is an empty row; a healthy one fills every row evenly (1/K each).
    Images: pass `labels` (the class names) instead of `centres`; a cell is the share of samples the evaluation
    classifier puts in that class."""
    if labels is None:
        from gan_core.arena.verdict import place

        labels = [place(c, centres).replace("row ", "r").replace(", column ", " c") for c in centres]  # "north", "r1 c5"
    k = len(labels)
    if 12 < k <= 40:  # grid25: room for every mode's label (about 14 px a row) instead of labels written over each other
        height = max(height, 14 * k + 90)
    steps, shares = occupancy_matrix(evals, k)
    what = "mode" if centres is not None else "class"
    if not len(steps):
        return _figure([], title, height, annotations=[_note("the occupancy appears after the first evaluation")],
                       xaxis=BLANK_AXIS, yaxis=BLANK_AXIS)
    # The scale stops at 2.5 fair shares so that an even spread still shows its shades; the top of the colour bar
    # says so ("31+" on ring8), since a collapsed mode's cell (say 48%) is drawn in the same colour as 31%.
    top = min(100.0, 100 / k * 2.5)
    bar = dict(title=dict(text="% of samples"), thickness=12)
    if top < 100 and float(np.nanmax(100 * shares, initial=0.0)) > top:
        marks = [top * f for f in (0, 0.25, 0.5, 0.75, 1.0)]
        digits = 0 if top >= 10 else 1
        bar.update(tickmode="array", tickvals=marks,
                   ticktext=[f"{m:.{digits}f}" for m in marks[:-1]] + [f"{marks[-1]:.{digits}f}+"])
    trace = dict(type="heatmap", x=steps, y=list(range(k)), z=100 * shares, zmin=0, zmax=top,
                 colorscale="Viridis", colorbar=bar,
                 hovertemplate="step %{x}<br>" + what + " %{text}<br>%{z:.1f}% of samples<extra></extra>",
                 text=[[lab] * len(steps) for lab in labels], xgap=1, ygap=1)
    # Few evaluations: a tick at each one's step (one column would otherwise read 499.6 ... 500.4)
    ticks = dict(tickmode="array", tickvals=list(steps), ticktext=[f"{int(v):,}" for v in steps]) if len(steps) < 6 else {}
    return _figure([trace], title, height, show_legend=False, xaxis=dict(title=dict(text="step"), **ticks),
                   yaxis=dict(title=dict(text=what), tickmode="array", tickvals=list(range(k)), ticktext=labels,
                              tickfont=dict(size=11 if k > 8 else 13)))


# The augmentation report's colours (gan_core/augmentation/report.py's COLOURS, which a test holds these to), so the
# page's bars and chart.png agree; written out here because importing the report would load torch before the page.
ARM_COLOURS = {"real": REAL, "classic": "#E69F00", "cgan": FAKE, "sgan": "#56B4E9", "all-labels": "#969696"}


def augment_bars(stats: list, title: str = "Held-out accuracy (mean ± s.e. over seeds)", height: int = 380) -> go.Figure:
    """Grouped bars of the augmentation study: one group per N, one bar per arm, error bars of one standard error.
    `stats`: gan_core.augmentation.report.Cellstat items (arm, n, runs, mean %, se %)."""
    ns = sorted({s.n for s in stats if s.arm != "all-labels"})
    groups = [f"N = {n}" for n in ns]
    traces = []
    for arm in dict.fromkeys(s.arm for s in stats):
        mine = {s.n: s for s in stats if s.arm == arm}
        if arm == "all-labels":
            s = next(iter(mine.values()))
            x, cells = [f"all {s.n * 10:,} labels"], [s]
        else:
            x, cells = [f"N = {n}" for n in ns if n in mine], [mine[n] for n in ns if n in mine]
        traces.append(dict(type="bar", name=cells[0].title, x=x, y=[c.mean for c in cells],
                           error_y=dict(type="data", array=[c.se for c in cells], thickness=2, width=6,
                                        visible=any(c.runs > 1 for c in cells)),  # one seed: no error bar to draw
                           marker=dict(color=ARM_COLOURS.get(arm, REAL)),
                           # the hover says what the cell holds: "80.9% ± 1.2 (3 seeds)", or "80.9% (one seed)"
                           customdata=[[c.score(), "one seed" if c.runs == 1 else f"{c.runs} seeds"] for c in cells],
                           hovertemplate="%{customdata[0]} (%{customdata[1]})<extra>" + cells[0].title + "</extra>"))
    layout = dict(barmode="group", bargap=0.25, xaxis=dict(title=dict(text="labeled images per class"), categoryorder="array",
                                             categoryarray=groups + [t["x"][0] for t in traces if t["x"] and t["x"][0].startswith("all")]),
                  yaxis=dict(title=dict(text="accuracy (%)"), range=[0, 100]))
    fig = _figure(traces, title, height, **layout)
    if not traces:  # no numbers along an axis that has no category yet
        fig.update_layout(annotations=[_note("no finished cell yet")])
        fig.update_xaxes(**BLANK_AXIS)
    return fig
