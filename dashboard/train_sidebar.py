"""The Train page's sidebar: every setting of the experiment, kept across pages and in the URL.

Widget values live in st.session_state["train_settings"] (widget keys vanish while another page is shown); the
page reads them back as one settings dict (dashboard/settings.py turns it into a TrainConfig). Learning rates and
their decay change the running trainer live; the rest needs a new run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from dashboard import settings
from gan_core.config import field_help, ModelConfig, OptimConfig
from gan_core.variants import describe

if TYPE_CHECKING:  # the runner's module imports torch; the sidebar is drawn before it is loaded (warm_up.py)
    from dashboard.training.runner import TrainingRunner

LR_STEPS = [1e-5, 3e-5, 1e-4, 2e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 10.0]
HELP_M, HELP_O = field_help(ModelConfig), field_help(OptimConfig)


@dataclass
class Experiment:
    """What the sidebar says: the settings, and where to show a problem with each of them."""
    settings: dict
    data: str
    is_image: bool
    errors: dict            # field -> an empty slot beside its widget
    stop_target: bool
    hq_target: int


def _persist() -> dict:
    ss = st.session_state
    if "train_settings" not in ss:
        loaded, warnings = settings.from_query({k: st.query_params[k] for k in st.query_params})
        ss.train_settings = loaded
        ss.url_warnings = warnings
        ss.drawn = []                # indices into the candidate grid
        ss.uploaded_points = None
    for key, value in ss.train_settings.items():
        if f"w_{key}" not in ss:
            ss[f"w_{key}"] = value
    return ss.train_settings


def _family_changed() -> None:
    """Switching between 2D and image data loads that family's defaults (architecture, rates, variant); a step
    budget and stabilisers left at their defaults follow the data (grid25 needs more steps than ring8, and its D
    also sees each batch's spread)."""
    ss = st.session_state
    persist = ss.train_settings
    new, old = ss.w_data, persist["data"]
    if (new in settings.DATA_CHOICES_IMAGES) != (old in settings.DATA_CHOICES_IMAGES):
        for key, value in settings.defaults_for(new).items():
            ss[f"w_{key}"] = value
            persist[key] = value
        return
    if ss.get("w_steps", persist["steps"]) == settings.default_steps(old):  # a budget the user left alone
        ss.w_steps = persist["steps"] = settings.default_steps(new)
    if tuple(ss.get("w_stabilisers", persist["stabilisers"])) == settings.default_stabilisers(old):
        ss.w_stabilisers = list(settings.default_stabilisers(new))
        persist["stabilisers"] = settings.default_stabilisers(new)


def _live_lr(runner: TrainingRunner | None) -> None:
    """Learning rates and their decay change while the run trains (applied between two steps)."""
    ss = st.session_state
    if runner is not None and runner.snapshot().step > 0:
        try:
            runner.set_learning_rates(ss.w_lr_g, ss.w_lr_d, ss.w_lr_decay)
            ss.live_note = f"Learning rates now G {ss.w_lr_g:g}, D {ss.w_lr_d:g}, decay {ss.w_lr_decay:g} (live)."
            ss[knob_key(runner)] = float(ss.w_lr_decay)  # the Live knobs' decay slider shows the same value
        except ValueError as err:
            ss.live_note = str(err)


def knob_key(runner: TrainingRunner) -> str:
    """The session-state key of the Live knobs' learning-rate decay slider of this run (app_pages/train.py)."""
    return f"knob_lr_decay_{runner.run_id}"


def knob_decay(runner: TrainingRunner) -> None:
    """The Live knobs' decay slider moved: the run takes it, and so does the sidebar's LR decay (one value, wherever
    it is read: the sidebar, the share link, the next change of a learning rate)."""
    ss = st.session_state
    decay = float(ss[knob_key(runner)])
    runner.set_learning_rates(lr_decay=decay)
    ss.w_lr_decay = decay


def _load_preset() -> None:
    """Fill every setting from the chosen preset (on the current data); they stay editable."""
    ss = st.session_state
    name = ss.w_preset
    if name:
        for key, value in settings.preset_settings(name, ss.w_data).items():
            ss[f"w_{key}"] = value
            ss.train_settings[key] = value
        ss.w_preset = None
        ss.preset_loaded = name  # said under the box: the box itself goes back to its placeholder


def _objective_changed() -> None:
    """The D-step count follows the objective (wgan's critic takes 5 per G step); the slider can change it."""
    ss = st.session_state
    ss.w_n_critic = ss.train_settings["n_critic"] = settings.variant_n_critic(ss.w_objective)


def _uneven(net: str, k: str) -> None:
    """Under a network's layers and units: the uneven widths of a preset (the tutorial's 256-512-1024), while they
    are the ones built; changing the layers or the units gives every layer the same width."""
    ss = st.session_state
    widths = settings.hidden_widths(ss.get(f"w_{k}_widths", ""), ss[f"w_{k}_layers"], ss[f"w_{k}_units"])
    if len(set(widths)) > 1:
        st.caption(f"{net} is built {'-'.join(map(str, widths))} (the preset's widths; change the layers or the units "
                   "for equal ones).")


def _lr_widget(label: str, key: str, help_text: str, runner: TrainingRunner | None):
    options = sorted(set(LR_STEPS) | {st.session_state[key]})
    return st.select_slider(label, options=options, key=key, format_func=lambda v: f"{v:g}", help=help_text,
                            on_change=_live_lr, args=(runner,))


def experiment_sidebar(runner: TrainingRunner | None) -> Experiment:
    """Draw the sidebar; the settings as they stand after this run of the page. `runner`: this session's run, or
    None while none exists yet (a run cannot have steps then, so there are no live changes to apply)."""
    persist = _persist()
    with st.sidebar:
        data, is_image, errors = _data()
        _variant(is_image, errors)
        _networks(is_image, errors)
        _optimisation(errors, runner)
        stop_target, hq_target = _stop(data, errors)
    ss = st.session_state
    for key in persist:
        if f"w_{key}" in ss:
            persist[key] = ss[f"w_{key}"]
    s = dict(persist)
    if not is_image:
        s["net"] = "mlp"
    return Experiment(s, data, is_image, errors, stop_target, hq_target)


def _data() -> tuple[str, bool, dict]:
    ss = st.session_state
    errors: dict = {}
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
    return data, is_image, errors


def _variant(is_image: bool, errors: dict) -> None:
    ss = st.session_state
    family = "images" if is_image else "2d"
    st.selectbox("Load a preset", settings.PAGE_PRESETS[family], index=None, key="w_preset", on_change=_load_preset,
                 placeholder="a tuned starting point...", help="Fills every setting below with a named preset: "
                 + "; ".join(f"{n}: {settings.PRESETS[n].about}" for n in settings.PAGE_PRESETS[family]))
    loaded = ss.get("preset_loaded")
    if loaded in settings.PAGE_PRESETS[family]:  # what the last click loaded (its settings stay editable below)
        first, rest = settings.first_sentence(settings.PRESETS[loaded].about)
        st.caption(f"Loaded **{loaded}**: {first}")
        if rest:  # the rest folded: the whole text took 15 lines of the sidebar and pushed "GAN variant" down
            with st.expander(f"More on {loaded}"):
                st.caption(rest)
    st.subheader("GAN variant")
    st.selectbox("Objective", settings.OBJECTIVES, key="w_objective", help="The loss the two networks play.",
                 on_change=_objective_changed)
    offered = settings.stabilisers_for(is_image)
    if any(s not in offered for s in ss.w_stabilisers):  # image-only ones picked before the data became 2D
        ss.w_stabilisers = [s for s in ss.w_stabilisers if s in offered]
    st.multiselect("Stabilisers", offered, key="w_stabilisers",
                   help="Tricks that act on the training step; they never change the layers.")
    if "unrolled" in ss.w_stabilisers:
        st.slider("Unrolled steps k", 1, 10, key="w_unroll_k")
    if "pacgan" in ss.w_stabilisers:
        st.slider("PacGAN pack size m", 2, 4, key="w_pack_m")
    if "ema" in ss.w_stabilisers:
        # the decay set (a preset's 0.998, a link's) is among the choices, as the learning rates' are
        st.select_slider("EMA decay", sorted({0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, ss.w_ema}), key="w_ema",
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


def _networks(is_image: bool, errors: dict) -> None:
    ss = st.session_state
    st.subheader("Networks")
    if is_image:
        st.selectbox("Network family", settings.NETWORKS, key="w_net", help=HELP_M["kind"])
        st.checkbox("Conditional (the class label goes to G and D)", key="w_conditional", help=HELP_M["conditional"])
    net = ss.w_net if is_image else "mlp"
    if net == "mlp":
        c1, c2 = st.columns(2)
        c1.number_input("G layers", 0, 6, key="w_g_layers", help="hidden layers of the generator")
        c2.number_input("G units", 1, 1024, key="w_g_units", help="units per hidden layer")
        _uneven("G", "g")
        errors["g_units"] = st.empty()
        c1, c2 = st.columns(2)
        c1.number_input("D layers", 0, 6, key="w_d_layers", help="hidden layers of the discriminator")
        c2.number_input("D units", 1, 1024, key="w_d_units", help="units per hidden layer")
        _uneven("D", "d")
        errors["d_units"] = st.empty()
        st.selectbox("Activation", settings.ACTIVATIONS, key="w_act", help=HELP_M["activation"])
        st.checkbox("Batch norm in G", key="w_g_bn", help=HELP_M["g_batch_norm"])
        st.number_input("D maxout pieces (0 = off)", 0, 10, key="w_d_maxout", help=HELP_M["d_maxout"])
        errors["d_maxout"] = st.empty()
        st.selectbox("Initialisation", settings.INITS, key="w_init", help=HELP_M["init"])
        c2, c3 = st.columns(2)  # a third column cut the initialisation's name to "def"
        c2.number_input("Init gain", 0.01, 10.0, key="w_init_gain", step=0.1, format="%.2f", help=HELP_M["init_gain"],
                        disabled=ss.get("w_init") != "orthogonal")
        c3.number_input("D input scale", 0.001, 1000.0, key="w_d_scale", step=0.25, format="%.3g",
                        help=HELP_M["d_input_scale"])
        errors["init_gain"], errors["d_scale"] = st.empty(), st.empty()
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


def _optimisation(errors: dict, runner: TrainingRunner | None) -> None:
    ss = st.session_state
    st.subheader("Optimisation")
    st.selectbox("Optimiser", settings.OPTIMIZERS, key="w_opt", help=HELP_O["optimizer"])
    _lr_widget("G learning rate", "w_lr_g", HELP_O["lr_g"] + " (changes live)", runner)
    errors["lr_g"] = st.empty()
    _lr_widget("D learning rate", "w_lr_d", HELP_O["lr_d"] + " (changes live)", runner)
    errors["lr_d"] = st.empty()
    c1, c2 = st.columns(2)
    c1.select_slider("Adam beta1", sorted({0.0, 0.5, 0.8, 0.9} | {ss.w_beta1}), key="w_beta1",
                     help=HELP_O["beta1_g"] + " (G and D)")
    c2.select_slider("Adam beta2", sorted({0.99, 0.999} | {ss.w_beta2}), key="w_beta2",
                     help=HELP_O["beta2_g"] + " (G and D)")
    errors["beta1"], errors["beta2"] = st.empty(), st.empty()
    c1, c2 = st.columns(2)
    c1.select_slider("LR decay", sorted({0.0, 0.5, 0.9, 0.99} | {ss.w_lr_decay}), key="w_lr_decay", on_change=_live_lr,
                     args=(runner,), help=HELP_O["lr_decay"] + " (changes live; the Live knobs set it finer)")
    c2.number_input("Batch growth", 1, 8, key="w_batch_growth", help=HELP_O["batch_growth"])
    errors["lr_decay"] = st.empty()
    errors["batch_growth"] = st.empty()
    c1, c2 = st.columns(2)
    c1.number_input("Batch size", 2, 8192, key="w_batch", help=HELP_O["batch_size"])
    c2.number_input("D steps per G step", 1, 20, key="w_n_critic",
                    help="discriminator steps per generator step (wgan and wgan-gp: 5, as the paper)")
    st.checkbox("Batch counts D's inputs (x the pack size)", key="w_pack_batch", help=HELP_O["pack_batch"])
    errors["batch"] = st.empty()
    errors["n_critic"] = st.empty()
    st.number_input("Seed", 0, 2**31 - 1, key="w_seed", help="the same seed and settings give the same run")
    errors["seed"] = st.empty()


def _stop(data: str, errors: dict) -> tuple[bool, int]:
    st.subheader("Stop")
    st.number_input("Step budget", 1, 1_000_000, key="w_steps", step=500,
                    help="training stops at this many steps (also the horizon of the learning-rate decay, and of the batch growth when it is above 1: the batch grows at half of it)")
    errors["steps"] = st.empty()
    stop_target, hq_target = False, 50
    if data in settings.DATA_WITH_MODES:  # only a mixture has modes to cover
        stop_target = st.checkbox("Stop when every mode is covered", key="w_stop_target",
                                  help="stop once all modes are covered with enough high-quality samples")
        hq_target = st.slider("... with at least this % of high-quality samples", 0, 100, 50, key="w_hq_target",
                              disabled=not stop_target)
    return stop_target, hq_target
