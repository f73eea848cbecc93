"""The arena's results: results.csv, summary.md (mean +- standard error over seeds) and a picture per variant."""
from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Iterable

import numpy as np

from gan_core.arena.plan import IMAGE_ARENA_DATA, RESULT_COLUMNS, ArenaEvent
from gan_core.data.points import MIXTURES
from gan_core.pictures import image_grid, points_to_pixels, square_bounds

CAPTION = 18  # pixels under each panel of draw_panels for its caption line
GRID_GAP = 8  # black pixels between two seeds' sample grids in an image arena's picture


def _rows(events_or_rows: Iterable) -> list[dict]:
    rows: dict[tuple, dict] = {}
    for item in events_or_rows:
        if isinstance(item, ArenaEvent):
            if item.kind != "done":
                continue
            row = item.row()
        else:
            row = {k: item[k] for k in RESULT_COLUMNS}
        rows[(row["variant"], int(row["seed"]))] = row
    return list(rows.values())


def mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error (sample std / sqrt(n)); the error is 0 for a single value."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    return mean, statistics.stdev(values) / math.sqrt(n)


def summarise(rows: list[dict]) -> list[dict]:
    """Per variant (in first-seen order): runs and (mean, s.e.) of modes, % HQ, reverse KL and wall time."""
    out = []
    for variant in dict.fromkeys(r["variant"] for r in rows):
        mine = [r for r in rows if r["variant"] == variant]
        out.append({
            "variant": variant, "runs": len(mine),
            "modes": mean_se([float(r["modes"]) for r in mine]),
            "hq": mean_se([100.0 * float(r["hq"]) for r in mine]),
            "kl": mean_se([float(r["kl"]) for r in mine]),
            "wall_time": mean_se([float(r["wall_time"]) for r in mine]),
        })
    return out


def summary_table(rows: list[dict]) -> str:
    """The markdown table of `summarise(rows)` (mean +- standard error over seeds)."""
    lines = ["| variant | runs | modes | % HQ | reverse KL | wall time (s) |", "|---|---|---|---|---|---|"]
    for s in summarise(rows):
        lines.append(f"| {s['variant']} | {s['runs']} | {s['modes'][0]:.2f} ± {s['modes'][1]:.2f} | "
                     f"{s['hq'][0]:.1f} ± {s['hq'][1]:.1f} | {s['kl'][0]:.3f} ± {s['kl'][1]:.3f} | "
                     f"{s['wall_time'][0]:.1f} ± {s['wall_time'][1]:.1f} |")
    return "\n".join(lines)


def write_results(events_or_rows: Iterable, out_dir: str | Path, title: str | None = None,
                  variants: list[str] | None = None) -> Path:
    """Write results.csv, summary.md and one PNG per variant (its final samples, every seed) into out_dir.

    events_or_rows: ArenaEvents (the "done" ones are used; their samples come from the last "eval" event of
    each run) or dicts with the results.csv columns (then no pictures are drawn). variants: the order of the
    rows (default: the order the runs finished in).
    """
    import pandas as pd

    items = list(events_or_rows)
    rows = _rows(items)
    if not rows:
        raise ValueError("no finished runs to write: the arena was stopped before any run ended, or every run failed")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    order = list(dict.fromkeys([v for v in (variants or []) if v in set(df["variant"])] + [r["variant"] for r in rows]))
    df["_o"] = df["variant"].map(order.index)
    df = df.sort_values(["_o", "seed"], kind="stable").drop(columns="_o")
    df.to_csv(out / "results.csv", index=False)

    datas = sorted(set(df["data"]))
    steps = sorted(set(int(s) for s in df["steps"]))
    seeds = sorted(set(int(s) for s in df["seed"]))
    head = title or f"Arena on {', '.join(datas)}"
    if any(d in IMAGE_ARENA_DATA for d in datas):
        meaning = ("Modes: classes the evaluation classifier finds among the samples (of 10; Stacked MNIST: digit "
                   "triples, of 1,000); % HQ: the classifier's mean confidence; reverse KL: KL(class histogram || "
                   "uniform)")
    else:
        meaning = ("Modes: captured modes (at least one sample within 3 sigma of the centre); % HQ: samples within "
                   "3 sigma of their nearest centre; reverse KL: KL(HQ histogram || uniform)")
    text = (f"# {head}\n\n{', '.join(map(str, steps))} steps per run, seeds {', '.join(map(str, seeds))}; "
            f"mean ± standard error over seeds. {meaning}; "
            f"wall time: seconds of training of one run on one thread.\n\n{summary_table(df.to_dict('records'))}\n")
    failed = [e for e in items if isinstance(e, ArenaEvent) and e.kind == "error"]
    if failed:
        text += "\nFailed runs: " + "; ".join(f"{e.variant} seed {e.seed}: {e.message}" for e in failed) + "\n"
    (out / "summary.md").write_text(text)

    samples: dict[tuple, np.ndarray] = {}
    for e in items:
        if isinstance(e, ArenaEvent) and e.kind == "eval" and e.samples is not None:
            samples[(e.variant, e.seed)] = e.samples
    if samples and len(datas) == 1 and datas[0] in IMAGE_ARENA_DATA:
        from PIL import Image

        for variant in order:
            grids = [image_grid(samples[(variant, s)], cols=8) for s in seeds if (variant, s) in samples]
            if grids:
                gap = np.zeros((grids[0].shape[0], GRID_GAP, *grids[0].shape[2:]), np.uint8)
                row = np.concatenate([x for g in grids for x in (g, gap)][:-1], axis=1)
                Image.fromarray(row).save(out / f"{_safe(variant)}.png")  # one 8 x 4 grid per seed, side by side
    if samples and len(datas) == 1 and datas[0] in MIXTURES:
        for variant in order:
            panels = [(s, samples[(variant, s)], df[(df.variant == variant) & (df.seed == s)].iloc[0])
                      for s in seeds if (variant, s) in samples and ((df.variant == variant) & (df.seed == s)).any()]
            if panels:
                draw_panels(panels, datas[0], variant).save(out / f"{_safe(variant)}.png")
    return out


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _wrap(text: str, width: float) -> list[str]:
    """`text` in lines no wider than `width` pixels in PIL's default font."""
    from PIL import ImageDraw, Image

    measure = ImageDraw.Draw(Image.new("RGB", (1, 1))).textlength
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def draw_panels(panels: list[tuple], data: str, variant: str, size: int = 260):
    """One PIL image, a panel per seed: the generated points (orange) over the true centres (blue circles,
    radius 3 sigma or at least 3 pixels), each captioned with its modes, % HQ and reverse KL."""
    from PIL import Image, ImageDraw

    mix = MIXTURES[data]
    view = square_bounds(mix.centres.min(0) - 1.0, mix.centres.max(0) + 1.0)
    width = size * len(panels)
    title = _wrap(f"{variant} on {data}: final samples per seed (orange), true centres (blue circles)", width - 12)
    top = 10 + 12 * len(title)
    img = Image.new("RGB", (width, size + top + CAPTION), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(title):  # wrapped to the picture's width: one seed's panel is narrower than the title
        draw.text((6, 4 + 12 * i), line, fill="black")

    def px(p, x0):
        u, v = points_to_pixels(p, view, size)
        return x0 + u, top + v

    for j, (seed, pts, row) in enumerate(panels):
        x0 = j * size
        draw.rectangle([x0 + 1, top, x0 + size - 2, top + size - 1], outline=(200, 200, 200))
        pts = pts[np.isfinite(pts).all(1)]
        xs, ys = px(pts, x0)
        for x, y in zip(xs, ys):
            if x0 <= x < x0 + size and top <= y < top + size:
                draw.point((float(x), float(y)), fill=(230, 110, 20))
        r = max(3.0, 3 * mix.sigma / (view[1] - view[0]) * size)
        cx, cy = px(mix.centres, x0)
        for x, y in zip(cx, cy):
            draw.ellipse([x - r, y - r, x + r, y + r], outline=(30, 80, 200))
        draw.text((x0 + 6, top + size + 2),
                  f"seed {seed}: {int(row['modes'])}/{mix.k} modes, {100 * float(row['hq']):.0f}% HQ, KL {float(row['kl']):.2f}",
                  fill="black")
    return img


def seed_panel(picture: str | Path, index: int, panels: int, caption: bool = True):
    """The panel of one seed (and its caption line, unless `caption` is False) out of a picture of `draw_panels`
    with `panels` seeds side by side: the title across the whole width is left out."""
    from PIL import Image

    img = Image.open(picture)
    size = img.width // panels
    if panels < 1 or img.width % panels or not 0 <= index < panels or img.height < size + CAPTION:
        raise ValueError(f"{picture} is {img.width} px wide: not {panels} panels of draw_panels side by side (panel "
                         f"{index} asked for)")
    bottom = img.height if caption else img.height - CAPTION
    return img.crop((index * size, img.height - size - CAPTION, (index + 1) * size, bottom))


def seed_grid(picture: str | Path, index: int, grids: int):
    """One seed's sample grid out of an image arena's picture of `grids` seeds side by side (GRID_GAP apart)."""
    from PIL import Image

    img = Image.open(picture)
    size, rest = divmod(img.width + GRID_GAP, grids) if grids > 0 else (0, 1)
    if rest or size <= GRID_GAP or not 0 <= index < grids:
        raise ValueError(f"{picture} is {img.width} px wide: not {grids} sample grids side by side (grid {index} "
                         f"asked for)")
    return img.crop((index * size, 0, index * size + size - GRID_GAP, img.height))
