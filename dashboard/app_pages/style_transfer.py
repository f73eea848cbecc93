"""Style transfer: a CycleGAN learns to translate between two domains with no pairs, live; and the shipped ones."""
from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from dashboard import cycle_charts, run_keys
from dashboard.live_plot import live_chart
from dashboard.pictures import data_uri, upscale
from dashboard.resources import list_cycle_pretrained, load_classifier, load_cycle_pretrained, session_cycle_runner
from dashboard.training.cycle_runner import CycleSnapshot
from dashboard.training.parking import claim
from gan_core.cycle_config import CYCLE_PRESETS, CycleConfig, parse_pair, shares_digit_labels
from gan_core.cycle_io import frame_digit
from gan_core.data.pixels import to_uint8, to_unit
from gan_core.models.cyclegan import translate_with
from gan_core.pictures import image_grid
from gan_core.training.presets import merge

PAIRS = {"moons:circles": "2D: moons -> circles", "ring8:grid25": "2D: ring8 -> grid25",
         "mnist:digits8": "MNIST digits -> UCI 8x8 scans (digits8)",
         "mnist:fashion-mnist": "MNIST digits -> Fashion-MNIST (nothing in common)"}
# What a live run on this page gets: small enough for a few steps a second on a laptop CPU.
LIVE = {False: {"steps": 2000, "eval_every": 50, "eval_samples": 1000, "log_every": 10},
        True: {"steps": 1500, "eval_every": 100, "eval_samples": 200, "log_every": 5,
               "model": {"width": 8, "n_blocks": 2}, "optim": {"batch_size": 8}}}
ARROWS_HEIGHT = 380  # px: the live arrow plots end above the fold of a 1400 x 900 projector, under the sliders
TRANSLATORS = {"resnet": "ResNet (the paper's)", "warp": "reframe, then ResNet"}
TRANSLATOR_HELP = ("ResNet: the paper's translator, which sees the whole image and redraws it. Reframe, then ResNet: a "
                   "spatial transformer first moves and stretches each image by one learnt affine map (the digits8 "
                   "scans fill their frame, MNIST digits sit in a 20 x 20 box), so the ResNet only restyles; the "
                   "shipped mnist:digits8 model uses it, with the class term; without that term it keeps a few more "
                   "digits' classes than the ResNet alone (BENCHMARKS.md, CycleGAN)")
CLASS_HELP = ("Not in the paper, and it uses the digits' labels: each discriminator also learns to name the digit of "
              "its real images, and G and F are asked that their translations be named as their source's digit. "
              "The cycle loss alone lets a 2 be drawn as a 7 as long as F draws it back as a 2; this term makes that "
              "cost. Set before Train (the discriminators get a class head only when it is on). The shipped "
              "mnist:digits8 model is trained with 20 for 6,000 steps and keeps 97-99% of the digits, against 65-78% "
              "without it. A live run here is short: with the ResNet translator 5-20 raised the digits kept from "
              "53% / 70% to 70-74% / 80%; with reframe-then-ResNet 5 helped a little and 20 was too strong that "
              "early (BENCHMARKS.md, CycleGAN)")
LESSON = ("**The lesson of lambda_cycle.** Nothing in the adversarial loss says *which* B a translation should be: "
          "any output that looks like B fools D_B. The cycle loss is what ties G(a) to a (F must be able to bring it "
          "back). Set lambda_cycle to 0 while a run trains and watch the cycle error climb and the content wander: "
          "{wander}, and the way back no longer finds the start. Raise it again and the translations settle back onto "
          "their sources.")
# What wanders, by the kind of pair: 2D points, digits to digits, or images with nothing in common.
WANDER = {"2d": "the arrows cross as points land anywhere on the other shape",
          "digits": "digits turn into other digits (class kept falls)",
          "images": "a translation no longer depends on which digit went in"}


def class_help(pair: str, direction: str) -> str:
    """What "Class kept" means for the pair shown: a digit's class kept, or, where the two sides share no classes
    (digits -> clothes), a number near chance (10%) that means nothing more."""
    a, b = (s.strip() for s in pair.split(":", 1)) if ":" in pair else (pair, pair)
    src, dst = (a, b) if direction == "ab" else (b, a)
    if shares_digit_labels(pair):
        return (f"the share of held-out {src} images whose translation the {dst} classifier reads as the same digit "
                f"(100% = every digit kept)")
    return (f"{src} and {dst} share no classes (digits and clothes): this is the share of translations the {dst} "
            f"classifier puts in the class with the same number, about 10% by chance; it says nothing about a "
            f"good translation here")


CYCLE_HELP = {True: "mean pixel error of F(G(a)) against a, on held-out images",
              False: "median distance |F(G(a)) - a| as a share of A's spread, on held-out points"}


def lesson(pair: str) -> str:
    """The lambda_cycle lesson in the words of the pair chosen."""
    kind = "digits" if shares_digit_labels(pair) else "images" if parse_pair(pair)[0].is_image else "2d"
    return LESSON.format(wander=WANDER[kind])


st.title("Style transfer")
st.markdown("A **CycleGAN** (Zhu et al. 2017) learns two translators from unpaired examples: G turns domain A into B, "
            "F turns B into A, and two discriminators judge each side. Nothing pairs an input with its answer; what "
            "keeps the content is the **cycle**: F(G(a)) should be a again, and G(F(b)) should be b.")
runner = session_cycle_runner()
ss = st.session_state
tab_live, tab_shipped = st.tabs(["Train live", "Translate with a shipped model"])


def elsewhere(snap: CycleSnapshot) -> str:
    """The line that stands for the session's run under another pair: its results and controls stay with its own."""
    if snap.status == "paused":
        return (f"The paused run is on {PAIRS[snap.pair]}: choose that pair to resume it, or press Train to start this "
                "pair (that replaces it).")
    return (f"The last run ({snap.status}) is on {PAIRS[snap.pair]}: choose that pair to see it, or press Train to "
            "start this pair (that replaces it).")


def live_config(pair: str, steps: int) -> CycleConfig:
    a, b = parse_pair(pair)
    d = CycleConfig(data_a=a, data_b=b, model={"kind": "resnet" if a.is_image else "mlp"}).to_dict()
    d = merge(merge(d, CYCLE_PRESETS["images" if a.is_image else "2d"]), LIVE[a.is_image])
    if a.is_image:
        d = merge(d, {"model": {"translator": ss.get("st_translator", "resnet")}})
    return CycleConfig.from_dict(merge(d, {"steps": int(steps), "lambda_cycle": float(ss.get("st_lc", 10.0)),
                                           "lambda_identity": float(ss.get("st_li", 0.0)),
                                           "lambda_class": float(ss.get("st_lcls", 0.0)) if shares_digit_labels(pair) else 0.0}))


def _weights_changed() -> None:
    if runner.snapshot().pair == ss.get("st_pair"):  # the sliders move the run of the pair shown, and no other
        runner.set_weights(float(ss["st_lc"]), float(ss["st_li"]))


def _pair_changed() -> None:
    """The loss weights follow the pair chosen: its run's, if this session has one on it, else the paper's. A
    lambda_cycle of 0 set for the lesson no longer carries over, unseen, into the next pair's run."""
    snap = runner.snapshot()
    ours = snap.pair == ss.get("st_pair")
    ss.st_lc = float(snap.lambda_cycle) if ours else 10.0
    ss.st_li = float(snap.lambda_identity) if ours else 0.0


def _reattach(key: str) -> None:
    """Reattach's click, before the page reruns: the run comes back paused, and the controls show its settings."""
    claimed = claim(key, "cycle")
    if claimed is None:  # expired, or taken by another tab of this browser meanwhile
        return
    runner.adopt(claimed.trainer, claimed.run_id, claimed.keepsake)
    cfg, t = claimed.config, claimed.trainer
    ss.st_pair, ss[f"st_steps_{cfg.is_image}"] = cfg.pair, cfg.steps
    ss.st_lc, ss.st_li = float(t.lambda_cycle), float(t.lambda_identity)
    if cfg.is_image:
        ss.st_translator = cfg.model.translator
    if shares_digit_labels(cfg.pair):
        ss.st_lcls = float(cfg.lambda_class)


ROW_WIDTH = 540  # px of one strip of held-out pictures: the three rows of a side end above the fold at 1400 x 900
# The two sides of the shipped digit model, in words a class reads (the data sets' own names in brackets).
SIDE_NAMES = {"mnist": "MNIST", "digits8": "UCI 8x8 scans (digits8)"}


def _row(images: np.ndarray, caption: str) -> None:
    # inline (a data URI), not a media file: a file replaced by the next refresh can be asked for after it is gone
    st.image(data_uri(upscale(image_grid(images, cols=len(images)), 3)), caption=caption, width=ROW_WIDTH)


with tab_live:
    snap = runner.snapshot()
    busy = snap.status in ("queued", "running")
    # offered while this session has no run
    parked_key, found = run_keys.parked_here("cycle") if not snap.pair else ("", None)
    if found is not None:
        said, act = st.columns([5, 1], vertical_alignment="center")
        said.info(f"The run **{found.run_id}** on {PAIRS.get(found.config.pair, found.config.pair)} that was open here "
                  f"before the page was closed or reloaded is kept, paused at step {found.step:,} of "
                  f"{found.config.steps:,}, for {max(1, round(found.seconds_left / 60))} more minute(s).")
        act.button("Reattach to it", key="st_reattach", type="primary", width="stretch", on_click=_reattach,
                   args=(parked_key,))
    if snap.pair in PAIRS and (busy or "st_pair" not in ss):
        ss.st_pair = snap.pair  # a training run, or the page opened again: the selector shows the run's pair
    c = st.columns([3, 1.6, 1, 1, 1], vertical_alignment="bottom")
    pair = c[0].selectbox("Pair (A -> B)", list(PAIRS), format_func=PAIRS.get, key="st_pair", disabled=busy,
                          on_change=_pair_changed)
    is_image = parse_pair(pair)[0].is_image
    ours = snap.pair == pair  # the session's run (if any) is of the pair chosen: its results and Resume show
    if is_image:
        c[1].selectbox("Translator", list(TRANSLATORS), format_func=TRANSLATORS.get, key="st_translator",
                       disabled=busy, help=TRANSLATOR_HELP)
    else:
        c[1].selectbox("Translator", ["MLP (2D points)"], key="st_translator_2d", disabled=True,
                       help="2D points are translated by MLPs; the image translators are for the image pairs")
    ss.setdefault(f"st_steps_{is_image}", LIVE[is_image]["steps"])  # (the value from the state only: Reattach sets it)
    steps = c[2].number_input("Steps", 100, 20000, step=100, key=f"st_steps_{is_image}")
    resumable = ours and snap.status == "paused"  # then Resume is the main button, and Train (a new run) is not
    # Beside Resume, Train starts another run: its label and help say that the paused one is replaced
    if c[3].button("Train anew" if resumable else "Train", type="secondary" if resumable else "primary",
                   key="st_train", disabled=busy, width="stretch",
                   help=(f"starts a new run; the paused one (step {snap.step:,}) is replaced. Resume goes on with it"
                         if resumable else None)):
        try:
            runner.start(live_config(pair, steps))
        except Exception as err:  # noqa: BLE001 - a missing data set is explained on the page
            st.error(f"This pair cannot be trained here: {err}")  # no rerun: it would wipe the message
        else:
            st.rerun()
    if busy:
        if c[4].button("Pause", key="st_pause", width="stretch"):
            runner.pause()
            st.rerun()
    elif resumable and c[4].button("Resume", type="primary", key="st_resume", width="stretch"):
        runner.resume()
        st.rerun()
    w = st.columns(3 if shares_digit_labels(pair) else 2)
    for name, start in (("st_lc", 10.0), ("st_li", 0.0), ("st_lcls", 0.0)):
        ss.setdefault(name, start)  # the sliders take their values from the state only: Reattach sets them
    w[0].slider("lambda_cycle: weight of the cycle loss", 0.0, 20.0, step=0.5, key="st_lc", on_change=_weights_changed,
                help="10 in the paper; 0 removes the only thing that ties a translation to its source")
    w[1].slider("lambda_identity: identity loss, as a share of lambda_cycle", 0.0, 1.0, step=0.05, key="st_li",
                on_change=_weights_changed, help="0.5 in the paper for photos <-> paintings; G(b) should stay b")
    if shares_digit_labels(pair):
        w[2].slider("lambda_class: keep the digit (uses labels)", 0.0, 40.0, step=1.0, key="st_lcls",
                    disabled=busy or (ours and snap.status == "paused"),
                    help=CLASS_HELP)

    @st.fragment(run_every=0.4 if busy else None)
    def live_view() -> None:
        """What the lesson asks to watch comes first, under the sliders and the errors (for a 2D pair all of it
        above the fold of a 900-pixel projector); then the lesson, then the loss curves."""
        s = runner.snapshot()
        if busy and s.status not in ("queued", "running"):
            st.rerun()  # the run ended: redraw the page once, without polling
        if s.pair != pair:
            if s.pair:
                st.info(elsewhere(s))
            s = CycleSnapshot(is_image=is_image)  # this pair's view before its first run
        ev = s.evals
        last = lambda key: ev[key][-1] if ev.get(key) else None  # noqa: E731
        fmt = lambda v: "-" if v is None else f"{100 * v:.1f}%"  # noqa: E731
        m = st.columns(5)
        m[0].metric("Step", f"{s.step:,} / {s.steps:,}" if s.steps else "0")
        m[1].metric("Status", s.status, help=s.message or None)
        if s.is_image:  # in the order of the progress chart's legend
            m[2].metric("Class kept A->B", fmt(last("class_ab")), help=class_help(pair, "ab"))
            m[3].metric("Class kept B->A", fmt(last("class_ba")), help=class_help(pair, "ba"))
            m[4].metric("Cycle error A->B->A", fmt(last("cycle_ab")), help=CYCLE_HELP[True])
        else:
            m[2].metric("Steps / s", f"{s.rate:.1f}" if s.status == "running" else "-",
                        help="while the run trains")
            m[3].metric("Cycle error A->B->A", fmt(last("cycle_ab")), help=CYCLE_HELP[False])
            m[4].metric("Cycle error B->A->B", fmt(last("cycle_ba")), help=CYCLE_HELP[False])
        if s.message:
            st.warning(s.message)
        p = s.panel
        if p and s.is_image:
            a_name, b_name = s.pair.split(":")
            st.markdown(f"**Held-out inputs, their translations and the way back** (A = {a_name}, B = {b_name})")
            i1, i2 = st.columns(2)
            with i1:
                _row(p["a"], "A: held-out inputs")
                _row(p["ab"], "G(a): translated to B")
                _row(p["aba"], "F(G(a)): back to A")
            with i2:
                _row(p["b"], "B: held-out inputs")
                _row(p["ba"], "F(b): translated to A")
                _row(p["bab"], "G(F(b)): back to B")
        elif p:
            g1, g2 = st.columns(2)
            with g1:
                live_chart(cycle_charts.arrows_2d(p, height=ARROWS_HEIGHT), key="st_arrows_ab")
            with g2:
                back = {"a": p["b"], "ab": p["ba"], "aba": p["bab"], "b": p["a"]}
                live_chart(cycle_charts.arrows_2d(back, title="B -> A and back", height=ARROWS_HEIGHT),
                           key="st_arrows_ba")
        st.info(lesson(pair))
        left, right = st.columns(2)
        with left:
            live_chart(cycle_charts.losses(s.losses), key="st_losses")
        with right:
            live_chart(cycle_charts.progress(s.evals, s.is_image), key="st_progress")

    live_view()


# ----------------------------------------------------------------------------- the shipped translators
with tab_shipped:
    shipped = list_cycle_pretrained()
    if not shipped:
        st.info("No CycleGAN is shipped in pretrained/ on this installation.")
    else:
        name = st.selectbox("Shipped model", shipped, key="st_shipped")
        G, F, cfg = load_cycle_pretrained(name)
        a_name, b_name = cfg.data_a.name, cfg.data_b.name
        labels = (f" Trained with the class term (lambda_class = {cfg.lambda_class:g}): its discriminators learnt the "
                  "digits' labels, so this is CycleGAN helped by labels, not the paper's unsupervised version."
                  if cfg.lambda_class > 0 else "")
        st.caption(f"pretrained/{name}: {a_name} <-> {b_name}, trained as its README.md says.{labels}")
        if not cfg.is_image:
            from gan_core.data.points import Data2D

            gen = torch.Generator().manual_seed(0)
            a = Data2D(a_name).sample(300, gen)
            b = Data2D(b_name).sample(300, gen)
            ab, ba = translate_with(G, a), translate_with(F, b)
            # Both ways, each in half the width as on the live tab: at full width the equal-aspect axes ran to +-8
            # and the shapes filled a quarter of the chart.
            there = {"a": a.numpy(), "ab": ab.numpy(), "aba": translate_with(F, ab).numpy(), "b": b.numpy()}
            back = {"a": b.numpy(), "ab": ba.numpy(), "aba": translate_with(G, ba).numpy(), "b": a.numpy()}
            g1, g2 = st.columns(2)
            with g1:
                live_chart(cycle_charts.arrows_2d(there, height=ARROWS_HEIGHT), key="st_shipped_2d")
            with g2:
                live_chart(cycle_charts.arrows_2d(back, title="B -> A and back", height=ARROWS_HEIGHT),
                           key="st_shipped_2d_back")
        else:
            from dashboard.resources import held_out_examples

            # The choices on one row, and a drawing beside its results: the classifier's reading of the
            # translation stays above the fold of a 1400 x 900 projector.
            pick = st.columns([1.1, 1.6, 1.8], vertical_alignment="bottom")
            side = pick[0].radio("My digit is drawn like", [a_name, b_name], horizontal=True, key="st_side",
                                 format_func=lambda d: SIDE_NAMES.get(d, d),
                                 help=f"{a_name}: a digit centred with a margin; {b_name}: filling its frame")
            how = pick[1].radio("Digit", ["a held-out one", "upload a picture", "draw it"], horizontal=True,
                                key="st_how")
            named = SIDE_NAMES.get(side, side)  # the names the radio buttons use, not the data sets' ids
            digit, results, yours = None, st.container(), f"your digit ({named})"
            if how == "a held-out one":
                pics, labels = held_out_examples(side, 32)
                idx = pick[2].slider("Held-out example", 0, len(pics) - 1, 0, key="st_idx",
                                     help=f"one of {len(pics)} held-out {named} digits (drawn once from the test "
                                          f"split), from the plainest (0: the one the {named} classifier reads most "
                                          f"surely) to the hardest; the caption says which digit it is")
                digit, yours = pics[idx], f"held-out {named} example {idx}: a {int(labels[idx])}"
            elif how == "upload a picture":
                up = pick[2].file_uploader("A picture of one digit (PNG or JPEG, at most 5 MB)",
                                           type=["png", "jpg", "jpeg"], key="st_up")
                if up is not None:
                    from gan_core.uploads import parse_image

                    try:
                        digit = frame_digit(parse_image(up.getvalue()), side)
                    except ValueError as err:
                        st.error(f"That picture cannot be used: {err}")
            else:
                pick[2].caption("Select the cells to ink with the box or lasso tool (drag across the grid; hold Shift "
                                "to add). The translation appears beside the grid.")
                n = 12
                drawing, results = st.columns([1, 1.7])
                with drawing:
                    ev = st.plotly_chart(cycle_charts.draw_grid(n, height=330), key="st_draw", on_select="rerun",
                                         selection_mode=("box", "lasso", "points"))
                cells = [pt["point_index"] for pt in ev.selection.points] if ev and ev.selection.points else []
                if cells:
                    grid = np.zeros(n * n, np.float32)
                    grid[cells] = 255.0
                    digit = frame_digit(np.kron(grid.reshape(n, n)[::-1], np.ones((4, 4), np.float32)), side)
                else:
                    results.info("Select some cells of the grid: your digit, its translation and the way back "
                                 "appear here.")
            if digit is not None:
                there, back = (G, F) if side == a_name else (F, G)
                other = b_name if side == a_name else a_name
                x = to_unit(digit[None])
                y = translate_with(there, x)
                z = translate_with(back, y)
                clf = load_classifier(other)
                with torch.inference_mode():
                    read = int(clf(y).argmax(1)[0])
                cols, there = results.columns(3), SIDE_NAMES.get(other, other)
                for col, img, said in ((cols[0], digit, yours),
                                       (cols[1], to_uint8(y)[0], f"translated to {there}: the {there} classifier "
                                                                 f"reads a {read}"),
                                       (cols[2], to_uint8(z)[0], f"and back to {named}")):
                    col.image(data_uri(upscale(img, 7)), caption=said, width=196)  # inline, as the live rows

# This browser can take the run back after a reload (parking.py). Drawn last, where its empty element shows nothing
# (in the sidebar it opened an empty one, which narrowed the page).
if runner.owner_key:
    run_keys.remember(runner.owner_key)
