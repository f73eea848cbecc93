"""The mode-collapse arena on a tiny budget: well-formed results, mean +- s.e. right, deterministic, clear errors."""
import math
import re
import statistics
import threading

import pandas as pd
import pytest

from gan_core import TrainConfig
from gan_core.arena import RESULT_COLUMNS, ArenaEvent, run_arena, write_results
from gan_core.cli import main

TINY = {"model": {"g_hidden": [16, 16], "d_hidden": [16, 16], "z_dim": 4}, "optim": {"batch_size": 64},
        "eval_samples": 300}
VARIANTS = ["ns", "pacgan-2"]
STEPS = 30


@pytest.fixture(scope="module")
def base():
    return TrainConfig.from_dict(TINY)


@pytest.fixture(scope="module")
def one_worker(base):
    return list(run_arena("ring8", VARIANTS, 2, STEPS, eval_every=10, base_config=base, workers=1))


def _metrics(events):
    return sorted((e.kind, e.variant, e.seed, e.step, tuple(sorted(e.metrics.items())), e.samples is None
                   or float(e.samples.sum())) for e in events)


def test_events_cover_every_run(one_worker):
    done = [e for e in one_worker if e.kind == "done"]
    assert sorted((e.variant, e.seed) for e in done) == [("ns", 0), ("ns", 1), ("pacgan-2", 0), ("pacgan-2", 1)]
    assert all(isinstance(e, ArenaEvent) and e.total_runs == 4 for e in one_worker)
    assert [e.done_runs for e in done] == [1, 2, 3, 4]
    evals = [e for e in one_worker if e.kind == "eval"]
    assert len(evals) == 4 * 3  # steps 10, 20, 30 of each run
    for e in evals:
        assert e.samples.shape == (300, 2) and e.step in (10, 20, 30) and e.data == "ring8"
        assert {"modes", "hq", "kl"} <= set(e.metrics)
    for e in done:
        assert e.step == STEPS and e.wall_time > 0


def test_results_csv_and_summary(one_worker, tmp_path):
    out = write_results(one_worker, tmp_path / "arena")
    df = pd.read_csv(out / "results.csv")
    assert tuple(df.columns) == RESULT_COLUMNS
    assert len(df) == 4 and set(df["data"]) == {"ring8"} and set(df["steps"]) == {STEPS}
    assert sorted(zip(df["variant"], df["seed"])) == [("ns", 0), ("ns", 1), ("pacgan-2", 0), ("pacgan-2", 1)]
    text = (out / "summary.md").read_text()
    rows = [ln for ln in text.splitlines() if ln.startswith("| ") and not ln.startswith("| variant")]
    assert len(rows) == 2
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        variant, runs = cells[0], int(cells[1])
        mine = df[df["variant"] == variant]
        assert runs == len(mine) == 2
        for cell, values, digits in ((cells[2], mine["modes"], 2), (cells[3], 100 * mine["hq"], 1),
                                     (cells[4], mine["kl"], 3), (cells[5], mine["wall_time"], 1)):
            mean, se = (float(x) for x in re.match(r"^(\S+) ± (\S+)$", cell).groups())
            values = [float(v) for v in values]
            assert mean == pytest.approx(round(sum(values) / len(values), digits), abs=1.01 * 10 ** -digits)
            assert se == pytest.approx(statistics.stdev(values) / math.sqrt(len(values)), abs=1.01 * 10 ** -digits)
    for variant in VARIANTS:
        assert (out / f"{variant}.png").stat().st_size > 0


def test_same_numbers_whichever_worker_runs_them(one_worker, base):
    two = list(run_arena("ring8", VARIANTS, 2, STEPS, eval_every=10, base_config=base, workers=2))
    assert _metrics(two) == _metrics(one_worker)


@pytest.mark.parametrize("variants, needle", [
    (["ns", "gan-gp"], "valid variants"),
    (["vanilla+hinge"], "combines two objectives"),
    (["unrolled-11"], "between 1 and 10"),
    (["ns", "ns"], "twice"),
])
def test_bad_variants_are_refused_before_anything_runs(base, variants, needle):
    with pytest.raises(ValueError, match=needle) as err:
        run_arena("ring8", variants, 1, 10, base_config=base)
    if needle == "valid variants":
        for name in ("vanilla", "wgan-gp", "unrolled-1..unrolled-10", "pacgan-2..pacgan-4", "sn"):
            assert name in str(err.value)


@pytest.mark.parametrize("kwargs, needle", [
    ({"data": "spiral"}, "ring8"), ({"seeds": 0}, "seeds"), ({"steps": 0}, "steps"), ({"workers": 0}, "workers"),
    ({"seeds": [1, 1]}, "repeat"),
])
def test_bad_arguments_are_refused(base, kwargs, needle):
    args = {"data": "ring8", "variants": ["ns"], "seeds": 1, "steps": 10, "base_config": base, **kwargs}
    with pytest.raises(ValueError, match=needle):
        run_arena(**args)


def test_stop_ends_the_arena_early(base):
    stop = threading.Event()
    stop.set()
    events = list(run_arena("ring8", VARIANTS, 2, 100_000, eval_every=0, base_config=base, workers=2, stop=stop))
    assert not [e for e in events if e.kind == "done"]


def test_cli_arena_tiny_budget(tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["arena", "--data", "ring8", "--variants", "ns,pacgan-2", "--seeds", "2", "--steps", "20",
                 "--eval-every", "10", "--batch-size", "64", "--out", str(out), "--workers", "2", "--quiet",
                 "--device", "cpu"])
    assert code == 0
    df = pd.read_csv(out / "results.csv")
    assert len(df) == 4 and set(df["steps"]) == {20}
    assert "| ns | 2 |" in (out / "summary.md").read_text()
    assert "| pacgan-2 | 2 |" in capsys.readouterr().out


def test_cli_arena_bad_variant_exits_2(tmp_path, capsys):
    code = main(["arena", "--variants", "vanilla,nope", "--steps", "10", "--out", str(tmp_path / "x"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown variant 'nope'" in err and "wgan-gp" in err and "Traceback" not in err


@pytest.mark.parametrize("flags, said", [
    (["--seeds", "0"], "--seeds 0 is out of range"),
    (["--workers", "0"], "--workers 0 is out of range"),
    (["--batch-size", "0"], "--batch-size 0 is out of range"),
])
def test_cli_arena_names_a_bad_number_by_its_flag(tmp_path, capsys, flags, said):
    code = main(["arena", "--steps", "10", "--out", str(tmp_path / "x"), *flags])
    assert code == 2
    captured = capsys.readouterr()
    assert said in captured.err, captured.err
    for internal in ("seeds=", "workers=", "optim.batch_size"):
        assert internal not in captured.err
    assert "step/s" not in captured.err  # refused before the progress bar starts
    assert not (tmp_path / "x").exists()


def test_arena_help_lists_the_variants(capsys):
    with pytest.raises(SystemExit):
        main(["arena", "--help"])
    text = capsys.readouterr().out
    for name in ("--variants", "--seeds", "--workers", "--eval-every", "unrolled-1..10", "pacgan-2..4", "Metz et al. 2016"):
        assert name in text


def test_leaving_early_stops_the_workers(base):
    events = run_arena("ring8", VARIANTS, 2, 100_000, eval_every=5, base_config=base, workers=2)
    first = next(events)
    assert first.kind == "eval"
    events.close()  # the consumer walks away: pending runs are cancelled, running ones stop, nothing hangs


def test_the_arena_counts_mnist_classes_with_the_evaluation_classifier(tmp_path):
    """Image data: modes = classes the shipped classifier finds (of 10), % HQ = its mean confidence,
    KL = class histogram against uniform; one picture of samples per variant."""
    from gan_core.arena import reference_config

    base = reference_config("mnist").replace(model={"width": 8}, optim={"batch_size": 16}, eval_samples=200)
    assert base.model.kind == "dcgan"
    events = list(run_arena("mnist", ["ns", "ns+pacgan-2"], 1, 5, eval_every=0, base_config=base, workers=2))
    done = [e for e in events if e.kind == "done"]
    assert len(done) == 2 and not [e for e in events if e.kind == "error"]
    for e in done:
        m = e.metrics
        assert 1 <= m["modes"] <= 10 and 0.0 < m["hq"] <= 1.0 and 0.0 <= m["kl"] <= math.log(10) + 1e-9
        assert m["modes"] == m["coverage"] and m["hq"] == m["mean_confidence"] and "fid" in m
    out = write_results(events, tmp_path / "arena", variants=["ns", "ns+pacgan-2"])
    df = pd.read_csv(out / "results.csv")
    assert list(df["variant"]) == ["ns", "ns+pacgan-2"] and set(df["data"]) == {"mnist"}
    assert "classifier" in (out / "summary.md").read_text()
    assert (out / "ns.png").is_file() and (out / "ns_pacgan-2.png").is_file()


def test_stacked_mnist_is_scored_on_the_protocols_26000_samples():
    from gan_core.arena import reference_config

    assert reference_config("stacked-mnist").eval_samples == 26_000
    assert reference_config("ring8").model.g_hidden == (128, 128)  # the Unrolled-GAN networks for 2D data


def test_a_one_seed_pictures_title_is_wrapped_to_fit_it():
    """One seed's panel (260 px) is narrower than the title: it wraps instead of being cut off."""
    import numpy as np
    from PIL import Image, ImageDraw

    from gan_core.arena.report import _wrap, draw_panels

    title = "ns+pacgan-2+ema on grid25: final samples per seed (orange), true centres (blue circles)"
    lines = _wrap(title, 248)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1))).textlength
    assert len(lines) >= 2 and " ".join(lines) == title and all(measure(line) <= 248 for line in lines)
    img = draw_panels([(0, np.zeros((10, 2)), {"modes": 1, "hq": 0.1, "kl": 0.5})], "grid25", "ns+pacgan-2+ema")
    assert img.size[0] == 260 and img.size[1] == 260 + 10 + 12 * len(lines) + 18


def test_seed_panel_cuts_out_one_seeds_panel_and_caption(tmp_path):
    """The shipped arena shows one seed at a time: the panel cut out is that seed's (its points, its caption line)."""
    import numpy as np
    import pytest

    from gan_core.arena.report import CAPTION, draw_panels, seed_panel
    from gan_core.data.points import MIXTURES

    east, west = MIXTURES["ring8"].centres[0], MIXTURES["ring8"].centres[4]
    panels = [(s, np.repeat(c[None], 200, 0), {"modes": 1, "hq": 1.0, "kl": 2.08}) for s, c in ((0, east), (3, west), (7, east))]
    picture = tmp_path / "ns.png"
    draw_panels(panels, "ring8", "ns").save(picture)
    for index, side in ((0, "east"), (1, "west"), (2, "east")):
        panel = np.asarray(seed_panel(picture, index, 3)).astype(int)
        assert panel.shape[:2] == (260 + CAPTION, 260)
        orange = np.argwhere((panel[..., 0] > 200) & (panel[..., 1] < 140) & (panel[..., 2] < 60))
        assert len(orange) and (orange[:, 1].mean() > 130) == (side == "east")  # the seed's points, on its side
        assert (panel[-CAPTION:] < 100).all(-1).any()  # its caption line is there
        bare = np.asarray(seed_panel(picture, index, 3, caption=False)).astype(int)
        assert (bare == panel[:-CAPTION]).all()  # the same panel without its caption line (the page writes it)
    for index, count in ((0, 2), (0, 7), (3, 3)):  # a wrong panel count, or a panel that is not there
        with pytest.raises(ValueError, match=f"not {count} panels"):
            seed_panel(picture, index, count)


def test_seed_grid_cuts_out_one_seeds_samples_from_an_image_arenas_picture(tmp_path):
    """An image arena's picture puts each seed's 8 x 4 grid side by side: the cut is that seed's grid, whole."""
    import numpy as np
    import pytest
    from PIL import Image

    from gan_core.arena.plan import ArenaEvent
    from gan_core.arena.report import seed_grid, write_results

    events = []
    for i, seed in enumerate((0, 2, 5)):
        images = np.full((32, 28, 28), 60 * (i + 1), np.uint8)  # each seed's samples a grey of its own
        metrics = {"modes": 10, "hq": 0.9, "kl": 0.1}
        events += [ArenaEvent("eval", "ns", seed, 100, metrics, images, 1.0, 0, 3, "mnist"),
                   ArenaEvent("done", "ns", seed, 100, metrics, None, 1.0, i + 1, 3, "mnist")]
    write_results(events, tmp_path)
    whole = np.asarray(Image.open(tmp_path / "ns.png"))
    for index in range(3):
        cut = np.asarray(seed_grid(tmp_path / "ns.png", index, 3))
        assert cut.shape[0] == whole.shape[0] and 8 * 28 <= cut.shape[1] < whole.shape[1] // 2
        values = set(np.unique(cut)) - {0}
        assert values == {60 * (index + 1)}, values  # only this seed's grey (and the grid's black lines)
    wrong = next(c for c in (2, 4, 5, 7, 11) if (whole.shape[1] + 8) % c)  # a count the width cannot be
    for index, count in ((0, wrong), (3, 3), (0, 0)):
        with pytest.raises(ValueError, match=f"not {count} sample grids"):
            seed_grid(tmp_path / "ns.png", index, count)
