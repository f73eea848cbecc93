"""The CLI as a student uses it: train, sample, eval; bad input exits 2 with a message, never a traceback."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gan_core.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--g-hidden", "16,16", "--d-hidden", "16,16", "--z-dim", "4", "--batch-size", "64", "--quiet"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "ring"
    code = main(["train", "--data", "ring8", "--variant", "ns", "--steps", "40", "--seed", "0", "--log-every", "10",
                 "--eval-every", "20", "--out", str(out), "--device", "cpu", *TINY])
    assert code == 0
    return out


def test_train_writes_the_run_folder(run_dir):
    for name in ("config.json", "generator.safetensors", "discriminator.safetensors", "metrics.csv"):
        assert (run_dir / name).is_file(), name
    cfg = json.loads((run_dir / "config.json").read_text())
    assert cfg["data"]["name"] == "ring8" and cfg["steps"] == 40 and cfg["model"]["g_hidden"] == [16, 16]
    m = pd.read_csv(run_dir / "metrics.csv")
    assert list(m["step"]) == [1, 10, 20, 30, 40]
    for col in ("step", "wall_time", "d_loss", "g_loss", "d_real", "d_fake", "d_grad", "g_grad", "modes", "hq", "kl"):
        assert col in m.columns, col
    assert m["modes"].notna().sum() == 2


def test_same_seed_gives_identical_metrics_csv(run_dir, tmp_path):
    again = tmp_path / "again"
    assert main(["train", "--data", "ring8", "--variant", "ns", "--steps", "40", "--seed", "0", "--log-every", "10",
                 "--eval-every", "20", "--out", str(again), "--device", "cpu", *TINY]) == 0
    a = pd.read_csv(run_dir / "metrics.csv").drop(columns="wall_time")
    b = pd.read_csv(again / "metrics.csv").drop(columns="wall_time")
    assert a.to_csv() == b.to_csv()  # every column but the clock, byte for byte


def test_sample_writes_xy_csv(run_dir, tmp_path):
    out = tmp_path / "s.csv"
    assert main(["sample", "--run", str(run_dir), "--n", "300", "--seed", "1", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert list(df.columns) == ["x", "y"] and len(df) == 300


def test_eval_prints_table_and_json(run_dir, capsys):
    assert main(["eval", "--run", str(run_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"modes", "hq", "kl", "grid_kl", "grid_js"} <= set(data) and 0 <= data["modes"] <= 8
    assert main(["eval", "--run", str(run_dir)]) == 0
    assert "modes" in capsys.readouterr().out


def test_points_from_csv(tmp_path):
    pts = tmp_path / "pts.csv"
    pts.write_text("x,y\n0,0\n1,1\n2,0\n")
    assert main(["train", "--data", "points", "--points", str(pts), "--steps", "5", "--out", str(tmp_path / "p"), *TINY]) == 0
    assert json.loads((tmp_path / "p" / "config.json").read_text())["data"]["points"] == [[0, 0], [1, 1], [2, 0]]


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gan_core", *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120)


@pytest.mark.parametrize("args,needle", [
    (["train", "--data", "points", "--points", "JUNK", "--steps", "5"], "not a number"),
    (["train", "--lr-g", "-0.1", "--steps", "5"], "--lr-g -0.1 is out of range"),  # the flag typed, not the field
    (["train", "--variant", "nope", "--steps", "5"], "valid variants"),
    (["train", "--batch-size", "0", "--steps", "5"], "--batch-size 0 is out of range"),
    (["sample", "--run", "DOES_NOT_EXIST", "--n", "5"], "does not exist"),
])
def test_bad_input_exits_2_with_a_message_not_a_traceback(tmp_path, args, needle):
    junk = tmp_path / "junk.csv"
    junk.write_text("x,y\n1,hello\n")
    args = [str(junk) if a == "JUNK" else a for a in args]
    out = ["--out", str(tmp_path / "o")] if args[0] == "train" else ["--out", str(tmp_path / "o.csv")]
    r = _cli(*args, *out)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr


def test_tampered_run_folder_exits_2(run_dir, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(run_dir, bad)
    (bad / "generator.safetensors").write_bytes(b"\x80\x04\x95 not weights")
    r = _cli("sample", "--run", str(bad), "--n", "5", "--out", str(tmp_path / "s.csv"))
    assert r.returncode == 2 and "pickle" in r.stderr and "Traceback" not in r.stderr


def test_help_explains_every_option():
    r = _cli("train", "--help")
    assert r.returncode == 0
    for flag in ("--data", "--variant", "--lr-g", "--batch-size", "--device", "--g-hidden", "--n-critic", "--seed"):
        assert flag in r.stdout
    assert "auto" in r.stdout


def test_diverging_run_exits_3_and_keeps_what_it_had(tmp_path):
    out = tmp_path / "div"
    r = _cli("train", "--lr-g", "1e6", "--lr-d", "1e6", "--steps", "200", "--out", str(out), *TINY)
    assert r.returncode == 3 and "diverged at step" in r.stderr and "Traceback" not in r.stderr
    assert (out / "generator.safetensors").is_file()


@pytest.mark.parametrize("argv, words", [
    (["eval", "--run", "pretrained/ring8-classroom", "--n", "1"], "at least 10 samples"),
    (["sample", "--run", "pretrained/ring8-classroom", "--n", "5", "--label", "3", "--out", "{tmp}/x.csv"],
     "not conditional"),
    (["sample", "--run", "pretrained/ring8-classroom", "--n", "5", "--seed", "-1", "--out", "{tmp}/x.csv"],
     "between 0 and"),
    (["sample", "--run", "pretrained/ring8-classroom", "--n", "5", "--out", "{tmp}"], "is a folder"),
    (["sample", "--run", "pretrained/mnist-classifier", "--n", "5", "--out", "{tmp}/x.csv"], "evaluation classifier"),
])
def test_more_mistakes_get_one_line_saying_what_to_do(argv, words, tmp_path, capsys):
    argv = [str(ROOT / a) if a.startswith("pretrained/") else a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and words in err and "Traceback" not in err


def test_a_misspelt_option_shows_the_commands_own_usage(capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", "--out", "x", "--stpes", "5"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m gan_core train") and "--stpes" in err


def test_a_damaged_checkpoint_says_so(run_dir, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    (copy / "checkpoint.json").write_text("{")
    assert main(["train", "--resume", "--out", str(copy), "--steps", "60", "--quiet"]) == 2
    assert "checkpoint is damaged" in capsys.readouterr().err
