"""The Style transfer page's runner: one session's CycleGAN training in a background thread, read through snapshots.

The page calls the controls (`start`, `pause`, `resume`, `set_weights`, `close`) and reads `snapshot()`; the
thread takes a slot of the process-wide training pool (`pool.py`, shared with the Train page and the arena),
steps the `CycleTrainer` under `lock`, and replaces the snapshot at most 20 times a second, with fresh pictures
(the fixed held-out panel translated and brought back) every `PANEL_EVERY` seconds. A run nobody has read for
`IDLE_TIMEOUT` seconds pauses and gives its slot back. When the session ends (the tab closed or reloaded) a run
that made progress is parked under the runner's owner key with its series (parking.py, kind "cycle"), and `adopt`
takes it back. No Streamlit here. (Its own small loop rather than `runner.py`'s TrainingRunner, which is built
around the GAN Trainer's snapshot and slow motion.)
"""
from __future__ import annotations

import math
import secrets
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from dashboard.training import pool as pools
from gan_core.cycle_config import CycleConfig
from gan_core.data.pixels import to_uint8
from gan_core.training.cycle_trainer import LOSS_NAMES, CycleTrainer
from gan_core.training.results import TrainingDiverged

PANEL_EVERY = {True: 1.0, False: 0.25}  # seconds between two panels: images, 2D points
IDLE_TIMEOUT = 120.0
MAX_POINTS = 4000  # per series; older points are thinned (every other one dropped) beyond this


@dataclass(frozen=True)
class CycleSnapshot:
    status: str = "idle"             # idle, queued, running, paused, finished, diverged, error, closed
    step: int = 0
    steps: int = 0
    pair: str = ""
    is_image: bool = False
    losses: dict = field(default_factory=dict)   # name -> list, with "step"
    evals: dict = field(default_factory=dict)    # metric -> list, with "step"
    panel: dict = field(default_factory=dict)    # a, ab, aba, b, ba, bab: uint8 images or (N, 2) points
    lambda_cycle: float = 10.0
    lambda_identity: float = 0.0
    rate: float = 0.0                # steps per second lately
    message: str = ""


def _thin(series: dict) -> None:
    if len(series.get("step", ())) > MAX_POINTS:
        for key, values in series.items():
            series[key] = values[:-1:2] + values[-1:]


class CycleRunner:
    KIND = "cycle"  # what parking.py files a closed run under

    def __init__(self, pool: pools.TrainingPool | None = None):
        self.pool = pool or pools.default_pool()
        self.run_id = ""      # names the run on the page (public)
        self.owner_key = ""   # the secret that reattaches to it after a reload (parking.py)
        self.lock = threading.Lock()
        self._cond = threading.Condition()
        self.trainer: CycleTrainer | None = None
        self._snap = CycleSnapshot()
        self._want_run = False
        self.closed = False
        self.last_poll = time.monotonic()
        self._thread: threading.Thread | None = None
        self._ticket = object()
        self._losses: dict = {}
        self._evals: dict = {}
        self._panel: dict = {}
        self._panel_t = 0.0
        self._status, self._message = "idle", ""
        pools.register(self)

    # ----- what the page reads
    @property
    def busy(self) -> bool:  # counted by pool.others_present
        return self._want_run

    def snapshot(self) -> CycleSnapshot:
        self.last_poll = time.monotonic()
        return self._snap

    # ----- controls (the page's thread)
    def start(self, config: CycleConfig, device: str = "cpu") -> None:
        """A new run of `config` (the old one, if any, is dropped), started at once."""
        trainer = CycleTrainer(config, device)
        trainer.max_rows = 2000
        self._install(trainer, secrets.token_hex(4), ({}, {}), "queued")
        self.resume()

    def adopt(self, trainer: CycleTrainer, run_id: str, series: tuple[dict, dict]) -> None:
        """Take over a parked run (parking.py), paused where it stopped, with its loss and evaluation series. It gets
        a new owner key: the one it was parked under is spent."""
        self.pause()  # (the page offers a parked run only to a session that has none running)
        self._install(trainer, run_id, series, "paused")

    def keepsake(self) -> tuple[dict, dict]:
        """What parking keeps besides the trainer: copies of the loss and evaluation series."""
        with self.lock:
            return ({k: list(v) for k, v in self._losses.items()}, {k: list(v) for k, v in self._evals.items()})

    def _install(self, trainer: CycleTrainer, run_id: str, series: tuple[dict, dict], status: str) -> None:
        """`trainer` becomes this runner's run (the old one, if any, is dropped; a running thread goes on with
        the new one)."""
        self.run_id, self.owner_key = run_id, secrets.token_urlsafe(18)
        with self.lock:
            self.trainer = trainer
            self._losses, self._evals = series
            self._panel, self._panel_t = {}, 0.0
            self._status, self._message = status, ""
            self._refresh_panel()
            self._publish()

    def resume(self) -> None:
        if self.trainer is None or self.closed:
            return
        with self._cond:
            self._want_run = True
            self._cond.notify_all()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="cyclegan-runner", daemon=True)
            self._thread.start()

    def pause(self) -> None:
        with self._cond:
            self._want_run = False
            self._cond.notify_all()

    def set_weights(self, lambda_cycle: float | None = None, lambda_identity: float | None = None) -> None:
        """Change the loss weights of the running trainer between two steps."""
        if self.trainer is None:
            return
        with self.lock:
            self.trainer.set_weights(lambda_cycle, lambda_identity)
            self._publish()

    def close(self) -> None:
        self.closed = True
        self.pause()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # ----- the thread
    def _loop(self) -> None:
        held = False
        try:
            while True:
                with self._cond:
                    if self.closed or not self._want_run:
                        break
                if time.monotonic() - self.last_poll > IDLE_TIMEOUT:
                    self._message = "paused: nobody was watching"
                    self._want_run = False
                    break
                if not held:
                    with self.lock:
                        self._status = "queued"
                        self._publish()
                    if not self.pool.acquire(self._ticket, lambda: self.closed or not self._want_run):
                        continue
                    held = True
                    if pools.others_present(self):
                        pools.lower_thread_priority()  # a shared server: clicks answer first
                if not self._run_for(0.1):
                    break
        finally:
            if held:
                self.pool.release(self._ticket)
            with self.lock:
                if self._status in ("running", "queued"):
                    self._status = "closed" if self.closed else "paused"
                self._publish()

    def _run_for(self, seconds: float) -> bool:
        """Steps for about `seconds` under the lock; False when the run has ended."""
        t0 = time.monotonic()
        with self.lock:
            trainer = self.trainer
            self._status = "running"
            start_step = trainer.step_count
            while time.monotonic() - t0 < seconds:
                if trainer.step_count >= trainer.config.steps:
                    self._status, self._want_run = "finished", False
                    break
                try:
                    res = trainer.step()
                except TrainingDiverged as e:
                    self._status, self._message, self._want_run = "diverged", str(e), False
                    break
                except Exception as e:  # noqa: BLE001 - shown on the page instead of killing the thread silently
                    self._status, self._message, self._want_run = "error", f"{type(e).__name__}: {e}", False
                    break
                self._record(res)
            took = time.monotonic() - t0
            self._rate = (trainer.step_count - start_step) / max(took, 1e-6)
            if time.monotonic() - self._panel_t > PANEL_EVERY[trainer.config.is_image] or self._status != "running":
                self._refresh_panel()
            self._publish()
            return self._status == "running"

    def _record(self, res) -> None:
        row = self.trainer.rows[-1] if self.trainer.rows and self.trainer.rows[-1]["step"] == res.step else None
        self._losses.setdefault("step", []).append(res.step)
        for name in LOSS_NAMES:
            self._losses.setdefault(name, []).append(getattr(res, name))
        _thin(self._losses)
        if row is not None and any(k.startswith("cycle_ab") for k in row):
            metrics = {k: v for k, v in row.items() if k.endswith(("_ab", "_ba"))}
            self._evals.setdefault("step", []).append(res.step)
            for k, v in metrics.items():
                self._evals.setdefault(k, []).append(v)
            _thin(self._evals)

    def _refresh_panel(self) -> None:
        """The fixed held-out inputs of both sides, their translations and their round trips."""
        t, ev = self.trainer, self.trainer.evaluator
        a, b = ev.panel_a, ev.panel_b
        ab, ba = t.translate(a, "ab"), t.translate(b, "ba")
        aba, bab = t.translate(ab, "ba"), t.translate(ba, "ab")
        if t.config.is_image:
            self._panel = {k: to_uint8(v) for k, v in (("a", a), ("ab", ab), ("aba", aba), ("b", b), ("ba", ba),
                                                        ("bab", bab))}
        else:
            self._panel = {k: v.cpu().numpy().astype(np.float32) for k, v in (("a", a), ("ab", ab), ("aba", aba),
                                                                                ("b", b), ("ba", ba), ("bab", bab))}
        self._panel_t = time.monotonic()

    def _publish(self) -> None:
        t = self.trainer
        if t is None:
            self._snap = CycleSnapshot(status=self._status, message=self._message)
            return
        self._snap = CycleSnapshot(
            status=self._status, step=t.step_count, steps=t.config.steps, pair=t.config.pair,
            is_image=t.config.is_image, losses={k: list(v) for k, v in self._losses.items()},
            evals={k: list(v) for k, v in self._evals.items()}, panel=dict(self._panel),
            lambda_cycle=t.lambda_cycle, lambda_identity=t.lambda_identity,
            rate=getattr(self, "_rate", 0.0) if math.isfinite(getattr(self, "_rate", 0.0)) else 0.0,
            message=self._message)
