"""The style model's commands: `mix` writes what it promises and refuses a non-style run; `sample --psi`;
the presets `style` and `style-grow` train through the CLI."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gan_core.cli import main
from gan_core.config import TrainConfig
from gan_core.runs import save_run
from gan_core.style_tools import layers_of, load_style, mix, mix_latents, truncation_spread
from gan_core.training.presets import preset_config
from gan_core.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def style_run(tmp_path_factory) -> Path:
    cfg = TrainConfig.from_dict({
        "data": {"name": "mnist"}, "model": {"kind": "style", "z_dim": 16, "width": 8, "mapping_layers": 2},
        "optim": {"batch_size": 8}, "variant": "ns", "steps": 3, "eval_every": 0, "eval_samples": 10})
    t = Trainer(cfg)
    t.train()
    with torch.no_grad():  # every layer's noise visible, so a test can tell fixed noise from fresh noise
        for conv in t.G.convs:
            conv.noise.strength.fill_(0.3)
    return save_run(t, tmp_path_factory.mktemp("style") / "run")


def test_mix_writes_three_aligned_files(style_run, tmp_path, capsys):
    out = tmp_path / "mixed"
    assert main(["mix", "--run", str(style_run), "--n", "6", "--seed", "3", "--levels", "coarse", "--out", str(out)]) == 0
    assert "coarse" in capsys.readouterr().out
    arrays = {k: np.load(out / f"{k}.npz")["images"] for k in ("base", "source", "mixed")}
    for a in arrays.values():
        assert a.dtype == np.uint8 and a.shape == (6, 28, 28)
    g, cfg = load_style(style_run)
    zb, zs = mix_latents(6, 3, cfg.model.z_dim)
    from gan_core.data.pixels import to_uint8

    expect = [to_uint8(x) for x in mix(g, zb, zs, layers_of(g, ["coarse"]))]
    for got, want in zip(arrays.values(), expect):
        assert np.array_equal(got, want)
    assert not np.array_equal(arrays["mixed"], arrays["base"]) and not np.array_equal(arrays["mixed"], arrays["source"])
    # every level from the source is the source itself
    main(["mix", "--run", str(style_run), "--n", "6", "--seed", "3", "--levels", "coarse,middle,fine", "--out", str(out)])
    assert np.array_equal(np.load(out / "mixed.npz")["images"], arrays["source"])


@pytest.mark.parametrize("argv, message", [
    (["--run", "pretrained/mnist-dcgan"], "needs a style model, but the run holds a 'dcgan' generator"),
    (["--levels", "medium"], "--levels 'medium': give one or more of coarse, middle, fine"),
    (["--n", "0"], "--n=0 is out of range"),
])
def test_mix_refuses_with_one_line(style_run, tmp_path, capsys, argv, message):
    args = {"--run": str(style_run), "--n": "2", "--out": str(tmp_path / "o")}
    args.update(dict(zip(argv[::2], argv[1::2])))
    if args["--run"].startswith("pretrained/"):
        args["--run"] = str(ROOT / args["--run"])
    assert main(["mix", *sum(([k, v] for k, v in args.items()), [])]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err
    assert not (tmp_path / "o").exists()


def test_sample_psi(style_run, tmp_path, capsys):
    out = tmp_path / "s.npz"
    assert main(["sample", "--run", str(style_run), "--n", "5", "--psi", "0", "--out", str(out)]) == 0
    images = np.load(out)["images"]
    assert (images == images[:1]).all()  # psi = 0: the average image for every z
    assert main(["sample", "--run", str(style_run), "--n", "5", "--psi", "1", "--out", str(out)]) == 0
    assert not (np.load(out)["images"] == images[:1]).all()
    assert main(["sample", "--run", str(ROOT / "pretrained" / "mnist-dcgan"), "--n", "5", "--psi", "0.5",
                 "--out", str(out)]) == 2
    assert "--psi (truncation) needs a style model" in capsys.readouterr().err


def test_truncation_spread_shrinks_to_zero(style_run):
    g, _ = load_style(style_run)
    spread = truncation_spread(g, [0.0, 0.5, 1.0], n=64)
    assert spread[0] < 1e-6 < spread[1] < spread[2]


@pytest.mark.parametrize("name, grow", [("style", False), ("style-grow", True)])
def test_presets(name, grow):
    cfg = preset_config(name, {"data": {"name": "fashion-mnist"}})
    assert cfg.model.kind == "style" and cfg.model.grow is grow and cfg.data.name == "fashion-mnist"
    assert cfg.recipe.r1_gamma > 0 and cfg.recipe.objective == "ns" and cfg.recipe.mbstd


def test_train_style_grow_from_the_command_line(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--preset", "style-grow", "--data", "mnist", "--steps", "4", "--grow-steps", "1",
                 "--width", "8", "--batch-size", "8", "--eval-every", "0", "--eval-samples", "20", "--quiet",
                 "--out", str(out)]) == 0
    g, cfg = load_style(out)
    assert cfg.model.grow and cfg.model.grow_steps == 1 and g.growth() == (2, 0.0)


def test_mixing_agreement_end_points(style_run):
    from gan_core.style_tools import mixing_agreement

    g, _ = load_style(style_run)

    def classify(images):  # a stand-in classifier: which of 4 brightness bands a picture's mean falls in
        return np.digitize(images.reshape(len(images), -1).mean(1), np.quantile(images.mean(), [0.25, 0.5, 0.75]))

    everything, nothing = mixing_agreement(g, classify, 40, 0, [list(range(g.n_ws)), []])
    assert everything["source_class"] == 1.0 and nothing["base_class"] == 1.0
    assert everything["base_class"] == nothing["source_class"] == 1.0 - everything["differ"]
