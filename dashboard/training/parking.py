"""Runs kept for a while after their tab closed, so that the same browser can take them back.

When a tab closes or reloads, its session ends and its runner's thread stops; the trainer itself is parked
here for PARK_SECONDS under the run's id, so that the page, reopened, can offer to reattach to it. After that
it is dropped and its memory freed. One session gets a parked run (`claim` takes it out).
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashboard.training.runner import TrainingRunner
    from gan_core import Trainer

PARK_SECONDS = 600.0
_PARKED: dict[str, tuple[float, "Trainer"]] = {}
_PARK_LOCK = threading.Lock()


def _purge(now: float) -> None:
    for key in [k for k, (t, _) in _PARKED.items() if now - t > PARK_SECONDS]:
        del _PARKED[key]


def park(runner: "TrainingRunner") -> None:
    """Keep a closed runner's trainer for a while (only runs that made progress are worth it)."""
    t = runner.trainer
    if t is None or t.step_count == 0 or not runner.run_id:
        return
    with _PARK_LOCK:
        now = time.monotonic()
        _purge(now)
        _PARKED[runner.run_id] = (now, t)


def parked(run_id: str) -> tuple["Trainer", float] | None:
    """(trainer, seconds left) of a parked run, without claiming it."""
    with _PARK_LOCK:
        now = time.monotonic()
        _purge(now)
        item = _PARKED.get(run_id)
        return None if item is None else (item[1], PARK_SECONDS - (now - item[0]))


def claim(run_id: str) -> "Trainer | None":
    """Take a parked trainer out of the registry (one session gets it)."""
    with _PARK_LOCK:
        _purge(time.monotonic())
        item = _PARKED.pop(run_id, None)
        return None if item is None else item[1]
