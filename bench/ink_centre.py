"""Where generated digits sit: the spread of the ink's centre of mass, generated against real.

    python bench/ink_centre.py pretrained/mnist-cgan [RUN ...] [--n 1000] [--seed 1]

MNIST centres every digit by its centre of mass, so real digits' centres spread well under a pixel. A generator
that has learnt shifted digits (say from a discriminator that sees shifted images, `+diffaug`) spreads wider. For
each run folder, N samples are drawn (`gan_core.sampling.sample_run`, as `eval --seed` does); the held-out real
images of the run's data set are measured the same way. Prints the standard deviation of the centre's row and
column, in pixels.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core.data.images import IMAGE_NAMES, load_images  # noqa: E402
from gan_core.runs import load_config  # noqa: E402
from gan_core.sampling import sample_run  # noqa: E402


def centre_spread(images_uint8: np.ndarray) -> tuple[float, float]:
    """(sd of the row, sd of the column) of each image's intensity-weighted centre, in pixels."""
    x = np.asarray(images_uint8, dtype=np.float64)
    if x.ndim == 4:
        x = x.mean(-1)
    ink = x.sum((1, 2))
    keep = ink > 0  # a blank image has no centre
    x, ink = x[keep], ink[keep]
    rows = (x.sum(2) * np.arange(x.shape[1])).sum(1) / ink
    cols = (x.sum(1) * np.arange(x.shape[2])).sum(1) / ink
    return float(rows.std()), float(cols.std())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(1)
    real_done = set()
    for run in a.runs:
        data = load_config(run).data
        if data.name not in IMAGE_NAMES:
            print(f"{run}: {data.name} is 2D data; this measures images")
            return 2
        if data.name not in real_done:
            real, _ = load_images(data.name, "test", data.data_dir, download=False)
            r, c = centre_spread(real)
            print(f"real {data.name} (held-out, {len(real):,} images): centre sd {r:.2f} / {c:.2f} px (rows / columns)")
            real_done.add(data.name)
        r, c = centre_spread(sample_run(run, a.n, a.seed, None, "cpu").data)
        print(f"{run} ({a.n:,} samples, seed {a.seed}): centre sd {r:.2f} / {c:.2f} px (rows / columns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
