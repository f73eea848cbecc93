"""The arena's shipped results (pretrained/arena-*/): an arena too long for a lesson, already run, opened at once.

A shipped arena folder is what `python -m gan_core arena ... --out FOLDER` writes (results.csv, curves.csv,
summary.md, one picture per variant) plus a README.md card with the command and its wall time. The page shows the
final scores, each variant's picture, its share of samples per mode over training and the sentence a student reads,
all from those files (no training, no torch).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.live_plot import live_chart
from dashboard.training.arena_runner import IMAGE_MODES, explain_images, top_classes
from gan_core.arena.report import _safe, seed_grid, seed_panel
from gan_core.arena.verdict import explain as explain_points, first_seed, occupancy
from gan_core.data.images import class_names
from gan_core.data.points import MIXTURES

PRETRAINED = Path(__file__).resolve().parents[1] / "pretrained"
# data -> (folder, what the toggle says)
SHIPPED = {"ring8": ("arena-ring8-collapse-ttur", "Show the shipped arena: the default networks (`collapse-ttur`) "
                                                 "and variants, 12,000 steps, 5 seeds (already run; opens at once)"),
           "mnist": ("arena-mnist-tutorial-mlp", "Show the shipped arena: the tutorial's MLP (`tutorial-mlp`), its plain "
                                                "recipe `ns` against `ns+r1+ema` and `ns+pacgan-2`, 5,000 steps, 3 seeds "
                                                "(already run; opens at once)"),
           "grid25": ("arena-grid25-pacgan2018", "Show the shipped arena: PacGAN's setup on grid25, `ns` against "
                                                 "`pacgan-2`, 20,000 steps (already run; opens at once)")}


def shipped_for(data: str) -> tuple[Path, str] | None:
    """(folder, label) of the shipped arena on `data`, or None when there is none (or its files are missing)."""
    if data not in SHIPPED:
        return None
    name, label = SHIPPED[data]
    folder = PRETRAINED / name
    needed = ("results.csv", "curves.csv", "README.md")
    return (folder, label) if all((folder / f).is_file() for f in needed) else None


def show(folder: Path, data: str) -> None:
    """The shipped arena in `folder`, on `data` (a 2D mixture, or MNIST / Fashion-MNIST with the class shares)."""
    results = pd.read_csv(folder / "results.csv")
    curves = pd.read_csv(folder / "curves.csv")
    on_images = data not in MIXTURES
    k = IMAGE_MODES.get(data, 10) if on_images else len(MIXTURES[data].centres)
    card = (folder / "README.md").read_text().split("\n\n")
    st.markdown(card[1] if len(card) > 1 else card[0])  # the card's first paragraph under its title
    st.dataframe(score_table(results, data, ["variant", "seed", "steps"]), hide_index=True, height="content",
                 column_config=score_columns(data))
    if count_words(data):
        st.caption(count_words(data))
    variants = list(dict.fromkeys(results["variant"]))
    seeds = sorted(int(s) for s in set(results["seed"]))
    seed = seeds[0]
    if len(seeds) > 1:
        seed = st.columns([1, 3])[0].selectbox("Seed whose history is shown", seeds, key=f"ar_shipped_seed_{data}",
                            help="the pictures, the share per mode over training and the sentences below are this "
                                 "seed's runs; the table above has every seed")
    for col, name in zip(st.columns(len(variants)), variants):
        mine = curves[curves["variant"] == name]
        run = mine[mine["seed"] == seed] if (mine["seed"] == seed).any() else first_seed(curves, name)
        with col:
            picture = folder / f"{_safe(name)}.png"
            drawn = sorted(int(s) for s in set(results.loc[results["variant"] == name, "seed"]))
            if picture.is_file() and not on_images and seed in drawn:
                # The caption baked into the picture is too small for a projector: the page writes it instead.
                st.image(seed_panel(picture, drawn.index(seed), len(drawn), caption=False),
                         caption=_points_caption(name, results, seed, k))
            elif picture.is_file() and len(drawn) == 1:
                st.image(str(picture), caption=f"{name}: its samples at the end (seed {drawn[0]})")
            elif picture.is_file() and seed in drawn:
                cut = seed_grid if on_images else seed_panel
                st.image(cut(picture, drawn.index(seed), len(drawn)),
                         caption=f"{name}: its samples at the end (seed {seed})")
            if run.empty:
                continue
            shown = int(run["seed"].iloc[0])
            if shown != seed:
                st.caption(f"{name} has no run of seed {seed}: its seed {shown} is shown.")
            # short: four variants side by side leave a chart about 300 px, and Plotly does not wrap a title
            if on_images:
                live_chart(charts.occupancy(run, labels=class_names(data, k), title=f"share per class, seed {shown}",
                                            height=300), key=f"ar_shipped_occ_{name}")
                finals = results[(results["variant"] == name) & (results["seed"] == shown)]
                st.markdown(explain_images(name, finals, data) + top_classes(run, name, data))
            else:
                mix = MIXTURES[data]
                live_chart(charts.occupancy(run, mix.centres, title=f"share per mode, seed {shown}", height=300),
                           key=f"ar_shipped_occ_{name}")
                st.markdown(explain_points(name, occupancy(run), mix.centres))


def score_columns(data: str) -> dict:
    """How `score_table`'s columns are written: steps and seconds as the charts write them (12,000 rather than
    12000, in the reader's own locale), % HQ to one decimal and the KL to three, trailing zeros kept (a bare "1"
    beside "0.808" read as another kind of number). Still numbers, so a click on a column's head sorts them."""
    label = score_labels(data)
    return {**{name: st.column_config.NumberColumn(name, format="localized") for name in ("step", "steps", "seconds")},
            label["hq"]: st.column_config.NumberColumn(label["hq"], format="%.1f"),
            label["kl"]: st.column_config.NumberColumn(label["kl"], format="%.3f")}


def score_labels(data: str) -> dict[str, str]:
    """The names every table of the arena page gives the scores of `data`: modes or classes (of K), % HQ or
    % confidence, reverse KL or KL to uniform."""
    on_images = data not in MIXTURES
    k = IMAGE_MODES.get(data, 10) if on_images else len(MIXTURES[data].centres)
    return {"modes": f"{('digit triples' if k > 10 else 'classes') if on_images else 'modes'} (of {k:,})",
            "hq": "% confidence" if on_images else "% HQ", "kl": "KL to uniform" if on_images else "reverse KL"}


def count_words(data: str) -> str | None:
    """What the two counts of modes mean, said where both are read (a 2D mixture's table and its sentences); None
    on images, whose sentences count classes as their tables do."""
    if data not in MIXTURES:
        return None
    k = len(MIXTURES[data].centres)
    return (f"**{score_labels(data)['modes']}** counts a mode once one of its samples is sharp (within 3 sigma of "
            f"its centre), as the published protocol does. The sentences below speak of **held** modes: those with "
            f"at least {1 / (4 * k):.0%} of the samples (1/{4 * k}: a quarter of a fair share), so a few stray sharp samples "
            f"count in the table and not in the sentences.")


def score_table(rows: pd.DataFrame, data: str, first: list[str]) -> pd.DataFrame:
    """`rows`' columns `first`, then their scores as every table of the page shows them (the shipped arena's, the
    live one's): the names of `score_labels`, % in percent, the KL to 3 decimals, whole seconds."""
    table = rows.assign(hq=(100 * rows["hq"]).round(1), kl=rows["kl"].round(3), wall_time=rows["wall_time"].round(0))
    return table[[*first, "modes", "hq", "kl", "wall_time"]].rename(
        columns={**score_labels(data), "wall_time": "seconds"})


def _points_caption(name: str, results: pd.DataFrame, seed: int, k: int) -> str:
    """What a 2D panel shows, in words at the page's size: the seed's final modes, sharp share and reverse KL."""
    row = results[(results["variant"] == name) & (results["seed"] == seed)].iloc[-1]
    return (f"{name}, seed {seed}, at the end: {int(row['modes'])}/{k} modes covered, {100 * float(row['hq']):.0f}% of "
            f"the samples sharp (HQ), reverse KL {float(row['kl']):.2f}. Orange: its samples; blue circles: the "
            f"true centres.")
