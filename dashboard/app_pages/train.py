"""Train live: pick data, a model and a GAN variant, press Train and watch the generator chase the data.

The page never runs training itself: this session's TrainingRunner trains in a background thread and
the live views (dashboard/train_views.py) redraw from its snapshots in a fragment that reruns once a second
while training. The settings are the sidebar's (dashboard/train_sidebar.py) and live in the URL, so a link
opens the same experiment.

On a fresh server the sidebar, the title and the controls are drawn from the settings alone, before torch is loaded
(dashboard/warm_up.py loads it meanwhile): the run is built below the controls, or by the first click that needs it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from dashboard import run_keys, settings, warm_up
from dashboard.resources import real_images, session_runner
from dashboard.train_sidebar import experiment_sidebar, knob_decay, knob_key
from dashboard.training.parking import claim
from dashboard.training.pool import LIVE, REACHED_TARGET
from gan_core.variants import LIVE_OPTIONS

if TYPE_CHECKING:  # the snapshot's module imports torch, loaded after the controls are drawn (warm_up.py)
    from dashboard.training.snapshot import Snapshot

SPEEDS = ["1", "2", "5", "10", "20", "50", "100", "max"]

# This session's run. On a fresh server whose heavy imports are still loading (dashboard/warm_up.py), none is made
# yet, unless a click already made it: the controls below are drawn from the settings alone and the run is built
# after them.
ss = st.session_state
runner = session_runner() if warm_up.ready() or ss.get("run_made") else None
experiment = experiment_sidebar(runner)
s, data, is_image, errors = experiment.settings, experiment.data, experiment.is_image, experiment.errors
stop_target, hq_target = experiment.stop_target, experiment.hq_target

# ----------------------------------------------------------------------------- the user's points
GRID_N, GRID_LO, GRID_HI = 41, -3.0, 3.0  # the places a drawn point can go: a 41 x 41 grid over [-3, 3]^2
points = None
if data == "draw" and ss.drawn:
    grid = settings.candidate_grid(GRID_LO, GRID_HI, GRID_N)
    rng = np.random.default_rng(0)
    cloud = np.repeat(grid[ss.drawn], 8, axis=0) + rng.normal(0, 0.05, (8 * len(ss.drawn), 2))
    points = cloud.astype(np.float32).tolist()
elif data == "upload":
    points = ss.uploaded_points


def _add_drawn() -> None:
    from dashboard.drawing import added_points

    ss.drawn = sorted(set(ss.drawn) | set(added_points("draw_canvas")))


def _draw_your_own(expanded: bool) -> None:
    """The canvas: open before the first step; afterwards folded below the live views."""
    from dashboard.drawing import drawing_canvas

    n = len(ss.drawn)
    with st.expander(f"Your data: {n} point{'' if n == 1 else 's'} drawn", expanded=expanded):
        left, right = st.columns([1.1, 1], vertical_alignment="center")
        with left:
            drawing_canvas("draw_canvas", ss.drawn, GRID_N, GRID_LO, GRID_HI, size=400, on_add=_add_drawn)
        right.markdown("**Click** the canvas to add a point, or **drag** across it to paint several. Each point "
                       "becomes a small cloud of 8 samples: the real data the generator learns.")
        if not n:
            right.info(settings.missing_points("draw"))
        if right.button("Clear drawing", key="btn_clear_drawing", disabled=not n):
            ss.drawn = []
            st.rerun()


# ----------------------------------------------------------------------------- config
config, problem = None, None
refused_upload = data == "upload" and not points and st.session_state.get("w_upload") is not None
if data in ("draw", "upload") and not points:
    problem = settings.missing_points(data, refused_upload)  # said beside the canvas or the upload box, not as an error
else:
    try:
        config = settings.build_config(s, points)
    except ValueError as err:
        problem = str(err)
        slot = errors.get(settings.field_of(problem)) or errors["variant"]
        slot.error(settings.page_message(problem))

st.title("Train live")
# The canvas opens at the top until a run on drawn points has started or stepped (then it folds below the charts):
# a run on other data that is paused or finished does not hide it.
_shown = runner.snapshot() if runner is not None else None
_drawn_run = (_shown is not None and _shown.config is not None and _shown.config.data.name == "points"
              and (_shown.step > 0 or _shown.status in LIVE))  # pressing Train folds it: the live views redraw alone
canvas_on_top = data == "draw" and not _drawn_run
if canvas_on_top:
    _draw_your_own(expanded=True)

if ss.url_warnings:
    for w in ss.url_warnings:
        st.warning(w)
    ss.url_warnings = []
st.query_params.from_dict(settings.to_query(s))  # settings only: a link to share never hands over this run


def _core(cfg) -> dict:
    """The parts of a config that need a new run when they change (not the live rates, decay or budget)."""
    d = cfg.to_dict()
    d.pop("steps")
    d["optim"] = {k: v for k, v in d["optim"].items() if k not in ("lr_g", "lr_d", "lr_decay")}
    return d


def _build(run) -> bool:
    """Bring this session's run in line with the settings: build it when it has none or has not stepped yet
    (and is not training), follow a new step budget. False when the settings changed what needs a new run
    (networks, data, variant) of a run that has stepped: Reset does that."""
    global config, problem
    snap = run.snapshot()
    if config is None:  # settings that cannot make a run (no points drawn yet, a value refused): not this run's
        return snap.config is None or snap.step == 0
    if snap.config is None or (snap.step == 0 and snap.status not in LIVE and _core(config) != _core(snap.config)):
        try:
            with st.spinner("Building the networks..."):
                run.configure(config)
        except (ValueError, OSError) as err:  # e.g. an image set whose files are missing
            problem = str(err)
            st.error(f"This run cannot start: {problem}")
            config = None
    elif _core(config) != _core(snap.config):
        return False
    elif config.steps != snap.config.steps:
        run.set_budget(config.steps)
    return True


def _made():
    """This session's run, made now if the page was drawn before it existed (remembered for the page's next runs)."""
    global runner
    if runner is None:
        runner = session_runner()
        ss.run_made = True
    return runner


def _run():
    """This session's run, built from the settings."""
    _build(_made())
    return runner


def _follow(run, snap) -> None:
    """The stop target from the sidebar, and the browser's key to the run (once per run of the page)."""
    if snap.config is not None:
        run.set_target(snap.modes if stop_target else None, hq_target / 100)
        with st.sidebar:
            run_keys.remember(run.owner_key)  # this browser can take the run back after a reload (parking.py)


needs_reset = runner is not None and not _build(runner)
snap = runner.snapshot() if runner is not None else None
if snap is not None:
    _follow(runner, snap)

# ----------------------------------------------------------------------------- controls

def _raise_budget(at: Snapshot) -> None:
    """Continue's click, before the page reruns: the sidebar's Step budget grows by half (1,000 steps at least), so
    the settings, the link and the run agree, and the rerun's `_build` gives the run the new budget."""
    new = min(at.budget + max(1000, at.budget // 2), settings.LIMITS["steps"][1])  # the widget's own maximum
    ss.w_steps = ss.train_settings["steps"] = new


def _past_target() -> None:
    """Continue's click after the run stopped at its target: the target is still met, so the run would stop again
    at its next evaluation. The box is unticked (where the teacher can see it), and the run goes on to its budget."""
    ss.w_stop_target = False
    ss.live_note = "Stop when every mode is covered is now off: the run goes on to its step budget."


step = snap.step if snap is not None else 0
status = snap.status if snap is not None else "idle"
parked_key, found = run_keys.parked_here() if step == 0 else ("", None)
if found is not None:
    # One short row beside its button, so that the Train buttons below stay well above the fold at 1400 x 900.
    said, act = st.columns([5, 1], vertical_alignment="center")
    said.info(f"The run **{found.run_id}** that was open here before the page was closed or reloaded is kept, paused "
              f"at step {found.step:,} ({found.config.data.name}, variant {found.config.variant}), "
              f"for {max(1, round(found.seconds_left / 60))} more minute(s).")
    if act.button("Reattach to it", key="btn_reattach", type="primary", width="stretch"):
        claimed = claim(parked_key)
        if claimed is not None:
            _made().adopt(claimed.trainer, claimed.run_id)
        st.rerun()
# One row whose height never changes: slow motion swaps the speed slider for its own and enables "Next sub-step",
# so turning it on moves nothing below.
slow = bool(ss.get("w_slow", False))
buildable = config is not None and problem is None  # a click builds the run from these settings if need be
c = st.columns([1, 1, 1, 1, 1.2, 2.2, 1.8], vertical_alignment="bottom")
if status in LIVE:
    if c[0].button("Pause", type="primary", key="btn_pause", width="stretch"):
        runner.pause()
        st.rerun()
else:
    # A run at its budget (finished, or stepped past it by hand) continues with a larger one.
    at_budget = snap is not None and snap.config is not None and snap.step > 0 and snap.step >= snap.budget
    label = "Continue" if at_budget else {"idle": "Train", "paused": "Resume", "finished": "Continue"}.get(status)
    label = label or "Train"
    can_start = buildable and status not in ("diverged", "error") and not needs_reset
    at_target = status == "finished" and not at_budget and snap.message.startswith(REACHED_TARGET)
    click = (_raise_budget, (snap,)) if at_budget else (_past_target, ()) if at_target else (None, None)
    if c[0].button(label, type="primary", key="btn_train", width="stretch", disabled=not can_start,
                   on_click=click[0], args=click[1]):
        run = _run()  # follows the sidebar's budget, which _raise_budget has raised before this rerun
        if run.snapshot().config is not None:
            run.start()
        st.rerun()
# Changed settings that need a new run, or refused ones: no step of the old run either (the class would watch the
# old variant step under the new settings' names).
manual_ok = status in ("idle", "paused", "finished") and not needs_reset and buildable
if c[1].button("Reset", key="btn_reset", width="stretch", disabled=config is None,
               help="back to step 0 with the settings on the left"):
    _made().configure(config)
    st.rerun()
if c[2].button("Step D", key="btn_step_d", width="stretch", disabled=not manual_ok,
               help="one discriminator update: only D's weights change"):
    _run().step_d()
if c[3].button("Step G", key="btn_step_g", width="stretch", disabled=not manual_ok,
               help="one generator update: only G's weights change"):
    _run().step_g()
if c[4].button("Step both", key="btn_step_both", width="stretch", disabled=not manual_ok,
               help="one full iteration: D then G"):
    _run().step_both()
with c[5]:
    if slow:
        secs = st.slider("Seconds per sub-step", 0.5, 5.0, ss.get("kept_slow_secs", 1.5), 0.5, key="w_slow_secs")
        ss.kept_slow_secs = secs
        if runner is not None:
            runner.set_slow_motion(secs)
    else:
        speed = st.select_slider("Speed (steps/s)", SPEEDS, value=ss.get("kept_speed", "max"), key="w_speed",
                                 help="slow the training down to watch each move")
        ss.kept_speed = speed
        if runner is not None:
            runner.set_speed(None if speed == "max" else float(speed))
            runner.set_slow_motion(0)
with c[6]:
    st.toggle("Slow motion", key="w_slow",
              help="advance one named sub-step at a time (5 for D, 5 for G) with a sentence each")
    if st.button("Next sub-step", key="btn_sub", width="stretch", disabled=not (slow and manual_ok)):
        _run().next_substep()

# ----------------------------------------------------------------------------- the run, built once torch is in
if runner is None:
    # A fresh server: the controls above work already (a click builds the run), the rest of the page follows as soon
    # as torch and the charts' libraries are in.
    warm_up.start()

    @st.fragment(run_every=0.25)
    def _await_warm_up() -> None:
        if warm_up.ready():
            st.rerun(scope="app")
        st.caption("Loading the networks' libraries (once per server start)...")

    _await_warm_up()
    st.stop()

from dashboard import charts  # noqa: E402  - loaded after the controls are on screen (warm_up.py)
from dashboard.pictures import data_uri, upscale  # noqa: E402
from dashboard.train_views import SHOW, live_views, show_key  # noqa: E402
from dashboard.training.runner import REDRAW_EVERY  # noqa: E402

if snap is None:  # a click of this run of the page made the run: it follows the sidebar from now on too
    _follow(runner, runner.snapshot())
snap = runner.snapshot()
if ss.get("live_note"):
    st.toast(ss.pop("live_note"))
if status == "diverged":
    st.error(snap.message)
    d1, d2, _ = st.columns([1.4, 2.6, 3])
    if d1.button("Reset the run", key="btn_div_reset"):
        runner.reset()
        st.rerun()
    if d2.button("Restore the last good state and lower the learning rates 10x", key="btn_recover"):
        runner.recover(0.1)
        st.rerun()
elif status == "error":
    st.error(snap.message)

if snap.config is not None and not snap.config.data.is_image:
    c_show, c_legend = st.columns([1.15, 1], vertical_alignment="center")
    has_modes = snap.config.data.name != "points"  # your own points have no modes to mark: no pill, no legend for it
    options = SHOW if has_modes else [s for s in SHOW if s != "modes"]
    c_show.pills("Show", options, selection_mode="multi", default=options, key=show_key(has_modes),
                 label_visibility="collapsed")
    c_legend.html(charts.legend_html(modes=has_modes))
live_every = REDRAW_EVERY if snap.status in LIVE else None
# The message for changed settings is drawn beside the charts, not above them: it never pushes the main chart down.
if needs_reset and config is None and data == "draw" and not points:  # the open canvas says how to draw
    reset_note = ("The run shown is the previous one: draw your data in the canvas above, then press **Reset** to "
                  "start a new run on it.")
elif needs_reset and config is None:  # e.g. "Upload" chosen beside a paused MNIST run: say what comes first
    first = (settings.missing_points(data, refused_upload) if data == "upload" and not points
             else "A setting on the left is refused (see its message).")
    reset_note = (f"{first} The run shown is the previous one; press **Reset** to start a new run once the settings "
                  "are complete.")
elif needs_reset:
    reset_note = ("You changed the data, the networks or the variant. Press **Reset** to start a new run with them "
                  "(learning rates and the step budget change live).")
else:
    reset_note = ""
st.fragment(run_every=live_every)(live_views)(runner, snap.status, reset_note)

# Live options of the variant, changed between two steps.
if snap.recipe is not None:
    recipe = snap.recipe
    shown = {k: settings.KNOB_RANGES[k] for k in LIVE_OPTIONS if k != "n_critic" and getattr(recipe, k) > 0}
    # Keyed by the run: a new run's knobs start at its own values (a knob kept from the previous run would
    # otherwise write its old value into the new one, e.g. 1 D step into a fresh wgan-gp run).
    with st.expander("Live knobs: change the variant while it trains", expanded=False):
        cols = st.columns(max(2, len(shown) + 2))
        for col, (name, (lo, hi)) in zip(cols, shown.items()):
            value = getattr(recipe, name)
            new = col.slider(settings.KNOB_LABELS[name], lo, hi, value, key=f"knob_{name}_{runner.run_id}")
            if new != value:
                runner.update_recipe(**{name: new})
        n_c = cols[-2].slider(settings.KNOB_LABELS["n_critic"], *settings.KNOB_RANGES["n_critic"], recipe.n_critic, key=f"knob_n_critic_{runner.run_id}")
        if n_c != recipe.n_critic:
            runner.update_recipe(n_critic=n_c)
        key = knob_key(runner)
        if key not in st.session_state:
            st.session_state[key] = float(snap.lr_decay)
        cols[-1].slider("learning-rate decay", 0.0, 0.999, key=key, step=0.001, format="%.3f", on_change=knob_decay,
                        args=(runner,),
                        help="the rates fall linearly to (1 - decay) of their start at the step budget; the same "
                             "setting as the sidebar's LR decay")

if data == "draw" and not canvas_on_top:
    _draw_your_own(expanded=False)

# ----------------------------------------------------------------------------- image data: the real thing
if is_image and snap.config is not None:
    with st.expander("Real images the generator learns from"):
        try:
            imgs, _ = real_images(data)
            from gan_core.pictures import image_grid

            st.image(data_uri(upscale(image_grid(imgs, cols=16), 2)))
        except Exception as err:  # a missing data set is explained, not raised
            st.warning(f"Could not show real images: {err}")

# ----------------------------------------------------------------------------- save and share
with st.expander("Save and share"):
    c1, c2, c3 = st.columns(3)
    # Offered while training too: the file is made when clicked, from the run as it is then.
    snap = runner.snapshot()  # after this run's clicks (a step by hand) took effect
    has_run = snap.step > 0 or snap.status in LIVE
    c1.download_button("Download the run (.zip)", data=lambda: runner.run_zip(), file_name="gan-run.zip",
                       mime="application/zip", disabled=not has_run, on_click="ignore",
                       help="config.json, generator and discriminator weights (safetensors), metrics.csv: "
                            "reload it with `python -m gan_core sample --run FOLDER`")
    c2.download_button("Download a GIF timelapse", data=lambda: runner.timelapse_gif() or b"",
                       file_name="gan-timelapse.gif", mime="image/gif", disabled=not has_run, on_click="ignore",
                       help="one frame per second of training (at most 120, evenly spread), and the picture of now")
    c3.markdown("**Share this experiment**: the address bar holds every setting; copy the link and hand it out.")
