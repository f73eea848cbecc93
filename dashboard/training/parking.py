"""Runs kept for a while after their tab closed, so that the browser that owned them can take them back.

When a tab closes or reloads, its session ends and its runner's thread stops; the trainer itself is parked here
for PARK_SECONDS under the run's owner key, a secret only the owner's browser holds (dashboard/run_keys.py keeps
it in a cookie, never in the URL: a link handed to a class carries settings only). The page, reopened in that
browser, offers to reattach. After PARK_SECONDS the trainer is dropped and its memory freed. One session gets
a parked run (`claim` takes it out).

Two kinds of run are parked: the Train page's ("train", runner.py) and the Style transfer page's CycleGAN
("cycle", cycle_runner.py); each page asks for its own kind only. A runner says its kind (`KIND`) and what besides
the trainer it needs back (`keepsake()`: the CycleGAN runner's loss and evaluation series; None for the Train
page's, which redraws its history from the trainer's rows).
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from dashboard.training.cycle_runner import CycleRunner
    from dashboard.training.runner import TrainingRunner

PARK_SECONDS = 600.0


class Parked(NamedTuple):
    trainer: Any          # for the runner that takes it over: a Trainer, or a CycleTrainer (a page reads the rest)
    run_id: str           # the run's public name (shown on the page)
    seconds_left: float
    step: int
    config: Any           # the trainer's TrainConfig or CycleConfig
    keepsake: Any = None  # what the runner kept besides the trainer (its `keepsake()`)


class _Entry(NamedTuple):
    at: float
    kind: str
    trainer: Any
    run_id: str
    keepsake: Any


_PARKED: dict[str, _Entry] = {}   # owner key -> the parked run
_PARK_LOCK = threading.Lock()


def _purge(now: float) -> None:
    for key in [k for k, e in _PARKED.items() if now - e.at > PARK_SECONDS]:
        del _PARKED[key]


def park(runner: "TrainingRunner | CycleRunner") -> None:
    """Keep a closed runner's trainer for a while (only runs that made progress are worth it)."""
    t = runner.trainer
    if t is None or t.step_count == 0 or not runner.owner_key:
        return
    with _PARK_LOCK:
        now = time.monotonic()
        _purge(now)
        _PARKED[runner.owner_key] = _Entry(now, runner.KIND, t, runner.run_id, runner.keepsake())


def parked(owner_key: str, kind: str = "train") -> Parked | None:
    """The run of this kind parked under this key, without claiming it (None: unknown key, another kind, or
    expired)."""
    with _PARK_LOCK:
        now = time.monotonic()
        _purge(now)
        entry = _PARKED.get(owner_key) if owner_key else None
        return None if entry is None or entry.kind != kind else _parked(entry, now)


def claim(owner_key: str, kind: str = "train") -> Parked | None:
    """Take a parked run of this kind out of the registry (one session gets it)."""
    with _PARK_LOCK:
        now = time.monotonic()
        _purge(now)
        entry = _PARKED.get(owner_key) if owner_key else None
        if entry is None or entry.kind != kind:
            return None
        del _PARKED[owner_key]
        return _parked(entry, now)


def _parked(entry: _Entry, now: float) -> Parked:
    t = entry.trainer
    return Parked(t, entry.run_id, PARK_SECONDS - (now - entry.at), t.step_count, t.config, entry.keepsake)
