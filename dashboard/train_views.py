"""The Train page's live views: the numbers, the main picture, the curves and the evaluation charts of a run.

Drawn from the runner's latest snapshot in a fragment that reruns once a second while training; every run emits
the same elements in the same order, so the browser updates each chart in place (dashboard/live_plot.py).
"""
from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import streamlit as st

from dashboard import charts, style_views
from dashboard.live_plot import live_chart
from dashboard.generator_card import read_card
from dashboard.pictures import data_uri, upscale
from dashboard.resources import PRETRAINED
from dashboard.training.pool import LIVE
from dashboard.training.runner import TrainingRunner
from dashboard.training.snapshot import Snapshot
from gan_core.arena.verdict import explain as explain_points, occupancy
from gan_core.data.images import class_names


SHOW = ["D's map", "real", "fake", "manifold", "gradients", "modes"]


def show_key(has_modes: bool) -> str:
    """The session key of the Train page's Show pills: one for data with modes, one (without the modes pill) for
    your own points, so that neither choice overwrites the other."""
    return "w_show" if has_modes else "w_show_points"
MAIN_HEIGHT = 500  # px: the main 2D chart ends above the fold of a 1400 x 900 projector (tests/test_browser_walk.py)


def _short(x: float) -> str:
    """A count that fits a metric's box: 987, 9,876, 87k, 1.2M."""
    if x < 10_000:
        return f"{x:,.0f}"
    if x < 1_000_000:
        return f"{x / 1000:.0f}k"
    return f"{x / 1e6:.1f}M"


def _last_losses(snap: Snapshot) -> tuple[float | None, float | None]:
    """The last step's losses; a run taken back after a reload has no step of this session yet, so its logged
    history's last row stands in."""
    if snap.last is not None:
        return snap.last.d_loss, snap.last.g_loss
    if len(snap.history):
        row = snap.history.iloc[-1]
        return float(row["d_loss"]), float(row["g_loss"])
    return None, None


def _metrics_row(snap: Snapshot) -> None:
    cols = st.columns([1.15, 0.9, 1.1, 1, 1, 1.1, 1, 1])
    cols[0].metric("Step", f"{snap.step:,}" if snap.step < 100_000 else _short(snap.step))
    rate = snap.steps_per_s
    if snap.status in LIVE:
        cols[1].metric("Steps/s", f"{rate:.0f}" if rate >= 10 or rate == 0 else f"{rate:.2g}")  # slow motion: 0.067
        cols[2].metric("Examples/s", _short(snap.examples_per_s), help="real + fake samples D and G see per second")
    else:  # paused or idle: no speed to give ("-", as the Style transfer page says it), not a speed of 0
        cols[1].metric("Steps/s", "-")
        cols[2].metric("Examples/s", "-", help="real + fake samples D and G see per second")
    d_loss, g_loss = _last_losses(snap)
    cols[3].metric("D loss", "-" if d_loss is None else f"{d_loss:.3f}")
    cols[4].metric("G loss", "-" if g_loss is None or math.isnan(g_loss) else f"{g_loss:.3f}")  # NaN: no G step yet
    m = snap.metrics
    if "modes" in m and snap.views is not None and getattr(snap.views, "centres", None) is not None:
        cols[5].metric("Modes", f"{m['modes']}/{len(snap.views.centres)}", help="modes covered, of the data's modes")
        cols[6].metric("High quality", f"{m['hq']:.0%}")
        cols[7].metric("Reverse KL", f"{m['kl']:.2f}", help="0 = every mode equally covered")
    elif "fid" in m:
        cols[5].metric("FID", f"{m['fid']:,.1f}", help="classifier FID: lower is closer to the real images")
        cols[6].metric("Classes", f"{m.get('coverage', '-')}/10", help="classes the evaluation classifier finds among the samples")
        cols[7].metric("Confidence", f"{m.get('mean_confidence', 0):.0%}")
    elif "grid_js" in m:
        cols[5].metric("Grid JS", f"{m['grid_js']:.3f}", help="GAN Lab's Jensen-Shannon on a 30x30 grid; 0 = same")
        cols[6].metric("Grid KL", f"{m['grid_kl']:.2f}")


def _status_line(snap: Snapshot, note: str = "") -> None:
    if note:
        st.info(note)
    if snap.status == "queued":
        pos = snap.queue_position
        st.info(f"Every training slot is busy: you are number {pos or 1} in the queue. Training starts by itself "
                f"when a slot frees up (Pause cancels the wait).")
    elif snap.status == "finished" and snap.message:
        st.success(snap.message)
    elif snap.status == "paused" and snap.message:
        st.info(snap.message)
    if snap.substep:
        who = {"D": "Discriminator step", "G": "Generator step", "DG": "Both steps"}.get(snap.phase, "Step")
        st.markdown(f"#### {who}: {snap.substep}\n{snap.narration}")


def _story(evals, centres, finished: bool = False) -> str:
    """The occupancy so far (or, once the run has finished, at its end) in words (gan_core.arena.verdict), or what to
    wait for."""
    try:
        text = explain_points("this run", occupancy(evals), centres, count="By the Modes count above",
                              ringed=" (ringed on the map)")
        return ("At the end: " if finished else "So far: ") + text.replace("**", "")
    except ValueError:
        return "The share of samples on each mode appears after the first evaluation."


def live_views(runner: TrainingRunner, prev_status: str, note: str = "") -> None:
    """The live views (the body of the page's fragment). Every run emits the same elements in the same order (a
    fixed slot for messages, then the same charts), so the browser updates each chart in place. `note`: a message
    from the page (changed settings that need a new run), shown in that slot."""
    snap = runner.snapshot()
    if snap.status != prev_status and (prev_status in LIVE) != (snap.status in LIVE):
        st.rerun(scope="app")  # the buttons and the polling rate follow the new status
    _metrics_row(snap)
    growing = style_views.growth_caption(snap.config, snap.step)
    if growing:
        st.caption(growing)
    v = snap.views
    rev = runner.run_id  # a zoom is kept while this run trains; a new run starts unzoomed
    is_2d = v is None or hasattr(v, "d_map")
    left, right = st.columns([1.25, 1])
    with left:
        if is_2d:
            chosen = st.session_state.get(show_key(v is None or v.centres is not None), SHOW)
            show = {"heatmap": "D's map" in chosen, "real": "real" in chosen, "fake": "fake" in chosen,
                    "manifold": "manifold" in chosen, "arrows": "gradients" in chosen, "modes": "modes" in chosen}
            if v is None:
                live_chart(charts.curves(snap.history, {}, "Samples", "", height=MAIN_HEIGHT), key="view2d", revision=rev)
            else:
                k = 0 if v.centres is None else len(v.centres)
                m = snap.metrics
                if k and all(f"share_{i}" in m for i in range(k)):  # the marks say what the Modes metric counts: the
                    # last evaluation's sharp samples, not the few hundred points drawn
                    v = dataclasses.replace(v, covered=np.array([m[f"share_{i}"] > 0 for i in range(k)]))
                live_chart(charts.view_2d(v, show, height=MAIN_HEIGHT), key="view2d", revision=rev)
        else:
            by_class = "; column k is asked for class k" if v.by_class else ""
            st.markdown(f"**Samples from the fixed noise batch** (the same {v.shown} noise vectors all along"
                        f"{by_class})")
            # a square grid ends at the fold of a 1400 x 900 projector: narrower under the growth line above it
            st.image(data_uri(upscale(v.grid, 2)), width=510 if growing else 556)
    with right:
        _status_line(snap, note)  # here, not above the charts: a message or a narration never pushes the main chart down
        h = snap.history
        live_chart(charts.curves(h, {"d_loss": "D loss", "g_loss": "G loss"}, "Losses", "loss"), key="c_loss", revision=rev)
        live_chart(charts.curves(h, {"d_real": "D(x) real", "d_fake": "D(G(z)) fake"}, "What D says", "D output",
                                 colours=(charts.REAL, charts.FAKE)), key="c_d", revision=rev)
        clip_norm = snap.recipe.clip_norm if snap.recipe is not None else 0.0
        live_chart(charts.gradient_norm_chart(h, clip_norm), key="c_grad", revision=rev)
    e = snap.evals
    if is_2d:
        k = None if v is None or v.centres is None else len(v.centres)
        if k is not None:
            c1, c2 = st.columns(2)
            with c1:
                live_chart(charts.mode_metrics_chart(e, k), key="c_modes", revision=rev)
            with c2:
                live_chart(charts.occupancy(e, v.centres), key="c_occupancy", revision=rev)
            st.caption(_story(e, v.centres, snap.status == "finished"))
        else:
            live_chart(charts.curves(e, {"grid_js": "grid JS", "grid_kl": "grid KL"},
                                     "GAN Lab's distance on a 30x30 grid (0 = same as the data)", "divergence",
                                     colours=(charts.MODE, charts.NEUTRAL)),  # not D's and G's colours: neither is
                       key="c_modes", revision=rev)
    else:
        c1, c2 = st.columns(2)
        counts = v.class_counts if v.class_counts is not None else np.zeros(10)
        with c1:
            live_chart(charts.class_histogram(counts, class_names(snap.config.data.name)), key="c_hist", revision=rev)
            if snap.step == 0 and counts.sum():  # one tall bar over a grid of grey squares: say what it is
                st.caption("Before the first step G draws grey noise; the classifier still names a class for every "
                           "picture, so a tall bar now says nothing about G. Watch it even out as G learns.")
        with c2:
            live_chart(charts.curves(e, {"fid": "classifier FID"}, "Classifier FID over time (lower is better)", "FID",
                                     colours=(charts.G_COLOUR,), empty_note=_first_fid_note(snap),
                                     references=fid_references(snap.config.data.name, network_of(snap.config))),
                       key="c_fid", revision=rev)
        live_chart(charts.occupancy(e, labels=class_names(snap.config.data.name, len(counts)), height=240,
                                    title="Which classes the samples fall in, over training (share of samples)"),
                   key="c_occupancy", revision=rev)


SHIPPED_DCGAN = {"mnist": "mnist-dcgan", "fashion-mnist": "fashion-dcgan"}  # data -> pretrained/<folder>
# (data, network) -> the shipped generator of the same network on the same data, the fairest yardstick
SHIPPED_SAME = {("mnist", "mlp"): "mnist-tutorial-mlp", ("mnist", "cgan"): "mnist-cgan",
                ("mnist", "style"): "mnist-style", ("fashion-mnist", "style"): "fashion-style"}


def network_of(config) -> str:
    """A run's network family as SHIPPED_SAME names it: cgan (a conditional network), or the model kind."""
    return "cgan" if config.model.conditional else config.model.kind


@functools.lru_cache(maxsize=None)
def fid_references(data_name: str, network: str = "dcgan") -> dict[str, float]:
    """The FID of the shipped generator of the same network on this data, else of the shipped DCGAN ({label: FID};
    empty where none is shipped): a yardstick for the live curve (a tutorial MLP beside its own shipped recipe, not
    the DCGAN). Its card scores 2,000 samples; the page's evaluations score fewer, which reads a little higher.
    Read once per process, as the shipped generators are: the live views redraw every second in every session.
    Callers must not change the dict."""
    name = SHIPPED_SAME.get((data_name, network)) or SHIPPED_DCGAN.get(data_name)
    if name is None:
        return {}
    _, m = read_card(PRETRAINED / name)
    fid = m.get("fid")
    if not isinstance(fid, (int, float)) or not math.isfinite(fid):
        return {}
    return {f"shipped {name}: {fid:.1f} (on {int(m.get('samples', 2000)):,} samples)": float(fid)}


def _first_fid_note(snap: Snapshot) -> str:
    """When the first FID value comes: the first evaluation, eval_every steps in (about a minute on a laptop)."""
    every = snap.config.eval_every if snap.config is not None else 500
    left = max(0, every - snap.step)
    if snap.status in LIVE and snap.steps_per_s > 0:
        return f"the first FID value comes at step {every:,} (in about {max(1, round(left / snap.steps_per_s))} s)"
    return f"the first FID value comes after {every:,} steps of training"
