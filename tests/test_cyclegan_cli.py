"""CycleGAN on the command line: train a pair, resume it, translate files both ways; bad files get one line."""
import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from gan_core.cli import main

TINY_2D = ["--g-hidden", "16,16", "--d-hidden", "16", "--batch-size", "32", "--eval-samples", "200", "--quiet",
           "--device", "cpu"]
TINY_IMG = ["--width", "4", "--option", "n_blocks=1", "--batch-size", "4", "--eval-samples", "20", "--quiet",
            "--device", "cpu"]


@pytest.fixture(scope="module")
def run_2d(tmp_path_factory):
    out = tmp_path_factory.mktemp("cycle") / "moons-circles"
    assert main(["train", "--preset", "cyclegan", "--data", "moons:circles", "--steps", "6", "--eval-every", "3",
                 "--option", "lambda_cycle=5", "--out", str(out), *TINY_2D]) == 0
    return out


@pytest.fixture(scope="module")
def run_img(tmp_path_factory):
    out = tmp_path_factory.mktemp("cycle") / "mnist-digits8"
    assert main(["train", "--preset", "cyclegan", "--data", "mnist:digits8", "--steps", "1", "--out", str(out),
                 *TINY_IMG]) == 0
    return out


def test_train_writes_a_cyclegan_folder_and_resumes(run_2d):
    cfg = json.loads((run_2d / "config.json").read_text())
    assert cfg["family"] == "cyclegan" and cfg["lambda_cycle"] == 5.0 and cfg["data_b"]["name"] == "circles"
    assert main(["train", "--resume", "--out", str(run_2d), "--steps", "8", "--quiet"]) == 0
    m = pd.read_csv(run_2d / "metrics.csv")
    assert m["step"].max() == 8 and m["cycle_ab"].notna().sum() >= 2


def test_eval_prints_the_translation_metrics(run_2d, capsys):
    assert main(["eval", "--run", str(run_2d), "--json", "--n", "300"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["samples_a"] == 300 and 0 <= metrics["cycle_ab"] < 10 and "grid_js_ba" in metrics


def test_translate_points_both_ways(run_2d, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("x,y\n0.5,0.1\n-1,0.3\n0,0\n")
    for direction in ("ab", "ba"):
        out = tmp_path / f"{direction}.csv"
        assert main(["translate", "--run", str(run_2d), "--direction", direction, "--input", str(src),
                     "--out", str(out)]) == 0
        pts = pd.read_csv(out)
        assert list(pts.columns) == ["x", "y"] and len(pts) == 3 and np.isfinite(pts.values).all()


def test_translate_images_of_any_size_and_a_png(run_img, tmp_path):
    images = (np.random.default_rng(0).random((3, 40, 33)) * 255).astype(np.uint8)
    np.savez(tmp_path / "in.npz", images=images)
    assert main(["translate", "--run", str(run_img), "--direction", "ab", "--input", str(tmp_path / "in.npz"),
                 "--out", str(tmp_path / "out.npz")]) == 0
    with np.load(tmp_path / "out.npz") as out:
        assert out["images"].shape == (3, 28, 28) and out["images"].dtype == np.uint8
    Image.fromarray(np.full((50, 50), 255, np.uint8)).save(tmp_path / "digit.png")
    assert main(["translate", "--run", str(run_img), "--direction", "ba", "--input", str(tmp_path / "digit.png"),
                 "--out", str(tmp_path / "back.png")]) == 0
    assert Image.open(tmp_path / "back.png").size[0] >= 28


@pytest.mark.parametrize("name, content, says", [
    ("none.npz", None, "no such file"),
    ("bad.npz", b"not a zip", "not a readable .npz"),
    ("floats.npz", {"images": np.zeros((2, 8, 8), np.float32)}, "uint8"),
    ("other.npz", {"pixels": np.zeros((2, 8, 8), np.uint8)}, "no 'images' array"),
    ("shape.npz", {"images": np.zeros((2, 3, 8, 8), np.uint8)}, "N x H x W"),
    ("table.csv", b"x,y\n1,2\n", "translates images"),
    ("fake.png", b"\x89PNG nothing", "not a readable image"),
])
def test_bad_image_files_are_refused_with_one_line(run_img, tmp_path, capsys, name, content, says):
    path = tmp_path / name
    if isinstance(content, dict):
        np.savez(path, **content)
    elif content is not None:
        path.write_bytes(content)
    code = main(["translate", "--run", str(run_img), "--direction", "ab", "--input", str(path),
                 "--out", str(tmp_path / "o.npz")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and says in err and len(err.splitlines()) == 1, err


def test_bad_command_lines_are_refused(run_2d, tmp_path, capsys):
    cases = [
        (["train", "--preset", "cyclegan", "--data", "moons", "--out", str(tmp_path / "x")], "A:B"),
        (["train", "--preset", "cyclegan", "--data", "moons:mnist", "--out", str(tmp_path / "x")], "pairs images"),
        (["train", "--data", "moons:circles", "--z-dim", "3", "--out", str(tmp_path / "x")], "--z-dim"),
        (["train", "--data", "moons:circles", "--option", "gp_lambda=3", "--out", str(tmp_path / "x")], "gp_lambda"),
        (["train", "--data", "points:circles", "--out", str(tmp_path / "x")], "--points"),
        (["train", "--data", "mnist:digits8", "--option", "translator=unet", "--out", str(tmp_path / "x")], "resnet, warp"),
        (["train", "--data", "moons:circles", "--option", "translator=warp", "--out", str(tmp_path / "x")], "image"),
        (["sample", "--run", str(run_2d), "--out", str(tmp_path / "s.csv")], "translate"),
        (["translate", "--run", str(tmp_path), "--direction", "ab", "--input", "a.csv", "--out", "b.csv"], "config.json"),
    ]
    for argv, says in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err, (argv, err)


def test_users_points_as_a_domain(tmp_path):
    pts = tmp_path / "mine.csv"
    pts.write_text("x,y\n" + "\n".join(f"{np.cos(t):.3f},{np.sin(t):.3f}" for t in np.linspace(0, 6, 40)))
    out = tmp_path / "run"
    assert main(["train", "--data", "points:ring8", "--points", str(pts), "--steps", "2", "--out", str(out),
                 *TINY_2D]) == 0
    assert len(json.loads((out / "config.json").read_text())["data_a"]["points"]) == 40


@pytest.mark.parametrize("kind, damage, said", [
    ("cyclegan", "{bad", "checkpoint.json is not valid JSON"),
    ("cyclegan", '{"step": "x"}', "is damaged or belongs to another run"),
    ("gan", "[1]", "is damaged or belongs to another run"),
])
def test_a_damaged_checkpoint_is_called_damaged_and_says_what_still_works(tmp_path, capsys, kind, damage, said):
    """A checkpoint.json that is not JSON, or not a checkpoint, was reported as 'does not match its config'."""
    out = tmp_path / kind
    if kind == "cyclegan":
        argv = ["train", "--preset", "cyclegan", "--data", "moons:circles", "--steps", "2", "--out", str(out), *TINY_2D]
        still = "its G and F can still translate"
    else:
        argv = ["train", "--data", "ring8", "--g-hidden", "8", "--d-hidden", "8", "--steps", "2", "--eval-every", "0",
                "--out", str(out), "--quiet", "--device", "cpu"]
        still = "its generator.safetensors can still be sampled"
    assert main(argv) == 0
    (out / "checkpoint.json").write_text(damage)
    capsys.readouterr()
    assert main(["train", "--resume", "--out", str(out), "--steps", "4", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert said in err and still in err and "does not match its config" not in err and "Traceback" not in err, err
