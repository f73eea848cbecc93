"""The study's report: summary.md (mean +- standard error per arm and N, and what the numbers say), chart.png
(bars with error bars, drawn with PIL) and the conditional GAN's samples beside the real labeled images.

"What the numbers say" is computed from the table, never written in advance: for each N the best arm, the
runner-up, the gap in accuracy points, and whether that gap exceeds the two standard errors added together
(the mean +- s.e. intervals do not overlap). The same check compares each GAN arm with classic augmentation.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gan_core.arena.report import mean_se
from gan_core.augmentation.arms import ARMS, REFERENCE
from gan_core.pictures import image_grid

TITLES = {**{a.name: a.title for a in ARMS.values()}, REFERENCE.name: REFERENCE.title}
ORDER = [*ARMS, REFERENCE.name]
PHRASES = {"real": "real images only", "classic": "classic augmentation", "cgan": "adding conditional-GAN samples",
           "sgan": "the semi-supervised GAN", REFERENCE.name: "all labels"}
# The arms' colours (the report's chart.png and the page's bars alike), from the app's Okabe-Ito legend: real images
# in its blue for real data, the conditional GAN's samples in its vermillion for generated ones; the others in
# colours the legend gives nothing else (orange, sky blue, grey), never G's green or D's purple.
COLOURS = {"real": (0, 114, 178), "classic": (230, 159, 0), "cgan": (213, 94, 0), "sgan": (86, 180, 233),
           "all-labels": (150, 150, 150)}
PER_CLASS = 8  # samples per class in the pictures


@dataclass(frozen=True)
class Cellstat:
    arm: str
    n: int
    runs: int
    mean: float  # accuracy, percent
    se: float  # its standard error over seeds, percent
    wall: float  # mean seconds per cell
    read: float | None = None  # the conditional GAN's samples read as their class (study.samples_read), mean; else None

    @property
    def title(self) -> str:
        return TITLES.get(self.arm, self.arm)

    def score(self, unit: str = "%") -> str:
        """'80.9% ± 1.2' over several seeds; '80.9%' from one, which has no standard error to give."""
        return f"{self.mean:.1f}{unit}" + (f" ± {self.se:.1f}" if self.runs > 1 else "")


def spread(stats: list[Cellstat]) -> str:
    """What a bar stands for, in a chart's title: the mean +- s.e. over seeds, or one seed's accuracy."""
    return "one seed" if stats and all(s.runs < 2 for s in stats) else "mean ± s.e. over seeds"


def summarise(rows: list[dict]) -> list[Cellstat]:
    """Per (N, arm), N ascending and arms in the study's order: runs, accuracy mean +- s.e. (percent), wall time."""
    out = []
    keys = sorted({(r["N"], r["arm"]) for r in rows}, key=lambda k: (k[0], ORDER.index(k[1]) if k[1] in ORDER else 99))
    for n, arm in keys:
        mine = [r for r in rows if r["N"] == n and r["arm"] == arm]
        mean, se = mean_se([100.0 * r["accuracy"] for r in mine])
        reads = [r["samples_read"] for r in mine if r.get("samples_read") is not None]
        out.append(Cellstat(arm, n, len(mine), mean, se, sum(r["wall_time"] for r in mine) / len(mine),
                            sum(reads) / len(reads) if reads else None))
    return out


@dataclass(frozen=True)
class Comparison:
    better: Cellstat
    worse: Cellstat

    @property
    def gap(self) -> float:
        return self.better.mean - self.worse.mean

    @property
    def shown_gap(self) -> float:
        """The gap between the two scores as written (one decimal each): 51.0 and 49.3 are 1.7 apart on the page,
        even when the unrounded means are 1.6 apart."""
        return round(round(self.better.mean, 1) - round(self.worse.mean, 1), 1)

    @property
    def bars(self) -> float:
        """The two standard errors together, as written: the sum of the two shown (± 0.4 and ± 0.4 make ± 0.8 on the
        page, where the unrounded 0.36 + 0.37 made '± 0.7' and a pupil adding them up found the words wrong)."""
        return round(round(self.better.se, 1) + round(self.worse.se, 1), 1)

    @property
    def separated(self) -> bool:
        """The gap exceeds the two standard errors together, and both means rest on at least two seeds; judged on the
        numbers as written (the gap of the scores shown against the bars shown), so the sentence never says "1.6
        points ... larger than ± 1.7"."""
        return min(self.better.runs, self.worse.runs) >= 2 and self.shown_gap > self.bars


def _compare(a: Cellstat, b: Cellstat) -> Comparison:
    return Comparison(a, b) if a.mean >= b.mean else Comparison(b, a)


def _verdict(c: Comparison) -> str:
    """The clause after 'a gap of X points': whether it exceeds the error bars."""
    if min(c.better.runs, c.worse.runs) < 2:
        return ("from a single seed, so with no error bars it cannot be told apart from the spread between seeds (run "
                "more seeds)")
    if c.separated:
        return f"larger than their error bars together (± {c.bars:.1f}), so the difference holds over these seeds"
    return f"within their error bars together (± {c.bars:.1f}), so these seeds do not separate them"


def paragraph(stats: list[Cellstat], n: int) -> str:
    """What the numbers of one N say: the winner, by how much, and whether that exceeds the error bars."""
    arms = [s for s in stats if s.n == n and s.arm != REFERENCE.name]
    if not arms:
        return ""
    ranked = sorted(arms, key=lambda s: -s.mean)
    best = ranked[0]
    per_class = f"With {n} labeled image{'s' if n > 1 else ''} per class"
    if len(ranked) == 1:  # nothing to be best against: the study ran one arm
        text = f"{per_class}, {PHRASES[best.arm]} scored {best.score()} (the only arm run, so nothing to compare with)."
    else:
        c = Comparison(best, ranked[1])
        text = (f"{per_class}, {PHRASES[best.arm]} scored best ({best.score()}), {c.shown_gap:.1f} points above "
                f"{PHRASES[c.worse.arm]} ({c.worse.score()}): a gap {_verdict(c)}.")
    classic = next((s for s in arms if s.arm == "classic"), None)
    for gan in (s for s in arms if ARMS[s.arm].gan):
        if classic is None or {gan.arm, "classic"} == {best.arm, ranked[1].arm}:  # already said above
            continue
        c = _compare(gan, classic)
        side = "above" if c.better is gan else "below"
        text += (f" {PHRASES[gan.arm][0].upper()}{PHRASES[gan.arm][1:]} ({gan.score()}) scored {c.shown_gap:.1f} "
                 f"points {side} classic augmentation ({classic.score()}), a gap {_verdict(c)}.")
    cgan = next((s for s in arms if s.arm == "cgan" and s.read is not None), None)
    if cgan is not None:
        text += (f" The shipped evaluation classifier reads {cgan.read:.0%} of the conditional GAN's samples (the "
                 f"pictured ones) as the class they were drawn for")
        text += (": fewer than half, so most of what its arm adds to the batches is not a picture of the class it is "
                 "labelled with." if round(cgan.read, 2) < 0.5 else ".")  # as the share is written: 50% is not fewer
    return text


def reference_sentence(stats: list[Cellstat]) -> str:
    ref = next((s for s in stats if s.arm == REFERENCE.name), None)
    if ref is None:
        return ""
    text = f"Trained on all {ref.n * 10:,} labels, the same classifier reached {ref.score()}."
    for s in (s for s in stats if s.arm == "sgan"):
        gap = round(ref.mean, 1) - round(s.mean, 1)  # between the scores as written
        text += (f" The semi-supervised GAN with {s.n} per class is {abs(gap):.1f} points "
                 f"{'below' if gap >= 0 else 'above'} it.")
    return text


def conclusions(stats: list[Cellstat]) -> list[str]:
    ns = sorted({s.n for s in stats if s.arm != REFERENCE.name})
    return [p for p in [*(paragraph(stats, n) for n in ns), reference_sentence(stats)] if p]


def table(stats: list[Cellstat]) -> str:
    """Markdown: one row per arm, one column per N, cells 'mean ± s.e.' (accuracy %, over seeds), 'mean' for one."""
    ns = sorted({s.n for s in stats if s.arm != REFERENCE.name})
    arms = [a for a in ORDER if a != REFERENCE.name and any(s.arm == a for s in stats)]
    head = "| arm | " + " | ".join(f"N = {n}" for n in ns) + " | seeds |"
    lines = [head, "|---|" + "---|" * (len(ns) + 1)]
    for arm in arms:
        cells = []
        for n in ns:
            s = next((s for s in stats if s.arm == arm and s.n == n), None)
            cells.append("-" if s is None else s.score(""))
        runs = sorted({s.runs for s in stats if s.arm == arm})
        lines.append(f"| {TITLES[arm]} | " + " | ".join(cells) + f" | {'/'.join(map(str, runs))} |")
    return "\n".join(lines)


def summary_markdown(config, rows: list[dict], command: str | None = None) -> str:
    stats = summarise(rows)
    b = config.budget
    seeds = sorted({r["seed"] for r in rows})
    walls = sum(r["wall_time"] for r in rows)
    over = (f"mean ± standard error over seeds ({', '.join(map(str, seeds))})" if len(seeds) > 1
            else f"one seed ({seeds[0] if seeds else '-'}), so no error bars")
    text = (f"# Do GANs help when labels are few? ({config.data})\n\n"
            f"Accuracy (%) on the held-out split, {over}. "
            f"Every arm trains the evaluation classifier's network for {b.steps} steps of {b.batch_size} images "
            f"(Adam, one-cycle, max lr {b.lr}); the conditional GAN trains {b.gan_steps} iterations on the labeled "
            f"images alone and fills {b.synthetic_ratio:g} synthetic image(s) per real one into each batch. "
            f"{len(rows)} cells, {walls / 60:.1f} min of training and scoring in all.\n\n{table(stats)}\n\n")
    text += "## What the numbers say\n\n" + "\n\n".join(conclusions(stats)) + "\n"
    if command:
        text += f"\n## Command\n\n```bash\n{command}\n```\n"
    return text


def _font():
    from PIL import ImageFont

    return ImageFont.load_default(size=11)  # a scalable font: the bitmap one ran words together ("Held-outaccuracy")


def chart(stats: list[Cellstat], title: str = "", width: int = 900, height: int = 460):
    """A PIL image: accuracy bars per N (groups) and arm (colours), each with its mean +- s.e. error bar (none
    for a cell of one seed)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    left, right, top, bottom = 60, width - 180, 40, height - 50  # room for the legend's longest name
    draw.text((left, 12), title or f"Held-out accuracy ({spread(stats)})", fill="black", font=_font())
    for pct in range(0, 101, 20):
        y = bottom - (bottom - top) * pct / 100
        draw.line([left, y, right, y], fill=(225, 225, 225))
        draw.text((left - 34, y - 6), f"{pct}%", fill=(90, 90, 90), font=_font())
    ns = sorted({s.n for s in stats})
    arms = [a for a in ORDER if any(s.arm == a for s in stats)]
    group = (right - left) / max(len(ns), 1)
    bar = group * 0.8 / max(len(arms), 1)
    for g, n in enumerate(ns):
        x0 = left + g * group + group * 0.1
        label = f"all labels ({n * 10:,})" if all(s.arm == REFERENCE.name for s in stats if s.n == n) else f"N = {n}"
        draw.text((x0 + group * 0.4 - 3 * len(label), bottom + 8), label, fill="black", font=_font())
        for i, arm in enumerate(arms):
            s = next((s for s in stats if s.n == n and s.arm == arm), None)
            if s is None:
                continue
            xa = x0 + i * bar
            ym = bottom - (bottom - top) * s.mean / 100
            draw.rectangle([xa + 1, ym, xa + bar - 1, bottom], fill=COLOURS.get(arm, (120, 120, 120)))
            if s.runs > 1:
                lo, hi = (bottom - (bottom - top) * v / 100 for v in (s.mean - s.se, s.mean + s.se))
                xm = xa + bar / 2
                draw.line([xm, lo, xm, hi], fill="black", width=2)
                draw.line([xm - 4, lo, xm + 4, lo], fill="black", width=2)
                draw.line([xm - 4, hi, xm + 4, hi], fill="black", width=2)
    for i, arm in enumerate(arms):  # the legend
        y = top + 18 * i
        draw.rectangle([right + 15, y, right + 27, y + 12], fill=COLOURS.get(arm, (120, 120, 120)))
        draw.text((right + 33, y), TITLES.get(arm, arm), fill="black", font=_font())
    draw.line([left, bottom, right, bottom], fill="black")
    return img


def real_grid(images: np.ndarray, labels: np.ndarray, n_classes: int, per_class: int = PER_CLASS) -> np.ndarray:
    """uint8 (n_classes * per_class, 28, 28): per_class of each class's labeled images, spread evenly over them (all
    of them, then blanks, if fewer). Spread, not the first ones: a larger N's labeled set starts with a smaller N's
    (the splits are nested), so the first eight showed N = 100 with N = 10's very digits."""
    out = np.zeros((n_classes * per_class, *images.shape[1:]), np.uint8)
    for c in range(n_classes):
        mine = images[labels == c]
        if len(mine) > per_class:
            mine = mine[np.linspace(0, len(mine) - 1, per_class).round().astype(int)]
        out[c * per_class:c * per_class + len(mine)] = mine
    return out


def real_picture(real: np.ndarray, n: int) -> np.ndarray:
    """`real_grid`'s images as a picture, a row per class, as many columns as there are labeled images per class (up
    to PER_CLASS): with one per class, one column, not one image and seven black squares."""
    shown = max(1, min(n, PER_CLASS))
    rows = real.reshape(-1, PER_CLASS, *real.shape[1:])[:, :shown].reshape(-1, *real.shape[1:])
    return image_grid(rows, cols=shown)


def side_by_side(real_pic: np.ndarray, fake_pic: np.ndarray) -> np.ndarray | None:
    """The labeled images' picture and the conditional GAN's (both a row per class) as one, a white gap between, so
    each class's row stays level on both sides; None when their heights differ."""
    if real_pic.shape[0] != fake_pic.shape[0]:
        return None
    gap = np.full((real_pic.shape[0], 12), 255, np.uint8)
    return np.concatenate([real_pic, gap, fake_pic], axis=1)


def samples_path(folder: str | Path, n: int, seed: int) -> Path:
    return Path(folder) / "samples" / f"cgan-N{n}-seed{seed}.png"


def save_samples(folder: str | Path, cell, samples: np.ndarray) -> Path:
    from PIL import Image

    path = samples_path(folder, cell.n, cell.seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image_grid(samples, cols=PER_CLASS)).save(path)
    return path


def write_report(folder: str | Path, config, rows: list[dict], data, command: str | None = None) -> None:
    """summary.md, chart.png and, per N, cgan-N{N}.png (real labeled images of the first seed beside the
    conditional GAN's samples of that seed) into `folder`."""
    from PIL import Image

    from gan_core.augmentation.split import labeled_split
    from gan_core.runs import atomic_write

    out = Path(folder)
    atomic_write(out / "summary.md", summary_markdown(config, rows, command))
    stats = summarise(rows)
    chart(stats, f"Held-out accuracy on {config.data} ({spread(stats)})").save(out / "chart.png")
    for n in sorted({r["N"] for r in rows if r["arm"] == "cgan"}):
        seed = min(r["seed"] for r in rows if r["arm"] == "cgan" and r["N"] == n)
        path = samples_path(out, n, seed)
        if not path.is_file():
            continue
        split = labeled_split(data.train_y, n, seed)
        real = real_grid(data.train_x[split.labeled], data.train_y[split.labeled], data.n_classes)
        both = side_by_side(real_picture(real, n), np.asarray(Image.open(path).convert("L")))
        if both is not None:
            Image.fromarray(both).save(out / f"cgan-N{n}.png")
