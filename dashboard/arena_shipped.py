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
from gan_core.arena.report import _safe
from gan_core.arena.verdict import explain as explain_points, first_seed, occupancy
from gan_core.data.points import MIXTURES

PRETRAINED = Path(__file__).resolve().parents[1] / "pretrained"
# data -> (folder, what the toggle says)
SHIPPED = {"grid25": ("arena-grid25-pacgan2018", "Show the shipped arena: PacGAN's setup on grid25, `ns` against "
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
    """The shipped arena in `folder`, on the 2D mixture `data`."""
    results = pd.read_csv(folder / "results.csv")
    curves = pd.read_csv(folder / "curves.csv")
    mix = MIXTURES[data]
    card = (folder / "README.md").read_text().split("\n\n")
    st.markdown(card[1] if len(card) > 1 else card[0])  # the card's first paragraph under its title
    table = results.assign(hq=(100 * results["hq"]).round(1), kl=results["kl"].round(3),
                           wall_time=results["wall_time"].round(0))
    st.dataframe(table[["variant", "seed", "steps", "modes", "hq", "kl", "wall_time"]].rename(
        columns={"modes": "modes (of 25)" if len(mix.centres) == 25 else "modes", "hq": "% HQ", "kl": "reverse KL",
                 "wall_time": "seconds"}), hide_index=True)
    variants = list(dict.fromkeys(results["variant"]))
    for col, name in zip(st.columns(len(variants)), variants):
        first = first_seed(curves, name)
        with col:
            picture = folder / f"{_safe(name)}.png"
            if picture.is_file():
                st.image(str(picture), caption=f"{name}: its samples at the end (seed {int(first['seed'].min())})")
            live_chart(charts.occupancy(first, mix.centres, title=f"{name}: share per mode over training",
                                        height=300), key=f"ar_shipped_occ_{name}")
            st.markdown(explain_points(name, occupancy(first), mix.centres))
