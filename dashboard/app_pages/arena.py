"""Mode-collapse arena: several GAN variants train side by side; count the modes each one loses."""
from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.arena_runner import arena_mod, explain, ranking
from dashboard.resources import session_arena
from gan_core.data2d import MIXTURES

st.title("Mode-collapse arena")
if arena_mod is None:
    st.warning("The arena is not available in this installation (gan_core/arena.py is missing). "
               "The Train live page and the Latent explorer work without it.")
    st.stop()

arena = session_arena()
snap = arena.snapshot()
busy = snap.status in ("queued", "running")

CHOICES = ["vanilla", "ns", "lsgan", "hinge", "wgan", "wgan-gp", "classroom", "unrolled-5", "pacgan-2", "pacgan-4",
           "hinge+sn", "ns+mbstd", "ns+r1", "ns+ttur", "ns+ema"]
DATA = [d for d in ("ring8", "grid25", "ring8-pacgan", "two-gaussians") if d in arena_mod.ARENA_DATA]

st.markdown("Every variant gets the same networks (the Unrolled-GAN paper's: G and D with two hidden layers of 128 "
            "tanh units, 256-d noise, batch 512, so the numbers can stand beside the papers'), data, seeds and step "
            "budget; only the GAN variant differs. "
            "The metrics follow the VEEGAN / PacGAN protocol: a sample is **high quality** within 3 sigma of a "
            "centre, a mode is **covered** when at least one such sample is nearest to it, and the **reverse KL** "
            "is 0 when every mode gets the same share.")
with st.form("arena_form", border=True):
    c = st.columns([1, 3, 1, 1, 1])
    data = c[0].selectbox("Data", DATA, key="ar_data")
    variants = c[1].multiselect("Variants (up to six)", CHOICES, default=["vanilla", "ns", "pacgan-2", "classroom"],
                                max_selections=6, key="ar_variants")
    steps = c[2].number_input("Steps per run", 200, 20000, 2000, 100, key="ar_steps")
    seeds = c[3].number_input("Seeds", 1, 5, 1, key="ar_seeds", help="runs per variant, seeds 0..n-1")
    every = c[4].number_input("Evaluate every", 50, 5000, 250, 50, key="ar_every")
    go = st.form_submit_button("Start the arena", type="primary", disabled=busy)
if go:
    try:
        arena.start(data, variants, int(seeds), int(steps), int(every))
        st.rerun()
    except (ValueError, RuntimeError) as err:
        st.error(str(err))
if busy and st.button("Stop the arena", key="ar_stop"):
    arena.stop()
    st.rerun()


def _live() -> None:
    s = arena.snapshot()
    if s.status not in ("queued", "running") and st.session_state.get("ar_was_busy"):
        st.session_state.ar_was_busy = False
        st.rerun(scope="app")
    st.session_state.ar_was_busy = s.status in ("queued", "running")
    if s.status == "idle":
        st.info("Pick variants and press **Start the arena**. Each run trains on its own CPU core when one is free.")
        return
    if s.status == "queued":
        st.info(f"Every training slot is busy: the arena is number {s.queue_position or 1} in the queue.")
    elif s.status == "error":
        st.error(f"The arena stopped: {s.message}")
    frac = s.done_runs / max(s.total_runs, 1)
    st.progress(frac, text=f"{s.done_runs} of {s.total_runs} runs finished, {s.workers} at a time, "
                           f"{s.elapsed:.0f} s so far ({s.status})")
    for e in s.errors:
        st.warning(e)
    mix = MIXTURES.get(s.data)
    names = list(s.variants)
    per_row = 3 if len(names) > 4 else max(1, len(names))
    for row in range(0, len(names), per_row):
        cols = st.columns(per_row)
        for col, name in zip(cols, names[row:row + per_row]):
            with col:
                pts = s.samples.get(name)
                last = s.evals[s.evals["variant"] == name].tail(1) if not s.evals.empty else None
                title = name
                if last is not None and len(last):
                    r = last.iloc[0]
                    title = f"{name}: {int(r['modes'])}/{len(mix.centres)} modes, {100 * r['hq']:.0f}% HQ"
                if pts is None:
                    st.markdown(f"**{name}**: waiting for its first evaluation...")
                else:
                    st.plotly_chart(charts.arena_panel(pts, mix.centres, mix.sigma, title), key=f"ar_panel_{name}",
                                    config={"displayModeBar": False})
    if not s.evals.empty:
        c1, c2, c3 = st.columns(3)
        c1.plotly_chart(charts.arena_lines(s.evals, "modes", "Modes covered", "modes", order=names), key="ar_modes")
        hq = s.evals.assign(hq=100 * s.evals["hq"])
        c2.plotly_chart(charts.arena_lines(hq, "hq", "% high-quality samples", "% HQ", order=names), key="ar_hq")
        c3.plotly_chart(charts.arena_lines(s.evals, "kl", "Reverse KL (0 = even)", "KL", order=names), key="ar_kl")
    if s.status in ("done", "stopped") and not s.finals.empty:
        st.subheader("Ranking")
        st.dataframe(ranking(s.finals), hide_index=True,
                     column_config={"hq": st.column_config.NumberColumn("% HQ", format="%.1f"),
                                    "kl": st.column_config.NumberColumn("reverse KL", format="%.2f"),
                                    "modes": st.column_config.NumberColumn("modes", format="%.1f"),
                                    "seconds": st.column_config.NumberColumn("seconds per run", format="%.1f")})
        st.subheader("What collapse looked like")
        for name in ranking(s.finals)["variant"]:
            st.markdown("- " + explain(name, s.samples.get(name), s.data))
    elif not s.evals.empty:
        latest = s.evals.sort_values("step").groupby(["variant", "seed"]).tail(1)
        st.dataframe(latest[["variant", "seed", "step", "modes", "hq", "kl"]], hide_index=True)


st.fragment(run_every=1.0 if busy else None)(_live)()
