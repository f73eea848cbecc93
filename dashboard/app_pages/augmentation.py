"""Do GANs help when labels are few? The augmentation study, live or from the shipped results."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import charts
from dashboard.live_plot import live_chart
from dashboard.pictures import data_uri, upscale
from dashboard.resources import session_augment
from dashboard.training.augment_runner import shipped_samples
from gan_core.augmentation import ARMS, Budget, StudyConfig, conclusions, read_results, summarise
from gan_core.augmentation.report import PER_CLASS, real_picture, side_by_side, spread
from gan_core.pictures import image_grid

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "bench" / "results" / "augment-mnist"
N_CHOICES = [1, 2, 5, 10, 20, 50, 100]

st.title("Do GANs help when labels are few?")
st.markdown(
    "One classifier (the evaluation classifier's network), the same training budget, and **N labeled digits per "
    "class**. The arms differ only in what fills its batches: the labeled digits alone; the same digits under "
    "random rotations, shifts and scalings (**classic augmentation**, the baseline a GAN must beat); the digits plus "
    "samples of a **conditional GAN** trained on those N per class alone; or the **semi-supervised GAN**, whose D "
    "classifies the 10 digits plus 'generated' and also learns from the unlabeled digits (Salimans et al. 2016). "
    "Every arm is scored on 1,000 held-out digits it never saw, over several seeds.")
runner = session_augment()
snap = runner.snapshot()
busy = snap.status in ("queued", "running")

with st.form("aug_form", border=True):
    # The four arms' names need most of a projector's width (1400 px) to show side by side: on a narrower column
    # the last ones hide behind a fade and the class cannot see what will run.
    top = st.columns([1, 3])
    ns = top[0].multiselect("Labeled images per class (N)", N_CHOICES, default=[10], key="aug_n", max_selections=3)
    arms = top[1].multiselect("Arms", list(ARMS), default=list(ARMS), format_func=lambda a: ARMS[a].title,
                              key="aug_arms")
    c = st.columns(4)
    seeds = c[0].number_input("Seeds", 1, 5, 2, key="aug_seeds")
    steps = c[1].number_input("Classifier steps", 10, 2000, 100, 10, key="aug_steps",
                              help="optimiser steps of 64 images for every arm's classifier")
    gan_steps = c[2].number_input("GAN steps", 10, 3000, 150, 10, key="aug_gan_steps",
                                  help="training iterations of the conditional GAN, on the N labeled images per class")
    go = st.form_submit_button("Run", type="primary", disabled=busy)
if go and not (ns and arms):
    st.error("Pick at least one number of labeled images per class (N) above, then press Run." if not ns else
             "Pick at least one arm above, then press Run.")
elif go:
    try:
        config = StudyConfig(labels_per_class=tuple(sorted(ns)), seeds=tuple(range(int(seeds))), arms=tuple(arms),
                             budget=Budget(steps=int(steps), gan_steps=int(gan_steps)))
        runner.start(config)
        st.session_state.aug_shipped = False  # the new study's results, once it runs
        st.rerun()
    except (ValueError, RuntimeError) as err:
        st.error(str(err))
if busy and st.button("Stop", key="aug_stop"):
    runner.stop()
    st.rerun()


def _chart_and_words(stats: list) -> None:
    """The bar chart and its sentences, from summarise(rows)."""
    live_chart(charts.augment_bars(stats, title=f"Held-out accuracy ({spread(stats)})"), key="aug_bars",
               config={"displayModeBar": "hover"})
    # a bullet per N (and the reference): one paragraph of some 450 words was a wall on a projector
    st.markdown("**What the numbers say.**\n\n" + "\n".join(f"- {c}" for c in conclusions(stats)) if stats
                else "No cell has finished yet.")


def _results(stats: list, pictures: dict, note: str) -> None:
    _chart_and_words(stats)
    st.caption(note)
    for n, (real, fake) in sorted(pictures.items()):
        st.markdown(f"**N = {n}**: the {n} labeled digit{'s' if n > 1 else ''} per class the conditional GAN learned "
                    f"from (left, up to 8 shown) and what it drew for each class (right).")
        real, fake = real_picture(real, n), image_grid(fake, cols=PER_CLASS)
        both = side_by_side(real, fake)
        if both is not None:
            st.image(data_uri(upscale(both, 2)), caption="left: real, labeled; right: conditional GAN (a row per class)")
        else:
            left, right = st.columns(2)
            left.image(data_uri(upscale(real, 2)), caption="real, labeled")
            right.image(data_uri(upscale(fake, 2)), caption="conditional GAN")


def _shipped() -> None:
    rows = read_results(SHIPPED)
    if not rows:
        st.info("Pick N and the arms, then press **Run**.")
        return
    summary_path = SHIPPED / "summary.md"
    summary = summary_path.read_text() if summary_path.is_file() else ""
    command = summary.split("```bash\n", 1)[1].split("\n```", 1)[0] if "```bash\n" in summary else "the augment command"
    seeds = len({r["seed"] for r in rows})
    st.subheader(f"The shipped study: MNIST, {seeds} seeds")
    _chart_and_words(summarise(rows))
    st.caption(f"Made with `{command}` (BENCHMARKS.md, \"Do GANs help when labels are few?\"). Press **Run** for "
               "a study of your own.")
    for n in sorted({r["N"] for r in rows if r["arm"] == "cgan"}):
        picture = shipped_samples(SHIPPED, n)
        if picture is not None:
            shown = "its labeled digit" if n == 1 else (f"its {n} labeled digits" if n <= PER_CLASS else
                                                         f"{PER_CLASS} of its {n} labeled digits")
            st.image(data_uri(upscale(picture, 2)), caption=f"N = {n}: {shown} per class, seed 0 (left), and the "
                                                            "conditional GAN's samples, a row per class (right)")


def _show_shipped(yes: bool) -> None:
    st.session_state.aug_shipped = yes


def _live() -> None:
    s = runner.snapshot()
    ended = s.status not in ("idle", "queued", "running")
    if ended and st.session_state.get("aug_was_busy"):
        st.session_state.aug_was_busy = False
        st.rerun(scope="app")
    st.session_state.aug_was_busy = s.status in ("queued", "running")
    if s.status == "idle" or (ended and st.session_state.get("aug_shipped")):
        if ended:
            st.button("Show my study again", key="aug_mine", on_click=_show_shipped, args=(False,))
        _shipped()
        return
    if s.status == "queued":
        st.info("Every training slot is busy: the study waits for one.")
    elif s.status == "error":
        st.error(f"The study stopped: {s.message}")
    where = f", now {s.cell}" if s.cell else ""
    # as the arena's bar says it: "so far" while it runs, the whole time once it has ended
    took = f"{s.elapsed:,.0f} s in all ({s.status})" if ended else f"{s.elapsed:,.0f} s so far"
    st.progress(min(1.0, s.fraction), text=f"{s.done_cells} of {s.total_cells} cells finished{where}, {took}")
    if ended:
        st.button("Show the shipped study again", key="aug_back", on_click=_show_shipped, args=(True,))
    b = s.config.budget
    # as the chart's title says it (report.spread): a stopped study may have finished one seed of several
    stats = summarise(list(s.rows))
    bars = ("One seed: no error bars." if spread(stats) == "one seed"
            else "Error bars: one standard error over the seeds finished so far.")
    _results(stats, s.samples, f"Every arm: {b.steps} classifier steps of {b.batch_size} images; the "
                                      f"conditional GAN: {b.gan_steps} iterations. {bars}")


st.fragment(run_every=1.0 if busy else None)(_live)()
