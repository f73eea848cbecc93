"""The training runner: one Trainer driven by a background thread, read through immutable snapshots.

The runner never calls Streamlit. A page calls its control methods (start, pause, step_d, ...) and
reads `snapshot()`, a frozen object the worker thread replaces a few times a second; the page
never touches the Trainer while it trains. Everything that reads or changes the Trainer from
another thread (live learning rates, the variant's live options, saving) takes `lock`, which the
worker holds for each step.

States: idle (built, never started) -> queued (waiting for a slot of the TrainingPool) -> running
<-> paused; running -> finished (step budget or target reached) | diverged (a NaN or an explosion:
paused, history kept) | error; any -> closed (the thread has ended).

A paused run gives its pool slot back, so a class full of paused runs never blocks a running one;
single steps while paused need no slot (they are milliseconds).
"""
from __future__ import annotations

import copy
import io
import math
import os
import secrets
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import torch

from gan_core import TrainConfig, Trainer, TrainingDiverged

HISTORY_COLUMNS = ["step", "d_loss", "g_loss", "d_real", "d_fake", "d_grad", "g_grad"]
EVAL_KEYS = ("modes", "hq", "kl", "grid_kl", "grid_js", "fid", "is", "coverage", "class_kl", "precision", "recall",
             "density", "coverage_dc", "mean_confidence")
HISTORY_CAP = 2000          # points kept per history curve (then every other point is dropped)
FRAME_CAP = 120             # GIF timelapse frames kept (same thinning)
ROWS_CAP = 20_000           # trainer.rows kept for metrics.csv on very long runs (evaluation rows always kept)
N_POINTS = 2000             # generated / real points drawn for the 2D views
N_ARROWS = 80               # fake points that carry a gradient arrow
GRID = 60                   # resolution of D's decision heatmap
REDRAW_EVERY = 1.0          # seconds between two redraws of the Train page's live views while running
VIEW_EVERY = 0.9            # seconds between two snapshots with fresh pictures (one fresh picture per redraw)
# Once a second keeps a projector's picture live while the browser drawing it needs about half a core:
# at twice a second, the browser on the same 2-core laptop took nearly a whole core from training (BENCHMARKS.md).
IDLE_TIMEOUT = 900.0        # a run nobody has looked at for this long pauses and its thread ends (the run is kept)
TRAINING_NICE = 10          # training threads of a shared server run at this OS niceness: a click never waits behind them
NICE_CHECK_EVERY = 1.0      # seconds between two looks at whether other sessions share the server
SHARED_IF_POLLED_WITHIN = 5.0  # another session counts as present if it trains, waits to, or read its page this recently

# Slow motion: the named sub-steps of one iteration and what a teacher would say at each.
D_SUBSTEPS: tuple[tuple[str, str], ...] = (
    ("sample noise", "Draw a batch of random noise vectors z, one per fake sample."),
    ("generate fakes", "The generator turns each z into a fake sample G(z); the generator itself does not change in this half."),
    ("score real and fake", "The discriminator scores a batch of real samples and the batch of fakes: D(x) and D(G(z))."),
    ("compute the loss", "D's loss is small when it scores real samples high and fakes low."),
    ("update D", "Backpropagate the loss into D's weights only and take one optimiser step: the heatmap changes."),
)
G_SUBSTEPS: tuple[tuple[str, str], ...] = (
    ("sample noise", "Draw a fresh batch of noise vectors z."),
    ("generate", "The generator turns each z into a fake sample G(z)."),
    ("score fakes", "The discriminator, now frozen, scores the fakes: D(G(z))."),
    ("compute the loss", "G's loss is small when D mistakes its fakes for real data; its gradient says where each fake should move."),
    ("update G", "Backpropagate through D into G's weights only and take one optimiser step: the fakes move along the arrows."),
)


# --------------------------------------------------------------------------- the pool

class TrainingPool:
    """At most `slots` trainings run at once, process-wide; the others wait in FIFO order."""

    def __init__(self, slots: int | None = None):
        self.slots = max(1, int(slots or os.cpu_count() or 1))
        self._cond = threading.Condition()
        self._queue: list[object] = []
        self._active: set[object] = set()

    def acquire(self, ticket: object, cancelled: Callable[[], bool] = lambda: False, timeout: float | None = None) -> bool:
        """Wait for a slot (first come, first served). False if cancelled or timed out (the ticket leaves the queue)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if ticket in self._active:
                return True
            if ticket not in self._queue:
                self._queue.append(ticket)
            while True:
                if cancelled() or (deadline is not None and time.monotonic() > deadline):
                    self._remove(ticket)
                    return False
                if self._queue and self._queue[0] is ticket and len(self._active) < self.slots:
                    self._queue.pop(0)
                    self._active.add(ticket)
                    self._cond.notify_all()
                    return True
                self._cond.wait(0.05)

    def try_acquire(self, ticket: object) -> bool:
        """A slot now, if one is free and nobody is waiting; never queues."""
        with self._cond:
            if ticket in self._active:
                return True
            if not self._queue and len(self._active) < self.slots:
                self._active.add(ticket)
                return True
            return False

    def release(self, ticket: object) -> None:
        with self._cond:
            self._active.discard(ticket)
            self._remove(ticket)
            self._cond.notify_all()

    def cancel(self, ticket: object) -> None:
        with self._cond:
            self._remove(ticket)
            self._cond.notify_all()

    def _remove(self, ticket: object) -> None:
        if ticket in self._queue:
            self._queue.remove(ticket)

    def position(self, ticket: object) -> int | None:
        """1 for the next in line; None when not waiting."""
        with self._cond:
            return self._queue.index(ticket) + 1 if ticket in self._queue else None

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._active)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)


import weakref

# ----------------------------------------------------------------------------- parked runs
# When a tab closes or reloads, its session ends and its runner's thread stops; the trainer itself is
# parked here for PARK_SECONDS so that the page, reopened with ?run=<id>, can offer to reattach to it.
# After that it is dropped and its memory freed.
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


_LIVE_RUNNERS: "weakref.WeakSet[TrainingRunner]" = weakref.WeakSet()


_LIVE_LOCK = threading.Lock()  # a WeakSet must not grow while another thread iterates over it


def live_runners() -> list["TrainingRunner"]:
    """Every runner of this process not yet closed (sessions that opened the Train page)."""
    with _LIVE_LOCK:
        runners = list(_LIVE_RUNNERS)
    return [r for r in runners if not r.closed]


_DEFAULT_POOL: TrainingPool | None = None
_POOL_LOCK = threading.Lock()


def default_pool() -> TrainingPool:
    """The process-wide pool: one training per CPU core."""
    global _DEFAULT_POOL
    with _POOL_LOCK:
        if _DEFAULT_POOL is None:
            _DEFAULT_POOL = TrainingPool(os.cpu_count() or 1)
        return _DEFAULT_POOL


def lower_thread_priority(niceness: int = TRAINING_NICE) -> bool:
    """Give the calling thread a lower CPU priority (Linux: per-thread niceness). Training then only uses what
    the interactive work (page reruns, the server's own threads) leaves, so a class full of training
    runs still gets its slider answers at once. Returns False where the OS does not allow it."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(niceness, os.getpriority(os.PRIO_PROCESS, tid)))
        return True
    except (AttributeError, OSError):
        return False


def torch_threads_for(pool: TrainingPool) -> int:
    """Threads per training so that a full pool does not oversubscribe the cores (torch's setting is process-wide)."""
    return max(1, (os.cpu_count() or 1) // pool.slots)


# --------------------------------------------------------------------------- bounded series

class Thinned:
    """An append-only series that keeps at most `cap` items by dropping every other one when full.

    Kept items stay evenly spaced: after k thinnings, one item in 2**k is recorded.
    """

    def __init__(self, cap: int):
        self.cap = cap
        self.items: list = []
        self.stride = 1
        self._seen = 0

    def add(self, item: Any) -> None:
        if self._seen % self.stride == 0:
            self.items.append(item)
            if len(self.items) > self.cap:
                self.items = self.items[::2]
                self.stride *= 2
        self._seen += 1

    def __len__(self) -> int:
        return len(self.items)


# --------------------------------------------------------------------------- snapshots

@dataclass(frozen=True)
class Views2D:
    """Pictures of a 2D run, all numpy (the page only draws them)."""
    bounds: tuple[float, float, float, float]
    real: np.ndarray                  # (N, 2)
    fake: np.ndarray                  # (N, 2) from a fixed noise batch
    grid_x: np.ndarray                # (GRID,)
    grid_y: np.ndarray                # (GRID,)
    d_map: np.ndarray                 # (GRID, GRID) D's output, rows along y
    d_is_probability: bool
    manifold: np.ndarray              # (L, M, 2): L polylines of the warped noise grid
    arrow_from: np.ndarray            # (A, 2)
    arrow_dir: np.ndarray             # (A, 2) minus the gradient of G's loss at each fake (unit length)
    centres: np.ndarray | None        # (K, 2) mixture centres
    covered: np.ndarray | None        # (K,) bool


@dataclass(frozen=True)
class ViewsImage:
    grid: np.ndarray                  # (H, W) or (H, W, 3) uint8: the fixed noise batch
    class_counts: np.ndarray | None   # (classes,) from the evaluation classifier


@dataclass(frozen=True)
class Snapshot:
    status: str = "idle"              # idle | queued | running | paused | finished | diverged | error | closed
    step: int = 0
    budget: int = 0
    steps_per_s: float = 0.0
    examples_per_s: float = 0.0
    last: Any = None                  # the last StepResult
    history: pd.DataFrame = field(default_factory=pd.DataFrame)   # step, d_loss, g_loss, d_real, d_fake, d_grad, g_grad
    evals: pd.DataFrame = field(default_factory=pd.DataFrame)     # step + metrics (modes, hq, kl, ...)
    metrics: dict = field(default_factory=dict)
    views: Views2D | ViewsImage | None = None
    message: str = ""
    queue_position: int | None = None
    substep: str = ""
    narration: str = ""
    phase: str = ""                   # "D" or "G" in slow motion
    config: TrainConfig | None = None
    version: int = 0                  # grows with every published snapshot
    frames: int = 0                   # timelapse frames kept


# --------------------------------------------------------------------------- the runner

class TrainingRunner:
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
        self._commands: list[str] = []         # "d", "g", "both", "sub" while paused
        self._slow = 0.0                       # seconds per sub-step in slow motion (0 = off)
        self.max_steps_per_s: float | None = None
        self.target: tuple[int, float] | None = None   # stop when modes >= k and hq >= x
        self._last_poll = time.monotonic()
        self._snapshot = Snapshot()
        self._version = 0
        self._sub_index = 0                    # position in the slow-motion sequence
        self._status = "idle"
        self._message = ""
        self._last = None
        self._sub_current: tuple[str, str, str] = ("", "", "")
        self._view_z: torch.Tensor | None = None
        self._view_trainer: Trainer | None = None
        self.trainer: Trainer | None = None
        self.run_id = ""                       # names the run in the URL, to reattach after a reload
        self._reset_series()
        with _LIVE_LOCK:
            _LIVE_RUNNERS.add(self)
        if config is not None:
            self.configure(config)

    # ----- set-up -----
    def configure(self, config: TrainConfig) -> None:
        """A fresh trainer for `config` (stops the current run; its history is dropped)."""
        trainer = Trainer(config, self.device)
        trainer.max_rows = HISTORY_CAP  # an interactive run may go on for hours: keep its log bounded
        self._install(trainer, secrets.token_hex(4))

    def adopt(self, trainer: Trainer, run_id: str) -> None:
        """Take over a parked trainer (see `park`), paused where it stopped, its logged history redrawn."""
        self._install(trainer, run_id)
        with self.lock:
            for row in trainer.rows:
                self._hist.add(tuple(row.get(c, float("nan")) for c in HISTORY_COLUMNS))
                metrics = {k: v for k, v in row.items() if k in EVAL_KEYS and v == v}
                if metrics:
                    self._evals.add({"step": row["step"], **metrics})
            self._status = "paused" if trainer.step_count else "idle"
            self._publish(views=True)

    def _install(self, trainer: Trainer, run_id: str) -> None:
        self.run_id = run_id
        with self.lock:
            self._want_run = False
            self._commands.clear()
            self.trainer = trainer
            self._reset_series()
            self._status = "idle"
            self._message = ""
            self._sub_index = 0
            self._release_slot()
            self._publish(views=True)

    def _reset_series(self) -> None:
        self._hist = Thinned(HISTORY_CAP)
        self._evals = Thinned(HISTORY_CAP)
        self._frames = Thinned(FRAME_CAP)
        self._rate_t, self._rate_step, self._rate = time.monotonic(), 0, 0.0
        self._last_view_t = 0.0
        self._last_cheap_t = 0.0
        self._last_frame_t = 0.0
        self._last_eval_step = -1
        real = None
        t = self.trainer
        if t is not None and not t.config.data.is_image:
            g = torch.Generator(device=t.device).manual_seed(12345)
            real = t.data.source.sample(N_POINTS, g).cpu().numpy()
        self._real = real

    def reset(self) -> None:
        """Back to step 0 with the same settings."""
        if self.trainer is None:
            raise RuntimeError("nothing to reset: no run is configured")
        self.configure(self.trainer.config)

    @property
    def config(self) -> TrainConfig | None:
        return None if self.trainer is None else self.trainer.config

    # ----- controls -----
    def start(self) -> None:
        """Train (or resume); waits in the pool's queue when every slot is taken."""
        if self.trainer is None:
            raise RuntimeError("configure a run before starting it")
        with self._cond:
            if self._closed:
                raise RuntimeError("this runner is closed")
            if self._status in ("diverged", "error"):
                return
        with self.lock:
            self._message = ""
            if not self._holds_slot:
                self._status = "queued"
                self._publish()
        with self._cond:
            self._want_run = True
            self._ensure_thread()
            self._cond.notify_all()

    resume = start

    def pause(self) -> None:
        with self._cond:
            self._want_run = False
            self._cond.notify_all()
        self.pool.cancel(self._ticket)  # a queued run leaves the queue
        with self.lock:
            self._release_slot()
            if self._status in ("running", "queued", "idle"):
                self._status = "paused" if self.trainer and self.trainer.step_count else "idle"
            self._publish(views=True)

    cancel = pause

    def stop(self) -> None:
        """Pause and forget the queue place (the thread lives on for single steps)."""
        self.pause()

    def step_d(self) -> None:
        self._command("d")

    def step_g(self) -> None:
        self._command("g")

    def step_both(self) -> None:
        self._command("both")

    def next_substep(self) -> None:
        """Slow motion by hand: advance one named sub-step."""
        self._command("sub")

    def _command(self, what: str) -> None:
        if self.trainer is None:
            raise RuntimeError("configure a run first")
        if self._want_run:
            raise RuntimeError("pause the run before stepping by hand")
        with self._cond:
            self._ensure_thread()
            self._commands.append(what)
            self._cond.notify_all()

    def set_speed(self, max_steps_per_s: float | None) -> None:
        """Cap the training speed (None or 0: as fast as the CPU allows)."""
        self.max_steps_per_s = float(max_steps_per_s) if max_steps_per_s else None

    def set_slow_motion(self, seconds_per_substep: float) -> None:
        """0 turns slow motion off; otherwise a running run advances one named sub-step every so many seconds."""
        with self._cond:
            self._slow = max(0.0, float(seconds_per_substep))
            self._cond.notify_all()

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

    def update_recipe(self, **options: Any) -> None:
        """Live variant options (gp_lambda, r1_gamma, clip, instance_noise, unroll, n_critic)."""
        with self.lock:
            self._require().update_recipe(**options)

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

    def _require(self) -> Trainer:
        if self.trainer is None:
            raise RuntimeError("configure a run first")
        return self.trainer

    # ----- reading -----
    def snapshot(self) -> Snapshot:
        """The latest published state (also the heartbeat: a run nobody reads pauses and its thread ends)."""
        self._last_poll = time.monotonic()
        snap = self._snapshot
        if snap.status == "queued":
            pos = self.pool.position(self._ticket)
            if pos != snap.queue_position:
                snap = _replace(snap, queue_position=pos)
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
        import shutil
        import tempfile

        from gan_core.runs import save_run

        Path(runs_dir).mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="download-", dir=runs_dir))
        try:
            with self.lock:
                save_run(self._require(), tmp, checkpoint=False)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(tmp.iterdir()):
                    zf.write(f, f"gan-run/{f.name}")
            return buf.getvalue()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def timelapse_gif(self, size: int = 360, ms_per_frame: int = 120) -> bytes | None:
        """An animated GIF of the kept frames (None while there are fewer than two)."""
        from dashboard.pictures import frames_to_gif

        with self.lock:
            frames = list(self._frames.items)
            bounds = self._bounds()
            real = self._real
        if len(frames) < 2:
            return None
        return frames_to_gif(frames, bounds, real, size=size, ms_per_frame=ms_per_frame)

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

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="gan-training-runner", daemon=True)
            self._thread.start()

    # ----- the worker -----
    def _loop(self) -> None:
        self._niced, self._nice_checked = False, 0.0
        try:
            while True:
                with self._cond:
                    idle = False
                    while not self._closed and not self._want_run and not self._commands:
                        if time.monotonic() - self._last_poll > self.idle_timeout:
                            idle = True
                            break
                        self._cond.wait(0.25)
                    if self._closed or idle:
                        break  # the thread ends; the run is kept and a later command starts a new thread
                    command = self._commands.pop(0) if self._commands and not self._want_run else None
                if command is not None:
                    self._manual(command)
                    continue
                if not self._holds_slot:
                    self._set_status("queued")
                    got = self.pool.acquire(self._ticket, lambda: self._closed or not self._want_run)
                    if not got:
                        continue
                    with self.lock:
                        self._holds_slot = True
                        if not self._want_run:  # paused while the slot came free
                            self._release_slot()
                            continue
                        self._status = "running"
                        self._rate_t, self._rate_step = time.monotonic(), self._require().step_count
                        self._publish()
                if time.monotonic() - self._last_poll > self.idle_timeout:
                    self._unwatched()
                    break
                self._run_once()
        finally:
            with self.lock:
                self._release_slot()
                self._status = "closed" if self._closed else self._status
                self._publish()

    def _unwatched(self) -> None:
        """Nobody has read this runner for `idle_timeout` seconds (the tab is gone): pause, free the slot."""
        with self._cond:
            self._want_run = False
        with self.lock:
            self._release_slot()
            if self._status in ("running", "queued"):
                self._status = "paused"
                self._message = (f"Paused after {self.idle_timeout / 60:.0f} minutes without anyone watching; "
                                 "press Resume to go on.")
            self._publish()

    def _run_once(self) -> None:
        t0 = time.monotonic()
        if self._slow > 0:
            self._advance_substep()
            self._sleep_until(t0 + self._slow)
            return
        with self.lock:
            if not self._want_run:
                return
            try:
                result = self._require().step()
            except TrainingDiverged as err:
                self._diverged(err)
                return
            except Exception as err:  # a bug or a missing file must not kill the thread silently
                self._failed(err)
                return
            self._after_step(result)
        if not self._niced and t0 - self._nice_checked >= NICE_CHECK_EVERY:
            self._nice_checked = t0
            self._yield_if_shared()
        if self.max_steps_per_s:
            self._sleep_until(t0 + 1.0 / self.max_steps_per_s)

    def _yield_if_shared(self) -> None:
        """A training alone on the server (one page: a teacher's laptop) runs at normal priority; once other
        sessions share the server (a class), at TRAINING_NICE, so their clicks and sliders come first. Only
        ever lowered: an unprivileged thread cannot raise its priority again."""
        now = time.monotonic()
        if any(r is not self and (r.busy or now - r._last_poll < SHARED_IF_POLLED_WITHIN) for r in live_runners()):
            self._niced = lower_thread_priority()

    def _sleep_until(self, deadline: float) -> None:
        with self._cond:
            while self._want_run and not self._closed and time.monotonic() < deadline:
                self._cond.wait(min(0.05, max(0.0, deadline - time.monotonic())))

    def _sequence(self) -> list[tuple[str, str, str]]:
        """One iteration in slow motion: n_critic times the D sub-steps, then the G sub-steps."""
        t = self._require()
        seq = [("D", name, text) for _ in range(t.n_critic) for name, text in D_SUBSTEPS]
        return seq + [("G", name, text) for name, text in G_SUBSTEPS]

    def _advance_substep(self) -> None:
        with self.lock:
            t = self._require()
            seq = self._sequence()
            phase, name, text = seq[self._sub_index % len(seq)]
            try:
                if name == "update D":
                    t.step_discriminator()
                    self._publish(views=True)
                elif name == "update G":
                    result = t.step_generator()
                    self._after_step(result, force_views=True)
            except TrainingDiverged as err:
                self._diverged(err)
                return
            self._sub_index = (self._sub_index + 1) % len(seq)
            self._sub_current = (phase, name, text)
            self._publish()

    def _manual(self, command: str) -> None:
        with self.lock:
            t = self._require()
            try:
                if command == "sub":
                    self._advance_substep()
                    return
                if command == "d":
                    t.step_discriminator()
                    self._sub_current = ("D", "update D", "One discriminator step: only D's weights changed.")
                elif command == "g":
                    self._after_step(t.step_generator())
                    self._sub_current = ("G", "update G", "One generator step: only G's weights changed.")
                else:
                    self._after_step(t.step())
                    self._sub_current = ("", "", "")
                self._sub_index = 0
                if self._status in ("idle", "finished"):
                    self._status = "paused"
                self._publish(views=True)
            except TrainingDiverged as err:
                self._diverged(err)
            except Exception as err:
                self._failed(err)

    def _after_step(self, r, force_views: bool = False) -> None:
        t = self._require()
        self._last = r
        self._hist.add((r.step, r.d_loss, r.g_loss, r.d_real, r.d_fake, r.d_grad, r.g_grad))
        row = t.rows[-1] if t.rows else None
        if (row is not None and row.get("step") == r.step and t.last_eval and self._last_eval_step != r.step
                and all(k in row for k in t.last_eval)):
            self._last_eval_step = r.step
            self._evals.add({"step": r.step, **{k: v for k, v in t.last_eval.items() if np.isscalar(v)}})
        if len(t.rows) > ROWS_CAP:
            t.rows = [row for i, row in enumerate(t.rows) if i % 2 == 0 or "modes" in row or "fid" in row]
        now = time.monotonic()
        dt = now - self._rate_t
        if dt >= 0.5:
            self._rate = (t.step_count - self._rate_step) / dt
            self._rate_t, self._rate_step = now, t.step_count
        if t.step_count >= t.config.steps:
            self._finish(f"Reached the step budget of {t.config.steps:,} steps.")
        elif self.target and t.last_eval and self._last_eval_step == r.step:
            k, hq = self.target
            if t.last_eval.get("modes", -1) >= k and t.last_eval.get("hq", -1.0) >= hq:
                self._finish(f"Reached the target at step {t.step_count:,}: {t.last_eval['modes']} modes, "
                             f"{t.last_eval['hq']:.0%} high-quality samples.")
        views = force_views or now - self._last_view_t >= self.view_every or self._status != "running"
        if views or now - self._last_cheap_t >= 0.05:  # numbers at most 20 times a second
            self._last_cheap_t = now
            self._publish(views=views)

    def _finish(self, message: str) -> None:
        self._want_run = False
        self._status = "finished"
        self._message = message
        self._release_slot()

    def _diverged(self, err: TrainingDiverged) -> None:
        self._want_run = False
        self._status = "diverged"
        self._message = (f"Training diverged at step {err.step}: {err.quantity} "
                         f"{'became ' + str(err.value) if not math.isfinite(err.value) else f'exploded to {err.value:.3g}'}. "
                         "The learning rates are probably too high for this model. The history is kept: "
                         "Reset to start again, or restore the last good state with lower learning rates.")
        self._release_slot()
        self._publish(views=False)

    def _failed(self, err: Exception) -> None:
        self._want_run = False
        self._status = "error"
        self._message = f"Training stopped: {type(err).__name__}: {err}"
        self._release_slot()
        self._publish(views=False)

    def _release_slot(self) -> None:
        if self._holds_slot:
            self._holds_slot = False
            self.pool.release(self._ticket)

    def _set_status(self, status: str) -> None:
        with self.lock:
            if self._status not in ("diverged", "error", "closed", "finished") or status == "closed":
                self._status = status
            self._publish()

    # ----- publishing -----
    def _bounds(self) -> tuple[float, float, float, float]:
        t = self.trainer
        if t is None or t.config.data.is_image:
            return (-3.0, 3.0, -3.0, 3.0)
        return t.data.source.bounds()

    def _publish(self, views: bool = False) -> None:
        """Replace the snapshot (caller holds `lock`). Between two picture refreshes only the cheap
        numbers change; the history tables and pictures are rebuilt with the pictures (every
        `view_every` seconds while running), which keeps the per-step cost to microseconds."""
        t = self.trainer
        prev = self._snapshot
        if t is None:
            self._snapshot = _replace(prev, status=self._status)
            return
        now = time.monotonic()
        v = prev.views
        hist, evals = prev.history, prev.evals
        if views or v is None:
            try:
                v = self._views()
            except Exception as err:  # drawing must never stop training
                self._message = self._message or f"Could not draw the pictures: {err}"
            self._last_view_t = now
            if t.step_count and (now - self._last_frame_t >= 1.0 or len(self._frames) == 0):
                self._frames.add(_frame_of(v))
                self._last_frame_t = now
            hist = pd.DataFrame(self._hist.items, columns=HISTORY_COLUMNS)
            evals = pd.DataFrame(self._evals.items)
        phase, name, text = self._sub_current
        if self._slow <= 0 and self._status == "running":
            phase, name, text = "", "", ""
        status = self._status
        rate = self._rate if status == "running" else 0.0
        self._version += 1
        self._snapshot = Snapshot(
            status=status, step=t.step_count, budget=t.config.steps, steps_per_s=rate,
            examples_per_s=rate * t.batch_size * (t.n_critic + 1),
            last=self._last if t.step_count else None, history=hist, evals=evals,
            metrics=dict(t.last_eval), views=v, message=self._message,
            queue_position=self.pool.position(self._ticket) if status == "queued" else None,
            substep=name, narration=text, phase=phase, config=t.config, version=self._version,
            frames=len(self._frames))

    @torch.no_grad()
    def _views(self) -> Views2D | ViewsImage:
        t = self._require()
        if t.config.data.is_image:
            return self._image_views(t)
        if self._view_z is None or self._view_trainer is not t:
            g = torch.Generator(device=t.device).manual_seed(t.config.seed + 99)
            self._view_z, self._view_trainer = t._noise(N_POINTS, g), t  # the same noise at every snapshot
        return views_2d(t, self._real, self._view_z)

    def _image_views(self, t: Trainer) -> ViewsImage:
        from gan_core.data.pixels import to_uint8
        from gan_core.pictures import image_grid

        imgs = to_uint8(t.generate(t.fixed_z, t.fixed_y))  # (64, 28, 28) the fixed noise batch
        return ViewsImage(image_grid(imgs, cols=8), self._class_counts(t))

    def _class_counts(self, t: Trainer, n: int = 256) -> np.ndarray | None:
        """How many of n samples (a fixed seed) the evaluation classifier puts in each class."""
        if t.config.data.name == "stacked-mnist":
            return None
        if getattr(self, "_classifier", None) is None:
            try:
                from gan_core.evaluation.classifier import default_classifier

                self._classifier = default_classifier(t.config.data.name).eval()
            except Exception:  # no shipped classifier: the page shows no histogram
                return None
        x = t.sample(n, seed=4242)
        if x.shape[1] != 1:
            return None
        logits = self._classifier(x.float().cpu())
        return np.bincount(logits.argmax(1).numpy(), minlength=logits.shape[1])


def _frame_of(v: Views2D | ViewsImage | None):
    if isinstance(v, Views2D):
        return v.fake[:1000].copy()
    if isinstance(v, ViewsImage):
        return v.grid.copy()
    return None


def _replace(snap: Snapshot, **changes) -> Snapshot:
    from dataclasses import replace

    return replace(snap, **changes)


# --------------------------------------------------------------------------- 2D pictures

def views_2d(t: Trainer, real: np.ndarray | None, z: torch.Tensor) -> Views2D:
    """D's heatmap, the warped noise grid, gradient arrows and the fakes of a 2D run (caller holds the lock)."""
    from gan_core.models import pack

    bounds = t.data.source.bounds()
    x0, x1, y0, y1 = bounds
    m = t.recipe.pack
    D, G = t.D, t.sampler
    d_was, g_was = D.training, G.training
    D.eval()  # spectral norm: no power-iteration update from a picture
    G.eval()
    try:
        fake = t.generate(z)
        fake_np = fake.cpu().numpy()

        gx = np.linspace(x0, x1, GRID, dtype=np.float32)
        gy = np.linspace(y0, y1, GRID, dtype=np.float32)
        xx, yy = np.meshgrid(gx, gy)  # (GRID, GRID), rows along y
        pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1)).to(t.device)  # (GRID*GRID, 2)
        inp = pack(pts.repeat_interleave(m, dim=0), m)  # a packed D sees the grid point m times
        logits = D(inp)
        prob = t.objective.probability
        d_map = (torch.sigmoid(logits) if prob else logits).reshape(GRID, GRID).cpu().numpy()

        manifold = _manifold(t, G)

        with torch.enable_grad():
            xa = fake[:N_ARROWS - N_ARROWS % m].clone().requires_grad_(True)
            loss = t.objective.g_loss(D(pack(xa, m)))
            (grad,) = torch.autograd.grad(loss, xa)
        direction = -grad.cpu().numpy()  # where G's loss falls fastest: the push D gives each fake
        norm = np.linalg.norm(direction, axis=1, keepdims=True)
        direction = np.where(norm > 0, direction / np.maximum(norm, 1e-12), 0.0)
    finally:
        D.train(d_was)
        G.train(g_was)

    centres = covered = None
    if t.data.mixture is not None:
        from gan_core.evaluation.modes2d import mode_metrics

        centres = t.data.mixture.centres
        mm = mode_metrics(fake_np, centres, t.data.mixture.sigma)
        covered = np.asarray(mm.counts) > 0
    return Views2D(bounds, real if real is not None else np.zeros((0, 2), np.float32), fake_np, gx, gy, d_map,
                   bool(prob), manifold, xa.detach().cpu().numpy(), direction, centres, covered)


def _manifold(t: Trainer, G: torch.nn.Module, lines: int = 13, points: int = 40) -> np.ndarray:
    """The image under G of a square grid in noise space: the first two latent dims span it, the rest are 0.

    The grid covers +-2 (normal noise) or +-1 (uniform). Returns (2*lines, points, 2) polylines.
    """
    z_dim = t.config.model.z_dim
    r = 1.0 if t.config.model.noise == "uniform" else 2.0
    a = torch.linspace(-r, r, lines)
    b = torch.linspace(-r, r, points)
    zs = []
    for fixed in a:
        for axis in (0, 1):
            z = torch.zeros(points, z_dim)
            z[:, axis] = b
            if z_dim > 1:
                z[:, 1 - axis] = fixed
            zs.append(z)
    z = torch.cat(zs).to(t.device)
    x = G(z).cpu().numpy()
    return x.reshape(len(zs), points, 2)
