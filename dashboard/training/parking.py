"""Runs kept for a while after their tab closed, so that the browser that owned them can take them back.

When a tab closes or reloads, its session ends and its runner's thread stops; the trainer itself is parked here
for PARK_SECONDS under the run's owner key, a secret only the owner's browser holds (dashboard/run_keys.py keeps
it in a cookie, never in the URL: a link handed to a class carries settings only). The page, reopened in that
browser, offers to reattach. After PARK_SECONDS the trainer is dropped and its memory freed. One session gets
a parked run (`claim` takes it out).
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from dashboard.training.runner import TrainingRunner
    from gan_core import TrainConfig, Trainer

PARK_SECONDS = 600.0


class Parked(NamedTuple):
    trainer: "Trainer"    # for the runner that takes it over (a page reads the fields below)
    run_id: str           # the run's public name (shown on the page)
    seconds_left: float
    step: int
    config: "TrainConfig"


_PARKED: dict[str, tuple[float, "Trainer", str]] = {}   # owner key -> (parked at, trainer, run id)
_PARK_LOCK = threading.Lock()


def _purge(now: float) -> None:
    for key in [k for k, (t, _, _) in _PARKED.items() if now - t > PARK_SECONDS]:
        del _PARKED[key]


def park(runner: "TrainingRunner") -> None:
    """Keep a closed runner's trainer for a while (only runs that made progress are worth it)."""
    t = runner.trainer
    if t is None or t.step_count == 0 or not runner.owner_key:
        return
    with _PARK_LOCK:
        now = time.monotonic()
        _purge(now)
        _PARKED[runner.owner_key] = (now, t, runner.run_id)


def parked(owner_key: str) -> Parked | None:
    """The run parked under this key, without claiming it (None: unknown key, or expired)."""
    with _PARK_LOCK:
        now = time.monotonic()
        _purge(now)
        item = _PARKED.get(owner_key) if owner_key else None
        return None if item is None else _parked(item, now)


def claim(owner_key: str) -> Parked | None:
    """Take a parked run out of the registry (one session gets it)."""
    with _PARK_LOCK:
        now = time.monotonic()
        _purge(now)
        item = _PARKED.pop(owner_key, None) if owner_key else None
        return None if item is None else _parked(item, now)


def _parked(item: tuple[float, "Trainer", str], now: float) -> Parked:
    at, trainer, run_id = item
    return Parked(trainer, run_id, PARK_SECONDS - (now - at), trainer.step_count, trainer.config)
