"""The augmentation study on a tiny budget: honest splits (no label leaks, held-out never trained on), the arms run,
results and summary right (numbers computed by hand), same seed same numbers, resumable folders."""
import math
import re
import statistics
from dataclasses import replace

import numpy as np
import pytest
import torch
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from gan_core.augmentation import arms as arms_module
from gan_core.augmentation import cgan as cgan_module
from gan_core.augmentation import semi_supervised as sgan_module
from gan_core.augmentation.affine import affine_batch, draw_params
from gan_core.augmentation.fit import Budget
from gan_core.augmentation.report import PHRASES, conclusions, paragraph, summarise
from gan_core.augmentation.semi_supervised import feature_matching_loss, supervised_loss, unsupervised_loss
from gan_core.augmentation.split import labeled_split, load_study_data
from gan_core.augmentation.study import RESULT_COLUMNS, Cell, StudyConfig, read_results, run_cell, run_study
from gan_core.data.images import BUNDLED_MNIST
from gan_core.data.pixels import to_unit

TINY = Budget(steps=3, gan_steps=2, batch_size=16)
CONFIG = StudyConfig(labels_per_class=(1, 2), seeds=(0, 1), reference=True, budget=TINY)


@pytest.fixture(scope="module")
def data():
    """MNIST with 200 of its 1,000 held-out digits: scoring is most of a tiny cell's time."""
    full = load_study_data("mnist")
    return replace(full, test_x=full.test_x[:200], test_y=full.test_y[:200])


@pytest.fixture(scope="module")
def spied_study(data, tmp_path_factory):
    """The tiny study run into a folder while recording every image array an arm's training is handed."""
    seen = []  # (who, images uint8, labels or None)
    mp = pytest.MonkeyPatch()
    real_batches, real_arrays, real_unlabeled = (arms_module.LabeledBatches.__init__,
                                                 cgan_module.ImageDataset.from_arrays, sgan_module._Unlabeled.__init__)

    def batches(self, images, labels, *a, **k):
        seen.append(("batches", np.array(images), np.array(labels)))
        real_batches(self, images, labels, *a, **k)

    def arrays(images, labels, *a, **k):
        seen.append(("cgan", np.array(images), np.array(labels)))
        return real_arrays(images, labels, *a, **k)

    def unlabeled(self, images, *a, **k):
        seen.append(("unlabeled", np.array(images), None))
        real_unlabeled(self, images, *a, **k)

    mp.setattr(arms_module.LabeledBatches, "__init__", batches)
    mp.setattr(sgan_module.LabeledBatches, "__init__", batches)
    mp.setattr(cgan_module.ImageDataset, "from_arrays", staticmethod(arrays))
    mp.setattr(sgan_module._Unlabeled, "__init__", unlabeled)
    events = []

    folder = tmp_path_factory.mktemp("study")
    try:
        rows = run_study(CONFIG, folder, on_event=events.append, data=data)
    finally:
        mp.undo()
    return {"rows": rows, "events": events, "seen": seen, "folder": folder,
            "cells": [e.cell for e in events if e.kind == "done"]}


# ----------------------------------------------------------------------------- who sees which label

def test_split_has_n_per_class_nested_and_disjoint(data):
    y = data.train_y
    for seed in (0, 3):
        splits = {n: labeled_split(y, n, seed) for n in (1, 10, 100)}
        for n, s in splits.items():
            assert np.bincount(y[s.labeled], minlength=10).tolist() == [n] * 10
            assert len(np.intersect1d(s.labeled, s.unlabeled)) == 0
            assert sorted(np.concatenate([s.labeled, s.unlabeled]).tolist()) == list(range(len(y)))
        assert set(splits[1].labeled) <= set(splits[10].labeled) <= set(splits[100].labeled)
        assert np.array_equal(labeled_split(y, 10, seed).labeled, splits[10].labeled)  # same seed, same split
    assert not np.array_equal(labeled_split(y, 10, 0).labeled, labeled_split(y, 10, 1).labeled)
    with pytest.raises(ValueError, match="labels per class=5000"):
        labeled_split(y, 5000, 0)


def test_the_pictures_of_two_n_show_different_labeled_digits(data):
    """A browser rehearsal: N = 10's and N = 100's pictures were pixel-identical on the left, since the splits are
    nested and the picture took each class's first eight."""
    from gan_core.augmentation.report import PER_CLASS, real_grid

    grids = {}
    for n in (1, 10, 100):
        split = labeled_split(data.train_y, n, 0)
        grids[n] = real_grid(data.train_x[split.labeled], data.train_y[split.labeled], 10)
        assert grids[n].shape == (10 * PER_CLASS, 28, 28)
    for c in range(10):
        rows = {n: grids[n][c * PER_CLASS:(c + 1) * PER_CLASS] for n in grids}
        assert rows[1][0].any() and not rows[1][1:].any()  # one digit, then blanks
        same = sum(any(np.array_equal(a, b) for b in rows[10]) for a in rows[100])
        assert same <= 2, (c, same)  # N = 100 shows its own spread, not N = 10's digits again


def test_held_out_digits_are_another_file():
    with np.load(BUNDLED_MNIST) as z:
        train_idx, test_idx, images = z["train_idx"], z["test_idx"], z["images"]
    assert len(np.intersect1d(train_idx, test_idx)) == 0
    assert not {images[i].tobytes() for i in test_idx} & {images[i].tobytes() for i in train_idx}


def test_no_label_outside_the_n_per_class_reaches_arms_1_to_3(spied_study, data):
    """Every array handed to a classifier's batches or to the conditional GAN is exactly the (seed, N) labeled
    images and their labels; only the semi-supervised GAN gets more, the unlabeled rest, without labels."""
    seen, cells = spied_study["seen"], spied_study["cells"]
    test_images = {im.tobytes() for im in load_study_data("mnist").test_x}  # all 1,000 held-out digits
    assert len(cells) == 2 * 2 * 4 + 2
    for _, images, _ in seen:
        assert not any(im.tobytes() in test_images for im in images), "a held-out image reached training"
    by_cell = _arrays_by_cell(seen, cells)
    for cell, arrays in by_cell.items():
        if cell.arm == "all-labels":
            assert all(len(im) == len(data.train_x) for _, im, _ in arrays)
            continue
        split = labeled_split(data.train_y, cell.n, cell.seed)
        kinds = [who for who, _, _ in arrays]
        for who, images, labels in arrays:
            if who == "unlabeled":
                assert cell.arm == "sgan" and labels is None
                assert np.array_equal(images, data.train_x[split.unlabeled])
            else:
                assert np.array_equal(images, data.train_x[split.labeled])
                assert np.array_equal(labels, data.train_y[split.labeled])
        expected = {"real": ["batches"], "classic": ["batches"], "cgan": ["cgan", "batches"],
                    "sgan": ["batches", "unlabeled"]}[cell.arm]
        assert kinds == expected, (cell, kinds)


def _arrays_by_cell(seen, cells):
    """Split the recorded arrays by cell: the study runs its cells in order, and each arm records a fixed count."""
    counts = {"real": 1, "classic": 1, "cgan": 2, "sgan": 2, "all-labels": 1}
    out, i = {}, 0
    for cell in cells:
        out[cell] = seen[i:i + counts[cell.arm]]
        i += counts[cell.arm]
    assert i == len(seen)
    return out


# ----------------------------------------------------------------------------- the pieces, by hand

def test_affine_is_torchvisions(data):
    x = to_unit(data.train_x[:6])
    p = draw_params(6, 28, 28, torch.Generator().manual_seed(1))
    ours = affine_batch(x, p)
    ref = torch.stack([TF.affine(xi, angle=float(a), translate=[int(tx), int(ty)], scale=float(s), shear=[0.0, 0.0],
                                 interpolation=InterpolationMode.BILINEAR, fill=-1.0) for xi, (a, tx, ty, s) in zip(x, p.tolist())])
    assert torch.allclose(ours, ref, atol=1e-5)
    assert (p[:, 0].abs() <= 15).all() and (p[:, 1:3].abs() <= 3).all() and ((p[:, 3] >= 0.9) & (p[:, 3] <= 1.1)).all()
    assert not torch.allclose(ours, x)


def test_semi_supervised_losses_by_hand():
    k = 10
    zeros = torch.zeros(4, k)  # lse = log K: D(x) = K / (K + 1)
    assert unsupervised_loss(zeros, zeros).item() == pytest.approx(math.log(1 + 1 / k) + math.log(1 + k))
    big = torch.full((2, k), 30.0)  # D(x) ~ 1: a confident "real" costs ~0 on unlabeled and ~lse on fakes
    assert unsupervised_loss(big, -big).item() == pytest.approx(0.0, abs=1e-6)
    assert unsupervised_loss(-big, big).item() == pytest.approx(60.0, rel=1e-4)  # (30 - log K) + (30 + log K)
    logits = torch.tensor([[2.0, 0.0, 0.0]])
    assert supervised_loss(logits, torch.tensor([0])).item() == pytest.approx(-math.log(math.exp(2) / (math.exp(2) + 2)))
    fr, ff = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[0.0, 0.0], [2.0, 2.0]])
    assert feature_matching_loss(fr, ff).item() == pytest.approx((2 - 1) ** 2 + (3 - 1) ** 2)


# ----------------------------------------------------------------------------- the study

def test_every_arm_runs_and_results_have_their_shape(spied_study):
    rows, folder = spied_study["rows"], spied_study["folder"]
    assert len(rows) == 2 * 2 * 4 + 2
    on_disk = read_results(folder)
    assert sorted(map(str, on_disk)) == sorted(map(str, rows))
    assert (folder / "results.csv").read_text().splitlines()[0] == ",".join(RESULT_COLUMNS)
    for r in rows:
        assert 0.0 <= r["accuracy"] <= 1.0 and r["wall_time"] > 0
        assert r["labels"] == (9000 if r["arm"] == "all-labels" else 10 * r["N"])
    assert {(r["arm"], r["N"]) for r in rows if r["arm"] == "all-labels"} == {("all-labels", 900)}
    for name in ("summary.md", "chart.png", "cgan-N1.png", "cgan-N2.png", "samples/cgan-N2-seed1.png"):
        assert (folder / name).is_file(), name
    done = [e for e in spied_study["events"] if e.kind == "done"]
    assert [e.done_cells for e in done] == list(range(1, 19)) and all(e.total_cells == 18 for e in done)
    assert all(e.samples.shape == (80, 28, 28) for e in done if e.cell.arm == "cgan")
    from PIL import Image

    for n in (1, 2):  # the labeled side has N columns (up to 8), not one image and seven black squares a row
        width = Image.open(folder / f"cgan-N{n}.png").size[0]
        assert width == (30 * n + 2) + 12 + (30 * 8 + 2), (n, width)


def test_same_seed_same_numbers(data, spied_study):
    """A cell run again on its own gives the study's numbers: nothing depends on what ran before it."""
    for arm in ("classic", "cgan", "sgan"):
        row, samples = run_cell(data, Cell(arm, 2, 1), TINY, torch.device("cpu"), lambda *_: None)
        before = next(r for r in spied_study["rows"] if (r["arm"], r["N"], r["seed"]) == (arm, 2, 1))
        assert row["accuracy"] == before["accuracy"], arm
        if arm == "cgan":
            done = next(e for e in spied_study["events"] if e.kind == "done" and e.cell == Cell(arm, 2, 1))
            assert np.array_equal(samples, done.samples)


def test_rerun_keeps_finished_cells_and_refuses_another_budget(spied_study, data):
    folder = spied_study["folder"]
    before = (folder / "results.csv").read_text()
    kinds = []
    rows = run_study(CONFIG, folder, on_event=lambda e: kinds.append(e.kind), data=data)
    assert set(kinds) == {"kept"} and len(kinds) == 18 and len(rows) == 18
    assert (folder / "results.csv").read_text() == before
    with pytest.raises(ValueError, match="another budget"):
        run_study(StudyConfig(labels_per_class=(1,), seeds=(0,), budget=Budget(steps=4)), folder, data=data)


def test_stop_keeps_the_finished_cells(data, tmp_path):
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 1

    config = StudyConfig(labels_per_class=(1,), seeds=(0,), arms=("real", "classic"),
                         budget=Budget(steps=20, gan_steps=2, batch_size=8))
    rows = run_study(config, tmp_path / "s", should_stop=should_stop, data=data)
    assert rows == [] and not (tmp_path / "s" / "results.csv").exists()


# ----------------------------------------------------------------------------- the summary, by hand

HAND = [  # arm, N, accuracies of seeds 0-2
    ("real", 10, [0.70, 0.74, 0.72]), ("classic", 10, [0.80, 0.82, 0.84]),
    ("cgan", 10, [0.71, 0.79, 0.75]), ("sgan", 10, [0.83, 0.85, 0.81]),
]


def _hand_rows(spec):
    return [{"data": "mnist", "arm": a, "N": n, "seed": s, "labels": 10 * n, "accuracy": acc, "wall_time": 1.0}
            for a, n, accs in spec for s, acc in enumerate(accs)]


def test_summary_numbers_by_hand():
    stats = {s.arm: s for s in summarise(_hand_rows(HAND))}
    assert stats["classic"].mean == pytest.approx(82.0)
    assert stats["classic"].se == pytest.approx(statistics.stdev([80, 82, 84]) / math.sqrt(3))  # 2 / sqrt(3)
    assert stats["cgan"].se == pytest.approx(4 / math.sqrt(3))
    text = paragraph(list(stats.values()), 10)
    # sgan 83.0 +- 1.155 beats classic 82.0 +- 1.155 by 1.0 < 2.31: not separated
    assert text.startswith("With 10 labeled images per class, the semi-supervised GAN scored best (83.0% ± 1.2)")
    assert "1.0 points above classic augmentation (82.0% ± 1.2): a gap within their error bars" in text
    # cgan 75.0 +- 2.31 vs classic 82.0: 7.0 > 3.46, separated
    assert "Adding conditional-GAN samples (75.0% ± 2.3) scored 7.0 points below classic augmentation (82.0% ± 1.2), " \
        "a gap larger than" in text
    assert "evaluation classifier" not in text  # rows saved before the samples were read say nothing of them


def test_a_gap_is_the_difference_of_the_scores_as_written():
    """Rehearsal: '1.6 points above' stood between 51.0% and 49.3%, whose unrounded means were 1.64 apart."""
    rows = _hand_rows([("real", 1, [0.4934]), ("classic", 1, [0.5098])])
    text = paragraph(summarise(rows), 1)
    assert "classic augmentation scored best (51.0%), 1.7 points above real images only (49.3%)" in text, text


def test_the_error_bars_together_are_the_sum_of_the_bars_as_written():
    """A rehearsal: '93.9% ± 0.4 ... 93.3% ± 0.4 ... (± 0.7)': the sum was made before rounding."""
    from gan_core.augmentation.report import Cellstat, Comparison

    c = Comparison(Cellstat("real", 100, 5, 93.9, 0.36, 1.0), Cellstat("classic", 100, 5, 93.3, 0.37, 1.0))
    assert c.bars == pytest.approx(0.8)
    rows = _hand_rows([("real", 100, [0.9354, 0.9426]), ("classic", 100, [0.9295, 0.9365])])
    text = paragraph(summarise(rows), 100)
    shown = [float(x) for x in re.findall(r"± (\d+\.\d)", text)]  # the two arms' bars, then "together"
    assert len(shown) == 3 and shown[2] == pytest.approx(shown[0] + shown[1]), text


def test_a_study_of_one_arm_says_so_and_what_the_classifier_reads():
    """A rehearsal: one arm 'scored best', and the sentence on what the classifier reads in its samples was dropped."""
    rows = _hand_rows([("cgan", 1, [0.30, 0.39])])
    for r in rows:
        r["samples_read"] = 0.1
    text = paragraph(summarise(rows), 1)
    assert "scored best" not in text and "the only arm run" in text, text
    assert "reads 10% of the conditional GAN's samples" in text, text


def test_a_conditional_gan_that_draws_no_digits_yet_is_said_so():
    """Rehearsal: at 10 GAN iterations the conditional GAN drew grey squares and its arm scored 4.9 points above
    classic augmentation; the sentence now says what the shipped classifier reads in its samples."""
    rows = _hand_rows([("classic", 1, [0.35]), ("cgan", 1, [0.399])])
    rows[1]["samples_read"] = 0.1
    text = paragraph(summarise(rows), 1)
    assert ("reads 10% of the conditional GAN's samples (the pictured ones) as the class they were drawn for: fewer "
            "than half, so most of what its arm adds to the batches is not a picture of the class") in text, text
    rows[1]["samples_read"] = 0.9
    text = paragraph(summarise(rows), 1)
    assert "reads 90% of the conditional GAN's samples" in text and "fewer than half" not in text


def test_the_study_reads_its_conditional_gans_samples(spied_study, data):
    """Each conditional-GAN cell keeps how many of its pictured samples the shipped classifier reads as their class;
    the other arms keep none. Recomputed here from the samples of the cell's event."""
    from gan_core.augmentation.study import samples_read

    for e in (e for e in spied_study["events"] if e.kind == "done"):
        read = e.row["samples_read"]
        if e.cell.arm != "cgan":
            assert read is None
            continue
        assert 0.0 <= read <= 1.0
        assert read == round(samples_read(data, e.samples), 6)


def test_summary_sentence_agrees_with_the_table(spied_study):
    """The winner named in summary.md's paragraph for each N is the row with the highest mean in its table."""
    text = (spied_study["folder"] / "summary.md").read_text()
    table = [ln for ln in text.splitlines() if ln.startswith("| ") and not ln.startswith("| arm")]
    titles = {"Real only": "real", "Classic augmentation": "classic", "Conditional GAN samples": "cgan",
              "Semi-supervised GAN": "sgan"}
    values = {titles[c[0]]: [float(v.split("±")[0]) for v in c[1:-1]]
              for c in ([x.strip() for x in ln.strip("|").split("|")] for ln in table)}
    for col, n in enumerate((1, 2)):
        best = max(values, key=lambda a: values[a][col])
        match = re.search(rf"With {n} labeled images? per class, (.+?) scored best \((\d+\.\d)%", text)
        assert match and match.group(1) == PHRASES[best] and float(match.group(2)) == values[best][col]
    assert conclusions(summarise(spied_study["rows"]))[0] in text
