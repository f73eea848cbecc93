"""Mode-collapse arena: several GAN variants train side by side; count the modes each one loses."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import arena_shipped, charts
from dashboard.live_plot import live_chart
from dashboard.pictures import upscale
from dashboard.resources import session_arena
from dashboard.training.arena_runner import IMAGE_MODES, explain_images, ranking, top_classes
from gan_core.arena import ARENA_DATA, IMAGE_ARENA_DATA
from gan_core.arena.verdict import explain as explain_points, first_seed, occupancy
from gan_core.data.images import class_names
from gan_core.data.points import MIXTURES
from gan_core.pictures import image_grid

st.title("Mode-collapse arena")
arena = session_arena()
snap = arena.snapshot()
busy = snap.status in ("queued", "running")

CHOICES = ["vanilla", "ns", "lsgan", "hinge", "wgan", "wgan-gp", "ns+pacgan-2+ema", "ns+pacgan-2+ema+mbstd",
           "unrolled-5", "pacgan-2", "pacgan-4", "hinge+sn", "ns+mbstd", "ns+r1", "ns+sn", "ns+ttur", "ns+ema"]
NETWORKS = {"dcgan": "DCGAN (preset dcgan)", "tutorial-mlp": "the tutorial's MLP (preset tutorial-mlp)"}
NETWORKS_2D = {"collapse-ttur": "2 x 128 ReLU, D 4x faster than G (preset collapse-ttur): a collapse, mostly sharp",
               "collapse-metz2016": "the Unrolled GAN paper's (preset collapse-metz2016): loose hopping",
               "collapse-pacgan2018": "PacGAN's (preset collapse-pacgan2018): grid25 at 20,000 steps, 8-10 min a run",
               "unrolled-2d": "the Unrolled GAN notebook's tanh networks (preset unrolled-2d)"}
CHOICE_LABELS = {"ns+pacgan-2+ema": "ns+pacgan-2+ema (the classroom recipe's variant; on grid25 with +mbstd)",
                 "ns+pacgan-2+ema+mbstd": "ns+pacgan-2+ema+mbstd (the classroom recipe's variant on grid25)"}
DATA = [d for d in ("ring8", "grid25", "ring8-pacgan", "two-gaussians") if d in ARENA_DATA]
DATA += [d for d in ("mnist", "fashion-mnist", "stacked-mnist") if d in IMAGE_ARENA_DATA]
LABELS = {"ring8": "ring8 (8 Gaussians on a circle)", "grid25": "grid25 (5 x 5 Gaussians)",
          "ring8-pacgan": "ring8-pacgan (PacGAN's ring)", "two-gaussians": "two-gaussians",
          "mnist": "MNIST digits (10 classes)", "fashion-mnist": "Fashion-MNIST (10 classes)",
          "stacked-mnist": "Stacked MNIST (1,000 digit triples)"}
# Per kind of data: default variants, steps, evaluation interval and the step range a class can afford.
PLAN = {"2d": (["vanilla", "ns", "ns+r1", "ns+sn"], 12000, 500, 200, 30000),
        "images": (["ns", "pacgan-2", "hinge+sn"], 600, 200, 10, 5000)}

# Data is locked on the running arena's data: coming back from another page it would read ring8 again, and the
# arena's live results (and its Stop button) would sit under another data's form.
if busy and snap.data in DATA:
    st.session_state.ar_data = snap.data
data = st.selectbox("Data", DATA, format_func=lambda d: LABELS.get(d, d), key="ar_data", disabled=busy)
images = data in IMAGE_MODES
kind = "images" if images else "2d"
default_variants, default_steps, default_every, min_steps, max_steps = PLAN[kind]
# Once an arena has run on this data, its results come first: the introduction folds into an expander, so that
# the live panels start above the fold of a 1400 x 900 projector instead of under a screenful of text.
ran_here = snap.status != "idle" and snap.data == data
intro = st.expander("What the arena compares, and how it scores", expanded=False) if ran_here else st.container()
with intro:
    if images:
        what = ("digit triple (one digit per colour channel, 1,000 in all)" if data == "stacked-mnist" else "class")
        # MNIST and Fashion-MNIST offer two networks (the form's DCGAN, the tutorial's MLP of the shipped arena)
        nets = ("DCGAN (the `dcgan` preset: the network of PacGAN's Stacked MNIST experiment)"
                if data == "stacked-mnist" else "networks")
        tail = ("; Stacked MNIST is scored on 26,000 samples, as in the PacGAN paper, so each evaluation takes a while."
                if data == "stacked-mnist" else
                ", and **% confidence** is how sure the classifier is of the samples on average.")
        st.markdown(f"Every variant gets the same {nets}, data, seeds and step budget; only the GAN variant "
                    f"differs. The shipped evaluation classifier labels the samples: a mode is a {what}, and it is "
                    f"**covered** when at least one sample is classified as it. The **KL** compares the class shares "
                    f"with a uniform one (0 = every class equally often){tail}")
        st.caption("A DCGAN step costs far more than a 2D one on a laptop CPU: a few hundred steps already show which "
                   "variants start with only some of the classes. The tutorial's MLP (preset `tutorial-mlp`) is the "
                   "network whose plain recipe drifts onto 1s on MNIST (34-51% of its samples after 5,000 steps, 2-5 "
                   "minutes a run on one core): watch the share per class over training under each variant, or open "
                   "the shipped arena of it below.")
    else:
        st.markdown("Every variant gets the same networks, data, seeds and step budget; only the GAN variant differs. "
                    "The networks and optimiser are by default preset `collapse-ttur` (G and D 2 x 128 ReLU, 256-d "
                    "noise, batch 512, D learning 4x faster than G), in which the plain GANs `vanilla` and `ns` "
                    "collapse onto a few modes, often hopping between them (`ns` mostly with sharp samples, `vanilla` "
                    "often still loose), while spectral normalisation (`ns+sn`) keeps all eight on every seed of the "
                    "shipped arena below, with most samples sharp (58-87%), and the R1 penalty (`ns+r1`) all eight as "
                    "well, with most samples sharp on 3 of its 5 seeds (10-83%); preset `collapse-metz2016` is the "
                    "Unrolled GAN paper's own 2D experiment, where a loose blob jumps from mode to mode. Under each "
                    "variant, the **share per mode over training** shows it happen: a staircase of bright cells is a "
                    "generator hopping from mode to mode; a full column is one that covers them all. The scores follow"
                    " the VEEGAN / PacGAN protocol: a sample is **high quality** (sharp) within 3 sigma of a centre, a"
                    " mode is **covered** when at least one sharp sample is nearest to it, and the **reverse KL** is 0"
                    " when every mode gets the same share.")
        if data == "grid25":
            st.caption("On grid25 the defaults take longer: a run of 12,000 steps took 70-130 s on one core of a "
                       "2-core laptop, so the four default variants need about 3-5 minutes on its two cores. What they"
                       " showed there (seeds 0-1): `ns` sat on about 10 of the 25 modes and hopped, `vanilla` on "
                       "13-17, loose; `ns+sn` kept all 25, `ns+r1` all 25 but loose. The sharp full grid is the "
                       "`classroom` preset's on the Train page (24,000 steps, shipped as grid25-classroom in the "
                       "Latent explorer). The PacGAN paper's own setup is networks `collapse-pacgan2018` (variants "
                       "`ns` and `pacgan-2`, 20,000 steps): the plain GAN kept 16 of the 25 modes and packing 24, as "
                       "published (17.3 and 23.8), but a run takes 8-10 minutes on one core; its shipped arena opens "
                       "below.")
shipped = arena_shipped.shipped_for(data)
if st.session_state.pop("ar_fold_shipped", None) == data:  # an arena just started: its results, not three screens
    st.session_state[f"ar_shipped_{data}"] = False           # of the shipped one, come under the form
if shipped is not None and st.toggle(shipped[1], key=f"ar_shipped_{data}"):
    arena_shipped.show(shipped[0], data)
# Streamlit forgets a widget's value while another page is shown: the form's last started values are kept here
# and put back, so coming back to a running arena, its form shows what runs (not the defaults).
_kept = st.session_state.setdefault("ar_form_kept", {})
for _key, _value in _kept.items():
    if _key not in st.session_state:
        st.session_state[_key] = _value


def _initial(key: str, value) -> dict:
    """A widget's initial value, unless the session already holds one (passing both makes Streamlit warn)."""
    return {} if key in st.session_state else {"value": value}


with st.form(f"arena_form_{kind}", border=True):
    if images and data != "stacked-mnist":
        network = st.selectbox("Networks every variant gets", list(NETWORKS), format_func=NETWORKS.get,
                               key="ar_network")
    elif not images:
        network = st.selectbox("Networks every variant gets", list(NETWORKS_2D), format_func=NETWORKS_2D.get,
                               key="ar_network_2d")
    else:
        network = None
    c = st.columns([3, 1, 1, 1])
    variants = c[0].multiselect("Variants (up to six)", CHOICES, max_selections=6, key=f"ar_variants_{kind}",
                                format_func=lambda v: CHOICE_LABELS.get(v, v),
                                default=None if f"ar_variants_{kind}" in st.session_state else default_variants)
    steps = c[1].number_input("Steps per run", min_steps, max_steps, step=min_steps, key=f"ar_steps_{kind}",
                              **_initial(f"ar_steps_{kind}", default_steps))
    seeds = c[2].number_input("Seeds", 1, 5, key=f"ar_seeds_{kind}", help="runs per variant, seeds 0..n-1",
                              **_initial(f"ar_seeds_{kind}", 1))
    every = c[3].number_input("Evaluate every", min_steps, max_steps, step=min_steps, key=f"ar_every_{kind}",
                              **_initial(f"ar_every_{kind}", default_every))
    go = st.form_submit_button("Start the arena", type="primary", disabled=busy)
if go and not variants:
    st.error("Pick at least one variant (up to six) above, then start the arena.")
elif go:
    try:
        arena.start(data, variants, int(seeds), int(steps), int(every), preset=network)
        _kept.update({f"ar_variants_{kind}": list(variants), f"ar_steps_{kind}": int(steps),
                      f"ar_seeds_{kind}": int(seeds), f"ar_every_{kind}": int(every)})
        _kept.update({k: st.session_state[k] for k in ("ar_network", "ar_network_2d") if k in st.session_state})
        st.session_state.ar_fold_shipped = data
        st.rerun()
    except (ValueError, RuntimeError) as err:
        st.error(str(err))
if busy and st.button("Stop the arena", key="ar_stop"):
    arena.stop()
    st.rerun()


def _title(name: str, s, k: int) -> str:
    """The panel's title: the scores of the run its picture shows (the lowest seed's latest evaluation, as its
    samples and its sentence below), with the seed named: the table and the line charts are means over seeds."""
    mine = first_seed(s.evals, name) if not s.evals.empty else None
    if mine is None or not len(mine):
        return name
    r = mine.sort_values("step").iloc[-1]
    seed = f"seed {int(r['seed'])}"
    if s.data in IMAGE_MODES:
        text = (f"{name}, {seed}, step {int(r['step']):,}: {int(r['modes']):,}/{k:,} "
                f"{'triples' if k > 10 else 'classes'}")
        return text + (f", {100 * r['hq']:.0f}% confidence" if np.isfinite(r.get("hq", np.nan)) else "")
    return f"{name}, {seed}: {int(r['modes'])}/{k} modes, {100 * r['hq']:.0f}% HQ"


def _panel(name: str, s, k: int) -> None:
    pts = s.samples.get(name)
    if pts is None:
        st.markdown(f"**{name}**: " + ("waiting for its first evaluation..." if s.status in ("queued", "running")
                                        else "the arena stopped before this run was evaluated (or started)."))
    elif s.data in IMAGE_MODES:
        st.image(upscale(image_grid(pts[:32], cols=8), 2), caption=_title(name, s, k))
        if k <= 10:
            live_chart(charts.occupancy(first_seed(s.evals, name), labels=class_names(s.data, k), height=240,
                                        title="Share per class over training"), key=f"ar_occ_{name}")
    else:
        mix = MIXTURES[s.data]
        live_chart(charts.arena_panel(pts, mix.centres, mix.sigma, _title(name, s, k)), key=f"ar_panel_{name}")
        live_chart(charts.occupancy(first_seed(s.evals, name), mix.centres, title="Share per mode over training",
                                    height=220 if k <= 8 else 300), key=f"ar_occ_{name}")


def _too_early(name: str, s) -> bool:
    """Whether a 2D variant's first seed is too early to judge (gan_core.arena.verdict: loose, few evaluations)."""
    try:
        return occupancy(first_seed(s.evals, name)).too_early
    except ValueError:  # never evaluated: its own line says so
        return False


def _verdict(name: str, s) -> str:
    """A variant's story in words: its first seed's occupancy over training (gan_core.arena.verdict)."""
    try:
        return explain_points(name, occupancy(first_seed(s.evals, name)), MIXTURES[s.data].centres,
                              ringed=" (ringed in its picture above)")
    except ValueError:
        return f"**{name}**: no evaluation to look at yet."


def _live() -> None:
    s = arena.snapshot()
    if s.status not in ("queued", "running") and st.session_state.get("ar_was_busy"):
        st.session_state.ar_was_busy = False
        st.rerun(scope="app")
    st.session_state.ar_was_busy = s.status in ("queued", "running")
    if s.status == "idle":
        st.info("Pick variants and press **Start the arena**. Each run trains on its own CPU core when one is free.")
        return
    if s.data != data:  # its results belong under the data they ran on, and come back when it is chosen again
        st.info(f"The last arena ran on {LABELS.get(s.data, s.data)}; choose it under Data to see its results again.")
        return
    if s.status == "queued":
        st.info(f"Every training slot is busy: the arena is number {s.queue_position or 1} in the queue.")
    elif s.status == "error":
        st.error(f"The arena stopped: {s.message}")
    frac = s.done_runs / max(s.total_runs, 1)
    live = s.status in ("queued", "running")
    took = f"{s.elapsed:,.0f} s so far" if live else f"{s.elapsed:,.0f} s in all ({s.status})"
    st.progress(frac, text=f"{s.done_runs} of {s.total_runs} runs on {LABELS.get(s.data, s.data)} finished, "
                           f"{s.workers} at a time, {took}")
    for e in s.errors:
        st.warning(e)
    on_images = s.data in IMAGE_MODES
    k = IMAGE_MODES[s.data] if on_images else len(MIXTURES[s.data].centres)
    names = list(s.variants)
    per_row = 3 if len(names) > 4 else max(1, len(names))
    for row in range(0, len(names), per_row):
        cols = st.columns(per_row)
        for col, name in zip(cols, names[row:row + per_row]):
            with col:
                _panel(name, s, k)
    if not s.evals.empty:
        if on_images:
            charts_to_draw = [("modes", f"{'Digit triples' if k > 10 else 'Classes'} found (of {k:,})", "modes", 1),
                              ("kl", "KL of the class shares to uniform (0 = even)", "KL", 1)]
            if s.evals["hq"].notna().any():
                charts_to_draw.insert(1, ("hq", "Classifier's mean confidence", "% confidence", 100))
        else:
            charts_to_draw = [("modes", "Modes covered", "modes", 1), ("hq", "% high-quality samples", "% HQ", 100),
                              ("kl", "Reverse KL (0 = even)", "KL", 1)]
        for col, (metric, title, axis, scale) in zip(st.columns(len(charts_to_draw)), charts_to_draw):
            df = s.evals.assign(**{metric: scale * s.evals[metric]}) if scale != 1 else s.evals
            with col:
                # no mode bar: in a third of the page it covers the title (drag still zooms, a double click resets)
                live_chart(charts.arena_lines(df, metric, title, axis, order=names), key=f"ar_{metric}")
    if s.status in ("done", "stopped") and not s.finals.empty:
        st.subheader("Ranking")
        st.caption("Each variant's mean over its runs (seeds), best first: most modes covered, then the lowest KL.")
        early = [] if on_images else [name for name in names if _too_early(name, s)]
        if early:
            st.warning(f"Too early to rank: {', '.join(early)} {'has' if len(early) == 1 else 'have'} not learnt the "
                       f"modes yet (most samples are not sharp after {int(s.evals['step'].max()):,} steps), so this "
                       f"order says little. Give the arena more steps and run it again.")
        ranked, label = ranking(s.finals), arena_shipped.score_labels(s.data)  # the names of the tables above
        st.dataframe(ranked, hide_index=True, height="content",
                     column_config={"hq": st.column_config.NumberColumn(label["hq"], format="%.1f"),
                                    "kl": st.column_config.NumberColumn(label["kl"], format="%.3f"),
                                    "modes": st.column_config.NumberColumn(label["modes"], format="%.1f"),
                                    "seconds": st.column_config.NumberColumn("seconds per run", format="localized")})
        st.subheader("What collapse looked like")
        seeds = sorted(set(s.finals["seed"].astype(int)))
        if not on_images and len(seeds) > 1:  # the stories read one run each; the table above is a mean
            st.caption(f"Each story follows one run, seed {seeds[0]}, the one pictured above; the other seeds "
                       f"({', '.join(map(str, seeds[1:]))}) count in the table's means and may have gone another way.")
        if arena_shipped.count_words(s.data):
            st.caption(arena_shipped.count_words(s.data))
        for name in ranked["variant"]:
            st.markdown("- " + (explain_images(name, s.finals, s.data) + top_classes(s.evals, name, s.data) if on_images
                                else _verdict(name, s)))
    elif not s.evals.empty:
        latest = s.evals.sort_values("step").groupby(["variant", "seed"]).tail(1)
        st.dataframe(arena_shipped.score_table(latest, s.data, ["variant", "seed", "step"]), hide_index=True,
                     height="content",
                     column_config=arena_shipped.score_columns(s.data))


st.fragment(run_every=1.0 if busy else None)(_live)()
