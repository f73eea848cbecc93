"""Build gan_core/data/assets/digits8.npz from scikit-learn's wheel (read as a zip; scikit-learn is never imported).

The wheel holds `sklearn/datasets/data/digits.csv.gz`: 1,797 rows of 65 integers, the 64 pixels of an 8 x 8
scan (row-major, 0..16 = how many of the 16 pixels of a 4 x 4 block of the 32 x 32 bitmap were ink) and the
digit. That is the test part of the UCI "Optical Recognition of Handwritten Digits" data set (Alpaydin &
Kaynak 1998, CC BY 4.0).

Output (np.savez_compressed):
    images     uint8 (1797, 8, 8)   ink counts 0..16 as in the source (0 = paper)
    labels     uint8 (1797,)
    train_idx  int64 (1437,)        sorted indices into images
    test_idx   int64 (360,)         sorted, disjoint from train_idx: ~20% of every digit

The split is stratified with np.random.default_rng(0) (largest-remainder rounding, exactly 360 held out).
Running the script twice gives identical arrays.

Usage:
    pip download scikit-learn --no-deps -d /tmp/skl
    python scripts/build_digits8_npz.py /tmp/skl/scikit_learn-*.whl
"""
from __future__ import annotations

import argparse
import gzip
import io
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "sklearn/datasets/data/digits.csv.gz"
N_TEST = 360
SEED = 0
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "gan_core" / "data" / "assets" / "digits8.npz"


def read_wheel(wheel: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 8, 8) in 0..16, labels uint8 (N,)) from the wheel's digits.csv.gz."""
    with zipfile.ZipFile(wheel) as z:
        if MEMBER not in z.namelist():
            raise ValueError(f"{wheel} has no {MEMBER}; pass a scikit-learn wheel")
        raw = gzip.decompress(z.read(MEMBER)).decode("ascii")
    table = np.loadtxt(io.StringIO(raw), delimiter=",", dtype=np.int64)  # (N, 65)
    if table.ndim != 2 or table.shape[1] != 65 or table[:, :64].min() < 0 or table[:, :64].max() > 16:
        raise ValueError(f"{MEMBER} is not 65 columns of 0..16 pixels and a label (shape {table.shape})")
    return table[:, :64].reshape(-1, 8, 8).astype(np.uint8), table[:, 64].astype(np.uint8)


def stratified_test_indices(labels: np.ndarray, n_test: int, seed: int) -> np.ndarray:
    """Sorted indices of a test split holding ~n_test/N of every class, exactly n_test in total."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    share = counts * n_test / len(labels)
    take = np.floor(share).astype(int)
    order = np.argsort(-(share - take), kind="stable")
    take[order[: n_test - take.sum()]] += 1
    picked = [rng.permutation(np.flatnonzero(labels == c))[:k] for c, k in zip(classes, take)]
    return np.sort(np.concatenate(picked)).astype(np.int64)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("wheel", type=Path, help="a scikit-learn wheel (pip download scikit-learn --no-deps -d DIR)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args()
    images, labels = read_wheel(args.wheel)
    test_idx = stratified_test_indices(labels, N_TEST, SEED)
    train_idx = np.setdiff1d(np.arange(len(labels)), test_idx).astype(np.int64)
    np.savez_compressed(args.out, images=images, labels=labels, train_idx=train_idx, test_idx=test_idx)
    print(f"wrote {args.out}: {len(labels)} digits, train {len(train_idx)}, test {len(test_idx)}; "
          f"per digit {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    main()
