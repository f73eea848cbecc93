"""Train live: pick data, a model and a GAN variant, press Train and watch the generator chase the data.

The page never runs training itself: this session's TrainingRunner trains in a background thread and
the live views redraw from its snapshots in a fragment that reruns once a second while training.
Settings live in the URL, so a link opens the same experiment.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import charts
from dashboard import run_keys, settings, style_views
from dashboard.drawing import added_points, drawing_canvas
from dashboard.live_plot import live_chart
from dashboard.pictures import data_uri, upscale
from dashboard.resources import real_images, session_runner
from dashboard.training.parking import claim, parked
from dashboard.training.runner import REDRAW_EVERY
from gan_core.arena.verdict import explain as explain_points, occupancy
from gan_core.config import field_help, ModelConfig, OptimConfig
from gan_core.data.images import class_names
from gan_core.variants import describe

LR_STEPS = [1e-5, 3e-5, 1e-4, 2e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 10.0]
SPEEDS = ["1", "2", "5", "10", "20", "50", "100", "max"]
LIVE = ("running", "queued")
HELP_M, HELP_O = field_help(ModelConfig), field_help(OptimConfig)

runner = session_runner()
ss = st.session_state

# ----------------------------------------------------------------------------- settings state
# Widget values are kept in `train_settings` (widget keys vanish when another page is shown).
if "train_settings" not in ss:
    loaded, warnings = settings.from_query({k: st.query_params[k] for k in st.query_params})
    ss.train_settings = loaded
    ss.url_warnings = warnings
    ss.drawn = []                # indices into the candidate grid
    ss.uploaded_points = None
persist: dict = ss.train_settings
for key, value in persist.items():
    if f"w_{key}" not in ss:
        ss[f"w_{key}"] = value


def _family_changed() -> None:
    """Switching between 2D and image data loads that family's defaults (architecture, rates, variant); a step
    budget left at its default follows the data (grid25 needs more steps than ring8)."""
    new, old = ss.w_data, persist["data"]
    if (new in settings.DATA_CHOICES_IMAGES) != (old in settings.DATA_CHOICES_IMAGES):
        for key, value in settings.defaults_for(new).items():
            ss[f"w_{key}"] = value
            persist[key] = value
    elif ss.get("w_steps", persist["steps"]) == settings.default_steps(old):  # a budget the user left alone follows the data
        ss.w_steps = persist["steps"] = settings.default_steps(new)


def _live_lr() -> None:
    """Learning rates and their decay change while the run trains (applied between two steps)."""
    if runner.snapshot().step > 0:
        try:
            runner.set_learning_rates(ss.w_lr_g, ss.w_lr_d, ss.w_lr_decay)
            ss.live_note = f"Learning rates now G {ss.w_lr_g:g}, D {ss.w_lr_d:g}, decay {ss.w_lr_decay:g} (live)."
        except ValueError as err:
            ss.live_note = str(err)


def _load_preset() -> None:
    """Fill every setting from the chosen preset (on the current data); they stay editable."""
    name = ss.w_preset
    if name:
        for key, value in settings.preset_settings(name, ss.w_data).items():
            ss[f"w_{key}"] = value
            persist[key] = value
        ss.w_preset = None


def _objective_changed() -> None:
    """The D-step count follows the objective (wgan's critic takes 5 per G step); the slider can change it."""
    ss.w_n_critic = persist["n_critic"] = settings.variant_n_critic(ss.w_objective)


def _lr_widget(label: str, key: str, help_text: str):
    options = sorted(set(LR_STEPS) | {ss[key]})
    return st.select_slider(label, options=options, key=key, format_func=lambda v: f"{v:g}", help=help_text,
                            on_change=_live_lr)


errors: dict[str, st.delta_generator.DeltaGenerator] = {}

with st.sidebar:
    st.header("Experiment")
    st.selectbox("Data", settings.CHOICES["data"], key="w_data", format_func=settings.DATA_LABELS.get, on_change=_family_changed,
                  help="2D mixtures count their modes; draw or upload your own points; image sets need their files.")
    errors["data"] = st.empty()
    data = ss.w_data
    is_image = data in settings.DATA_CHOICES_IMAGES
    if data == "upload":
        up = st.file_uploader("CSV of points (columns x,y)", type=["csv", "txt"], key="w_upload",
                              help="A header x,y (optional) and one point per line; at most 100,000 points and 5 MB; "
                                   "coordinates within +-1e6.")
        st.caption("Limits: 5 MB, 100,000 points, two numeric columns x,y, no NaN or infinity.")
        if up is None:
            ss.uploaded_points = None
            st.info(settings.missing_points("upload"))
        else:
            pts, problem = settings.read_points_upload(up.getvalue())
            if problem:
                st.error(f"That file cannot be used: {problem}")
                ss.uploaded_points = None
            else:
                ss.uploaded_points = pts
                st.success(f"{len(pts):,} points loaded.")

    family = "images" if is_image else "2d"
    st.selectbox("Load a preset", settings.PAGE_PRESETS[family], index=None, key="w_preset", on_change=_load_preset,
                 placeholder="a tuned starting point...", help="Fills every setting below with a named preset: "
                 + "; ".join(f"{n}: {settings.PRESETS[n].about}" for n in settings.PAGE_PRESETS[family]))
    st.subheader("GAN variant")
    st.selectbox("Objective", settings.OBJECTIVES, key="w_objective", help="The loss the two networks play.",
                 on_change=_objective_changed)
    st.multiselect("Stabilisers", settings.STABILISERS, key="w_stabilisers",
                   help="Tricks that act on the training step; they never change the layers.")
    if "unrolled" in ss.w_stabilisers:
        st.slider("Unrolled steps k", 1, 10, key="w_unroll_k")
    if "pacgan" in ss.w_stabilisers:
        st.slider("PacGAN pack size m", 2, 4, key="w_pack_m")
    if "ema" in ss.w_stabilisers:
        st.select_slider("EMA decay", [0.9, 0.95, 0.99, 0.995, 0.999, 0.9999], key="w_ema",
                         help="samples come from a moving average of G's weights; 0.99 follows G faster than 0.999")
    errors["variant"] = st.empty()
    variant = settings.variant_name(ss.w_objective, ss.w_stabilisers, ss.w_unroll_k, ss.w_pack_m)
    with st.expander(f"What is `{variant}`?", expanded=False):
        for part in variant.split("+"):
            try:
                info = describe(part)
                st.markdown(f"**{part}**: {info.about}  \n*{info.reference}*")
            except ValueError as err:
                st.warning(str(err))

    st.subheader("Networks")
    if is_image:
        st.selectbox("Network family", settings.NETWORKS, key="w_net", help=HELP_M["kind"])
        st.checkbox("Conditional (the class label goes to G and D)", key="w_conditional", help=HELP_M["conditional"])
    net = ss.w_net if is_image else "mlp"
    if net == "mlp":
        c1, c2 = st.columns(2)
        c1.number_input("G layers", 0, 6, key="w_g_layers", help="hidden layers of the generator")
        c2.number_input("G units", 1, 1024, key="w_g_units", help="units per hidden layer")
        errors["g_units"] = st.empty()
        c1, c2 = st.columns(2)
        c1.number_input("D layers", 0, 6, key="w_d_layers", help="hidden layers of the discriminator")
        c2.number_input("D units", 1, 1024, key="w_d_units", help="units per hidden layer")
        errors["d_units"] = st.empty()
        st.selectbox("Activation", settings.ACTIVATIONS, key="w_act", help=HELP_M["activation"])
    else:
        st.number_input("DCGAN width" if net == "dcgan" else "Width", 4, 256, key="w_width", help=HELP_M["width"])
        errors["width"] = st.empty()
    if net == "style":
        c1, c2 = st.columns(2)
        c1.checkbox("Grow progressively", key="w_grow", help=HELP_M["grow"])
        c2.number_input("Steps per phase", 1, 1_000_000, key="w_grow_steps", help=HELP_M["grow_steps"])
        errors["grow"] = st.empty()
    c1, c2 = st.columns(2)
    c1.number_input("Noise dim", 1, 1024, key="w_z", help=HELP_M["z_dim"])
    c2.selectbox("Noise", settings.NOISES, key="w_noise", help=HELP_M["noise"])
    errors["z"] = st.empty()

    st.subheader("Optimisation")
    st.selectbox("Optimiser", settings.OPTIMIZERS, key="w_opt", help=HELP_O["optimizer"])
    _lr_widget("G learning rate", "w_lr_g", HELP_O["lr_g"] + " (changes live)")
    errors["lr_g"] = st.empty()
    _lr_widget("D learning rate", "w_lr_d", HELP_O["lr_d"] + " (changes live)")
    errors["lr_d"] = st.empty()
    c1, c2 = st.columns(2)
    c1.select_slider("LR decay", [0.0, 0.5, 0.9, 0.99], key="w_lr_decay", on_change=_live_lr,
                     help=HELP_O["lr_decay"] + " (changes live)")
    c2.number_input("Batch growth", 1, 8, key="w_batch_growth", help=HELP_O["batch_growth"])
    errors["lr_decay"] = st.empty()
    errors["batch_growth"] = st.empty()
    c1, c2 = st.columns(2)
    c1.number_input("Batch size", 2, 8192, key="w_batch", help=HELP_O["batch_size"])
    c2.number_input("D steps per G step", 1, 20, key="w_n_critic",
                    help="discriminator steps per generator step (wgan and wgan-gp: 5, as the paper)")
    errors["batch"] = st.empty()
    errors["n_critic"] = st.empty()
    st.number_input("Seed", 0, 2**31 - 1, key="w_seed", help="the same seed and settings give the same run")
    errors["seed"] = st.empty()

    st.subheader("Stop")
    st.number_input("Step budget", 1, 1_000_000, key="w_steps", step=500,
                    help="training stops at this many steps (also the horizon of learning-rate decay; the classroom recipe doubles its batch at half of it)")
    errors["steps"] = st.empty()
    stop_target, hq_target = False, 50
    if data in settings.DATA_WITH_MODES:  # only a mixture has modes to cover
        stop_target = st.checkbox("Stop when every mode is covered", key="w_stop_target",
                                  help="stop once all modes are covered with enough high-quality samples")
        hq_target = st.slider("... with at least this % of high-quality samples", 0, 100, 50, key="w_hq_target",
                              disabled=not stop_target)

for key in persist:
    if f"w_{key}" in ss:
        persist[key] = ss[f"w_{key}"]
s = dict(persist)
if not is_image:
    s["net"] = "mlp"

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
    ss.drawn = sorted(set(ss.drawn) | set(added_points("draw_canvas")))


def _draw_your_own(expanded: bool) -> None:
    """The canvas: open before the first step; afterwards folded below the live views."""
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
if data in ("draw", "upload") and not points:
    problem = settings.missing_points(data)  # said beside the canvas or the upload box, not as an error
else:
    try:
        config = settings.build_config(s, points)
    except ValueError as err:
        problem = str(err)
        slot = errors.get(settings.field_of(problem)) or errors["variant"]
        slot.error(settings.page_message(problem))

st.title("Train live")
if data == "draw" and runner.snapshot().step == 0:
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


snap = runner.snapshot()
needs_reset = False
if config is not None:
    if snap.config is None or (snap.step == 0 and snap.status not in LIVE and _core(config) != _core(snap.config)):
        try:
            with st.spinner("Building the networks..."):
                runner.configure(config)
        except (ValueError, OSError) as err:  # e.g. an image set whose files are missing
            problem = str(err)
            st.error(f"This run cannot start: {problem}")
            config = None
    elif _core(config) != _core(snap.config):
        needs_reset = True
    elif config.steps != snap.config.steps:
        runner.set_budget(config.steps)
snap = runner.snapshot()
if snap.config is not None:
    runner.set_target(snap.modes if stop_target else None, hq_target / 100)
    with st.sidebar:
        run_keys.remember(runner.owner_key)  # this browser can take the run back after a reload (parking.py)

# ----------------------------------------------------------------------------- controls

def _parked_here():
    """(owner key, parked run) of a run this browser had open before the page was closed or reloaded; the key
    comes from this browser's cookie, never from the URL. ("", None) when there is none."""
    for key in run_keys.remembered():
        found = parked(key)
        if found is not None:
            return key, found
    return "", None


parked_key, found = _parked_here() if snap.step == 0 else ("", None)
if found is not None:
    box = st.container(border=True)
    box.info(f"The run **{found.run_id}** that was open here before the page was closed or reloaded is kept, paused "
             f"at step {found.step:,} ({found.config.data.name}, variant {found.config.variant}), "
             f"for {max(1, round(found.seconds_left / 60))} more minute(s).")
    if box.button("Reattach to it", key="btn_reattach", type="primary"):
        claimed = claim(parked_key)
        if claimed is not None:
            runner.adopt(claimed.trainer, claimed.run_id)
        st.rerun()
status = snap.status
# One row whose height never changes: slow motion swaps the speed slider for its own and enables "Next sub-step",
# so turning it on moves nothing below.
slow = bool(ss.get("w_slow", False))
c = st.columns([1, 1, 1, 1, 1.2, 2.2, 1.8], vertical_alignment="bottom")
if status in LIVE:
    if c[0].button("Pause", type="primary", key="btn_pause", width="stretch"):
        runner.pause()
        st.rerun()
else:
    label = {"idle": "Train", "paused": "Resume", "finished": "Continue"}.get(status, "Train")
    can_start = snap.config is not None and problem is None and status not in ("diverged", "error") and not needs_reset
    if c[0].button(label, type="primary", key="btn_train", width="stretch", disabled=not can_start):
        if status == "finished" and snap.step >= snap.budget:
            runner.set_budget(snap.budget + max(1000, snap.budget // 2))
        runner.start()
        st.rerun()
manual_ok = status in ("idle", "paused", "finished") and snap.config is not None
if c[1].button("Reset", key="btn_reset", width="stretch", disabled=config is None,
               help="back to step 0 with the settings on the left"):
    runner.configure(config)
    st.rerun()
if c[2].button("Step D", key="btn_step_d", width="stretch", disabled=not manual_ok,
               help="one discriminator update: only D's weights change"):
    runner.step_d()
if c[3].button("Step G", key="btn_step_g", width="stretch", disabled=not manual_ok,
               help="one generator update: only G's weights change"):
    runner.step_g()
if c[4].button("Step both", key="btn_step_both", width="stretch", disabled=not manual_ok,
               help="one full iteration: D then G"):
    runner.step_both()
with c[5]:
    if slow:
        secs = st.slider("Seconds per sub-step", 0.5, 5.0, ss.get("kept_slow_secs", 1.5), 0.5, key="w_slow_secs")
        ss.kept_slow_secs = secs
        runner.set_slow_motion(secs)
    else:
        speed = st.select_slider("Speed (steps/s)", SPEEDS, value=ss.get("kept_speed", "max"), key="w_speed",
                                 help="slow the training down to watch each move")
        ss.kept_speed = speed
        runner.set_speed(None if speed == "max" else float(speed))
        runner.set_slow_motion(0)
with c[6]:
    st.toggle("Slow motion", key="w_slow",
              help="advance one named sub-step at a time (5 for D, 5 for G) with a sentence each")
    if st.button("Next sub-step", key="btn_sub", width="stretch", disabled=not (slow and manual_ok)):
        runner.next_substep()

if needs_reset:
    st.info("You changed the data, the networks or the variant. Press **Reset** to start a new run with them "
            "(learning rates and the step budget change live).")
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

# ----------------------------------------------------------------------------- live views
SHOW = ["D's map", "real", "fake", "manifold", "gradients", "modes"]
MAIN_HEIGHT = 500  # px: the main 2D chart ends above the fold of a 1400 x 900 projector (tests/test_browser_walk.py)


def _short(x: float) -> str:
    """A count that fits a metric's box: 987, 9,876, 87k, 1.2M."""
    if x < 10_000:
        return f"{x:,.0f}"
    if x < 1_000_000:
        return f"{x / 1000:.0f}k"
    return f"{x / 1e6:.1f}M"


def _metrics_row(snap) -> None:
    cols = st.columns([1.15, 0.9, 1.1, 1, 1, 1.1, 1, 1])
    cols[0].metric("Step", f"{snap.step:,}" if snap.step < 100_000 else _short(snap.step))
    rate = snap.steps_per_s
    cols[1].metric("Steps/s", f"{rate:.0f}" if rate >= 10 or rate == 0 else f"{rate:.2g}")  # slow motion: 0.067
    cols[2].metric("Examples/s", _short(snap.examples_per_s), help="real + fake samples D and G see per second")
    last = snap.last
    cols[3].metric("D loss", "-" if last is None else f"{last.d_loss:.3f}")
    cols[4].metric("G loss", "-" if last is None else f"{last.g_loss:.3f}")
    m = snap.metrics
    if "modes" in m and snap.views is not None and getattr(snap.views, "centres", None) is not None:
        cols[5].metric("Modes", f"{m['modes']}/{len(snap.views.centres)}", help="modes covered, of the data's modes")
        cols[6].metric("High quality", f"{m['hq']:.0%}")
        cols[7].metric("Reverse KL", f"{m['kl']:.2f}", help="0 = every mode equally covered")
    elif "fid" in m:
        cols[5].metric("FID", f"{m['fid']:.1f}", help="classifier FID: lower is closer to the real images")
        cols[6].metric("Classes", f"{m.get('coverage', '-')}/10", help="classes the evaluation classifier finds among the samples")
        cols[7].metric("Confidence", f"{m.get('mean_confidence', 0):.0%}")
    elif "grid_js" in m:
        cols[5].metric("Grid JS", f"{m['grid_js']:.3f}", help="GAN Lab's Jensen-Shannon on a 30x30 grid; 0 = same")
        cols[6].metric("Grid KL", f"{m['grid_kl']:.2f}")


def _status_line(snap) -> None:
    if snap.status == "queued":
        pos = snap.queue_position
        st.info(f"Every training slot is busy: you are number {pos or 1} in the queue. Training starts by itself "
                f"when a slot frees up (Pause cancels the wait).")
    elif snap.status == "finished" and snap.message:
        st.success(snap.message)
    elif snap.status == "paused" and snap.message:
        st.info(snap.message)
    if snap.substep:
        who = "Discriminator" if snap.phase == "D" else "Generator"
        st.markdown(f"#### {who} step: {snap.substep}\n{snap.narration}")


def _story(evals, centres) -> str:
    """The occupancy so far in words (gan_core.arena.verdict), or what to wait for."""
    try:
        return "So far: " + explain_points("this run", occupancy(evals), centres).replace("**", "")
    except ValueError:
        return "The share of samples on each mode appears after the first evaluation."


def _live(prev_status: str) -> None:
    """The live views. Every run emits the same elements in the same order (a fixed slot for messages,
    then the same charts), so the browser updates each chart in place instead of drawing it anew."""
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
            chosen = ss.get("w_show", SHOW)
            show = {"heatmap": "D's map" in chosen, "real": "real" in chosen, "fake": "fake" in chosen,
                    "manifold": "manifold" in chosen, "arrows": "gradients" in chosen, "modes": "modes" in chosen}
            if v is None:
                live_chart(charts.curves(snap.history, {}, "Samples", "", height=MAIN_HEIGHT), key="view2d", revision=rev)
            else:
                live_chart(charts.view_2d(v, show, height=MAIN_HEIGHT), key="view2d", revision=rev)
        else:
            st.markdown("**Samples from the fixed noise batch** (the same 64 noise vectors all along)")
            st.image(data_uri(upscale(v.grid, 2)), width=560)
    with right:
        _status_line(snap)  # here, not above the charts: a message or a narration never pushes the main chart down
        h = snap.history
        live_chart(charts.curves(h, {"d_loss": "D loss", "g_loss": "G loss"}, "Losses", "loss"), key="c_loss", revision=rev)
        live_chart(charts.curves(h, {"d_real": "D(x) real", "d_fake": "D(G(z)) fake"}, "What D says", "D output",
                                 colours=(charts.REAL, charts.FAKE)), key="c_d", revision=rev)
        live_chart(charts.curves(h, {"d_grad": "D", "g_grad": "G"}, "Gradient norms", "norm", log_y=True), key="c_grad", revision=rev)
    e = snap.evals
    if is_2d:
        k = None if v is None or v.centres is None else len(v.centres)
        if k is not None:
            c1, c2 = st.columns(2)
            with c1:
                live_chart(charts.mode_metrics_chart(e, k), key="c_modes", revision=rev)
            with c2:
                live_chart(charts.occupancy(e, v.centres), key="c_occupancy", revision=rev)
            st.caption(_story(e, v.centres))
        else:
            live_chart(charts.curves(e, {"grid_js": "grid JS", "grid_kl": "grid KL"},
                                     "GAN Lab's distance on a 30x30 grid (0 = same as the data)", "divergence"), key="c_modes", revision=rev)
    else:
        c1, c2 = st.columns(2)
        counts = v.class_counts if v.class_counts is not None else np.zeros(10)
        with c1:
            live_chart(charts.class_histogram(counts, class_names(snap.config.data.name)), key="c_hist", revision=rev)
        with c2:
            live_chart(charts.curves(e, {"fid": "classifier FID"}, "Classifier FID over time (lower is better)", "FID",
                                     colours=(charts.G_COLOUR,), empty_note=_first_fid_note(snap)),
                       key="c_fid", revision=rev)
        live_chart(charts.occupancy(e, labels=class_names(snap.config.data.name, len(counts)), height=240,
                                    title="Which classes the samples fall in, over training (share of samples)"),
                   key="c_occupancy", revision=rev)


def _first_fid_note(snap) -> str:
    """When the first FID value comes: the first evaluation, eval_every steps in (about a minute on a laptop)."""
    every = snap.config.eval_every if snap.config is not None else 500
    left = max(0, every - snap.step)
    if snap.status in LIVE and snap.steps_per_s > 0:
        return f"the first FID value comes at step {every:,} (in about {max(1, round(left / snap.steps_per_s))} s)"
    return f"the first FID value comes after {every:,} steps of training"


if snap.config is not None and not snap.config.data.is_image:
    c_show, c_legend = st.columns([1.15, 1], vertical_alignment="center")
    c_show.pills("Show", SHOW, selection_mode="multi", default=SHOW, key="w_show", label_visibility="collapsed")
    c_legend.html(charts.legend_html())
live_every = REDRAW_EVERY if snap.status in LIVE else None
st.fragment(run_every=live_every)(_live)(snap.status)

# Live options of the variant, changed between two steps.
if snap.recipe is not None:
    recipe = snap.recipe
    knobs = {"gp_lambda": (0.0, 50.0), "r1_gamma": (0.0, 50.0), "clip": (0.001, 0.5), "instance_noise": (0.0, 1.0),
             "unroll": (1, 10)}
    shown = {k: r for k, r in knobs.items() if getattr(recipe, k) > 0}
    with st.expander("Live knobs: change the variant while it trains", expanded=False):
        cols = st.columns(max(2, len(shown) + 2))
        for col, (name, (lo, hi)) in zip(cols, shown.items()):
            value = getattr(recipe, name)
            new = col.slider(name, lo, hi, value, key=f"knob_{name}")
            if new != value:
                runner.update_recipe(**{name: new})
        n_c = cols[-2].slider("D steps per G step", 1, 20, recipe.n_critic, key="knob_n_critic")
        if n_c != recipe.n_critic:
            runner.update_recipe(n_critic=n_c)
        decay = cols[-1].slider("learning-rate decay", 0.0, 0.99, float(snap.lr_decay), 0.01,
                                key="knob_lr_decay",
                                help="the rates fall linearly to (1 - decay) of their start at the step budget")
        if decay != snap.lr_decay:
            runner.set_learning_rates(lr_decay=decay)

if data == "draw" and snap.step > 0:
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
