"""A shipped generator's card next to it: what it is, which classes it draws (by two independent checks), its
FID, recall and coverage, and the exact command and time that trained it.

Reads pretrained/<name>/card.json (the story and the training facts), metrics.json (the output of
`python -m gan_core eval --json --n 2000 --seed 1`, which tests/test_pretrained.py recomputes) and, where there is
one, class_history.png (the class histogram over training).
"""
from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from dashboard.pictures import data_uri


# The heat maps' colour scale (gan_core.pictures.share_heatmap, full = 0.5), said in words
SHADES = "white = no samples, darkest blue = half of the samples or more"
GLOSSARY = ("How to read the numbers: **FID** compares generated and real pictures in the evaluation classifier's "
            "features (lower is better; real digits against real digits score about 7). **Recall** is the share of "
            "real pictures within reach of the generated ones, **coverage** the share of real pictures with a "
            "generated sample inside their own neighbourhood; both fall when a generator draws too few kinds of "
            "picture. The **pixel k-NN vote** reads each sample a "
            "second way, by the real digits nearest to it in pixels, so a blind spot of the classifier cannot hide "
            "a collapse. **R1** and **EMA** are stabilisers (`python -m gan_core variants` explains each).")


def read_card(folder: Path) -> tuple[dict, dict]:
    """(card.json, metrics.json) of a pretrained folder; empty dicts for what is missing or unreadable."""
    out = []
    for name in ("card.json", "metrics.json"):
        try:
            out.append(json.loads((folder / name).read_text()))
        except (OSError, ValueError):
            out.append({})
    return out[0], out[1]


def class_label(c: int, names: tuple[str, ...] | None = None) -> str:
    """A class as a card names it: 'class 7', or with the data's own names 'class 7, Sneaker' (Fashion-MNIST)."""
    return f"class {c}" if not names else f"class {c}, {names[int(c)]}"


def class_names_of(folder: Path) -> tuple[str, ...] | None:
    """The class names of the data a generator folder's config.json trained on (None: digits, named by number)."""
    from gan_core.data.images import CLASS_NAMES

    try:
        data = json.loads((folder / "config.json").read_text())["data"]["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return CLASS_NAMES.get(data)


def _share(m: dict, who: str, names: tuple[str, ...] | None = None) -> str:
    if f"{who}_largest_share" not in m:
        return "-"
    return f"{m[f'{who}_largest_share']:.1%} ({class_label(m[f'{who}_largest_class'], names)})"


def card_table(card: dict, m: dict, names: tuple[str, ...] | None = None) -> str:
    """The card's numbers as a markdown table (both checks side by side, then FID, recall, coverage); `names`: the
    classes' names where the data has them."""
    n = len(m.get("classifier_shares", [])) or 10
    goals = card.get("goals", {})

    def goal(key: str, fmt: str, sign: str) -> str:  # written as the verdict above the table writes it
        return f" (goal {sign} {format(goals[key], fmt)})" if key in goals else ""

    rows = [
        "| | evaluation classifier | pixel k-NN vote |",
        "|---|---|---|",
        f"| classes covered (>= {m.get('min_share', 0.03):.0%} of samples) | {m.get('classifier_classes_covered', '-')}/{n} "
        f"| {m.get('knn_classes_covered', '-')}/{n} |",
        f"| largest class share | {_share(m, 'classifier', names)} | {_share(m, 'knn', names)} |",
    ]
    facts = []
    if "fid" in m:
        facts.append(f"FID **{m['fid']:.1f}**{goal('fid', 'g', '<=')}")
    if "recall" in m:
        facts.append(f"recall **{m['recall']:.2f}**{goal('recall', 'g', '>=')}")
    if "coverage_dc" in m:
        facts.append(f"coverage **{m['coverage_dc']:.2f}**{goal('coverage_dc', 'g', '>=')}")
    text = "\n".join(rows) + "\n\n" + "; ".join(facts) + f" (on {m.get('samples', 2000):,} samples)."
    if "knn_accuracy" in m:
        text += f" The k-NN vote itself labels {m['knn_accuracy']:.1%} of real training images right."
    return text


def verdict(m: dict, goals: dict, n_classes: int = 10, names: tuple[str, ...] | None = None) -> str:
    """The card's headline, made from the numbers so that it never rounds a weakness away: classes by both checks
    (and the share rule where it is missed), then each goal met or missed; `names`: the classes' names where the
    data has them."""
    max_share = m.get("max_share", 0.16)
    parts, rule_missed = [], False
    for who, name in (("classifier", "the classifier"), ("knn", "the pixel k-NN vote")):
        covered, largest = m[f"{who}_classes_covered"], m[f"{who}_largest_share"]
        ok = covered == n_classes and largest <= max_share
        rule_missed |= not ok
        parts.append(f"{name}: {covered}/{n_classes} classes covered, largest share {largest:.1%} "
                     f"({class_label(m[f'{who}_largest_class'], names)})" + ("" if ok else f", which misses the rule "
                                                                     f"(all {n_classes}, none above {max_share:.0%})"))
    checks = []
    for key, label, better in (("fid", "FID", "lower"), ("recall", "recall", "higher"), ("coverage_dc", "coverage", "higher")):
        if key not in goals:
            continue
        value, goal = m[key], goals[key]
        met = value <= goal if better == "lower" else value >= goal
        sign = "<=" if better == "lower" else ">="
        # A goal met beside a missed class rule (the collapsed exhibit's coverage) says what outweighs it.
        checks.append(f"{label} {value:.{1 if key == 'fid' else 2}f} {'meets' if met else 'misses'} its goal "
                      f"({sign} {goal:g})" + (", but the class counts above show the collapse" if met and rule_missed
                                              else ""))
    return "By " + "; by ".join(parts) + ". " + ("; ".join(checks) + "." if checks else "")


def points_headline(m: dict) -> str:
    """A 2D generator's numbers in a sentence (the VEEGAN / PacGAN protocol of `eval --json`), or "" when `m` holds
    no mode metrics."""
    if not {"modes", "k", "hq", "kl"} <= set(m):
        return ""
    return (f"On {m.get('samples', 2500):,} samples: {m['modes']}/{m['k']} modes covered, {m['hq']:.1%} of the samples "
            f"sharp (within 3 sigma of a mode), reverse KL {m['kl']:.3f} (0 when every mode gets the same share).")


def show_card(folder: Path, expanded: bool = False) -> None:
    """The card of pretrained/<name>: its verdict in plain sight, the rest (the numbers by both checks, the story,
    the command and time) in an expander, folded by default so that the generator stays on the first screen of a
    projector (nothing if the folder has no card)."""
    card, metrics = read_card(folder)
    if not card:  # a 2D generator's folder has metrics.json only (`eval --json`): its modes, sharpness and evenness
        if points_headline(metrics):
            st.markdown(f"**{points_headline(metrics)}**")
        return
    if card.get("verdict"):
        st.markdown(f"**{card['verdict']}**")
    with st.expander(f"The card: {card.get('title', folder.name)} (the numbers, how it was trained)", expanded=expanded):
        if metrics:
            st.markdown(card_table(card, metrics, class_names_of(folder)))
        if card.get("story"):
            st.markdown(card["story"])
        t = card.get("training", {})
        if t.get("command"):
            kept = f", the generator of step {t['kept_step']:,} kept (lowest FID)" if t.get("kept_step") else ""
            st.markdown(f"Trained in **{t['wall_time_s'] / 60:.0f} min** ({t.get('machine', 'CPU')}; "
                        f"{t.get('steps', 0):,} steps{kept}) with:")
            st.code(t["command"], language="bash", wrap_lines=True)
        picture = folder / "class_history.png"
        if picture.is_file():
            st.image(data_uri(picture.read_bytes()), caption="Share of the samples the classifier gives each class, over training "
                     f"({SHADES}; an even spread is 10% each)")


def show_collapse_story(pretrained: Path) -> None:
    """The tutorial's recipe as written against the shipped tutorial MLP: each one's verdict and story, and the
    exhibit's class histogram over training (for the About page and the explorer)."""
    exhibit, shipped = read_card(pretrained / "mnist-tutorial-mlp-as-written"), read_card(pretrained / "mnist-tutorial-mlp")
    if not exhibit[0]:
        return
    st.caption(GLOSSARY)
    st.markdown("**The tutorial's MLP GAN, exactly as written** (`pretrained/mnist-tutorial-mlp-as-written`): "
                + exhibit[0].get("verdict", ""))
    st.markdown(exhibit[0].get("story", ""))
    picture = pretrained / "mnist-tutorial-mlp-as-written" / "class_history.png"
    if picture.is_file():
        st.image(data_uri(picture.read_bytes()), caption="The tutorial's recipe: the share of the samples the classifier gives each "
                 f"digit over training (rows 0-9; {SHADES}; an even spread is 10% each)")
    if shipped[0]:
        st.markdown("**The same networks as shipped** (`pretrained/mnist-tutorial-mlp`): " + shipped[0].get("verdict", ""))
        st.markdown(shipped[0].get("story", ""))
