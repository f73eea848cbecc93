"""The training runner: one Trainer driven by a background thread, read through immutable snapshots.

The runner never calls Streamlit. A page calls its control methods (start, pause, step_d, ...) and reads
`snapshot()`, a frozen object (snapshot.py) the worker thread replaces a few times a second; the page never
touches the Trainer. Everything that reads or changes the Trainer from another thread (live learning rates, the
variant's live options, saving) takes `lock`, which the worker holds for each step.

States: idle (built, never started) -> queued (waiting for a slot of the TrainingPool) -> running <-> paused;
running -> finished (step budget or target reached) | diverged (a NaN or an explosion: paused, history kept) |
error; any -> closed (the thread has ended).

A paused run gives its pool slot back, so a class full of paused runs never blocks a running one; single
steps while paused need no slot (they are milliseconds).
"""
from __future__ import annotations

import copy
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard.training import downloads, pool as pools, slow_motion
from dashboard.training.pool import TrainingPool, default_pool
from dashboard.training.snapshot import HISTORY_CAP, Record, Snapshot, frame_of
from dashboard.training.worker import Worker, replace_snapshot
from gan_core import TrainConfig, Trainer, TrainingDiverged

REDRAW_EVERY = 1.0          # seconds between two redraws of the Train page's live views while running
VIEW_EVERY = 0.9            # seconds between two snapshots with fresh pictures (one fresh picture per redraw)
# Once a second keeps a projector's picture live while the browser drawing it needs about half a core:
# at twice a second, the browser on the same 2-core laptop took nearly a whole core from training (BENCHMARKS.md).
# What the page says after a step by hand: (phase, sub-step, sentence).
MANUAL = {"d": ("D", "update D", "One discriminator step: only D's weights changed."),
          "g": ("G", "update G", "One generator step: only G's weights changed."),
          "both": ("DG", "update D, then G", "One whole iteration: a discriminator step, then a generator step.")}
IDLE_TIMEOUT = 900.0        # a run nobody has looked at for this long pauses and its thread ends (the run is kept)


class TrainingRunner(Worker):
    """A session's run: its controls and its snapshots (the thread's half is worker.Worker)."""

    KIND = "train"  # what parking.py files a closed run under

    def __init__(self, config: TrainConfig | None = None, pool: TrainingPool | None = None,
                 idle_timeout: float = IDLE_TIMEOUT, view_every: float = VIEW_EVERY, device: str = "cpu"):
        self.pool = pool or default_pool()
        self.idle_timeout = idle_timeout
        self.view_every = view_every
        self.device = device
        self.lock = threading.RLock()          # held by the worker for each step; take it to touch the trainer
        self._cond = threading.Condition()     # wakes the worker on commands
        self._thread: threading.Thread | None = None
        self._ticket = object()
        self._closed = False
        self._want_run = False
        self._holds_slot = False
        self._slow = 0.0                       # seconds per sub-step in slow motion (0 = off)
        self.max_steps_per_s: float | None = None
        self.target: tuple[int, float] | None = None   # stop when modes >= k and hq >= x
        self.last_poll = time.monotonic()
        self._snapshot = Snapshot()
        self._version = 0
        self._sub_index = 0                    # position in the slow-motion sequence
        self._status = "idle"
        self._message = ""
        self.trainer: Trainer | None = None
        self.run_id = ""                       # names the run on the page (public)
        self.owner_key = ""                    # the secret that reattaches to it after a reload (parking.py)
        self._reset_series()
        pools.register(self)
        if config is not None:
            self.configure(config)

    # ----- set-up -----
    def configure(self, config: TrainConfig) -> None:
        """A fresh trainer for `config` (stops the current run; its history is dropped)."""
        trainer = Trainer(config, self.device)
        trainer.max_rows = HISTORY_CAP  # an interactive run may go on for hours: keep its log bounded
        self._install(trainer, secrets.token_hex(4))

    def adopt(self, trainer: Trainer, run_id: str) -> None:
        """Take over a parked trainer (parking.py), paused where it stopped, its logged history redrawn. It gets
        a new owner key: the one it was parked under is spent."""
        self._install(trainer, run_id)
        with self.lock:
            self._record.add_rows(trainer.rows)
            self._status = "paused" if trainer.step_count else "idle"
            self._publish(views=True)

    def keepsake(self) -> None:
        """Nothing besides the trainer is parked: adopt() redraws the history from its rows."""
        return None

    def _install(self, trainer: Trainer, run_id: str) -> None:
        self.run_id = run_id
        self.owner_key = secrets.token_urlsafe(18)
        with self.lock:
            self._want_run = False
            self.trainer = trainer
            self._reset_series()
            self._status = "idle"
            self._message = ""
            self._sub_index = 0
            self._release_slot()
            self._publish(views=True)

    def _reset_series(self) -> None:
        self._record = Record(self.trainer)
        self._rate_t, self._rate_step, self._rate = time.monotonic(), 0, 0.0
        self._last_view_t = 0.0
        self._last_cheap_t = 0.0
        self._last = None                      # the last step's numbers (a D step by hand updates D's half)
        # (phase, sub-step, sentence) of the last step by hand: it belongs to the run it was taken in
        self._sub_current: tuple[str, str, str] = ("", "", "")

    def reset(self) -> None:
        """Back to step 0 with the same settings."""
        self.configure(self._require().config)

    # ----- controls -----
    def start(self) -> None:
        """Train (or resume); waits in the pool's queue when every slot is taken."""
        self._require()
        with self._cond:
            if self._closed:
                raise RuntimeError("this runner is closed")
            if self._status in ("diverged", "error"):
                return
        with self.lock:
            self._message = ""
            self._sub_current = ("", "", "")  # training on: the last step by hand's sentence no longer holds
            if not self._holds_slot:
                self._status = "queued"
                self._publish()
        with self._cond:
            self._want_run = True
            self._ensure_thread()
            self._cond.notify_all()

    def pause(self) -> None:
        """Stop training after the current step and give the slot back (a queued run leaves the queue)."""
        with self._cond:
            self._want_run = False
            self._cond.notify_all()
        self.pool.cancel(self._ticket)
        with self.lock:
            self._release_slot()
            if self._status in ("running", "queued", "idle"):
                self._status = "paused" if self.trainer and self.trainer.step_count else "idle"
            self._publish(views=True)

    # Steps by hand run in the caller's thread and are done when the call returns, their snapshot published:
    # the page that asked for a step draws that step (not the one before).
    def step_d(self) -> None:
        """One discriminator update: only D's weights change."""
        self._manual("d")

    def step_g(self) -> None:
        """One generator update (it completes the iteration: the step count grows)."""
        self._manual("g")

    def step_both(self) -> None:
        self._manual("both")

    def next_substep(self) -> None:
        """Slow motion by hand: advance one named sub-step."""
        self._manual("sub")

    def _manual(self, command: str) -> None:
        self._require()
        if self._want_run:
            raise RuntimeError("pause the run before stepping by hand")
        with self.lock:
            t = self._require()
            try:
                if command == "sub":
                    self._advance_substep()
                    return
                self._sub_current, self._sub_index = MANUAL[command], 0
                if command == "d":
                    self._step_d(t)
                else:
                    self._after_step(t.step_generator() if command == "g" else t.step(), publish=False)
                if self._status in ("idle", "finished"):
                    if self._status == "finished":
                        self._message = ""  # why it stopped ("Reached the step budget ...") no longer holds
                    self._status = "paused"
                self._publish(views=True)
            except TrainingDiverged as err:
                self._diverged(err)
            except Exception as err:
                self._failed(err)

    def set_speed(self, max_steps_per_s: float | None) -> None:
        """Cap the training speed (None or 0: as fast as the CPU allows)."""
        self.max_steps_per_s = float(max_steps_per_s) if max_steps_per_s else None

    def set_slow_motion(self, seconds_per_substep: float) -> None:
        """0 turns slow motion off; otherwise a running run advances one named sub-step every so many seconds.
        A change starts the steps/s measure afresh: at full speed it said ~100, in slow motion one iteration
        takes (5 n_critic + 5) sub-steps, and the figure shows that rate at once rather than the old one."""
        slow = max(0.0, float(seconds_per_substep))
        with self._cond:
            changed, self._slow = slow != self._slow, slow
            self._cond.notify_all()
        if changed:
            with self.lock:
                t = self.trainer
                if t is not None:
                    self._rate_t, self._rate_step = time.monotonic(), t.step_count
                    self._rate = 1.0 / (slow * len(slow_motion.sequence(t.n_critic))) if slow else 0.0
                    if not slow:  # slow motion off: its last sub-step's sentence leaves the page with it
                        self._sub_current = ("", "", "")
                    self._publish()

    def set_target(self, modes: int | None, hq: float | None = None) -> None:
        self.target = None if modes is None else (int(modes), float(hq or 0.0))

    def set_budget(self, steps: int) -> None:
        """Change the step budget of the current run (the trainer's config.steps: also the decay horizon)."""
        with self.lock:
            if self.trainer is not None:
                self.trainer.config = self.trainer.config.replace(steps=int(steps))
                self._publish()

    def set_learning_rates(self, lr_g: float | None = None, lr_d: float | None = None,
                           lr_decay: float | None = None) -> None:
        """Live: takes effect at the next step. Raises ValueError for a bad rate."""
        with self.lock:
            self._require().set_learning_rates(lr_g, lr_d, lr_decay)
            self._publish()

    def update_recipe(self, **options: Any) -> None:
        """Live variant options (gp_lambda, r1_gamma, clip, instance_noise, unroll, n_critic)."""
        with self.lock:
            self._require().update_recipe(**options)
            self._publish()

    def recover(self, lr_factor: float = 0.1) -> None:
        """After divergence: the last good state, with both learning rates multiplied by `lr_factor`."""
        with self.lock:
            t = self._require()
            t.restore_last_good()
            t.set_learning_rates(t.base_lr_g * lr_factor, t.base_lr_d * lr_factor)
            self._status = "paused"
            self._message = (f"Went back to step {t.step_count} and lowered the learning rates to "
                             f"G {t.base_lr_g:.2g}, D {t.base_lr_d:.2g}. Press Resume.")
            self._publish(views=True)

    # ----- reading -----
    def snapshot(self) -> Snapshot:
        """The latest published state (also the heartbeat: a run nobody reads pauses and its thread ends)."""
        self.last_poll = time.monotonic()
        snap = self._snapshot
        if snap.status == "queued":
            pos = self.pool.position(self._ticket)
            if pos != snap.queue_position:
                snap = replace_snapshot(snap, queue_position=pos)
        return snap

    def full_history(self) -> pd.DataFrame:
        with self.lock:
            return self._require().history

    def generator_copy(self):
        """(a copy of G in eval mode, config, data shape, n_classes): safe to use while training goes on."""
        with self.lock:
            t = self._require()
            g = copy.deepcopy(t.sampler).eval()
            return g, t.config, tuple(t.data.shape), t.n_classes

    def run_zip(self, runs_dir: str | Path = "runs") -> bytes:
        """The run folder (config.json, weights, metrics.csv) as an in-memory zip."""
        return downloads.run_zip(self._require(), self.lock, runs_dir)

    def timelapse_gif(self, size: int = 360, ms_per_frame: int = 120) -> bytes | None:
        """An animated GIF of the kept frames and the picture of now, also while training (None before the
        first step)."""
        with self.lock:
            frames = list(self._record.frames.items)
            snap, t = self._snapshot, self.trainer
            bounds = (-3.0, 3.0, -3.0, 3.0) if t is None or t.config.data.is_image else t.data.source.bounds()
            real = self._record.real
        if snap.views is not None and snap.step:
            now = frame_of(snap.views)
            if not frames or not np.array_equal(frames[-1], now):
                frames.append(now)
        return downloads.timelapse_gif(frames, bounds, real, size, ms_per_frame)

    # ----- life cycle -----
    def close(self) -> None:
        """Stop the thread for good and give the pool slot back. Safe to call twice, from any thread."""
        with self._cond:
            self._closed = True
            self._want_run = False
            self._cond.notify_all()
        self.pool.cancel(self._ticket)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        with self.lock:
            self._release_slot()
            self._status = "closed"
            self._publish()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> bool:
        """Training, or waiting for a slot to train."""
        return self._status in ("running", "queued")

    @property
    def thread_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
