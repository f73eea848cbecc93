"""Uploads: images, zips of images and weights; every bad one gets a clear ValueError."""
import io
import json
import struct
import zipfile
import zlib

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save

from gan_core import Trainer
from gan_core.uploads import parse_image, parse_image_zip, parse_weights


def png(arr: np.ndarray, mode: str = "L") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr, mode=mode if arr.ndim == 2 else None).save(buf, format="PNG")
    return buf.getvalue()


def test_a_dark_on_light_photo_becomes_an_mnist_like_digit():
    canvas = np.full((200, 150), 255, dtype=np.uint8)
    canvas[40:160, 70:80] = 0  # a dark vertical stroke: a "1"
    out = parse_image(png(canvas))
    assert out.shape == (28, 28) and out.dtype == np.uint8
    assert out.max() > 200 and out[0].max() == 0  # light ink, black border
    assert out[4:24].max(1).min() > 100  # the stroke spans the 20-pixel box vertically


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "1", "I;16"])
def test_any_colour_mode_is_accepted(mode):
    img = Image.new("RGB", (40, 30), "white")
    img.paste((0, 0, 0), (10, 5, 20, 25))
    buf = io.BytesIO()
    img.convert(mode).save(buf, format="PNG")
    assert parse_image(buf.getvalue()).shape == (28, 28)


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG that declares width x height pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (width + 1) * 8)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.mark.parametrize("data,needle", [
    (b"", "empty"),
    (b"not an image at all", "not an image"),
    (png_bomb(60000, 60000), "bomb"),
    (png_bomb(5000, 5000), "4096"),
    (b"\x89PNG" + b"\x00" * (6 * 1024 * 1024), "limit"),
])
def test_bad_images_are_refused_with_a_reason(data, needle):
    with pytest.raises(ValueError, match=needle):
        parse_image(data)


def make_zip(entries: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_with_nested_folders_reads_every_image_without_extracting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[5:20, 12:15] = 255
    data = make_zip({"a/b/one.png": png(digit), "two.PNG": png(digit), "notes.txt": b"hi", "a/.hidden.png": b"x"})
    images, names = parse_image_zip(data)
    assert images.shape == (2, 28, 28) and names == ["a/b/one.png", "two.PNG"]
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("entries,needle", [
    ({"../evil.png": b"x"}, "unsafe"),
    ({"/etc/evil.png": b"x"}, "unsafe"),
    ({"a/../../evil.png": b"x"}, "unsafe"),
    ({"notes.txt": b"hello"}, "no images"),
    ({"bad.png": b"not a png"}, "bad.png"),
])
def test_bad_zips_are_refused(entries, needle):
    with pytest.raises(ValueError, match=needle):
        parse_image_zip(make_zip(entries))


def test_zip_bomb_and_junk_are_refused():
    with pytest.raises(ValueError, match="bomb"):
        parse_image_zip(make_zip({"big.png": b"\x00" * (4 * 1024 * 1024)}))
    with pytest.raises(ValueError, match="zip"):
        parse_image_zip(b"PK\x03\x04 garbage")


@pytest.fixture
def generator_files(tiny_config):
    t = Trainer(tiny_config())
    return save({k: v.contiguous() for k, v in t.G.state_dict().items()}), json.dumps(t.config.to_dict()), t


def test_matching_weights_load(generator_files):
    weights, cfg, t = generator_files
    g, config = parse_weights(weights, cfg)
    z = torch.randn(3, config.model.z_dim)
    assert torch.equal(g(z), t.G.eval()(z))


def test_pickles_wrong_shapes_and_bad_configs_are_refused(generator_files):
    weights, cfg, t = generator_files
    buf = io.BytesIO()
    torch.save(t.G.state_dict(), buf)
    with pytest.raises(ValueError, match="pickle"):
        parse_weights(buf.getvalue(), cfg)
    bad = json.loads(cfg)
    bad["model"]["g_hidden"] = [8, 8]
    with pytest.raises(ValueError, match="net.0.weight"):
        parse_weights(weights, json.dumps(bad))
    with pytest.raises(ValueError, match="JSON"):
        parse_weights(weights, "{not json")
    with pytest.raises(ValueError, match="safetensors"):
        parse_weights(b"\x10\x00\x00\x00\x00\x00\x00\x00{}garbage", cfg)
