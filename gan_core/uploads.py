"""Checking what users upload: images, zip files of images, and weights. Each parser returns clean
data or raises ValueError with a message that says what was wrong and what to do.

Limits (stated in the app next to each uploader):
- an image: PNG / JPEG / BMP / GIF, at most 5 MB and 4096 x 4096 pixels; any size or colour mode
  is turned into 28 x 28 grey (the digit's box is fitted to the frame);
- a zip: at most 20 MB, 2,000 images, each under the image limits; folders inside are fine, but
  names that climb out ('..', absolute paths) or links are refused, and nothing is ever extracted
  to disk;
- weights: a safetensors file, at most 200 MB, whose tensors match the config they come with.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import PurePosixPath

import numpy as np

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_ZIP_IMAGES = 2000
MAX_ZIP_RATIO = 200  # uncompressed / compressed size of one member: beyond this it is a zip bomb
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def parse_image(data: bytes, invert_if_light: bool = True) -> np.ndarray:
    """Bytes of one image -> (28, 28) uint8, white digit on black like MNIST."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValueError("the image file is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"the image is {len(data) / 1e6:.1f} MB; the limit is {MAX_IMAGE_BYTES // 2**20} MB")
    try:
        img = Image.open(io.BytesIO(data))
        w, h = img.size
        if w * h > MAX_IMAGE_PIXELS:
            raise ValueError(f"the image is {w} x {h} pixels; the limit is 4096 x 4096 (a larger one could be a "
                             f"decompression bomb)")
        img.load()
    except ValueError:
        raise
    except Image.DecompressionBombError:
        raise ValueError("the image declares an enormous size (a decompression bomb); it was not opened") from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValueError("the file is not an image that can be read; upload a PNG or JPEG") from None
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img.convert("RGBA"))
    grey = np.asarray(img.convert("L"), dtype=np.float32)
    if invert_if_light and grey.mean() > 127:
        grey = 255 - grey  # dark ink on paper -> MNIST's light digit on black
    return _fit_28(grey)


def _fit_28(grey: np.ndarray) -> np.ndarray:
    """Crop to the ink's bounding box, scale it into 20 x 20 and centre it in 28 x 28 (as MNIST was made)."""
    from PIL import Image

    return fit_ink(grey, 20, 28, Image.LANCZOS)


def fit_ink(grey: np.ndarray, box: int, side: int, resample: int) -> np.ndarray:
    """A light-on-dark picture cropped to its ink's bounding box (pixels above a fifth of the brightest), scaled
    so that its longer side is `box` pixels (PIL's `resample` filter) and centred in a black uint8 (side, side)."""
    from PIL import Image

    grey = np.asarray(grey, dtype=np.float32)
    mask = grey > 0.2 * max(float(grey.max()), 1.0)
    if mask.any():
        rows, cols = np.where(mask.any(1))[0], np.where(mask.any(0))[0]
        grey = grey[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = grey.shape
    scale = box / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).resize((nw, nh), resample)
    out = np.zeros((side, side), dtype=np.uint8)
    top, left = (side - nh) // 2, (side - nw) // 2
    out[top:top + nh, left:left + nw] = np.asarray(small)
    return out


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return not (p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]))


def parse_image_zip(data: bytes) -> tuple[np.ndarray, list[str]]:
    """A zip of images -> ((N, 28, 28) uint8, their names). Nothing is written to disk."""
    if len(data) > MAX_ZIP_BYTES:
        raise ValueError(f"the zip is {len(data) / 1e6:.1f} MB; the limit is {MAX_ZIP_BYTES // 2**20} MB")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValueError("the file is not a readable zip archive") from None
    images, names = [], []
    for info in infos:
        if info.is_dir():
            continue
        if not _safe_member(info.filename):
            raise ValueError(f"the zip holds an unsafe name {info.filename!r} (it climbs out of the archive); "
                             f"nothing was read")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise ValueError(f"the zip holds a symbolic link {info.filename!r}; links are not accepted")
        if not info.filename.lower().endswith(IMAGE_SUFFIXES) or PurePosixPath(info.filename).name.startswith("."):
            continue
        if info.file_size > MAX_IMAGE_BYTES or info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise ValueError(f"{info.filename!r} unpacks to {info.file_size / 1e6:.1f} MB (a zip bomb?); each image "
                             f"must stay under {MAX_IMAGE_BYTES // 2**20} MB")
        if len(images) >= MAX_ZIP_IMAGES:
            raise ValueError(f"the zip holds more than {MAX_ZIP_IMAGES} images; upload fewer")
        try:
            images.append(parse_image(zf.read(info)))
        except ValueError as e:
            raise ValueError(f"{info.filename}: {e}") from None
        names.append(info.filename)
    if not images:
        raise ValueError(f"the zip holds no images ({', '.join(IMAGE_SUFFIXES)})")
    return np.stack(images), names


def parse_weights(weights: bytes, config_json: bytes | str):
    """An uploaded generator: (config.json, generator.safetensors) bytes -> (G, TrainConfig).

    Refuses pickles and torch .pt files, damaged safetensors, and tensors that do not match the config.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load

    from gan_core.config import TrainConfig
    from gan_core.runs import MAX_WEIGHTS_BYTES, RunFolderError, check_state, data_shape
    from gan_core.models import build_generator

    if len(weights) > MAX_WEIGHTS_BYTES:
        raise ValueError(f"the weights file is larger than {MAX_WEIGHTS_BYTES // 2**20} MB")
    if weights[:1] == b"\x80" or weights[:2] == b"PK":
        raise ValueError("that is a pickle / torch .pt file; only .safetensors weights are accepted (they cannot run code)")
    try:
        config = TrainConfig.from_dict(json.loads(config_json))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("config.json is not valid JSON") from None
    except (ValueError, TypeError) as e:
        raise ValueError(f"config.json is not a valid config: {e}") from None
    try:
        state = load(weights)
    except (SafetensorError, ValueError, RuntimeError, OSError) as e:
        raise ValueError(f"the weights are not a valid safetensors file ({e})") from None
    shape, n_classes = data_shape(config)
    g = build_generator(config.model, shape, n_classes if config.model.conditional else 0)
    try:
        check_state(g, state, "generator.safetensors")
    except RunFolderError as e:
        raise ValueError(str(e)) from None
    g.load_state_dict(state)
    return g.eval(), config
