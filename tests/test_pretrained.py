"""The shipped image generators (pretrained/<name>/) load, sample and score what their cards say.

Each folder holds config.json, generator.safetensors, metrics.csv, samples.png, README.md and
metrics.json: the output of `python -m gan_core eval --run pretrained/<name> --json --n 2000 --seed 1`,
which the card shows as a table. Here the same evaluation is run again and compared with it.
"""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gan_core.cli import main
from gan_core.data.images import DatasetUnavailable, load_images
from gan_core.runs import RunFolderError, load_generator
from gan_core.sampling import evaluate_run

ROOT = Path(__file__).resolve().parents[1]
PRETRAINED = ROOT / "pretrained"
GENERATORS = ["mnist-tutorial-mlp", "mnist-dcgan", "mnist-cgan", "fashion-dcgan", "mnist-style", "fashion-style"]
SHIPPED_FILES = {"config.json", "generator.safetensors", "metrics.csv", "samples.png", "README.md", "metrics.json"}
EVAL_N, EVAL_SEED = 2000, 1


def _card(name: str) -> dict:
    return json.loads((PRETRAINED / name / "metrics.json").read_text())


def _needs_data(name: str) -> None:
    data = json.loads((PRETRAINED / name / "config.json").read_text())["data"]["name"]
    try:
        load_images(data, "test", download=False)
    except DatasetUnavailable:
        pytest.skip(f"{data} files are not installed on this machine")


@pytest.mark.parametrize("name", GENERATORS)
def test_folder_holds_only_the_shipped_files_and_the_card_shows_its_metrics(name):
    folder = PRETRAINED / name
    assert {p.name for p in folder.iterdir()} == SHIPPED_FILES
    card = (folder / "README.md").read_text()
    metrics = _card(name)
    assert metrics["samples"] == EVAL_N
    assert f"--run pretrained/{name} --json --n {EVAL_N} --seed {EVAL_SEED}" in card
    # The card's table shows the machine-readable numbers (FID and class coverage at least).
    assert f"| {metrics['fid']:.2f} |" in card and f"| {metrics['coverage']} |" in card
    assert f"--out pretrained/{name}" in card


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_loads_from_safetensors(name):
    g, config, shape, n_classes = load_generator(PRETRAINED / name)
    assert shape == (1, 28, 28) and n_classes == 10
    assert not g.training
    assert config.model.conditional == (name == "mnist-cgan")


@pytest.mark.parametrize("name", GENERATORS)
def test_scores_match_the_card(name):
    _needs_data(name)
    card = _card(name)
    measured = evaluate_run(PRETRAINED / name, n=EVAL_N, seed=EVAL_SEED)
    assert abs(measured["fid"] - card["fid"]) <= 0.10 * card["fid"], (measured["fid"], card["fid"])
    assert measured["coverage"] == card["coverage"]


@pytest.mark.parametrize("name", GENERATORS)
def test_sample_to_npz_and_png(name, tmp_path):
    npz, png = tmp_path / "s.npz", tmp_path / "grid.png"
    assert main(["sample", "--run", str(PRETRAINED / name), "--n", "30", "--seed", "0", "--out", str(npz)]) == 0
    with np.load(npz) as d:
        assert d["images"].dtype == np.uint8 and d["images"].shape == (30, 28, 28)
        if name == "mnist-cgan":
            assert d["labels"].tolist() == [i % 10 for i in range(30)]
        else:
            assert "labels" not in d
    assert main(["sample", "--run", str(PRETRAINED / name), "--n", "16", "--out", str(png)]) == 0
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size == (4 * 30 + 2, 4 * 30 + 2)  # 4 x 4 tiles of 28 px + 2 px padding


def _copy(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(PRETRAINED / name, dst)
    return dst


def _edit_config(folder: Path, section: str, key: str, value) -> None:
    cfg = json.loads((folder / "config.json").read_text())
    cfg[section][key] = value
    (folder / "config.json").write_text(json.dumps(cfg))


@pytest.mark.parametrize("name, section, key, value, tensor", [
    ("mnist-dcgan", "model", "width", 16, "project.0.weight"),
    ("fashion-dcgan", "model", "z_dim", 64, "project.0.weight"),
    ("mnist-tutorial-mlp", "model", "g_hidden", [256, 512, 512], "net.4.weight"),
    ("mnist-cgan", "model", "conditional", False, "embed.weight"),
])
def test_config_that_does_not_match_the_weights_is_refused_naming_the_tensor(name, section, key, value, tensor, tmp_path, capsys):
    folder = _copy(name, tmp_path)
    _edit_config(folder, section, key, value)
    with pytest.raises(RunFolderError, match=tensor.replace(".", r"\.")):
        load_generator(folder)
    assert main(["sample", "--run", str(folder), "--n", "4", "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err
    assert tensor in err and "Traceback" not in err
    assert not (tmp_path / "x.npz").exists()
