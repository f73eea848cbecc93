"""Fill the `samples_read` column of a finished augmentation study from the conditional GAN's saved pictures.

    python bench/augment_samples_read.py FOLDER [--write]

A study run before its cells kept `samples_read` (gan_core/augmentation/study.py) still has each conditional-GAN
cell's samples in FOLDER/samples/cgan-N{N}-seed{S}.png: the K x 8 samples, class by class, as `image_grid` laid
them out (lossless PNG, 2-pixel gaps). This cuts them out again, lets the shipped evaluation classifier read them
(`study.samples_read`, as a new study does) and prints one line per cell; with --write it rewrites results.csv
with the column filled and summary.md's "What the numbers say" (the rest of the report is unchanged).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core.augmentation.report import conclusions, samples_path, summarise  # noqa: E402
from gan_core.augmentation.study import read_results, samples_read, write_rows  # noqa: E402
from gan_core.augmentation.split import load_study_data  # noqa: E402

PAD, SIDE, COLS = 2, 28, 8


def tiles(picture: Path, n: int) -> np.ndarray:
    """The n (28, 28) uint8 images of an image_grid picture with 8 columns and 2-pixel gaps, row by row."""
    grid = np.asarray(Image.open(picture).convert("L"))
    out = []
    for i in range(n):
        r, c = divmod(i, COLS)
        y, x = PAD + r * (SIDE + PAD), PAD + c * (SIDE + PAD)
        out.append(grid[y:y + SIDE, x:x + SIDE])
    return np.stack(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    rows = read_results(a.folder)
    if not rows:
        sys.exit(f"{a.folder} has no results.csv")
    data = load_study_data(rows[0]["data"])
    for r in rows:
        if r["arm"] != "cgan":
            continue
        picture = samples_path(a.folder, r["N"], r["seed"])
        if not picture.is_file():
            print(f"N {r['N']} seed {r['seed']}: no picture, left empty")
            continue
        r["samples_read"] = round(samples_read(data, tiles(picture, data.n_classes * COLS)), 6)
        print(f"N {r['N']} seed {r['seed']}: {r['samples_read']:.1%} read as their class")
    if a.write:
        write_rows(a.folder, rows)
        summary = a.folder / "summary.md"
        text = summary.read_text()
        head, _, rest = text.partition("## What the numbers say\n\n")
        tail = rest[rest.index("\n## "):] if "\n## " in rest else ""
        summary.write_text(head + "## What the numbers say\n\n" + "\n\n".join(conclusions(summarise(rows))) + "\n"
                           + tail)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
