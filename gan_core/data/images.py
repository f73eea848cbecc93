"""Image datasets for the GAN: bundled MNIST, IDX files (MNIST / Fashion-MNIST), Stacked MNIST.

Every loader returns `(images, labels)` as numpy arrays:
    images  uint8, (N, 28, 28) grey or (N, 28, 28, 3) for Stacked MNIST; 0 = background
    labels  int64, (N,)

Networks see float tensors (N, C, 28, 28) in [-1, 1]: `gan_core.data.pixels` converts.

Data sets (`load_images(name, split)`):
    "mnist"          the 10,000 bundled digits (gan_core/data/assets/mnist10k.npz): train 9,000 / test 1,000
    "mnist-full"     the 70,000 MNIST digits from IDX files: train 60,000 / test 10,000
    "fashion-mnist"  the 70,000 Fashion-MNIST images from IDX files: train 60,000 / test 10,000
    "stacked-mnist"  three random MNIST digits stacked as RGB channels; 1,000 classes
                     label = 100 * d0 + 10 * d1 + d2 (Srivastava et al. 2017, VEEGAN)
    "digits8"        the 1,797 bundled UCI 8x8 scans (gan_core/data/assets/digits8.npz), resized to 28 x 28:
                     train 1,437 / test 360

IDX files are looked for, in this order, in: the `data_dir` argument, the folder named by the
environment variable GAN_CLASSROOM_DATA (read at call time), /usr/share/datasets/<name> (where
Debian's `dataset-fashion-mnist` package puts Fashion-MNIST), and ~/.cache/gan_classroom. In each
folder the files may sit directly, in <folder>/<name>/, or in torchvision's <folder>/MNIST/raw/ or
<folder>/FashionMNIST/raw/, plain or gzipped. When they are nowhere, torchvision is asked to
download them into ~/.cache/gan_classroom; if that fails too, `DatasetUnavailable` says which
files are needed, where they were looked for and how to provide them.
"""
from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from gan_core.data.pixels import to_nchw, to_unit

Split = Literal["train", "test", "all"]
IdxName = Literal["mnist", "fashion-mnist"]
ImageName = Literal["mnist", "mnist-full", "fashion-mnist", "stacked-mnist", "digits8"]

SPLITS: tuple[str, ...] = ("train", "test", "all")
IMAGE_NAMES: tuple[str, ...] = ("mnist", "mnist-full", "fashion-mnist", "stacked-mnist", "digits8")
BUNDLED_MNIST = Path(__file__).resolve().parent / "assets" / "mnist10k.npz"
BUNDLED_DIGITS8 = Path(__file__).resolve().parent / "assets" / "digits8.npz"
ENV_DATA_DIR = "GAN_CLASSROOM_DATA"
STACKED_DEFAULT_N = {"train": 128_000, "test": 10_000, "all": 128_000}


class DatasetUnavailable(ValueError):
    """The files of a data set are not on this machine and could not be downloaded."""


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is not valid; choose one of: {', '.join(SPLITS)}")


# --------------------------------------------------------------------------- bundled MNIST

def load_mnist_bundled(split: Split = "train") -> tuple[np.ndarray, np.ndarray]:
    """The bundled 10,000 MNIST digits: images uint8 (N, 28, 28), labels int64 (N,).

    split: "train" (9,000), "test" (1,000, stratified by digit, disjoint from train) or "all".
    """
    _check_split(split)
    if not BUNDLED_MNIST.is_file():
        raise DatasetUnavailable(
            f"the bundled MNIST file {BUNDLED_MNIST} is missing; rebuild it with "
            "scripts/build_mnist_npz.py (see gan_core/data/assets/MNIST-SOURCE.md)"
        )
    with np.load(BUNDLED_MNIST) as npz:
        images, labels = npz["images"], npz["labels"].astype(np.int64)
        if split == "all":
            return images, labels
        idx = npz[f"{split}_idx"]
    return images[idx], labels[idx]


# --------------------------------------------------------------------------- bundled UCI digits (8 x 8)

def load_digits8(split: Split = "train", side: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """The bundled 1,797 UCI scans as images uint8 (N, side, side), labels int64 (N,).

    The 8 x 8 ink counts 0..16 become grey levels count * 255 / 16, then the grid is resized bilinearly to
    side x side (half-pixel centres, torch's `interpolate`): the digit keeps filling its frame.
    split: "train" (1,437), "test" (360, ~20% of every digit) or "all".
    """
    _check_split(split)
    if not BUNDLED_DIGITS8.is_file():
        raise DatasetUnavailable(f"the bundled digits file {BUNDLED_DIGITS8} is missing; rebuild it with "
                                 "scripts/build_digits8_npz.py (see gan_core/data/assets/DIGITS8-SOURCE.md)")
    with np.load(BUNDLED_DIGITS8) as npz:
        counts, labels = npz["images"], npz["labels"].astype(np.int64)
        idx = np.arange(len(labels)) if split == "all" else npz[f"{split}_idx"]
    return digits8_to_side(counts[idx].astype(np.float32) * (255.0 / 16.0), side), labels[idx]


def digits8_to_side(grey8: np.ndarray, side: int = 28) -> np.ndarray:
    """(N, 8, 8) grey levels 0..255 -> uint8 (N, side, side), resized bilinearly (half-pixel centres, torch's
    `interpolate`) as the bundled scans are."""
    grey = torch.from_numpy(np.asarray(grey8, dtype=np.float32))[:, None]  # (N, 1, 8, 8)
    big = torch.nn.functional.interpolate(grey, size=(side, side), mode="bilinear", align_corners=False)
    return big[:, 0].round().clamp(0, 255).to(torch.uint8).numpy()


# --------------------------------------------------------------------------- IDX files

IDX_FILES: dict[str, tuple[str, str]] = {  # split -> (images file, labels file), without ".gz"
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IDX_SIZES = {"train": 60_000, "test": 10_000}
TORCHVISION_FOLDER = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
PRETTY_NAME = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
IDX_UBYTE = 0x08  # the only element type MNIST-style files use
# The classes' names, in label order (Fashion-MNIST's from its README); other image sets are labelled by digit.
CLASS_NAMES = {"fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                                 "Bag", "Ankle boot")}


def class_names(name: str, n_classes: int = 10) -> list[str]:
    """Names of a data set's classes in label order: Fashion-MNIST's garments, else the digits '0'..'9'."""
    return list(CLASS_NAMES.get(name, [str(i) for i in range(n_classes)]))


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (plain or .gz) into a uint8 array.

    Layout (big-endian): bytes 0-1 are 0, byte 2 is the element type (0x08 = unsigned byte),
    byte 3 the number of dimensions d; then d int32 sizes; then prod(sizes) elements.
    Image files have magic 0x00000803 (d = 3: N, rows, cols), label files 0x00000801 (d = 1).
    """
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{path} is corrupt ({err}); delete it and provide a fresh copy") from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != IDX_UBYTE or not 1 <= raw[3] <= 4:
        raise ValueError(
            f"{path} is not an unsigned-byte IDX file (magic bytes {raw[:4].hex() or 'missing'}, "
            "expected 00000801 for labels or 00000803 for images); the file is corrupt or of another kind"
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated inside its header; delete it and provide a fresh copy")
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(
            f"{path} holds {len(raw)} bytes but its header (shape {shape}) promises {expected}; "
            "the file is truncated or corrupt: delete it and provide a fresh copy"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def idx_search_dirs(name: IdxName, data_dir: str | Path | None = None) -> list[Path]:
    """The folders searched for IDX files, in order (env var read now, not at import)."""
    dirs: list[Path] = []
    if data_dir is not None:
        dirs.append(Path(data_dir).expanduser())
    if os.environ.get(ENV_DATA_DIR):
        dirs.append(Path(os.environ[ENV_DATA_DIR]).expanduser())
    dirs.append(Path("/usr/share/datasets") / name)
    dirs.append(_cache_dir())
    return dirs


def _cache_dir() -> Path:
    return Path.home() / ".cache" / "gan_classroom"


def _layouts(name: IdxName, folder: Path) -> list[Path]:
    """The places inside one searched folder where the files may sit."""
    places = [folder, folder / TORCHVISION_FOLDER[name] / "raw"]
    if folder.name != name:  # /usr/share/datasets/mnist needs no extra /mnist
        places.insert(1, folder / name)
    return places


def _find_file(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _find_split(name: IdxName, split: str, dirs: list[Path]) -> tuple[Path, Path] | None:
    """(images path, labels path) from the first folder holding both, else None."""
    image_stem, label_stem = IDX_FILES[split]
    for folder in dirs:
        for place in _layouts(name, folder):
            images, labels = _find_file(place, image_stem), _find_file(place, label_stem)
            if images is not None and labels is not None:
                return images, labels
    return None


def _download_with_torchvision(name: IdxName) -> str | None:
    """Download into the cache folder with torchvision; None on success, else what went wrong."""
    try:
        from torchvision import datasets

        cls = datasets.MNIST if name == "mnist" else datasets.FashionMNIST
        for train in (True, False):
            cls(root=str(_cache_dir()), train=train, download=True)
        return None
    except Exception as err:  # offline, blocked, disk full...: all mean "not available"
        reason = " ".join(str(err).split())  # one line: torchvision's messages span several
        return f"failed ({type(err).__name__}: {reason[:300]})"


def _unavailable(name: IdxName, split: str, dirs: list[Path], download_error: str) -> DatasetUnavailable:
    stems = [stem for s in (("train", "test") if split == "all" else (split,)) for stem in IDX_FILES[s]]
    searched = "\n".join(f"  - {place}" for folder in dirs for place in _layouts(name, folder))
    why = f"Downloading with torchvision: {download_error}.\n"
    debian = (
        "On Debian/Ubuntu, `apt-get install dataset-fashion-mnist` installs them in /usr/share/datasets/fashion-mnist.\n"
        if name == "fashion-mnist" else ""
    )
    return DatasetUnavailable(
        f"{PRETTY_NAME[name]} ({split} split) is not available.\n"
        f"Needed files (plain or with .gz): {', '.join(stems)}\n"
        f"Folders searched:\n{searched}\n{why}{debian}"
        f"Put the files in a folder and pass it with --data-dir FOLDER, or set {ENV_DATA_DIR}=FOLDER."
    )


IDX_OF = {"mnist-full": "mnist", "fashion-mnist": "fashion-mnist", "stacked-mnist": "mnist"}  # data read from IDX files


def idx_files_in(name: str, folder: str | Path) -> bool | None:
    """Whether `folder` holds the training split's IDX files of data set `name` (in any layout `_layouts` allows);
    None when `name` reads no IDX files (the bundled MNIST digits, the UCI scans, the 2D sets)."""
    idx = IDX_OF.get(name)
    if idx is None:
        return None
    return _find_split(idx, "train", [Path(folder).expanduser()]) is not None


def load_idx_dataset(
    name: IdxName, split: Split = "train", data_dir: str | Path | None = None, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST or Fashion-MNIST from IDX files: images uint8 (N, 28, 28), labels int64 (N,).

    split: "train" (60,000), "test" (10,000) or "all" (train then test). Folders are searched as
    described in the module docstring; `download=False` never touches the network.
    """
    if name not in TORCHVISION_FOLDER:
        raise ValueError(f"name={name!r} has no IDX files; choose 'mnist' or 'fashion-mnist'")
    _check_split(split)
    if split == "all":
        parts = [load_idx_dataset(name, s, data_dir, download) for s in ("train", "test")]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    dirs = idx_search_dirs(name, data_dir)
    found = _find_split(name, split, dirs)
    if found is None:
        if not download:
            raise _unavailable(name, split, dirs, "not attempted (download=False)")
        download_error = _download_with_torchvision(name)
        found = None if download_error else _find_split(name, split, dirs)
        if found is None:
            raise _unavailable(name, split, dirs, download_error or "finished, yet the files are still missing")

    image_path, label_path = found
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{image_path} holds shape {images.shape}; expected (N, 28, 28) images")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{label_path} holds shape {labels.shape}; expected ({len(images)},) labels to match {image_path}")
    if labels.max(initial=0) > 9:
        raise ValueError(f"{label_path} holds label {labels.max()}; MNIST-style labels are 0-9, so the file is corrupt")
    return images, labels.astype(np.int64)


# --------------------------------------------------------------------------- Stacked MNIST

def make_stacked_mnist(digits: np.ndarray, digit_labels: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n images (n, 28, 28, 3): channel c is digit image idx[:, c], idx drawn uniformly (seed).

    label = 100 * d0 + 10 * d1 + d2, so 1,000 classes. Memory: n * 2,352 bytes as uint8
    (128,000 images = 301 MB), built in well under a few seconds.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n={n!r} must be a positive whole number of Stacked MNIST images")
    if digits.ndim != 3 or len(digits) != len(digit_labels) or len(digits) == 0:
        raise ValueError(f"digits must be (N, 28, 28) with N matching the labels; got {digits.shape} and {digit_labels.shape}")
    idx = np.random.default_rng(seed).integers(0, len(digits), size=(int(n), 3))  # (n, 3)
    images = np.empty((int(n), *digits.shape[1:], 3), dtype=np.uint8)  # (n, 28, 28, 3)
    for c in range(3):
        images[..., c] = digits[idx[:, c]]
    d = digit_labels.astype(np.int64)[idx]  # (n, 3)
    return images, 100 * d[:, 0] + 10 * d[:, 1] + d[:, 2]


# --------------------------------------------------------------------------- one entry point

def load_images(
    name: ImageName,
    split: Split = "train",
    data_dir: str | Path | None = None,
    *,
    seed: int = 0,
    n: int | None = None,
    download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8, labels int64) of a named image set; see the module docstring.

    seed, n: only for "stacked-mnist" (n defaults to 128,000 for train, 10,000 for test). Its
    digits come from full MNIST when its files are present (never downloaded for this), else from
    the bundled 10,000.
    """
    _check_split(split)
    if name == "mnist":
        return load_mnist_bundled(split)
    if name == "digits8":
        return load_digits8(split)
    if name in ("mnist-full", "fashion-mnist"):
        return load_idx_dataset(IDX_OF[name], split, data_dir, download)
    if name == "stacked-mnist":
        try:
            digits, digit_labels = load_idx_dataset(IDX_OF[name], split, data_dir, download=False)
        except DatasetUnavailable:
            digits, digit_labels = load_mnist_bundled(split)
        return make_stacked_mnist(digits, digit_labels, STACKED_DEFAULT_N[split] if n is None else n, seed)
    raise ValueError(f"image data set {name!r} is unknown; choose one of: {', '.join(IMAGE_NAMES)}")


# --------------------------------------------------------------------------- batches

class EpochOrder:
    """The order in which a data set's N items are visited: epoch after epoch, each a fresh permutation drawn from
    the caller's torch.Generator. `take(b)` returns the next b indices; with drop_last a batch never straddles two
    epochs (the last N mod b items of each permutation are skipped, a different tail each epoch), without it a
    batch that reaches the end of a permutation continues into the next one."""

    def __init__(self, n: int, drop_last: bool):
        self.n, self.drop_last = n, drop_last
        self.order: torch.Tensor | None = None  # (N,) the current permutation
        self.pos = 0
        self.epoch = 0

    def _shuffle(self, generator: torch.Generator) -> None:
        if self.order is not None:
            self.epoch += 1
        self.order = torch.randperm(self.n, generator=generator, device=generator.device)
        self.pos = 0

    def take(self, b: int, generator: torch.Generator) -> torch.Tensor:
        if self.drop_last:
            if self.order is None or self.pos + b > self.n:
                self._shuffle(generator)
            idx = self.order[self.pos:self.pos + b]
            self.pos += b
            return idx
        parts, need = [], b
        while need > 0:
            if self.order is None or self.pos >= self.n:
                self._shuffle(generator)
            part = self.order[self.pos:self.pos + need]
            self.pos += len(part)
            need -= len(part)
            parts.append(part)
        return torch.cat(parts) if len(parts) > 1 else parts[0]


class ImageSampler:
    """Endless shuffled mini-batches, like DataLoader(shuffle=True, drop_last=True), but fast.

    The whole set stays on `device` as uint8 (N, C, H, W); each `next()` gathers B images and
    converts only those to float in [-1, 1]. Every epoch is a fresh permutation drawn from a
    torch.Generator seeded with `seed`, so the batch sequence depends only on (data, seed).
    The last N mod B images of each permutation are skipped (every batch has exactly B images;
    a different tail is skipped each epoch).
    """

    def __init__(
        self,
        images_uint8: np.ndarray | torch.Tensor,
        labels: np.ndarray | torch.Tensor,
        batch_size: int = 64,
        seed: int = 0,
        device: str | torch.device = "cpu",
    ) -> None:
        images = torch.as_tensor(images_uint8)
        if images.dtype != torch.uint8:
            raise ValueError(f"ImageSampler needs uint8 images; got {images.dtype}")
        self.images = to_nchw(images).contiguous().to(device)  # (N, C, H, W) uint8
        self.labels = torch.as_tensor(labels, dtype=torch.int64).to(device)  # (N,)
        if len(self.labels) != len(self.images):
            raise ValueError(f"{len(self.images)} images but {len(self.labels)} labels; they must match")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= len(self.images):
            raise ValueError(f"batch_size={batch_size!r} must be a whole number between 1 and the {len(self.images)} images")
        self.batch_size = batch_size
        self.generator = torch.Generator().manual_seed(int(seed))  # on CPU: same stream on any device
        self._order = EpochOrder(len(self.images), drop_last=True)

    @property
    def epoch(self) -> int:
        return self._order.epoch

    @property
    def batches_per_epoch(self) -> int:
        return len(self.images) // self.batch_size

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(x float32 (B, C, H, W) in [-1, 1], y int64 (B,))."""
        idx = self._order.take(self.batch_size, self.generator).to(self.images.device)  # (B,)
        return to_unit(self.images[idx]), self.labels[idx]

    def __iter__(self) -> "ImageSampler":
        return self

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.next()

    def state_dict(self) -> dict:
        """Everything needed to resume the exact batch sequence (tensors, no pickle needed)."""
        o = self._order
        perm = o.order.clone() if o.order is not None else torch.empty(0, dtype=torch.long)
        return {"generator": self.generator.get_state(), "perm": perm, "pos": torch.tensor(o.pos),
                "epoch": torch.tensor(o.epoch)}

    def load_state_dict(self, state: dict) -> None:
        if len(state["perm"]) not in (0, len(self.images)):
            raise ValueError(f"sampler state is for {len(state['perm'])} images, this sampler holds {len(self.images)}")
        self.generator.set_state(state["generator"])
        self._order.order = state["perm"].clone() if len(state["perm"]) else None
        self._order.pos = int(state["pos"])
        self._order.epoch = int(state["epoch"])
