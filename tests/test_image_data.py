"""Image data: bundled MNIST, IDX reading, missing-file errors, Stacked MNIST, tensors, sampler.

No network: every IDX file used here is written by the test, and downloads are switched off.
"""
from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from gan_core.data import images as image_data
from gan_core.data.pixels import to_uint8, to_unit
from gan_core.data.images import (
    DatasetUnavailable,
    ImageSampler,
    load_idx_dataset,
    load_images,
    load_mnist_bundled,
    make_stacked_mnist,
    read_idx,
)


# --------------------------------------------------------------------------- bundled MNIST

def test_bundled_mnist_shapes_dtypes_and_split_sizes():
    for split, n in (("train", 9000), ("test", 1000), ("all", 10000)):
        x, y = load_mnist_bundled(split)
        assert x.shape == (n, 28, 28) and x.dtype == np.uint8
        assert y.shape == (n,) and y.dtype == np.int64
        assert set(np.unique(y)) == set(range(10))
    x, _ = load_mnist_bundled("all")
    assert x.max() == 255 and x.min() == 0


def test_bundled_split_is_disjoint_fixed_and_stratified():
    with np.load(image_data.BUNDLED_MNIST) as npz:
        train_idx, test_idx, labels = npz["train_idx"], npz["test_idx"], npz["labels"]
    assert len(np.intersect1d(train_idx, test_idx)) == 0
    assert len(np.union1d(train_idx, test_idx)) == 10000
    # Fixed: the split is stored in the file, and its content is pinned here.
    assert test_idx[:8].tolist() == [1, 27, 36, 38, 40, 42, 47, 49]
    assert hashlib.sha256(test_idx.astype(np.int64).tobytes()).hexdigest()[:16] == "0797742c82478f0a"
    counts = np.bincount(labels[test_idx], minlength=10)
    assert counts.sum() == 1000 and counts.min() >= 80  # ~10% of every digit
    x1, y1 = load_mnist_bundled("test")
    x2, y2 = load_images("mnist", "test")
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)


def test_bad_split_and_name_are_refused():
    with pytest.raises(ValueError, match="split"):
        load_mnist_bundled("validation")
    with pytest.raises(ValueError, match="cifar"):
        load_images("cifar")


# --------------------------------------------------------------------------- IDX files

def _idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_idx_set(folder: Path, split: str, n: int, gz: bool, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    prefix = "train" if split == "train" else "t10k"
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
        data = _idx_bytes(array)
        if gz:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / stem).write_bytes(data)
    return images, labels


@pytest.fixture
def no_default_dirs(monkeypatch, tmp_path):
    """Point the env var, home cache and /usr/share lookup away from this machine's real files."""
    monkeypatch.delenv(image_data.ENV_DATA_DIR, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(lambda: tmp_path / "home"))
    real = image_data.idx_search_dirs

    def dirs(name, data_dir=None):
        return [d if not str(d).startswith("/usr/share/datasets") else tmp_path / "usr-share" / name
                for d in real(name, data_dir)]

    monkeypatch.setattr(image_data, "idx_search_dirs", dirs)
    monkeypatch.setattr(image_data, "_download_with_torchvision", lambda name: "failed (network disabled in tests)")


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_plain_and_gz(tmp_path, gz, no_default_dirs):
    images, labels = _write_idx_set(tmp_path / "data", "test", 7, gz)
    x, y = load_idx_dataset("mnist", "test", tmp_path / "data", download=False)
    assert np.array_equal(x, images) and np.array_equal(y, labels) and y.dtype == np.int64


def test_torchvision_layout_and_env_var(tmp_path, monkeypatch, no_default_dirs):
    images, _ = _write_idx_set(tmp_path / "root" / "FashionMNIST" / "raw", "train", 5, gz=True)
    x, _ = load_idx_dataset("fashion-mnist", "train", tmp_path / "root", download=False)
    assert np.array_equal(x, images)
    monkeypatch.setenv(image_data.ENV_DATA_DIR, str(tmp_path / "root"))  # read at call time
    x, _ = load_images("fashion-mnist", "train", download=False)
    assert np.array_equal(x, images)


def test_corrupt_idx_files_give_a_clear_error(tmp_path):
    bad_magic = tmp_path / "bad-magic"
    bad_magic.write_bytes(b"\x12\x34\x08\x03" + b"\x00" * 20)
    with pytest.raises(ValueError, match="not an unsigned-byte IDX file"):
        read_idx(bad_magic)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(_idx_bytes(np.zeros((3, 28, 28), np.uint8))[:-10])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        read_idx(truncated)
    bad_gz = tmp_path / "broken.gz"
    bad_gz.write_bytes(b"this is not gzip data")
    with pytest.raises(ValueError, match="corrupt"):
        read_idx(bad_gz)


def test_missing_files_error_lists_files_and_folders(tmp_path, no_default_dirs):
    with pytest.raises(DatasetUnavailable) as info:
        load_idx_dataset("fashion-mnist", "test", tmp_path / "empty", download=True)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    assert str(tmp_path / "empty") in message and "FashionMNIST/raw" in message
    assert "--data-dir" in message and image_data.ENV_DATA_DIR in message
    assert "network disabled in tests" in message
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------- Stacked MNIST

def test_stacked_mnist_labels_are_the_digits_of_its_channels(no_default_dirs):
    x, y = load_images("stacked-mnist", "test", seed=3, n=500)
    assert x.shape == (500, 28, 28, 3) and x.dtype == np.uint8 and y.dtype == np.int64
    digits, digit_labels = load_mnist_bundled("test")
    lookup = {d.tobytes(): int(l) for d, l in zip(digits, digit_labels)}
    for i in range(0, 500, 37):
        channel_digits = [lookup[x[i, :, :, c].tobytes()] for c in range(3)]
        assert y[i] == 100 * channel_digits[0] + 10 * channel_digits[1] + channel_digits[2]
    x2, y2 = load_images("stacked-mnist", "test", seed=3, n=500)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)  # deterministic given the seed
    _, y3 = load_images("stacked-mnist", "test", seed=4, n=500)
    assert not np.array_equal(y, y3)


def test_stacked_mnist_rejects_bad_n():
    digits, labels = load_mnist_bundled("test")
    with pytest.raises(ValueError, match="n=0"):
        make_stacked_mnist(digits, labels, 0)


# --------------------------------------------------------------------------- tensors and sampler

def test_to_unit_to_uint8_round_trip():
    grey, _ = load_mnist_bundled("test")
    t = to_unit(grey[:16])
    assert t.shape == (16, 1, 28, 28) and t.dtype == torch.float32
    assert t.min() >= -1 and t.max() <= 1 and t.min() == -1 and t.max() == 1
    assert np.array_equal(to_uint8(t), grey[:16])
    rgb = np.random.default_rng(0).integers(0, 256, (4, 28, 28, 3), dtype=np.uint8)
    assert to_unit(rgb).shape == (4, 3, 28, 28)
    assert np.array_equal(to_uint8(to_unit(rgb)), rgb)
    assert to_uint8(torch.full((2, 1, 28, 28), 5.0)).max() == 255  # clamped
    with pytest.raises(ValueError, match="uint8"):
        to_unit(np.zeros((2, 28, 28), np.float32))


def test_image_sampler_is_deterministic_and_shuffles_by_epoch():
    x, y = load_mnist_bundled("test")
    a, b = ImageSampler(x, y, 64, seed=1), ImageSampler(x, y, 64, seed=1)
    for _ in range(20):  # 15 batches per epoch: crosses an epoch boundary
        (xa, ya), (xb, yb) = a.next(), b.next()
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
    assert xa.shape == (64, 1, 28, 28) and xa.dtype == torch.float32 and ya.dtype == torch.int64
    assert a.epoch == 1 and a.batches_per_epoch == 15
    c = ImageSampler(x, y, 64, seed=2)
    assert not torch.equal(c.next()[1], ImageSampler(x, y, 64, seed=1).next()[1])
    # One epoch visits distinct images, and batches match the uint8 data exactly.
    s = ImageSampler(x, np.arange(len(x)), 100, seed=0)
    seen = torch.cat([s.next()[1] for _ in range(10)])
    assert len(torch.unique(seen)) == 1000
    xb, ib = s.next()
    assert np.array_equal(to_uint8(xb), x[ib.numpy()])


def test_image_sampler_state_round_trip_and_bad_input():
    x, y = load_mnist_bundled("test")
    a = ImageSampler(x, y, 64, seed=5)
    for _ in range(17):
        a.next()
    b = ImageSampler(x, y, 64, seed=0)
    b.load_state_dict(a.state_dict())
    assert torch.equal(a.next()[0], b.next()[0])
    with pytest.raises(ValueError, match="batch_size"):
        ImageSampler(x, y, 0)
    with pytest.raises(ValueError, match="labels"):
        ImageSampler(x, y[:10], 8)


def test_to_unit_takes_a_read_only_array_without_a_warning():
    """The Style transfer page hands a cached, read-only held-out digit to to_unit: torch warned in the terminal."""
    import warnings

    import numpy as np

    from gan_core.data.pixels import to_unit

    img = np.full((1, 28, 28), 255, np.uint8)
    img.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = to_unit(img)
    assert out.shape == (1, 1, 28, 28) and float(out.min()) == 1.0
