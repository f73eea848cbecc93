"""`python -m gan_core augment`: a tiny study through the command line, resumed, and bad input refused in one line."""
import pytest

from gan_core.augmentation.study import read_results
from gan_core.cli import main

TINY = ["--steps", "2", "--gan-steps", "2", "--batch-size", "8", "--threads", "1"]


def test_runs_resumes_and_extends(tmp_path, capsys):
    out = tmp_path / "study"
    args = ["augment", "--labels-per-class", "1", "--seeds", "1", "--arms", "real", "--out", str(out), *TINY]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "augment on mnist" in err and "1.0/1 cells" in err  # the progress bar
    first = (out / "results.csv").read_text()
    assert len(read_results(out)) == 1 and (out / "summary.md").is_file() and (out / "chart.png").is_file()

    assert main([*args, "--quiet"]) == 0  # the same cells again: nothing to train, the file unchanged
    assert (out / "results.csv").read_text() == first
    assert main([*args[:4], "2", *args[5:], "--quiet"]) == 0  # a second seed: only it runs
    rows = read_results(out)
    assert sorted(r["seed"] for r in rows) == [0, 1]
    assert (out / "results.csv").read_text().splitlines()[1] == first.splitlines()[1]
    summary = capsys.readouterr().out
    assert "| Real only |" in summary and "With 1 labeled image per class" in summary


@pytest.mark.parametrize("extra, needle", [
    (["--seeds", "many"], "--seeds 'many' is not a number of seeds"),
    (["--arms", "real,vae"], "--arms: vae is not an arm"),
    (["--labels-per-class", "0,10"], "--labels-per-class '0,10' needs whole numbers of at least 1"),
    (["--labels-per-class", "1,x"], "is not a comma-separated list"),
    (["--labels-per-class", "5000"], "labels per class=5000 must be a whole number from 1 to"),
    (["--steps", "0"], "steps=0 is out of range"),
    (["--synthetic-ratio", "-1"], "synthetic_ratio=-1.0 is out of range"),
    (["--data", "cifar10"], "data='cifar10' is not a valid choice"),
])
def test_bad_input_is_one_line(tmp_path, capsys, extra, needle):
    rc = main(["augment", "--out", str(tmp_path / "x"), "--arms", "real", "--seeds", "1", *TINY, "--quiet", *extra])
    err = capsys.readouterr().err
    assert rc == 2 and needle in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_refuses_a_folder_of_another_budget_or_a_file(tmp_path, capsys):
    out = tmp_path / "study"
    base = ["augment", "--labels-per-class", "1", "--seeds", "1", "--arms", "real", "--out", str(out), "--quiet"]
    assert main([*base, *TINY]) == 0
    capsys.readouterr()
    assert main([*base, "--steps", "3", "--gan-steps", "2", "--batch-size", "8"]) == 2
    err = capsys.readouterr().err
    assert "holds a study of other data or another budget" in err and len(err.strip().splitlines()) == 1
    # The saved study's settings read as the flags that resume it, not as a Python object.
    assert "Budget(" not in err and "--data mnist --steps 2" in err, err
    (tmp_path / "file").write_text("x")
    assert main([*base[:-2], str(tmp_path / "file"), "--quiet", *TINY]) == 2
    assert "is a file" in capsys.readouterr().err
