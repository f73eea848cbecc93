"""The study: every (seed, N, arm) cell trained and scored, results.csv kept up to date, the report at the end.

A cell's numbers depend only on (data, budget, arm, N, seed): its labeled split comes from (seed, N) (nested in
N, `split.py`), its classifier starts from `seed` (so arms at the same seed and N share the split and the starting
weights and differ only in their batches), and all its randomness comes from generators seeded from `seed`.
Cells run seed by seed (every arm and N of seed 0 first), so a chart of the finished cells gets all its bars early
and its error bars as later seeds finish. A folder that already holds results of the same data and budget is
resumed: finished cells are kept and only the missing ones run.
"""
from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch

from gan_core.augmentation.arms import ARMS, DEFAULT_ARMS, REFERENCE, Arm, ArmInputs
from gan_core.augmentation.fit import Budget, accuracy
from gan_core.augmentation.split import STUDY_DATA, StudyData, labeled_split, load_study_data
from gan_core.checks import check_choice, check_int
from gan_core.runs import atomic_write

# samples_read: of the conditional GAN's samples (the picture's, K x 8), the share the shipped evaluation classifier
# reads as the class each was drawn for; empty for the other arms (and in studies saved before it was kept)
RESULT_COLUMNS = ("data", "arm", "N", "seed", "labels", "accuracy", "wall_time", "samples_read")
STUDY_FILE = "study.json"
RESULTS_FILE = "results.csv"


@dataclass(frozen=True)
class StudyConfig:
    data: str = "mnist"
    labels_per_class: tuple[int, ...] = (1, 10, 100)
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    arms: tuple[str, ...] = DEFAULT_ARMS
    reference: bool = False  # also train on every label (arm "all-labels"), once per seed
    budget: Budget = field(default_factory=Budget)
    data_dir: str | None = None

    def __post_init__(self) -> None:
        check_choice("data", self.data, STUDY_DATA)
        for name in ("labels_per_class", "seeds", "arms"):
            values = tuple(getattr(self, name))
            object.__setattr__(self, name, values)
            if not values:
                raise ValueError(f"{name} is empty; give at least one")
            if len(set(values)) != len(values):
                raise ValueError(f"{name}={','.join(map(str, values))} repeats a value; give each once")
        for n in self.labels_per_class:
            check_int("labels per class", n, 1, 10_000)
        for s in self.seeds:
            check_int("seed", s, 0, 2**31 - 1)
        for a in self.arms:
            check_choice("arm", a, tuple(ARMS))

    def same_experiment(self, other: "StudyConfig") -> bool:
        """Results of `other` are results of this study (the cells may differ, the data and budget may not)."""
        return self.data == other.data and self.budget == other.budget

    def to_dict(self) -> dict:
        return {**asdict(self), "labels_per_class": list(self.labels_per_class), "seeds": list(self.seeds),
                "arms": list(self.arms)}

    @classmethod
    def from_dict(cls, d: dict) -> "StudyConfig":
        d = dict(d)
        d["budget"] = Budget(**d.get("budget", {}))
        return cls(**d)


@dataclass(frozen=True)
class Cell:
    arm: str
    n: int  # labels per class; for the reference, the training split's size // classes
    seed: int

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.arm, self.n, self.seed)


@dataclass
class StudyEvent:
    """kind: "progress" (fraction of the running cell), "done" (row; samples for the conditional GAN), "kept"
    (a finished cell found in the folder) or "stopped"."""
    kind: str
    cell: Cell | None
    fraction: float
    done_cells: int
    total_cells: int
    row: dict | None = None
    samples: np.ndarray | None = None


class StudyStopped(Exception):
    """Raised inside a cell when the caller asked to stop."""


def plan_cells(config: StudyConfig, n_reference: int) -> list[Cell]:
    """Seed by seed: every N and arm of a seed, then the reference of that seed."""
    cells = []
    for seed in config.seeds:
        cells += [Cell(arm, n, seed) for n in config.labels_per_class for arm in config.arms]
        if config.reference:
            cells.append(Cell(REFERENCE.name, n_reference, seed))
    return cells


def arm_inputs(data: StudyData, arm: Arm, n: int, seed: int) -> ArmInputs:
    """The labeled images of (seed, N) and, only for an arm that uses them, the unlabeled rest (no labels)."""
    if arm is REFERENCE:
        index = np.arange(len(data.train_y))
        return ArmInputs(data.name, data.train_x, data.train_y, index, data.n_classes)
    split = labeled_split(data.train_y, n, seed)
    unlabeled = data.train_x[split.unlabeled] if arm.uses_unlabeled else None
    return ArmInputs(data.name, data.train_x[split.labeled], data.train_y[split.labeled], split.labeled,
                     data.n_classes, unlabeled)


def run_cell(data: StudyData, cell: Cell, budget: Budget, device: torch.device,
             progress: Callable[[int, int], None]) -> tuple[dict, np.ndarray | None]:
    """Train one cell's arm, then score its classifier on the held-out split: (results row, samples or None)."""
    arm = REFERENCE if cell.arm == REFERENCE.name else ARMS[cell.arm]
    torch.manual_seed(cell.seed)  # nothing here draws from the global generator; this pins anything that might
    started = time.perf_counter()
    inputs = arm_inputs(data, arm, cell.n, cell.seed)
    out = arm.run(inputs, budget, cell.seed, device, progress)
    acc = accuracy(out.model, data.test_x, data.test_y)
    row = {"data": data.name, "arm": cell.arm, "N": cell.n, "seed": cell.seed, "labels": len(inputs.labeled_y),
           "accuracy": round(acc, 6), "wall_time": round(time.perf_counter() - started, 2),
           "samples_read": None if out.samples is None else round(samples_read(data, out.samples), 6)}
    return row, out.samples


def samples_read(data: StudyData, samples: np.ndarray) -> float:
    """The share of the conditional GAN's samples (class by class, as `cgan.sample_grid` draws them) that the shipped
    evaluation classifier reads as the class they were drawn for: whether G draws the classes at all, judged by a
    network the study does not train (at a few iterations its samples are grey blurs, and a gap in accuracy beside
    them is not GAN-drawn digits helping)."""
    from gan_core.evaluation.classifier import default_classifier

    asked = np.repeat(np.arange(data.n_classes), len(samples) // data.n_classes)
    return accuracy(default_classifier(data.name), samples, asked)


def read_results(folder: str | Path) -> list[dict]:
    """The rows of folder/results.csv (typed), or [] when there is none."""
    path = Path(folder) / RESULTS_FILE
    if not path.is_file():
        return []
    rows = []
    for r in csv.DictReader(io.StringIO(path.read_text())):
        read = r.get("samples_read")
        rows.append({"data": r["data"], "arm": r["arm"], "N": int(r["N"]), "seed": int(r["seed"]),
                     "labels": int(r["labels"]), "accuracy": float(r["accuracy"]), "wall_time": float(r["wall_time"]),
                     "samples_read": float(read) if read not in (None, "") else None})
    return rows


def write_rows(folder: str | Path, rows: Iterable[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(RESULT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: r.get(k) for k in RESULT_COLUMNS} for r in rows)  # None is written as an empty cell
    atomic_write(Path(folder) / RESULTS_FILE, buf.getvalue())


def open_folder(config: StudyConfig, folder: str | Path) -> list[dict]:
    """Prepare `folder` for `config`: the rows it already holds (a resumed study), or [] for a new one. Refuses a
    folder holding a study of other data or another budget, and a file in its place."""
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file; give a folder for the study's results")
    saved = out / STUDY_FILE
    if saved.is_file():
        try:
            before = StudyConfig.from_dict(json.loads(saved.read_text()))
        except (json.JSONDecodeError, TypeError, ValueError) as err:
            raise ValueError(f"{saved} is not a study description ({err}); give another folder") from err
        if not before.same_experiment(config):
            raise ValueError(f"{out} holds a study of other data or another budget (--data {before.data} "
                             f"{before.budget.flags()}); give another folder, or the same settings to resume it")
    elif out.is_dir() and any(out.iterdir()):
        raise ValueError(f"{out} holds other files and no {STUDY_FILE}; give an empty or new folder")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(saved, json.dumps(config.to_dict(), indent=2) + "\n")
    return read_results(out)


def run_study(config: StudyConfig, folder: str | Path | None = None, device: str | torch.device = "cpu",
              on_event: Callable[[StudyEvent], None] | None = None,
              should_stop: Callable[[], bool] | None = None, data: StudyData | None = None,
              command: str | None = None) -> list[dict]:
    """Run every cell not yet in `folder` (all of them without a folder); returns the rows of the planned cells.

    After each cell, results.csv (and the conditional GAN's samples) are written; at the end (also when stopped)
    the report (`report.write_report`, naming `command`). `should_stop()` is polled during training; a stopped cell is dropped.
    """
    from gan_core.augmentation.report import save_samples, write_report

    device = torch.device(device)
    data = data or load_study_data(config.data, config.data_dir)
    for n in config.labels_per_class:  # refuse an N some class lacks before anything is written
        labeled_split(data.train_y, n, config.seeds[0])
    cells = plan_cells(config, len(data.train_y) // data.n_classes)
    emit = on_event or (lambda event: None)
    found = {(r["arm"], r["N"], r["seed"]): r for r in (open_folder(config, folder) if folder else [])
             if r["data"] == config.data}
    rows = list(found.values())
    done = 0
    for cell in cells:
        if cell.key in found:
            done += 1
            emit(StudyEvent("kept", cell, 1.0, done, len(cells), row=found[cell.key]))
            continue

        def progress(step: int, total: int, cell=cell) -> None:
            if should_stop is not None and should_stop():
                raise StudyStopped
            emit(StudyEvent("progress", cell, step / total, done, len(cells)))

        try:
            row, samples = run_cell(data, cell, config.budget, device, progress)
        except StudyStopped:
            emit(StudyEvent("stopped", cell, 0.0, done, len(cells)))
            break
        rows.append(row)
        done += 1
        if folder:
            write_rows(folder, rows)
            if samples is not None:
                save_samples(folder, cell, samples)
        emit(StudyEvent("done", cell, 1.0, done, len(cells), row=row, samples=samples))
    if folder and rows:
        write_report(folder, config, rows, data, command)
    planned = {c.key for c in cells}
    return [r for r in rows if (r["arm"], r["N"], r["seed"]) in planned]
