"""Nothing saved is lost: a command's --out is checked before any work, an earlier result is never replaced unless
asked for (--overwrite) or the same run is made again, and a resumed run keeps its saved settings."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from gan_core.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--data", "ring8", "--variant", "ns", "--g-hidden", "8", "--d-hidden", "8", "--z-dim", "2", "--batch-size", "32",
        "--eval-every", "0", "--log-every", "5", "--seed", "0", "--quiet", "--device", "cpu", "--threads", "1"]


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture()
def run(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--steps", "10", "--out", str(out), *TINY]) == 0
    return out


def test_another_run_into_a_folder_with_a_run_is_refused_and_changes_nothing(run, capsys):
    before = snapshot(run)
    assert main(["train", "--steps", "10", "--out", str(run), *TINY, "--lr-g", "0.01"]) == 2
    err = capsys.readouterr().err
    assert "already holds" in err and "--overwrite" in err and "--resume" in err and "Traceback" not in err
    assert snapshot(run) == before


def test_the_same_command_again_remakes_the_same_run(run):
    before = snapshot(run)
    assert main(["train", "--steps", "10", "--out", str(run), *TINY]) == 0  # a reproduction: same config.json
    after = snapshot(run)
    assert after["config.json"] == before["config.json"]
    from safetensors.torch import load
    a, b = load(before["generator.safetensors"]), load(after["generator.safetensors"])
    assert a.keys() == b.keys() and all(a[k].equal(b[k]) for k in a)  # same seed, same weights (safetensors
    # writes its metadata's keys in no fixed order, so the files' bytes may differ)


def test_overwrite_replaces_the_earlier_run(run):
    assert main(["train", "--steps", "10", "--out", str(run), *TINY, "--lr-g", "0.01", "--overwrite"]) == 0
    assert json.loads((run / "config.json").read_text())["optim"]["lr_g"] == 0.01


def test_a_folder_with_only_other_files_is_written_into(tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["train", "--steps", "5", "--out", str(out), *TINY]) == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "config.json").is_file()


def test_resume_refuses_settings_it_would_ignore(run, capsys):
    before = snapshot(run)
    assert main(["train", "--resume", "--steps", "20", "--out", str(run), "--lr-g", "0.01", "--variant", "wgan-gp",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--lr-g" in err and "--variant" in err and "saved settings" in err
    assert snapshot(run) == before


def test_resume_with_overwrite_is_refused_not_half_obeyed(run, capsys):
    """--resume --overwrite resumed and dropped --overwrite without a word."""
    before = snapshot(run)
    assert main(["train", "--resume", "--overwrite", "--steps", "20", "--out", str(run), "--quiet"]) == 2
    assert "give one of them" in capsys.readouterr().err and snapshot(run) == before


def test_resume_refuses_a_budget_below_the_steps_done(run, capsys):
    assert main(["train", "--resume", "--steps", "3", "--out", str(run), "--quiet"]) == 2
    assert "below the 10 steps" in capsys.readouterr().err
    assert json.loads((run / "config.json").read_text())["steps"] == 10
    assert main(["train", "--resume", "--steps", "15", "--out", str(run), "--quiet", "--device", "cpu"]) == 0
    assert json.loads((run / "config.json").read_text())["steps"] == 15


@pytest.mark.parametrize("where", ["file", "under-file", "empty"])
def test_an_out_that_cannot_be_a_folder_is_refused_before_training(tmp_path, capsys, where):
    f = tmp_path / "afile"
    f.write_text("x")
    out = {"file": str(f), "under-file": str(f / "sub"), "empty": ""}[where]
    assert main(["train", "--steps", "100000", "--out", out, *TINY]) == 2  # refused at once, not after 100,000 steps
    err = capsys.readouterr().err
    assert err.startswith("error: --out") and "Traceback" not in err
    assert f.read_text() == "x"


def test_a_config_file_that_is_not_an_object_is_refused(tmp_path, capsys):
    cfg = tmp_path / "list.json"
    cfg.write_text("[1, 2]")
    assert main(["train", "--steps", "5", "--out", str(tmp_path / "r"), "--config", str(cfg), "--quiet"]) == 2
    assert "must hold a JSON object" in capsys.readouterr().err


def test_sample_into_a_path_under_a_file_is_a_message_not_a_traceback(run, tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    assert main(["sample", "--run", str(run), "--n", "10", "--out", str(f / "x.csv")]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_translate_never_writes_over_its_input(tmp_path, capsys):
    src = tmp_path / "digits.npz"
    np.savez(src, images=np.zeros((2, 28, 28), np.uint8))
    before = src.read_bytes()
    assert main(["translate", "--run", str(ROOT / "pretrained/cyclegan-mnist-digits8"), "--direction", "ab",
                 "--input", str(src), "--out", str(src), "--device", "cpu"]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert src.read_bytes() == before


def test_classifier_will_not_write_over_a_gan_run(run, capsys):
    before = snapshot(run)
    assert main(["classifier", "--data", "digits8", "--out", str(run), "--epochs", "1", "--threads", "1"]) == 2
    err = capsys.readouterr().err
    assert "not a classifier's" in err and "--overwrite" in err
    assert snapshot(run) == before


def test_an_arena_keeps_another_arenas_results_unless_told(tmp_path, capsys):
    out = tmp_path / "arena"
    common = ["arena", "--data", "ring8", "--seeds", "1", "--steps", "10", "--eval-every", "5", "--workers", "1",
              "--quiet", "--device", "cpu", "--threads", "1", "--out", str(out)]
    assert main([*common, "--variants", "ns,vanilla"]) == 0
    before = snapshot(out)
    assert main([*common, "--variants", "ns"]) == 2
    assert "another arena" in capsys.readouterr().err
    assert snapshot(out) == before
    assert main([*common, "--variants", "ns,vanilla"]) == 0  # the same arena again: a reproduction
    assert main([*common, "--variants", "ns", "--overwrite"]) == 0
    assert (out / "ns.png").is_file() and not (out / "vanilla.png").exists()  # no picture of the earlier arena left


@pytest.mark.parametrize("argv", [
    ["train", "--data", "mnist", "--steps", "2", "--quiet"],
    ["classifier", "--data", "digits8", "--epochs", "1"],
])
def test_a_missing_data_dir_is_refused_not_silently_replaced(argv, tmp_path, capsys):
    assert main([*argv, "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_an_unfinished_run_is_not_restarted_by_the_same_command(run, capsys):
    assert main(["train", "--resume", "--steps", "20", "--out", str(run), "--quiet", "--device", "cpu"]) == 0
    # the folder's config now says 20 steps, done 20; stop it "early" by asking for more with the same settings
    cfg = json.loads((run / "config.json").read_text())
    cfg["steps"] = 40
    (run / "config.json").write_text(json.dumps(cfg))  # as a run started with --steps 40 and stopped at step 20
    before = snapshot(run)
    assert main(["train", "--steps", "40", "--out", str(run), *TINY]) == 2
    assert "stopped at step 20 of 40" in capsys.readouterr().err and snapshot(run) == before


def test_overwrite_clears_the_earlier_runs_files(tmp_path):
    out = tmp_path / "mixed"
    out.mkdir()
    (out / "G.safetensors").write_bytes(b"a CycleGAN's translator")
    (out / "notes.txt").write_text("mine")
    assert main(["train", "--steps", "5", "--out", str(out), *TINY, "--overwrite"]) == 0
    assert not (out / "G.safetensors").exists() and (out / "notes.txt").read_text() == "mine"


def test_classifier_will_not_replace_another_classifier_unasked(tmp_path, capsys):
    out = tmp_path / "clf"
    shutil.copytree(ROOT / "pretrained/mnist-classifier", out)
    before = snapshot(out)
    assert main(["classifier", "--data", "digits8", "--out", str(out), "--epochs", "1", "--threads", "1"]) == 2
    assert "another classifier (dataset mnist" in capsys.readouterr().err and snapshot(out) == before


def test_an_arena_that_failed_part_way_may_be_run_again(tmp_path):
    import pandas as pd

    out = tmp_path / "arena"
    common = ["arena", "--data", "ring8", "--seeds", "1", "--steps", "10", "--eval-every", "5", "--workers", "1",
              "--quiet", "--device", "cpu", "--threads", "1", "--out", str(out), "--variants", "ns,vanilla"]
    assert main(common) == 0
    rows = pd.read_csv(out / "results.csv")
    rows[rows["variant"] == "ns"].to_csv(out / "results.csv", index=False)  # as if vanilla had failed
    assert main(common) == 0


def _no_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_overwrite_keeps_the_earlier_run_when_the_new_one_fails_before_saving(run, tmp_path, capsys, monkeypatch):
    """A probe as a new user: `train --overwrite --device cuda` on a machine without a GPU emptied the earlier run's
    folder, then refused the device. The earlier files now go only at the new run's first save."""
    _no_gpu(monkeypatch)
    before = snapshot(run)
    argv = [a if a != "cpu" else "cuda" for a in TINY]
    assert main(["train", "--steps", "5", "--out", str(run), *argv, "--overwrite"]) == 2
    assert "CUDA" in capsys.readouterr().err and snapshot(run) == before
    cycle = tmp_path / "cycle"
    common = ["train", "--preset", "cyclegan", "--data", "moons:circles", "--steps", "3", "--quiet", "--out", str(cycle)]
    assert main([*common, "--device", "cpu"]) == 0
    before = snapshot(cycle)
    assert main([*common, "--device", "cuda", "--overwrite"]) == 2 and snapshot(cycle) == before
    # and a plain run over the CycleGAN folder leaves none of its networks, the discriminators included
    assert main(["train", "--steps", "5", "--out", str(cycle), *TINY, "--overwrite"]) == 0
    assert not any((cycle / f).exists() for f in ("G.safetensors", "F.safetensors", "D_A.safetensors", "D_B.safetensors"))


def test_classifier_overwrite_checks_its_settings_before_clearing(run, capsys):
    """`classifier --overwrite --epochs 0` emptied the folder, then refused the epochs."""
    before = snapshot(run)
    for bad in (["--epochs", "0"], ["--lr", "-1"], ["--batch-size", "0"]):
        code = main(["classifier", "--data", "digits8", "--out", str(run), "--epochs", "1", "--threads", "1",
                     "--overwrite", *bad])
        assert code == 2, bad
        assert snapshot(run) == before, bad
    capsys.readouterr()


def test_an_arena_overwrite_keeps_the_earlier_pictures_until_it_has_results(tmp_path, capsys, monkeypatch):
    """`arena --overwrite --device cuda` deleted the earlier arena's pictures, then failed: its results.csv still
    named a variant whose picture was gone."""
    _no_gpu(monkeypatch)
    out = tmp_path / "arena"
    common = ["arena", "--data", "ring8", "--seeds", "1", "--steps", "10", "--eval-every", "5", "--workers", "1",
              "--quiet", "--threads", "1", "--out", str(out)]
    assert main([*common, "--variants", "ns,vanilla", "--device", "cpu"]) == 0
    before = snapshot(out)
    assert main([*common, "--variants", "ns", "--overwrite", "--device", "cuda"]) != 0
    assert snapshot(out) == before
    capsys.readouterr()


def test_a_place_that_takes_no_new_files_is_refused_before_any_work(run, tmp_path, capsys, monkeypatch):
    """A read-only --out was found only after the training (lost), with a raw error naming a hidden temp file."""
    import tempfile

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # as a folder that takes no new files (root ignores chmod)
    for argv in (["train", "--steps", "5", "--out", str(tmp_path / "new"), *TINY],
                 ["sample", "--run", str(run), "--n", "5", "--out", str(tmp_path / "s.csv")]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert f"cannot be written: {tmp_path} takes no new files (Permission denied)" in err, err
        assert not (tmp_path / "new").exists() and not (tmp_path / "s.csv").exists()


def test_samples_are_not_written_over_a_runs_history(run, capsys):
    """`sample --out RUN/metrics.csv` replaced the training's history with x,y rows."""
    before = snapshot(run)
    assert main(["sample", "--run", str(run), "--n", "5", "--out", str(run / "metrics.csv")]) == 2
    err = capsys.readouterr().err
    assert "is a file the results saved in" in err and "e.g. " + str(run / "samples.csv") in err
    assert snapshot(run) == before


def test_samples_are_not_written_over_a_cards_or_an_arenas_pictures(tmp_path, capsys):
    """The refusal above suggested samples.png, which every card keeps (its sample grid): following it lost that."""
    card = tmp_path / "card"
    shutil.copytree(ROOT / "pretrained/ring8-classroom", card)
    arena = tmp_path / "arena"
    shutil.copytree(ROOT / "pretrained/arena-ring8-collapse-ttur", arena)
    for folder, name in ((card, "samples.png"), (card, "class_history.png"), (arena, "ns.png"), (arena, "curves.csv")):
        if not (folder / name).is_file():
            continue
        before = snapshot(folder)
        assert main(["sample", "--run", str(card), "--n", "5", "--out", str(folder / name)]) == 2, name
        err = capsys.readouterr().err
        suggested = Path(err.rsplit("e.g. ", 1)[1].strip())
        assert not suggested.exists() and suggested.parent == folder, err
        assert snapshot(folder) == before, name
    assert main(["sample", "--run", str(card), "--n", "5", "--out", str(tmp_path / "mine.png")]) == 0
    assert main(["sample", "--run", str(card), "--n", "5", "--out", str(tmp_path / "mine.png")]) == 0  # its own, again


def test_a_run_saved_before_its_first_row_resumes(tmp_path, capsys):
    """`train --steps 0` saved an empty metrics.csv, and --resume then failed with 'No columns to parse from file'."""
    out = tmp_path / "z0"
    assert main(["train", "--steps", "0", "--out", str(out), *TINY]) == 0
    assert main(["train", "--resume", "--steps", "5", "--out", str(out), "--quiet", "--device", "cpu"]) == 0
    assert "step" in (out / "metrics.csv").read_text().splitlines()[0]


@pytest.mark.parametrize("damage", [b"\xa2\x00\xff\xfe", b'step,"d_loss\n1,2\n', b"step,d_loss\n1,2\n3,4,5,6,7\n"])
def test_a_damaged_history_is_named_on_resume(run, capsys, damage):
    (run / "metrics.csv").write_bytes(damage)
    before = snapshot(run)
    assert main(["train", "--resume", "--steps", "20", "--out", str(run), "--quiet", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert f"{run / 'metrics.csv'} is damaged" in err and "Move the file aside" in err and "Traceback" not in err
    assert snapshot(run) == before


def test_a_diverged_run_says_how_to_train_again_with_lower_rates(tmp_path, capsys):
    """The divergence message said 'lower the learning rates and go on from it', which --resume refuses to do."""
    out = tmp_path / "dv"
    argv = ["train", "--steps", "20", "--out", str(out), *TINY, "--lr-g", "1e6", "--lr-d", "1e6", "--variant", "lsgan"]
    assert main(argv) == 3
    err = capsys.readouterr().err
    hint = f"python -m gan_core train --config {out / 'config.json'} --lr-g 100000 --lr-d 100000 --out NEW_FOLDER"
    assert hint in err, err
    again = hint.split()[3:-2] + ["--out", str(tmp_path / "again"), "--quiet", "--steps", "2"]
    assert main(again) in (0, 3)  # the command given is one the CLI takes (the rates may still be too high)
    assert "would not be read" not in capsys.readouterr().err


def test_a_run_folder_that_does_not_exist_is_said_so(tmp_path, capsys):
    assert main(["eval", "--run", "/nonexistent/run"]) == 2
    assert "/nonexistent/run does not exist" in capsys.readouterr().err
    # and the classifier's seed is checked as the other commands' are (a negative one was accepted)
    assert main(["classifier", "--data", "digits8", "--out", str(tmp_path / "c"), "--seed", "-1"]) == 2
    assert "--seed -1 is out of range" in capsys.readouterr().err and not (tmp_path / "c").exists()


def test_an_option_given_by_its_own_flag_is_named_by_it(tmp_path, capsys):
    assert main(["train", "--steps", "5", "--out", str(tmp_path / "o"), *TINY, "--n-critic", "100"]) == 2
    err = capsys.readouterr().err
    assert "--n-critic 100 is out of range" in err and "--option" not in err, err
    assert main(["train", "--steps", "5", "--out", str(tmp_path / "o"), *TINY, "--option", "n_critic=100"]) == 2
    assert "--option n_critic=100 is out of range" in capsys.readouterr().err


def test_a_bad_value_from_a_config_file_names_the_file(run, tmp_path, capsys):
    """An out-of-range rate in a --config file was reported as '--lr-g -1 is out of range', a flag never typed."""
    cfg = json.loads((run / "config.json").read_text())
    cfg["optim"]["lr_g"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(cfg))
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--lr-g -1" in err and f"(the value comes from --config {path})" in err, err
    assert main(["train", "--config", str(path), "--lr-g", "-2", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "comes from --config" not in capsys.readouterr().err  # typed on the command line: no pointer to the file


def test_small_mistakes_get_the_right_words(tmp_path, capsys):
    """From a probe of the command line: augment took a --data-dir that does not exist; eval's --n bound named 1 as
    its least (it scores 10 or more); the list of presets left out cyclegan, which --help lists."""
    assert main(["augment", "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "a")]) == 2
    assert "no such folder" in capsys.readouterr().err and not (tmp_path / "a").exists()
    assert main(["eval", "--run", str(ROOT / "pretrained/ring8-classroom"), "--n", "99999999"]) == 2
    assert "score between 10 and 100,000 samples" in capsys.readouterr().err
    assert main(["train", "--preset", "nosuch", "--out", str(tmp_path / "p"), "--quiet"]) == 2
    assert "cyclegan" in capsys.readouterr().err


@pytest.mark.parametrize("shipped, kind", [("mnist-classifier", "a classifier"),
                                           ("cyclegan-moons-circles", "a style-transfer (CycleGAN) run")])
def test_a_run_into_a_folder_of_another_kind_names_it_and_offers_no_resume(tmp_path, capsys, shipped, kind):
    folder = tmp_path / shipped
    shutil.copytree(ROOT / "pretrained" / shipped, folder)
    before = snapshot(folder)
    assert main(["train", "--steps", "10", "--out", str(folder), *TINY]) == 2
    err = capsys.readouterr().err
    assert f"already holds {kind}" in err and "--overwrite" in err, err
    assert "--resume" not in err  # --resume cannot continue what the train command did not make
    assert snapshot(folder) == before


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x,y\n1,2\n".encode("utf-16")])
def test_a_points_file_that_is_not_text_gets_words_for_the_command_line_too(tmp_path, capsys, content):
    """The same message serves the page and the command line: no 'upload' said to someone who typed --points."""
    path = tmp_path / "pts.csv"
    path.write_bytes(content)
    assert main(["train", "--data", "points", "--points", str(path), "--steps", "5", "--out", str(tmp_path / "o"),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "upload" not in err and "x,y" in err and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv", [
    ["train", "--preset", "dcgan", "--data", "fashion-mnist", "--steps", "2", "--quiet"],
    ["train", "--preset", "dcgan", "--data", "stacked-mnist", "--steps", "2", "--quiet"],
    ["classifier", "--data", "fashion-mnist", "--epochs", "1"],
    ["augment", "--data", "fashion-mnist"],
])
def test_a_data_dir_without_the_files_is_refused_not_passed_over(argv, tmp_path, capsys):
    """The installed or downloaded copies were used, unsaid, when --data-dir held no files of the data set."""
    (tmp_path / "empty").mkdir()
    assert main([*argv, "--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "holds no" in err and "train-images-idx3-ubyte" in err and "leave --data-dir out" in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("argv, also", [
    (["train", "--data", "mnist", "--steps", "2", "--quiet"], "--data mnist-full"),
    (["train", "--data", "ring8", "--steps", "2", "--quiet"], "2D"),
    (["train", "--data", "points", "--points", "{points}", "--steps", "2", "--quiet"], "--points file"),
    (["classifier", "--data", "digits8", "--epochs", "1"], "UCI 8x8"),
    (["augment", "--data", "mnist"], "--data mnist-full"),
])
def test_a_data_dir_the_data_never_reads_is_refused_not_left_unused(argv, also, tmp_path, capsys):
    """From a probe of the command line: --data mnist --data-dir FOLDER trained on the bundled digits, the folder unread
    and nothing said, though a user passing a folder of MNIST files expects them to be used."""
    (tmp_path / "idx").mkdir()
    (tmp_path / "p.csv").write_text("x,y\n0,0\n1,1\n2,0\n")
    argv = [a.replace("{points}", str(tmp_path / "p.csv")) for a in argv]
    assert main([*argv, "--data-dir", str(tmp_path / "idx"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "reads no folder" in err and "leave --data-dir out" in err and also in err, err
    assert not (tmp_path / "o").exists()


def test_which_folders_hold_a_data_sets_files(tmp_path):
    from gan_core.data.images import idx_files_in

    assert idx_files_in("fashion-mnist", tmp_path) is False
    (tmp_path / "FashionMNIST" / "raw").mkdir(parents=True)  # torchvision's layout
    for stem in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte"):
        (tmp_path / "FashionMNIST" / "raw" / stem).write_bytes(b"")
    assert idx_files_in("fashion-mnist", tmp_path) is True
    assert idx_files_in("mnist-full", tmp_path) is False
    assert idx_files_in("mnist", tmp_path) is None and idx_files_in("digits8", tmp_path) is None  # bundled: no files
    from gan_core.data.images import IDX_OF, IMAGE_NAMES

    assert set(IMAGE_NAMES) - set(IDX_OF) == {"mnist", "digits8"}  # the two check_data_dir names as bundled
