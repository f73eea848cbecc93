"""How steady a shipped generator's largest class share is: both class checks on further sets of samples.

    python bench/knn_seeds.py pretrained/mnist-dcgan [RUN ...] [--seeds 2-6] [--n 2000]

For each run folder of a 10-class image generator (MNIST, Fashion-MNIST, digits8) and each seed, N samples are
drawn (`gan_core.sampling.sample_run`, as `eval --seed` does) and
labelled by the evaluation classifier and by the pixel k-NN vote (gan_core/evaluation/knn_check.py). Prints each
labeller's largest share per seed, its range and mean: the card measures one set (seed 1), and a share near the
16% rule can fall on either side of it from one set to the next.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core.data.images import IMAGE_NAMES  # noqa: E402
from gan_core.evaluation.knn_check import class_checks  # noqa: E402
from gan_core.runs import load_config  # noqa: E402
from gan_core.sampling import sample_run  # noqa: E402


def seeds(text: str) -> list[int]:
    """'2-6' -> [2, 3, 4, 5, 6]; '3' -> [3]."""
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--seeds", default="2-6")
    ap.add_argument("--n", type=int, default=2000)
    a = ap.parse_args()
    torch.set_num_threads(1)
    for run in a.runs:
        data = load_config(run).data
        if data.name not in IMAGE_NAMES or data.name == "stacked-mnist":
            print(f"{run}: {data.name} has no 10 classes to count "
                  "(this checks MNIST, Fashion-MNIST and digits8 generators)")
            return 2
        by = {"classifier": [], "knn": []}
        for seed in seeds(a.seeds):
            c = class_checks(sample_run(run, a.n, seed, None, "cpu").data, data.name, data.data_dir)
            for who in by:
                by[who].append((c[f"{who}_largest_share"], c[f"{who}_largest_class"]))
        for who, got in by.items():
            share = np.array([g[0] for g in got])
            print(f"{run} {who}: largest share per seed {', '.join(f'{s:.2%} ({c})' for s, c in got)}; "
                  f"range {share.min():.2%}-{share.max():.2%}, mean {share.mean():.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
